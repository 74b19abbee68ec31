"""Bulk decisions on Dask (engine/distributed.py) equal the one-process bulk byte for byte: claims
linked across partitions by every kind of ledger name — the same applicant's yearly total across
items, the same patent (duplicate key), the same contract of an exclusive group, a cap declared by
another policy over this one's items, cap groups, top-ups, ids repeated far apart — with history,
under other interpretations, with unreadable, invalid and blank lines. One in-process LocalCluster
for the whole session (tests/conftest.py); the CLI test starts worker processes."""

from __future__ import annotations

import io
import json
import random
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from ipfund.engine import door
from ipfund.engine.bulk import BulkEvaluator
from ipfund.engine.distributed import LedgerSnapshot, components, decide_claims, decide_each, decide_jsonl, pack, plan

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
from test_bulk_parallel import _claims as zhaoqing_claims  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policies"
COUNTY, DISTRICT = "fictional-county-fund-2026", "fictional-district-intl-2026"


@pytest.fixture(autouse=True)
def _installed(monkeypatch):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))


def _org(i: int) -> str:
    body = f"914412{i:06d}MA0QQ"
    return body + uscc.calc_check_digit(body)


def county_claims(rng: random.Random, n: int, *, orgs: int, contracts: int, certs: int, cross: float = 0.03) -> list[dict]:
    """Claims of the county fund whose links are drawn from small pools: an applicant links its
    claims through the yearly total (every item) and the custody cap, a contract through its key and
    the same_contract matter, a patent through its key, a title through the title_or_cert matter.
    Contracts and patents are the applicant's own but for a share `cross` of them, drawn from a
    pool every applicant shares (so that applicants are linked to one another too)."""
    out = []
    for i in range(n):
        o = rng.randrange(orgs)
        applicant = {"id": _org(o), "kind": "enterprise", "in_zone": rng.random() < 0.95}
        owner = "S" if rng.random() < cross else str(o)
        item = rng.choice(["invention_grant", "ip_title", "ipms_cert", "custody", "navigation"])
        facts: dict
        if item == "invention_grant":
            facts = {"patent_number": f"ZL2026{owner}{rng.randrange(contracts)}.{rng.randrange(10)}"}
        elif item == "ip_title":
            facts = {"title_level": rng.choice(["demonstration", "advantage"])}
        elif item == "ipms_cert":
            facts = {"certificate_no": f"IPMS-{rng.randrange(certs)}"}
        else:
            facts = {"contract_no": f"K-{owner}-{rng.randrange(contracts)}",
                     "contract_amount": rng.choice(["30000", "200000", "12345.67", 80000])}
        out.append({"id": f"c{i}" if rng.random() > 0.01 else f"c{rng.randrange(i + 1)}", "item": item,
                    "applicant": applicant, "event_date": rng.choice(["2026-03-01", "2026-11-30", "2027-02-01"]),
                    "facts": facts})
    return out


def district_claims(rng: random.Random, n: int, *, orgs: int, marks: int) -> list[dict]:
    """Claims of the district's policy: the per-mark cap (by mark, across designations) and the
    combined yearly total it declares over its own items and the county's."""
    out = []
    for i in range(n):
        applicant = {"id": _org(rng.randrange(orgs)), "kind": "enterprise", "in_zone": True}
        if rng.random() < 0.5:
            item, facts = "madrid_mark", {"mark_no": f"M{rng.randrange(marks)}", "designated": rng.randrange(0, 9)}
        else:
            item, facts = "foreign_patent", {"patent_number": f"P{rng.randrange(marks)}",
                                             "major_count": rng.randrange(0, 4), "other_count": rng.randrange(0, 3)}
        out.append({"id": f"d{i}", "item": item, "applicant": applicant,
                    "event_date": rng.choice(["2026-03-05", "2027-06-01"]), "facts": facts})
    return out


def _lines(claims: list[dict], rng: random.Random) -> list[bytes]:
    lines = []
    for c in claims:
        line = json.dumps(c, ensure_ascii=False)
        r = rng.random()
        if r < 0.01:
            line = line[:-5]  # unreadable
        elif r < 0.02:
            line = line.replace('"in_zone": true', '"in_zone": "yes"')  # invalid
        elif r < 0.03:
            lines.append(b"   ")  # blank: no decision
        lines.append(line.encode())
    return lines


