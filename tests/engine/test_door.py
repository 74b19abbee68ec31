"""The typed door: decide() gives the contract's decisions as frozen Decisions, with the keys and
cap groups the ledger stores, and an explanation tree that renders to the contract's text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from ipfund.engine import (
    Applicant, Award, BatchError, Claim, Decision, evaluate_batch, decide,
)
from ipfund.engine.policy import (
    load_policy,
)

POLICY = "zhaoqing-hitech-ip-2022"
EXAMPLE = Path(__file__).parents[2] / "examples" / "batch.json"
SME = Applicant(id="91441200MA55K8T2X1", kind="enterprise", name="肇庆鼎湖新材料有限公司", in_zone=True, sme=True)


def custody(cid, cost, year=2023, event="2024-01-10"):
    return Claim(cid, "custody_sme", SME, dt.date.fromisoformat(event), {"service_year": year, "actual_cost": cost})


def _claim_of(obj: dict) -> Claim:
    a = obj["applicant"]
    return Claim(obj["id"], obj["item"], Applicant(a["id"], a["kind"], a["in_zone"], a.get("sme", False), a.get("name", "")),
                 obj["event_date"], obj["facts"])


def test_the_example_batch_decides_as_the_contract_does():
    batch = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    contract = evaluate_batch(batch)["decisions"]
    typed = decide(batch["policy"], [_claim_of(c) for c in batch["claims"]])
    assert [d.as_contract() for d in typed] == contract


def test_a_decision_is_frozen_and_typed():
    (d,) = decide(POLICY, [custody("c1", "9000.00")])
    assert isinstance(d, Decision) and d.eligible and d.outcome == "eligible"
    assert d.amount == Decimal("4500.00") and isinstance(d.amount, Decimal)
    assert d.citation == "四（一）" and d.policy == POLICY
    assert "A10=event_date" in d.interpretations
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.amount = Decimal("1")  # type: ignore[misc]


def test_cap_groups_carry_their_limits_and_history_counts_against_them():
    earlier = Award(custody("old", "12002.02"), Decimal("6000.01"))
    (d,) = decide(POLICY, [custody("c4", "9000.00")], history=[earlier])
    assert d.amount == Decimal("3999.99") and d.capped and d.reasons == ("cap_reached",)
    (group,) = d.cap_groups
    assert group.kind == "cap" and group.limit == Decimal("10000.00")
    assert group.group == f"{POLICY}/custody_sme|91441200MA55K8T2X1|2023"
    assert group.parameter == "custody_sme.cap_per_year"
    (cap_step,) = d.explanation.find("cap")
    assert dict(cap_step.values)["used_before"] == "6000.01"
    assert cap_step.parameters == ("custody_sme.cap_per_year",)


def test_duplicate_keys_are_the_engines_own():
    org = Applicant("91441200MA4W0Q9X3H", "enterprise", True)
    first = Claim("a", "china_patent_award", org, "2023-07-20", {"patent_number": "ZL201910000001.2", "level": "gold"})
    again = Claim("b", "china_patent_award", org, "2023-07-21", {"patent_number": "ZL201910000001.2", "level": "silver"})
    a, b = decide(POLICY, [first, again])
    assert a.duplicate_key == b.duplicate_key
    assert a.duplicate_key.startswith(f"{POLICY}/china_patent_award|") and a.duplicate_key.endswith("201910000001.2")
    assert a.eligible and b.reasons == ("duplicate",) and b.amount == Decimal("0.00")
    assert a.cap_groups == ()


def test_top_up_items_name_their_group_without_a_limit():
    agency = Applicant("91441200MA55K8T2X1", "service_agency", True)
    clients = ["91441200MA4W0Q9X3H"] * 1
    (d,) = decide(POLICY, [Claim("p", "custody_provider", agency, "2024-05-01", {"sme_clients": clients})])
    assert d.reasons == ("below_threshold",)
    (group,) = d.cap_groups
    assert group.kind == "top_up" and group.limit is None
    assert group.group == f"{POLICY}/custody_provider|top_up|91441200MA55K8T2X1"


def test_an_invalid_claim_names_its_field():
    bad = Claim("x", "custody_sme", Applicant("123", "enterprise", True, True), "2024-01-10",
                {"service_year": 2023, "actual_cost": "9000.00"})
    (d,) = decide(POLICY, [bad])
    assert d.invalid and not d.eligible and d.error.field == "applicant.id" and d.amount == Decimal("0.00")
    assert d.explanation is None and d.duplicate_key is None


def test_the_tree_renders_the_contracts_chinese_lines_and_english():
    (d,) = decide(POLICY, [custody("c1", "9000.00", event="2025-06-01")])
    assert d.reasons == ("outside_validity",)
    zh = d.explanation.render("zh")
    assert zh == d.as_contract()["explanation"]
    assert any(line.startswith("✗ 事件日期 2025-06-01 不在政策有效期") for line in zh)
    en = d.explanation.render("en")
    assert any("outside the policy's validity 2022-01-18 to 2025-01-17" in line for line in en)
    assert en[-1].startswith("Conclusion: not awarded")
    (validity,) = d.explanation.find("validity")
    assert validity.passed is False and dict(validity.values)["validity.end"] == "2025-01-17"
    (calc,) = d.explanation.find("calculation")
    assert calc.children and calc.parameters == ("custody_sme.rate",)
    assert json.dumps(d.explanation.as_dicts(), ensure_ascii=False)  # data, for the API
    with pytest.raises(ValueError):
        d.explanation.render("fr")


def test_a_policy_object_or_its_id_and_unusable_choices():
    policy = load_policy(POLICY)
    assert decide(policy, [custody("c1", "100")])[0].amount == Decimal("50.00")
    with pytest.raises(BatchError):
        decide("no-such-policy", [])
    with pytest.raises(BatchError):
        decide(POLICY, [custody("c1", "100")], interpretations={"A7": "weekly"})


def test_a_stored_record_reads_back_as_the_same_decision():
    earlier = Award(custody("old", "12002.02"), Decimal("6000.01"))
    bad = Claim("x", "custody_sme", Applicant("123", "enterprise", True, True), "2024-01-10", {})
    for d in decide(POLICY, [custody("c4", "9000.00"), bad], history=[earlier]):
        record = json.loads(json.dumps(d.as_record(), ensure_ascii=False))
        assert Decision.from_record(record) == d
    older = {"id": "c", "item": "custody_sme", "eligible": True, "amount": "1.00", "capped": False, "reasons": [],
             "citation": "四（一）", "explanation": ["第一步", "结论"]}
    assert Decision.from_record(older).explanation.render("zh") == ["第一步", "结论"]
