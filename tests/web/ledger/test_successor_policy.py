"""Two policies at once: the expired 2022 policy and the fictional successor that continues three
of its items (tests/fixtures/policies/fictional-successor-2025, installed through
IPFUND_POLICY_PATH). Rounds of each, a claim under each, "不重复资助" across them, and a cap that
spans both — held under parallel approvals on SQLite and, with DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from ipfund.web.claims.services import claim_estimate
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.engine_door import policy_of
from ipfund.web.ledger.models import AwardEntry, CapBucket, DuplicateKey
from ipfund.web.reconcile import audit_reconcile
from ipfund.web.ledger.services import AWARD_CAP_REACHED, AWARD_DUPLICATE, AwardRefused
from ipfund.web.rounds.services import round_create
from tests.web.ledger.test_concurrency import approve_all_at_once

OLD = "zhaoqing-hitech-ip-2022"
NEW = "fictional-successor-2025"
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "policies" / NEW


@pytest.fixture
def successor(monkeypatch):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURE))
    return NEW


@pytest.fixture
def two_rounds(staff, successor):
    """A (late-claims) round of the 2022 policy and a round of its successor, both open now."""
    now = timezone.now()
    flow.no_budget(staff, OLD, NEW)
    old = round_create(actor=staff.admin, policy=OLD, name="2022年政策补报批次", opens_at=now - dt.timedelta(days=1),
                       closes_at=now + dt.timedelta(days=30), items=["china_patent_award", "custody_sme"])
    new = round_create(actor=staff.admin, policy=NEW, name="2026年新政策批次", opens_at=now - dt.timedelta(days=1),
                       closes_at=now + dt.timedelta(days=30), items=["china_patent_award", "custody_sme", "service_revenue"])
    return old, new


def _claim(user, item, *, policy, event_date, facts, staff, target="recommended"):
    s = sample(item)
    claim = flow.submitted_from_sample(user, s, policy=policy, event_date=event_date, facts=facts)
    return flow.advance(claim, target, staff)


def test_a_claim_under_each_policy_is_decided_and_shown_with_its_own(staff, two_rounds, applicant):
    company = applicant("enterprise")
    old = _claim(company, "china_patent_award", policy=OLD, event_date=dt.date(2024, 5, 1),
                 facts={"patent_number": "ZL201910000001.2", "level": "gold"}, staff=staff, target="approved")
    new = _claim(company, "china_patent_award", policy=NEW, event_date=dt.date(2026, 5, 1),
                 facts={"patent_number": "ZL202010000002.1", "level": "gold"}, staff=staff, target="approved")
    assert (old.policy, old.approved_amount, old.round.policy) == (OLD, Decimal("300000.00"), OLD)
    assert (new.policy, new.approved_amount, new.round.policy) == (NEW, Decimal("400000.00"), NEW)
    # Each claim records the version of its own package.
    assert old.policy_version == policy_of(old).version and new.policy_version == policy_of(new).version
    assert old.policy_version != new.policy_version
    assert audit_reconcile().ok


def test_a_patent_rewarded_under_2022_is_a_duplicate_under_its_successor(staff, two_rounds, applicant):
    first, second = applicant("enterprise"), applicant("enterprise")
    facts = {"patent_number": "ZL201910000001.2", "level": "gold"}
    _claim(first, "china_patent_award", policy=OLD, event_date=dt.date(2024, 5, 1), facts=facts, staff=staff,
           target="approved")
    # The same patent written differently, claimed by someone else, under the successor.
    again = flow.submitted_from_sample(second, sample("china_patent_award"), policy=NEW, event_date=dt.date(2026, 5, 1),
                                       facts={"patent_number": "201910000001.2", "level": "gold"})
    decision = claim_estimate(actor=second, claim=again)
    assert not decision.eligible and decision.reasons == ("duplicate",)
    # The ledger's own guard: one unique key row holds across both policies.
    (key,) = DuplicateKey.objects.all()
    assert (key.policy, key.item) == (OLD, "china_patent_award")
    with pytest.raises(ValidationError):
        flow.advance(again, "recommended", staff)


def test_a_cap_spanning_both_policies_counts_both(staff, two_rounds, applicant):
    sme = applicant("enterprise", sme=True)
    old = _claim(sme, "custody_sme", policy=OLD, event_date=dt.date(2024, 9, 1),
                 facts={"service_year": 2024, "actual_cost": "16000"}, staff=staff, target="approved")
    assert old.approved_amount == Decimal("8000.00")  # 50%, under the 2022 cap of 10,000
    new = _claim(sme, "custody_sme", policy=NEW, event_date=dt.date(2025, 3, 1),
                 facts={"service_year": 2024, "actual_cost": "20000"}, staff=staff, target="approved")
    # 60% of 20,000 is 12,000, but the successor's 15,000 a year counts the 8,000 paid in 2022.
    assert new.approved_amount == Decimal("7000.00")
    (bucket,) = CapBucket.objects.all()
    assert (bucket.policy, bucket.item, bucket.used, bucket.cap) == (OLD, "custody_sme", Decimal("15000.00"),
                                                                     Decimal("15000.00"))
    assert audit_reconcile().ok


@pytest.mark.django_db(transaction=True)
def test_parallel_approvals_under_both_policies_hold_the_shared_cap(staff, two_rounds, applicant):
    sme = applicant("enterprise", sme=True)
    old = [_claim(sme, "custody_sme", policy=OLD, event_date=dt.date(2024, 9, 1),
                  facts={"service_year": 2024, "actual_cost": "4000"}, staff=staff) for _ in range(4)]  # 2,000 each
    new = [_claim(sme, "custody_sme", policy=NEW, event_date=dt.date(2025, 3, 1),
                  facts={"service_year": 2024, "actual_cost": "5000"}, staff=staff) for _ in range(6)]  # 3,000 each
    outcomes = approve_all_at_once(old + new, staff.approver)
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, AwardRefused)]
    assert unexpected == []
    refused = {o.messages[0] for o in outcomes if isinstance(o, AwardRefused)}
    assert refused <= {AWARD_CAP_REACHED}
    total = AwardEntry.objects.filter(item="custody_sme").aggregate(s=Sum("amount"))["s"]
    # Whatever the order, the 2022 claims never pass 10,000 and both together never pass 15,000.
    old_total = AwardEntry.objects.filter(item="custody_sme", policy=OLD).aggregate(s=Sum("amount"))["s"] or 0
    assert total <= Decimal("15000.00") and old_total <= Decimal("10000.00")
    (bucket,) = CapBucket.objects.all()
    assert bucket.used == total
    assert audit_reconcile().ok


@pytest.mark.django_db(transaction=True)
def test_parallel_claims_of_one_patent_under_both_policies_fund_one(staff, two_rounds, applicant):
    facts = {"patent_number": "ZL201910000009.7", "level": "silver"}
    old = _claim(applicant("enterprise"), "china_patent_award", policy=OLD, event_date=dt.date(2024, 5, 1), facts=facts,
                 staff=staff)
    new = _claim(applicant("enterprise"), "china_patent_award", policy=NEW, event_date=dt.date(2026, 5, 1), facts=facts,
                 staff=staff)
    outcomes = approve_all_at_once([old, new], staff.approver)
    approved = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, AwardRefused)]
    assert len(approved) == 1 and len(refused) == 1
    assert (refused[0].reason, refused[0].messages[0]) == ("duplicate", AWARD_DUPLICATE)
    assert DuplicateKey.objects.count() == 1


def test_a_round_must_name_an_item_of_its_own_policy_and_admit_its_events(staff, successor):
    now = timezone.now()
    with pytest.raises(ValidationError) as err:
        round_create(actor=staff.admin, policy=NEW, name="错误批次", opens_at=now, closes_at=now + dt.timedelta(days=3),
                     items=["patent_attorney"])  # a 2022 item the successor does not have
    assert "没有申报项目：patent_attorney" in err.value.message_dict["items"][0]
    with pytest.raises(ValidationError) as err:
        round_create(actor=staff.admin, policy=NEW, name="过早批次", opens_at=dt.datetime(2024, 11, 1, tzinfo=dt.UTC),
                     closes_at=dt.datetime(2024, 12, 1, tzinfo=dt.UTC), items=["custody_sme"])
    assert "施行日期 2025-01-18" in err.value.message_dict["closes_at"][0]
    with pytest.raises(ValidationError) as err:
        round_create(actor=staff.admin, policy="no-such-policy", name="x", opens_at=now,
                     closes_at=now + dt.timedelta(days=3), items=["custody_sme"])
    assert err.value.message_dict["policy"] == ["未安装的政策：no-such-policy。"]


def test_an_item_open_under_both_policies_must_be_named(staff, two_rounds, applicant):
    company = applicant("enterprise")
    with pytest.raises(ValidationError) as err:
        flow.draft_from_sample(company, sample("china_patent_award"), event_date=dt.date(2026, 5, 1))
    assert "请指定政策（policy）" in err.value.message_dict["policy"][0]
    # An item only the successor's round takes needs no name.
    agency = applicant("service_agency")
    claim = flow.draft_from_sample(agency, sample("service_revenue"), event_date=dt.date(2026, 3, 1),
                                   facts={"year": 2025, "ip_service_revenue": "2500000"})
    assert claim.policy == NEW


def test_a_predecessor_claim_after_its_successors_award_is_refused_by_the_engine(staff, two_rounds, applicant):
    # The read set spans policies both ways: the 2022 claim looks up the key its successor's award holds.
    facts = {"patent_number": "ZL201910000005.4", "level": "gold"}
    _claim(applicant("enterprise"), "china_patent_award", policy=NEW, event_date=dt.date(2026, 5, 1), facts=facts,
           staff=staff, target="approved")
    late = flow.submitted_from_sample(applicant("enterprise"), sample("china_patent_award"), policy=OLD,
                                      event_date=dt.date(2024, 5, 1), facts=facts)
    decision = claim_estimate(actor=staff.reviewer, claim=late)
    assert not decision.eligible and decision.reasons == ("duplicate",)
    assert "此前已由" in "\n".join(decision.explanation.render("zh"))
