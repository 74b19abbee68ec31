"""Stages (分期拨付, issue 20 item 4) in the engine: the installment plan of an award (shares
rounded half up to the fen, the last taking the remainder, never above the award), the
declaration read and refused with Chinese file:line errors by `policy check`, and the Decision
carrying the plan its explanation states. Amounts decided by hand from the fictional county
fund's 第八条: "专利导航服务补助分两期拨付，立项时拨付50%，验收合格后拨付剩余50%。"."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ipfund.engine.door import Applicant, Claim, Decision, decide, installment_plan
from ipfund.engine.installments import InstallmentError, plan, read_stages
from ipfund.engine.policy import load_policy

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policies"
COUNTY = "fictional-county-fund-2026"


@pytest.fixture(autouse=True)
def _fixtures_installed(monkeypatch):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))
SENTENCE = "专利导航服务补助分两期拨付，立项时拨付50%，验收合格后拨付剩余50%。"
A = Applicant("91441200MA00000159", "enterprise", True, name="甲公司")


def stages(*specs):
    return read_stages([{**s, "sentence": s.get("sentence", "x")} for s in specs])


def amounts(planned):
    return [f"{p.amount:.2f}" for p in planned]


@pytest.mark.parametrize("award,expected", [
    ("30000.00", ["15000.00", "15000.00"]),
    ("10000.01", ["5000.01", "5000.00"]),  # 5000.005 rounds half up; the last takes the rest
    ("0.01", ["0.01"]),  # the second installment has nothing left: not planned
    ("0.03", ["0.02", "0.01"]),
])
def test_half_and_half_rounds_to_the_fen_and_the_last_takes_the_remainder(award, expected):
    two = stages({"share": "50%", "when": "approval"}, {"share": "50%", "when": "acceptance", "label": "验收合格"})
    got = plan(two, Decimal(award))
    assert amounts(got) == expected
    assert sum(p.amount for p in got) == Decimal(award)


def test_three_shares_and_a_fixed_first_installment():
    three = stages({"share": "30%", "when": "approval"}, {"share": "30%", "when": "midterm", "label": "中期检查合格"},
                   {"share": "40%", "when": "acceptance", "label": "验收合格"})
    assert amounts(plan(three, Decimal("100.01"))) == ["30.00", "30.00", "40.01"]
    fixed = stages({"amount": "20000", "when": "approval"}, {"share": "rest", "when": "acceptance", "label": "验收合格"})
    assert amounts(plan(fixed, Decimal("50000.00"))) == ["20000.00", "30000.00"]
    # a fixed installment above the award is the award: the total never exceeds it
    assert amounts(plan(fixed, Decimal("15000.00"))) == ["15000.00"]


def test_a_conditional_installment_names_its_outcomes():
    two = stages({"share": "50%", "when": "approval"},
                 {"share": "50%", "when": "acceptance", "label": "验收合格", "failed": "验收不合格"})
    p = plan(two, Decimal("100"))
    assert [(x.when, x.label, x.failed_label, x.conditional) for x in p] == [
        ("approval", "审定（立项）后", "", False), ("acceptance", "验收合格", "验收不合格", True)]
    default = stages({"share": "50%", "when": "approval"}, {"share": "50%", "when": "report", "label": "提交结题报告"})
    assert default[1].failed_label == "未提交结题报告"


@pytest.mark.parametrize("specs,field,words", [
    ([{"share": "50%", "when": "approval"}, {"share": "40%", "when": "acceptance", "label": "验收合格"}],
     "installments", "各期比例合计应为 100%，现为 90%"),
    ([{"share": "50%", "when": "approval"}], "installments", "至少两期"),
    ([{"share": "50%", "amount": "10", "when": "approval"}, {"share": "rest", "when": "a", "label": "甲"}],
     "installments[1]", "share（比例）或 amount（固定金额）之一"),
    ([{"share": "五成", "when": "approval"}, {"share": "50%", "when": "a", "label": "甲"}],
     "installments[1].share", "应为百分比"),
    ([{"share": "50%", "when": "approval"}, {"share": "50%", "when": "acceptance"}],
     "installments[2].label", "须写中文名称"),
    ([{"amount": 20000, "when": "approval"}, {"share": "rest", "when": "a", "label": "甲"}],
     "installments[1].amount", "字符串"),
    ([{"amount": "20000", "when": "approval"}, {"share": "50%", "when": "a", "label": "甲"}],
     "installments[2].share", "rest"),
    ([{"share": "50%", "when": "a", "label": "甲"}, {"share": "50%", "when": "approval"}],
     "installments[2].when", "不能排在有条件的一期之后"),
    ([{"share": "50%", "when": "approval", "sentense": "x"}, {"share": "50%", "when": "a", "label": "甲"}],
     "installments[1].sentense", "不是分期的字段"),
])
def test_a_bad_declaration_is_refused_naming_the_field(specs, field, words):
    with pytest.raises(InstallmentError) as exc:
        read_stages([{"sentence": "x", **s} for s in specs])
    assert exc.value.field == field and words in str(exc.value)


def test_the_decision_carries_the_plan_and_the_explanation_states_it():
    claim = Claim("c1", "navigation", A, "2026-06-01", {"contract_no": "S-1", "contract_amount": "33333.35"})
    d = decide(load_policy(COUNTY), [claim])[0]
    assert d.amount == Decimal("10000.01")
    assert amounts(d.installments) == ["5000.01", "5000.00"]
    assert [p.label for p in d.installments] == ["立项时", "验收合格"]
    lines = d.explanation.render("zh")
    assert any(line.startswith("分 2 期拨付：第 1 期 5000.01 元（50%，立项时拨付）；第 2 期 5000.00 元（50%，验收合格后拨付）。")
               and SENTENCE in line for line in lines), lines
    assert any("验收不合格的，本期及以后各期不予拨付" in line for line in lines)
    # stored and read back (the platform keeps the decision as a record)
    assert Decision.from_record(d.as_record()).installments == d.installments
    # an item paid at once has no plan; an ineligible claim none either
    other = decide(load_policy(COUNTY), [Claim("c2", "custody", A, "2026-06-01",
                                               {"contract_no": "T-1", "contract_amount": "1000"})])[0]
    assert other.installments == () and "installments" not in other.as_record()
    outside = decide(load_policy(COUNTY), [Claim("c3", "navigation", A, "2025-06-01",
                                                 {"contract_no": "S-9", "contract_amount": "1000"})])[0]
    assert not outside.eligible and outside.installments == ()


def test_installment_plan_for_an_approved_amount_below_the_engines():
    assert amounts(installment_plan(load_policy(COUNTY), "navigation", Decimal("9000.00"))) == ["4500.00", "4500.00"]
    assert installment_plan(load_policy(COUNTY), "custody", Decimal("9000.00")) == ()
