"""A quota under parallel approvals and a racing fill (PostgreSQL, DATABASE_URL=postgres://…):
seven excellent cases for five places, every approval and the bureau's fill released together.
Whatever the order, no more than five are funded and every one funded was ranked in the top five;
approvals that came before the fill are refused asking for it, and the fill happens once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ipfund.web.allocation.models import QuotaFill, QuotaPlace
from ipfund.web.allocation.services import quota_fill
from ipfund.web.budgets.services import budget_set
from ipfund.web.ledger.models import AwardEntry
from ipfund.web.review.services import approval_approve
from tests.web.ledger.test_concurrency import all_at_once

from .test_services import COUNTY, SCORES, close, county, scored_cases  # noqa: F401 - county is a fixture


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_approval_beyond_the_quota_even_in_parallel(staff, applicant, county):  # noqa: F811
    budget_set(actor=staff.admin, policy=COUNTY, year=timezone.localdate().year, amount="1000000")
    claims = scored_cases(staff, applicant, county, SCORES)
    close(county)
    year = timezone.localdate().year
    jobs = [lambda c=c: approval_approve(actor=staff.approver, claim=c) for c in claims] + \
        [lambda: quota_fill(actor=staff.approver, policy=COUNTY, quota_id="excellent_case_best", year=year)] * 2
    outcomes = all_at_once(jobs)
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert all(isinstance(o, ValidationError) for o in refused), refused
    assert QuotaFill.objects.count() == 1
    assert sum(1 for o in outcomes[-2:] if isinstance(o, QuotaFill)) == 1
    # Approvals after the fill: the five selected are approvable, the two refused were rejected by it.
    for claim in claims:
        claim.refresh_from_db()
        try:
            approval_approve(actor=staff.approver, claim=claim)
        except ValidationError:
            pass
    funded = set(AwardEntry.objects.filter(item="excellent_case", kind="grant").values_list("claim_id", flat=True))
    selected = set(QuotaPlace.objects.filter(selected=True).values_list("claim_id", flat=True))
    assert len(funded) == 5 and funded == selected
