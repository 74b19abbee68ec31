"""Facts the platform knows through the engine's door (`engine.decide`): the registers passed as
snapshots, the ledger's earlier awards read through the lookup (an `AwardIndex`, or a platform's
own lookup with `earlier`), each decision's readings naming where each value came from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from ipfund.engine import Applicant, Award, AwardIndex, BatchError, Claim, Earlier, RegisterList, decide
from ipfund.engine.policy import load_policy

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policies"
A = Applicant("91441200MA00000159", "enterprise", True, name="甲公司")
D = Applicant("91441200MA0000058N", "enterprise", True, name="丁公司")


@pytest.fixture
def growth(monkeypatch):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))
    return load_policy("fictional-growth-2026")


def _lists(dishonest=(), hitech=()):
    return {
        "dishonest": RegisterList("dishonest", "严重失信主体名单", "4", dt.date(2027, 2, 10), dict(dishonest)),
        "hitech": RegisterList("hitech", "高新技术企业名单", "2", dt.date(2026, 12, 31), dict(hitech)),
    }


def test_a_register_is_read_at_the_event_date_and_named(growth):
    lists = _lists(dishonest={D.id: ((dt.date(2027, 1, 15), dt.date(2027, 6, 30)),)})
    claims = [Claim(f"c{i}", "transfer", D, day, {"contract_no": f"T-{i}", "contract_value": "100000",
                                                  "registered_value": "100000"})
              for i, day in enumerate((dt.date(2027, 1, 14), dt.date(2027, 3, 1), dt.date(2027, 7, 1)))]
    before, during, after = decide(growth, claims, registers=lists)
    assert (before.eligible, during.eligible, after.eligible) == (True, False, True)
    assert ("dishonest", "是", "严重失信主体名单（第 4 版，2027-02-10 导入）：事件日期 2027-03-01 在名单中") in during.readings
    assert ("reward", "2000.00 元", "技术转让奖励比例（技术合同成交额） 0.02 × 技术合同成交额 100000 = 2000.00") in before.readings
    record = during.as_record()
    assert ["dishonest", "是", "严重失信主体名单（第 4 版，2027-02-10 导入）：事件日期 2027-03-01 在名单中"] in record["readings"]
    assert type(during).from_record(record).readings == during.readings


def test_earlier_awards_come_through_the_lookup(growth):
    earlier = Claim("h1", "growth", A, dt.date(2026, 12, 20), {"year": 2026, "grants": 10})
    now = Claim("c1", "growth", A, dt.date(2027, 3, 1), {"year": 2027, "grants": 13})
    first = Claim("c2", "hitech_first", A, dt.date(2027, 3, 2), {})
    lists = _lists(hitech={A.id: ((dt.date(2025, 12, 1), None),)})
    (grown, again) = decide(growth, [now, first], history=[Award(earlier, Decimal("9000.00"))], registers=lists)
    assert (grown.amount, again.eligible) == (Decimal("9000.00"), False)
    assert dict((n, v) for n, v, _w in grown.readings)["last_year_grants"] == "10"

    class Platform:
        """A platform's own lookup: nothing held, one earlier award known by its ledger id."""

        def holders(self, keys):
            return {}

        def amounts(self, buckets):
            return {}

        def earlier(self, applicants):
            return {A.id: [Earlier("fictional-growth-2026/growth", "claim-7", A.id, dt.date(2026, 12, 20),
                                   {"year": 2026, "grants": 11}, Decimal("3000.00"))]}

    (grown, again) = decide(growth, [now, first], history=Platform(), registers=lists)
    assert grown.amount == Decimal("6000.00") and not again.eligible
    assert any("不是首次" in w for _n, _v, w in again.readings)
    (fresh,) = decide(growth, [first], history=AwardIndex(growth, []), registers=lists)
    assert fresh.eligible and fresh.amount == Decimal("50000.00")


def test_a_register_not_given_is_an_error_not_a_guess(growth):
    with pytest.raises(BatchError, match="读取名单 dishonest"):
        decide(growth, [Claim("c1", "hitech_first", A, dt.date(2027, 3, 2), {})])


def test_a_package_without_such_facts_decides_as_before(monkeypatch):
    policy = load_policy("zhaoqing-hitech-ip-2022")
    claim = Claim("c1", "custody_sme", Applicant("91441200MA000004XN", "enterprise", True, sme=True), dt.date(2023, 3, 1),
                  {"service_year": 2023, "actual_cost": "12000"})
    (decision,) = decide(policy, [claim])
    assert decision.readings == () and "readings" not in decision.as_record()
