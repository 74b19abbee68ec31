"""Review and approval: the engine's amount is the ceiling; approver ≠ reviewer; ledger entries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.ledger.models import AwardEntry
from ipfund.web.ledger.services import AWARD_DUPLICATE, AwardRefused
from ipfund.web.review import services


@pytest.fixture
def submitted(enterprise, open_round):
    return flow.submitted_from_sample(enterprise, sample("custody_sme"))  # engine: 3,000


def test_recommend_defaults_to_engine_amount(submitted, staff):
    claim = services.review_recommend(actor=staff.reviewer, claim=submitted)
    assert (claim.state, claim.recommended_amount, claim.engine_amount) == ("recommended", Decimal("3000"), Decimal("3000"))
    assert claim.reviewer == staff.reviewer


def test_reviewer_cannot_raise_above_engine(submitted, staff):
    with pytest.raises(ValidationError) as err:
        services.review_recommend(actor=staff.reviewer, claim=submitted, amount="3000.01")
    assert err.value.message_dict["amount"] == [services.AMOUNT_ABOVE_ENGINE.format(engine=Decimal("3000.00"))]


def test_lowering_needs_a_reason(submitted, staff):
    with pytest.raises(ValidationError) as err:
        services.review_recommend(actor=staff.reviewer, claim=submitted, amount="2500")
    assert err.value.message_dict["reason"] == [services.REDUCTION_REASON_REQUIRED.format(engine=Decimal("3000.00"))]
    claim = services.review_recommend(actor=staff.reviewer, claim=submitted, amount="2500", reason="部分发票不属托管服务")
    assert claim.recommended_amount == Decimal("2500.00") and claim.reduction_reason


def test_confirmed_facts_recompute(submitted, staff):
    claim = services.review_recommend(
        actor=staff.reviewer, claim=submitted, confirmed_facts={"service_year": 2023, "actual_cost": "4000"}
    )
    assert claim.engine_amount == Decimal("2000.00") and claim.facts["actual_cost"] == "4000"


def test_ineligible_claim_cannot_be_recommended(applicant, open_round, staff):
    big = applicant("enterprise", sme=False)  # custody_sme needs an SME
    claim = flow.submitted_from_sample(big, sample("custody_sme"))
    with pytest.raises(ValidationError) as err:
        services.review_recommend(actor=staff.reviewer, claim=claim)
    assert err.value.messages == [services.NOT_ELIGIBLE.format(reasons="申请人不是中小微企业")]


def test_only_reviewers_review(submitted, staff, enterprise):
    for actor in (staff.approver, staff.finance, enterprise):
        with pytest.raises(PermissionDenied):
            services.review_recommend(actor=actor, claim=submitted)


def test_approver_must_differ_from_reviewer(submitted, staff):
    both = flow.roles_set(staff, staff.reviewer2, ["reviewer", "approver"])
    claim = services.review_recommend(actor=both, claim=submitted)
    with pytest.raises(PermissionDenied) as err:
        services.approval_approve(actor=both, claim=claim)
    assert str(err.value) == services.APPROVER_IS_REVIEWER
    assert services.approval_approve(actor=staff.approver, claim=claim).state == "approved"


def test_approval_writes_the_ledger(submitted, staff):
    claim = flow.advance(submitted, "approved", staff)
    entry = AwardEntry.objects.get(claim=claim)
    assert (entry.kind, entry.amount, claim.approved_amount) == ("grant", Decimal("3000.00"), Decimal("3000.00"))
    assert entry.claim_data["applicant"]["id"] == claim.applicant.id_number


def test_approval_pays_min_of_recommended_and_engine_now(applicant, open_round, staff):
    sme = applicant("enterprise", sme=True)
    first = flow.submitted_from_sample(sme, sample("custody_sme"), facts={"service_year": 2023, "actual_cost": "14000"})
    second = flow.submitted_from_sample(sme, sample("custody_sme", 1), facts={"service_year": 2023, "actual_cost": "14000"})
    first = flow.advance(first, "recommended", staff)
    second = flow.advance(second, "recommended", staff)  # both 7,000 while the ledger is empty
    assert services.approval_approve(actor=staff.approver, claim=first).approved_amount == Decimal("7000.00")
    assert services.approval_approve(actor=staff.approver, claim=second).approved_amount == Decimal("3000.00")


def test_duplicate_refused_at_approval_and_claim_stays_recommended(applicant, open_round, staff):
    a, b = applicant("enterprise"), applicant("enterprise")
    first = flow.advance(flow.submitted_from_sample(a, sample("china_patent_award")), "recommended", staff)
    second = flow.advance(flow.submitted_from_sample(b, sample("china_patent_award")), "recommended", staff)
    services.approval_approve(actor=staff.approver, claim=first)
    with pytest.raises(AwardRefused) as err:
        services.approval_approve(actor=staff.approver, claim=second)
    assert err.value.messages == [AWARD_DUPLICATE]
    second.refresh_from_db()
    assert second.state == "recommended"
    sent_back = services.approval_send_back(actor=staff.approver, claim=second, reason="专利已由他人获奖励")
    assert sent_back.state == "submitted" and sent_back.recommended_amount is None


def test_return_and_reject_need_text(submitted, staff):
    with pytest.raises(ValidationError) as err:
        services.review_return(actor=staff.reviewer, claim=submitted, comment=" ")
    assert err.value.message_dict["comment"] == [services.COMMENT_REQUIRED]
    with pytest.raises(ValidationError):
        services.review_reject(actor=staff.reviewer, claim=submitted, reason="")
    assert services.review_reject(actor=staff.reviewer, claim=submitted, reason="材料不实").state == "rejected"