def one_process(policy: str, lines: list[bytes], **kw) -> bytes:
    blob = b"\n".join(lines) + b"\n"
    return b"".join(part for part, _n in BulkEvaluator(policy, **kw).run_blocks(io.BytesIO(blob), block=4096))


def on_dask(client, policy: str, lines: list[bytes], **kw) -> bytes:
    return b"".join(decide_jsonl(policy, lines, client, **kw))


def test_county_claims_linked_every_way_decide_as_one_process(dask_client):
    rng = random.Random(5)
    claims = county_claims(rng, 3000, orgs=60, contracts=80, certs=40)
    lines = _lines(claims, rng)
    want = one_process(COUNTY, lines)
    assert b'"cap_reached"' in want and b'"duplicate"' in want  # the links do change decisions
    seen = []
    got = on_dask(dask_client, COUNTY, lines, chunks=7, progress=lambda *a: seen.append(a))
    assert got == want
    assert ("decide", 7, 7) in seen or any(p == "decide" and d == t for p, d, t in seen)


def test_the_split_keeps_linked_claims_together_and_is_not_trivial(dask_client):
    from ipfund.engine.bulk import _read_block
    from ipfund.engine.distributed import read_names
    from ipfund.engine.evaluation import Evaluator

    rng = random.Random(8)
    lines = _lines(county_claims(rng, 800, orgs=50, contracts=5, certs=3, cross=0.01), rng)
    lines = [x for x in lines if x.strip()]
    ev = Evaluator(door.load_policy(COUNTY), explainable=False)
    n, errors = _read_block(ev, b"\n".join(lines))
    owners, digests = read_names(ev, n, errors)
    split = plan(n, [(n, owners, digests)], 6)
    assert len(split.chunks) == 6 and split.components > 6
    chunk_of = np.empty(n, dtype=np.int64)
    for c, positions in enumerate(split.chunks):
        assert np.all(np.diff(positions) > 0)  # input order within a chunk
        chunk_of[positions] = c
    for digest in np.unique(digests):  # every name lies in one chunk only
        assert len(set(chunk_of[owners[digests == digest]].tolist())) == 1


def test_history_and_another_reading_count_across_partitions(dask_client, monkeypatch):
    from ipfund.engine import distributed

    monkeypatch.setattr(distributed, "HISTORY_PART", 37)  # the history read in parts, merged in order
    rng = random.Random(13)
    past = county_claims(rng, 400, orgs=30, contracts=40, certs=20)
    history = {"policy": COUNTY, "awarded": [{**c, "amount": "20000.00"} for c in past
                                             if c["applicant"]["in_zone"]]}
    lines = _lines(county_claims(rng, 1500, orgs=30, contracts=40, certs=20), rng)
    for interpretations in ({}, {"C2": "first"}):
        want = one_process(COUNTY, lines, history=history, interpretations=interpretations)
        assert on_dask(dask_client, COUNTY, lines, history=history, interpretations=interpretations, chunks=5) == want


def test_a_history_one_process_refuses_is_refused_alike(dask_client, monkeypatch):
    from ipfund.engine import distributed
    from ipfund.engine.errors import BatchError

    monkeypatch.setattr(distributed, "HISTORY_PART", 10)
    rng = random.Random(2)
    awarded = [{**c, "amount": "100.00"} for c in county_claims(rng, 30, orgs=5, contracts=5, certs=5)]
    awarded[23]["applicant"] = {**awarded[23]["applicant"], "in_zone": "yes"}
    history = {"policy": COUNTY, "awarded": awarded}
    with pytest.raises(BatchError) as one:
        BulkEvaluator(COUNTY, history=history)
    with pytest.raises(BatchError) as dask:
        on_dask(dask_client, COUNTY, [b"{}"], history=history)
    assert str(dask.value) == str(one.value) and "23" in str(one.value)


def test_a_cap_declared_by_another_policy_spans_the_partitions(dask_client):
    rng = random.Random(21)
    lines = _lines(district_claims(rng, 2000, orgs=40, marks=60), rng)
    want = one_process(DISTRICT, lines)
    assert b'"cap_reached"' in want
    assert on_dask(dask_client, DISTRICT, lines, chunks=6) == want
    county = _lines(county_claims(rng, 1500, orgs=20, contracts=30, certs=10), rng)  # the district's total over them
    assert on_dask(dask_client, COUNTY, county, chunks=4) == one_process(COUNTY, county)


