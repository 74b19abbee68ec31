"""The sandbox's runs on Dask: a run large enough (or any, with IPFUND_DASK_SCHEDULER set) is decided
on the cluster, with the outcomes the same run gets in this process. (Typed claims on the cluster
against the door's `decide`: tests/engine/test_distributed.py.)"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from ipfund.web import engine_door

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
from test_distributed import COUNTY, FIXTURES, county_claims  # noqa: E402


def test_a_sandbox_run_of_many_claims_goes_to_the_cluster_and_decides_alike(dask_client, settings, monkeypatch):
    """decide_scenario — the sandbox's one engine call — sends a run of IPFUND_DASK_MIN_CLAIMS claims
    or more to Dask; its outcomes are those of the run in this process, unreadable claims included."""
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))
    policy = engine_door.policy_named(COUNTY)
    claims = county_claims(random.Random(78), 700, orgs=25, contracts=15, certs=8)
    claims[3] = {**claims[3], "item": "no_such_item"}
    claims[5] = {**claims[5], "applicant": {**claims[5]["applicant"], "in_zone": "yes"}}
    settings.IPFUND_DASK_MIN_CLAIMS = 10 ** 9
    here = engine_door.decide_scenario(policy, claims, interpretations={"C2": "first"})
    sent: list = []
    real = engine_door._scenario_on_dask
    monkeypatch.setattr(engine_door, "_scenario_on_dask", lambda *a: sent.append(1) or real(*a))
    settings.IPFUND_DASK_MIN_CLAIMS = 100
    settings.IPFUND_DASK_SCHEDULER = dask_client.scheduler.address
    there = engine_door.decide_scenario(policy, claims, interpretations={"C2": "first"})
    assert sent and there == here
    assert here[3].error and here[5].error and any(d.reasons for d in here)
