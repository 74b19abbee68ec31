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


def test_a_scenario_decided_on_the_cluster_is_the_one_decided_here(dask_client, settings, monkeypatch):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))
    settings.IPFUND_DASK_SCHEDULER = dask_client.scheduler.address
    policy = engine_door.policy_named(COUNTY)
    claims = county_claims(random.Random(77), 900, orgs=30, contracts=20, certs=10)
    told: list[tuple[int, int]] = []
    got = engine_door.decide_scenario_in_bulk(policy, claims, interpretations={"C2": "first"},
                                              progress=lambda done, total: told.append((done, total)))
    want = engine_door.decide(policy, [engine_door._bulk_claim(c) for c in claims], interpretations={"C2": "first"},
                              explain=False)
    assert got == want and any(d.reasons for d in got)
    assert told and told[-1][0] == told[-1][1] > 1
