"""Rules spanning items on the platform (tests/fixtures/policies/fictional-county-fund-2026):
a yearly total over every item of the policy, 就高不重复 by the same service contract, held by the
ledger's buckets under parallel approvals (SQLite; PostgreSQL with DATABASE_URL); and a decision
that looks its keys and buckets up rather than replaying the ledger.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from ipfund.web.claims.services import claim_draft_create, claim_estimate, claim_submit
from ipfund.web.demo import flow
from ipfund.web.ledger.models import AwardEntry, CapBucket, LedgerName
from ipfund.web.reconcile import audit_reconcile
from ipfund.web.ledger.services import AWARD_CAP_REACHED, AwardRefused
from ipfund.web.review.services import approval_approve, review_recommend
from ipfund.web.rounds.services import round_create
from tests.web.ledger.test_concurrency import approve_all_at_once

COUNTY = "fictional-county-fund-2026"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "policies"
TOTAL = f"{COUNTY}/cap:yearly_total"


@pytest.fixture
def county(monkeypatch, staff):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))
    flow.no_budget(staff, COUNTY)
    now = timezone.now()
    return round_create(actor=staff.admin, policy=COUNTY, name="2026年县专项资金批次", opens_at=now - dt.timedelta(days=1),
                        closes_at=now + dt.timedelta(days=30),
                        items=["invention_grant", "ip_title", "ipms_cert", "custody", "navigation"])


def _submitted(user, item, facts, day):
    claim = claim_draft_create(actor=user, item=item, event_date=day, facts=facts, policy=COUNTY)
    flow.attach_all_evidence(user, claim)
    return claim_submit(actor=user, claim=claim)


def _approved(user, item, facts, day, staff):
    return flow.advance(_submitted(user, item, facts, day), "approved", staff)


def test_the_yearly_total_spans_items_and_names_the_cap_that_cut(county, staff, applicant):
    company = applicant("enterprise")
    title = _approved(company, "ip_title", {"title_level": "demonstration"}, dt.date(2026, 2, 1), staff)
    grant = _approved(company, "invention_grant", {"patent_number": "ZL202610000001.2"}, dt.date(2026, 3, 1), staff)
    nav = _submitted(company, "navigation", {"contract_no": "N-001", "contract_amount": "200000"}, dt.date(2026, 4, 1))
    estimate = claim_estimate(actor=staff.reviewer, claim=nav)
    # 30% of 200,000 is 60,000, 50,000 at most per project; 105,000 of 150,000 used this year by two other items.
    assert (estimate.amount, estimate.capped) == (Decimal("45000.00"), True)
    assert estimate.cut_by == (f"{TOTAL}|{title.applicant.ledger_identity}|2026",)
    lines = "\n".join(estimate.explanation.render("zh"))
    assert "同一企业每年享受本办法各项资助总额" in lines and "此前各项目合计已用 105000.00 元" in lines
    nav = flow.advance(nav, "approved", staff)
    assert (title.approved_amount, grant.approved_amount, nav.approved_amount) == (
        Decimal("100000.00"), Decimal("5000.00"), Decimal("45000.00"))
    bucket = CapBucket.objects.get(item="cap:yearly_total")
    assert (bucket.policy, bucket.used, bucket.cap) == (COUNTY, Decimal("150000.00"), Decimal("150000.00"))
    # A fourth claim that year gets nothing; the next year starts again.
    late = _submitted(company, "invention_grant", {"patent_number": "ZL202610000002.7"}, dt.date(2026, 6, 1))
    assert claim_estimate(actor=staff.reviewer, claim=late).reasons == ("cap_reached",)
    with pytest.raises(ValidationError):
        review_recommend(actor=staff.reviewer, claim=late)
    nxt = _approved(company, "invention_grant", {"patent_number": "ZL202610000003.1"}, dt.date(2027, 1, 10), staff)
    assert nxt.approved_amount == Decimal("5000.00")
    assert audit_reconcile().ok


def test_the_same_contract_is_paid_once_at_the_higher_amount(county, staff, applicant):
    company = applicant("enterprise")
    nav = _approved(company, "navigation", {"contract_no": "K-002", "contract_amount": "30000"}, dt.date(2026, 3, 1), staff)
    custody = _approved(company, "custody", {"contract_no": "K-002", "contract_amount": "30000"}, dt.date(2026, 3, 2), staff)
    assert (nav.approved_amount, custody.approved_amount) == (Decimal("9000.00"), Decimal("6000.00"))
    matter = CapBucket.objects.get(item="matter:same_contract")
    assert matter.used == Decimal("15000.00")
    # Now nothing more for that contract under either item, whoever claims it.
    again = _submitted(applicant("enterprise"), "navigation", {"contract_no": "k-002", "contract_amount": "90000"},
                       dt.date(2026, 5, 1))
    decision = claim_estimate(actor=staff.reviewer, claim=again)
    assert decision.reasons == ("duplicate",) and not decision.eligible
    # A decided claim checked again is not its own duplicate: its own award is left out.
    assert claim_estimate(actor=staff.reviewer, claim=custody).amount == Decimal("6000.00")
    assert audit_reconcile().ok


def test_a_revoked_award_frees_the_total_and_the_matter(county, staff, applicant):
    from ipfund.web.ledger.services import award_revoke

    company = applicant("enterprise")
    custody = _approved(company, "custody", {"contract_no": "K-009", "contract_amount": "30000"}, dt.date(2026, 3, 1), staff)
    award_revoke(actor=staff.admin, claim=custody, reason="异议成立")
    nav = _submitted(company, "navigation", {"contract_no": "K-009", "contract_amount": "30000"}, dt.date(2026, 3, 2))
    assert claim_estimate(actor=staff.reviewer, claim=nav).amount == Decimal("9000.00")
    totals = dict(LedgerName.objects.filter(kind="bucket").values("name").annotate(t=Sum("amount")).values_list("name", "t"))
    assert set(totals.values()) == {Decimal("0.00")}


@pytest.mark.django_db(transaction=True)
def test_parallel_approvals_of_several_items_hold_the_yearly_total(county, staff, applicant):
    company = applicant("enterprise")
    claims = [_submitted(company, "invention_grant", {"patent_number": f"ZL2026100000{i:02d}.X"}, dt.date(2026, 3, 1))
              for i in range(10, 14)]  # 5,000 each
    claims += [_submitted(company, "ip_title", {"title_level": "demonstration"}, dt.date(2026, 3, 2))]  # 100,000
    claims += [_submitted(company, "navigation", {"contract_no": f"P-{i}", "contract_amount": "100000"}, dt.date(2026, 3, 3))
               for i in range(3)]  # 30,000 each
    claims = [review_recommend(actor=staff.reviewer, claim=c) for c in claims]
    outcomes = approve_all_at_once(claims, staff.approver)
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, AwardRefused)]
    assert unexpected == []
    assert {o.messages[0] for o in outcomes if isinstance(o, AwardRefused)} <= {AWARD_CAP_REACHED}
    total = AwardEntry.objects.filter(policy=COUNTY).aggregate(s=Sum("amount"))["s"]
    assert Decimal("0") < total <= Decimal("150000.00")
    assert CapBucket.objects.get(item="cap:yearly_total").used == total
    assert audit_reconcile().ok
    # Approving the rest one by one afterwards never passes the total either.
    for claim in claims:
        claim.refresh_from_db()
        if claim.state == "recommended":
            try:
                approval_approve(actor=staff.approver, claim=claim)
            except (AwardRefused, ValidationError):
                pass
    assert AwardEntry.objects.filter(policy=COUNTY).aggregate(s=Sum("amount"))["s"] <= Decimal("150000.00")