def test_top_ups_keys_and_repeated_ids_of_the_built_in_policy(dask_client):
    lines = [x.encode() for x in zhaoqing_claims(6000, seed=3)]
    policy = "zhaoqing-hitech-ip-2022"
    assert on_dask(dask_client, policy, lines, chunks=8) == one_process(policy, lines)
    assert on_dask(dask_client, policy, lines[:500], explain=True, chunks=3) == one_process(policy, lines[:500], explain=True)


def test_nothing_in_nothing_out(dask_client):
    assert on_dask(dask_client, COUNTY, [b"", b"  "]) == b""


def test_typed_claims_decide_as_the_door_does(dask_client):
    rng = random.Random(34)

    def typed(c):
        a = c["applicant"]
        return door.Claim(c["id"], c["item"], door.Applicant(a["id"], a["kind"], a["in_zone"]), c["event_date"], c["facts"])

    claims = [typed(c) for c in county_claims(rng, 600, orgs=25, contracts=30, certs=15)]
    awards = [door.Award(c, "15000.00") for c in claims[:100] if c.applicant.in_zone]
    rest = claims[100:]
    want = door.decide(COUNTY, rest, history=awards, explain=False)
    got = decide_claims(COUNTY, rest, dask_client, history=awards, chunks=5)
    assert got == want
    assert any(d.reasons for d in want)


def _typed(c: dict) -> door.Claim:
    a = c["applicant"]
    return door.Claim(c["id"], c["item"], door.Applicant(a["id"], a["kind"], a["in_zone"]), c["event_date"], c["facts"])


@pytest.mark.parametrize("on_cluster", [True, False])
def test_each_claim_decided_alone_against_the_ledger_in_bulk(dask_client, on_cluster):
    """Matching's bulk (decide_each): every claim as `decide(policy, [claim], history=ledger)`
    decides it alone — claims of the batch sharing a patent, a contract or a yearly total never see
    one another — explained when eligible only, on the cluster and in this process alike."""
    rng = random.Random(35)
    claims = [_typed(c) for c in county_claims(rng, 700, orgs=25, contracts=30, certs=15)]
    index = door.AwardIndex(door.load_policy(COUNTY), [door.Award(c, "15000.00") for c in claims[:120]
                                                       if c.applicant.in_zone])
    rest = claims[120:]
    asked: list = []

    def snapshot_of(keys, buckets):
        asked.append((list(keys), list(buckets)))
        return LedgerSnapshot(index.holders(keys), index.amounts(buckets))

    done: list = []
    got = decide_each(COUNTY, rest, dask_client if on_cluster else None, snapshot_of=snapshot_of, explain="eligible",
                      chunks=5, progress=lambda phase, d, t: done.append((phase, d, t)))
    want = [door.decide(COUNTY, [c], history=index, explain=True)[0] for c in rest]
    want = [d if d.eligible else door.decide(COUNTY, [c], history=index, explain=False)[0] for c, d in zip(rest, want)]
    assert got == want
    assert len(asked) == 1 and asked[0][0]  # the ledger asked once, for the keys of every claim
    assert {"duplicate", "cap_reached"} <= {r for d in want for r in d.reasons}
    assert any(d.eligible for d in want) and all((d.explanation is not None) == d.eligible for d in got if d.error is None)
    assert done and done[-1][1] == done[-1][2]


# -- the partition itself, on random link structures -------------------------------------------


def _reference_components(n: int, owners: list[int], names: list[int]) -> list[int]:
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first: dict[int, int] = {}
    for o, name in zip(owners, names):
        if name in first:
            a, b = find(o), find(first[name])
            parent[max(a, b)] = min(a, b)
        else:
            first[name] = o
    return [find(i) for i in range(n)]


links = st.integers(1, 60).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(-5, 40)), max_size=150), st.integers(1, 9)))


@settings(max_examples=200, deadline=None)
@given(links)
def test_components_and_chunks_on_random_links(case):
    n, edges, chunks = case
    owners = np.asarray([o for o, _ in edges], dtype=np.int64)
    digests = np.asarray([d for _, d in edges], dtype=np.int64)
    roots = components(n, owners, digests)
    assert roots.tolist() == _reference_components(n, owners.tolist(), digests.tolist())
    parts = pack(roots, chunks)
    assert sorted(np.concatenate(parts).tolist()) == list(range(n))
    where = {int(p): c for c, part in enumerate(parts) for p in part}
    for i in range(n):
        assert where[i] == where[int(roots[i])]  # a component is never split
    assert len(parts) <= chunks


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 2**32), st.integers(1, 40), st.integers(1, 60), st.integers(1, 30), st.integers(1, 8),
       st.integers(20, 300))
