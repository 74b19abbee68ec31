"""Invariants across a policy and its successor: awards under both never exceed the successor's
cap for a group (beyond what the predecessor alone had paid), a duplicate key taken under either
is never paid again, and deciding in pieces with the history passed along equals deciding whole."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipfund.engine import evaluate_batch

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policies"
OLD, NEW = "zhaoqing-hitech-ip-2022", "fictional-successor-2025"
SMES = ["91441200MA000004XN", "91441200MA0000111J"]
CAP = Decimal("15000")


@pytest.fixture(autouse=True)
def _path(monkeypatch):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))


def custody(cid, who, year, cost, day):
    return {"id": cid, "item": "custody_sme", "applicant": {"id": SMES[who], "kind": "enterprise", "in_zone": True, "sme": True},
            "event_date": day, "facts": {"service_year": year, "actual_cost": str(cost)}}


old_claims = st.lists(st.tuples(st.integers(0, 1), st.sampled_from([2023, 2024]), st.integers(1, 30000)), max_size=6)
new_claims = st.lists(st.tuples(st.integers(0, 1), st.sampled_from([2023, 2024, 2025]), st.integers(1, 30000)), max_size=10)


def _old_history(spec):
    claims = [custody(f"h{i}", w, y, c, "2024-12-20") for i, (w, y, c) in enumerate(spec)]
    decided = evaluate_batch({"policy": OLD, "claims": claims}, explain=False)["decisions"]
    return [dict(c, policy=OLD, amount=d["amount"]) for c, d in zip(claims, decided) if d["eligible"]]


@settings(max_examples=40, deadline=None)
@given(old_claims, new_claims, st.integers(0, 10))
def test_caps_span_both_policies_and_pieces_equal_the_whole(old_spec, new_spec, cut):
    history = _old_history(old_spec)
    claims = [custody(f"c{i}", w, y, c, "2025-03-01") for i, (w, y, c) in enumerate(new_spec)]
    whole = evaluate_batch({"policy": NEW, "claims": claims}, history={"policy": NEW, "awarded": history},
                           explain=False)["decisions"]
    paid: dict[tuple, Decimal] = {}
    before: dict[tuple, Decimal] = {}
    for h in history:
        group = (h["applicant"]["id"], h["facts"]["service_year"])
        before[group] = before.get(group, Decimal(0)) + Decimal(h["amount"])
    for c, d in zip(claims, whole):
        group = (c["applicant"]["id"], c["facts"]["service_year"])
        paid[group] = paid.get(group, Decimal(0)) + Decimal(d["amount"])
    for group, amount in paid.items():
        assert before.get(group, 0) + amount <= max(CAP, before.get(group, 0)), (group, before, paid)
        if amount and before.get(group, 0) >= CAP:
            pytest.fail(f"paid {amount} in a group the predecessor had already filled: {group}")
    first, rest = claims[:cut], claims[cut:]
    head = evaluate_batch({"policy": NEW, "claims": first}, history={"policy": NEW, "awarded": history},
                          explain=False)["decisions"]
    carried = history + [dict(c, amount=d["amount"]) for c, d in zip(first, head) if d["eligible"]]
    tail = evaluate_batch({"policy": NEW, "claims": rest}, history={"policy": NEW, "awarded": carried},
                          explain=False)["decisions"]
    assert [d["amount"] for d in head + tail] == [d["amount"] for d in whole]


patents = st.lists(st.tuples(st.sampled_from([OLD, NEW]), st.integers(0, 3)), max_size=12)


@settings(max_examples=40, deadline=None)
@given(patents)
def test_a_patent_is_paid_once_under_either_policy(events):
    history, claims = [], []
    for i, (policy, number) in enumerate(events):
        claim = {"id": f"p{i}", "item": "china_patent_award", "event_date": "2023-07-20" if policy == OLD else "2025-07-20",
                 "applicant": {"id": "91441200MA00000159", "kind": "enterprise", "in_zone": True},
                 "facts": {"patent_number": f"ZL20191000000{number}.2", "level": "gold"}}
        if policy == OLD:
            history.append(dict(claim, policy=OLD, amount="300000.00"))
        else:
            claims.append(claim)
    decided = evaluate_batch({"policy": NEW, "claims": claims}, history={"policy": NEW, "awarded": history},
                             explain=False)["decisions"]
    seen = {h["facts"]["patent_number"] for h in history}
    for c, d in zip(claims, decided):
        number = c["facts"]["patent_number"]
        assert d["eligible"] == (number not in seen), (c, d)
        seen.add(number)
