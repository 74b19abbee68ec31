"""The engine door's bulk run on Dask (what the sandbox routes its large runs to): the scheduler the
setting IPFUND_DASK_SCHEDULER names decides the contract's claims exactly as `decide` does in this
process, and the job is told the chunks done."""

from __future__ import annotations

import random
import sys
from pathlib import Path

from ipfund.web import engine_door

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
from test_distributed import COUNTY, FIXTURES, county_claims  # noqa: E402


def _typed(data: dict):
    from ipfund.engine import Applicant, Claim

    a = data["applicant"]
    return Claim(id=data["id"], item=data["item"], event_date=data["event_date"], facts=data["facts"],
                 applicant=Applicant(id=a["id"], kind=a["kind"], in_zone=bool(a["in_zone"]), sme=bool(a.get("sme", False))))


def test_typed_claims_decided_on_the_cluster_are_the_ones_decided_here(dask_client, settings, monkeypatch):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))
    settings.IPFUND_DASK_SCHEDULER = dask_client.scheduler.address
    policy = engine_door.policy_named(COUNTY)
    claims = county_claims(random.Random(77), 900, orgs=30, contracts=20, certs=10)
    told: list[tuple[int, int]] = []
    typed = [_typed(c) for c in claims]
    got = engine_door.decide_in_bulk(policy, typed, interpretations={"C2": "first"},
                                     progress=lambda done, total: told.append((done, total)))
    want = engine_door.decide(policy, typed, interpretations={"C2": "first"},
                              explain=False)
    assert got == want and any(d.reasons for d in got)
    assert told and told[-1][0] == told[-1][1] > 1


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