def test_random_link_structures_decide_as_one_process(dask_client, seed, orgs, contracts, certs, chunks, n):
    rng = random.Random(seed)
    lines = _lines(county_claims(rng, n, orgs=orgs, contracts=contracts, certs=certs), rng)
    assert on_dask(dask_client, COUNTY, lines, chunks=chunks) == one_process(COUNTY, lines)


def test_cli_on_two_worker_processes_writes_what_one_process_writes(tmp_path):
    import os
    import shutil
    import subprocess

    rng = random.Random(55)
    path = tmp_path / "claims.jsonl"
    path.write_bytes(b"\n".join(_lines(county_claims(rng, 4000, orgs=80, contracts=90, certs=50), rng)) + b"\n")
    ipfund = shutil.which("ipfund") or str(Path(sys.executable).with_name("ipfund"))
    env = dict(os.environ, IPFUND_POLICY_PATH=str(FIXTURES))
    base = [ipfund, "evaluate", "--jsonl", str(path), "--policy", COUNTY]
    one = subprocess.run([*base, "--workers", "1"], capture_output=True, check=True, env=env, timeout=120)
    two = subprocess.run([*base, "--dask-workers", "2"], capture_output=True, check=True, env=env, timeout=180)
    assert two.stdout == one.stdout and one.stdout.count(b"\n") == 4000
    progress = two.stderr.decode().splitlines()
    assert progress[-1] == "决定：8/8 块" and progress[0].startswith("找出关联：1/")
    bad = subprocess.run([*base, "--dask-workers", "0"], capture_output=True, env=env, timeout=60)
    assert bad.returncode != 0 and "--dask-workers 应为正整数" in bad.stderr.decode()


def test_facts_the_platform_knows_read_the_whole_history_and_the_registers_on_every_worker(dask_client):
    """A package whose facts are read from the history ("首次", last year's figure) and from
    registers (高新技术企业, 严重失信): every worker reads them from the whole history and the
    registers given, as one process does, wherever its chunk's claims fall."""
    growth = "fictional-growth-2026"
    rng = random.Random(21)
    orgs = [_org(i) for i in range(40)]
    registers = {
        "dishonest": {"label": "严重失信主体名单", "version": "2", "imported_on": "2027-02-10",
                      "entries": [{"code": o, "from": "2027-01-15"} for o in orgs[:5]]},
        "hitech": {"label": "高新技术企业名单", "version": "1", "imported_on": "2026-12-31",
                   "entries": [{"code": o, "from": "2025-12-01", "until": "2028-11-30"} for o in orgs[::3]]},
    }
    history = {"policy": growth, "awarded": [
        {"id": f"h{i}", "item": "growth", "applicant": {"id": o, "kind": "enterprise", "in_zone": True},
         "event_date": "2026-12-20", "amount": "9000.00", "facts": {"year": 2026, "grants": rng.randrange(3, 12)}}
        for i, o in enumerate(orgs[::2])]}
    claims = []
    for i in range(600):
        applicant = {"id": rng.choice(orgs), "kind": "enterprise", "in_zone": True}
        item = rng.choice(["growth", "hitech_first", "transfer"])
        if item == "growth":
            facts: dict = {"year": 2027, "grants": rng.randrange(0, 30)}
            if rng.random() < 0.5:
                facts["last_year_declared"] = rng.randrange(0, 10)
        elif item == "hitech_first":
            facts = {}
        else:
            value = rng.choice(["100000", "250000.50", "80000"])
            facts = {"contract_no": f"K{rng.randrange(50)}", "contract_value": value,
                     "registered_value": value if rng.random() < 0.9 else "1.00"}
        claims.append({"id": f"c{i}", "item": item, "applicant": applicant, "event_date": "2027-03-01", "facts": facts})
    lines = [json.dumps(c, ensure_ascii=False).encode() for c in claims]
    want = one_process(growth, lines, history=history, registers=registers)
    assert b'"eligible":true' in want and b'"eligible":false' in want
    assert on_dask(dask_client, growth, lines, history=history, registers=registers, chunks=5) == want
