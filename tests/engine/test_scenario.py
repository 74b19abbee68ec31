"""Parameter overrides (ipfund.engine.scenario): a derived policy, the original untouched, values checked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ipfund.engine import Applicant, BatchError, Claim, decide
from ipfund.engine.policy import load_policy
from ipfund.engine.scenario import Override, parameter_value, with_parameters

POLICY = "zhaoqing-hitech-ip-2022"
SME = Applicant("91441200MA4W0Q9X3H", "enterprise", True, True, "肇庆甲科技有限公司")


def _custody(cid: str, on: str, cost: str = "6000", year: int = 2023) -> Claim:
    return Claim(cid, "custody_sme", SME, on, {"service_year": year, "actual_cost": cost})


def _amounts(policy, claims) -> list[Decimal]:
    return [d.amount for d in decide(policy, claims, explain=False)]


def test_a_raised_rate_and_a_lowered_cap_from_a_date_change_only_later_claims():
    base = load_policy(POLICY)
    before = dict(base.data["parameters"]["custody_sme.cap_per_year"])
    scenario = with_parameters(base, [Override("custody_sme.rate", "60%"),
                                      Override("custody_sme.cap_per_year", "5000", dt.date(2023, 1, 1))])
    claims = [_custody("a", "2022-06-01", year=2022), _custody("b", "2022-07-01", year=2022),
              _custody("c", "2023-03-01"), _custody("d", "2023-04-01")]
    assert _amounts(base, claims) == [Decimal("3000.00"), Decimal("3000.00"), Decimal("3000.00"), Decimal("3000.00")]
    # 60% of 6,000 is 3,600: 2022 keeps its cap of 10,000 (both paid in full), 2023's cap is 5,000.
    assert _amounts(scenario, claims) == [Decimal("3600.00"), Decimal("3600.00"), Decimal("3600.00"), Decimal("1400.00")]
    assert base.data["parameters"]["custody_sme.cap_per_year"] == before  # the policy given is unchanged
    assert _amounts(load_policy(POLICY), claims)[3] == Decimal("3000.00")
    assert scenario.id == base.id and scenario.version != base.version
    assert parameter_value(scenario, "custody_sme.cap_per_year", dt.date(2022, 12, 31)) == "10000"
    assert parameter_value(scenario, "custody_sme.cap_per_year", dt.date(2023, 1, 1)) == "5000"


def test_one_entry_of_a_money_table_is_changed_and_the_others_kept():
    base = load_policy(POLICY)
    scenario = with_parameters(base, [Override("china_patent_award.amount", "400000", key="gold")])
    table = parameter_value(scenario, "china_patent_award.amount", dt.date(2024, 1, 1))
    assert table == {"gold": "400000", "silver": "200000", "excellence": "150000"}
    assert parameter_value(base, "china_patent_award.amount", dt.date(2024, 1, 1))["gold"] == "300000"


def test_no_overrides_is_the_policy_itself():
    base = load_policy(POLICY)
    assert with_parameters(base, []) is base


@pytest.mark.parametrize(
    ("override", "words"),
    [
        (Override("custody_sme.rate", "abc"), ["custody_sme.rate", "中小微企业托管服务补助比例", "比例"]),
        (Override("custody_sme.rate", "1.5"), ["custody_sme.rate", "0 到 1"]),
        (Override("custody_sme.cap_per_year", "-5"), ["custody_sme.cap_per_year", "金额"]),
        (Override("custody_sme.cap_per_year", "12.345"), ["custody_sme.cap_per_year", "两位小数"]),
        (Override("custody_sme.cap_per_year", True), ["custody_sme.cap_per_year", "金额"]),
        (Override("patent_attorney.min_contract_years", "2.5"), ["patent_attorney.min_contract_years", "整数"]),
        (Override("validity.end", "明年"), ["validity.end", "YYYY-MM-DD"]),
        (Override("china_patent_award.amount", "x", key="gold"), ["china_patent_award.amount", "gold", "金额"]),
        (Override("china_patent_award.amount", "1", key="platinum"), ["platinum", "gold"]),
        (Override("custody_sme.rate", "0.6", key="gold"), ["custody_sme.rate", "金额表"]),
        (Override("custody_provider.tiers", "[1, 2]"), ["custody_provider.tiers", "档次表"]),
        (Override("no.such", "1"), ["no.such", "custody_sme.rate"]),
    ],
)
def test_a_value_that_does_not_fit_is_refused_in_chinese_naming_the_parameter(override, words):
    base = load_policy(POLICY)
    with pytest.raises(BatchError) as caught:
        with_parameters(base, [override])
    for word in words:
        assert word in str(caught.value)


def test_tiers_are_replaced_whole():
    base = load_policy(POLICY)
    scenario = with_parameters(base, [Override("custody_provider.tiers", '{"inclusive": true, "tiers": [[5, "20000"], [10, "80000"]]}')])
    assert parameter_value(scenario, "custody_provider.tiers", dt.date(2024, 1, 1)) == {
        "inclusive": True, "tiers": [[5, "20000"], [10, "80000"]]}
