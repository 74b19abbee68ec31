"""Who sees which claims and files: applicants their own, staff submitted ones, strangers none."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from ipfund.web.claims import selectors
from ipfund.web.claims.models import Claim, Evidence
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample


@pytest.fixture
def two_claims(applicant, open_round):
    a, b = applicant("enterprise", sme=True), applicant("enterprise", sme=True)
    return a, flow.submitted_from_sample(a, sample("custody_sme")), b, flow.draft_from_sample(b, sample("custody_sme", 1))


def test_applicants_see_only_their_own_claims_and_files(two_claims):
    a, claim_a, b, draft_b = two_claims
    assert list(selectors.claims_visible_to(a)) == [claim_a]
    assert list(selectors.claims_visible_to(b)) == [draft_b]
    with pytest.raises(Claim.DoesNotExist):
        selectors.claim_get_for(b, claim_a.pk)
    evidence = claim_a.evidence.first()
    assert selectors.evidence_get_for(a, evidence.pk) == evidence
    with pytest.raises(Evidence.DoesNotExist):
        selectors.evidence_get_for(b, evidence.pk)
    with pytest.raises(Evidence.DoesNotExist):
        selectors.evidence_get_for(AnonymousUser(), evidence.pk)


def test_staff_see_submitted_claims_not_drafts(two_claims, staff):
    a, claim_a, b, draft_b = two_claims
    for user in (staff.reviewer, staff.approver, staff.finance, staff.admin):
        assert list(selectors.claims_visible_to(user)) == [claim_a]
        with pytest.raises(Claim.DoesNotExist):
            selectors.claim_get_for(user, draft_b.pk)
    assert list(selectors.review_queue(user=staff.reviewer)) == [claim_a]
    assert list(selectors.review_queue(user=staff.approver)) == []
    assert list(selectors.review_queue(user=a)) == []


def test_evidence_files_are_outside_static_under_random_names(two_claims, settings):
    _, claim_a, _, _ = two_claims
    evidence = claim_a.evidence.first()
    path = evidence.file.path
    assert path.startswith(str(settings.MEDIA_ROOT)) and not path.startswith(str(settings.STATIC_ROOT))
    assert evidence.original_name not in path
    assert evidence.file.read().startswith(b"%PDF-")


def test_timeline_is_the_claims_audit_history(two_claims):
    _, claim_a, _, _ = two_claims
    assert [e.action for e in selectors.claim_timeline(claim_a)] == ["claim_draft_create", "claim_submit"]
