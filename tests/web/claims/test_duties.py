"""Separation of duties, enforced by the services: each finding of issue #11 item 1 replayed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ipfund.web.accounts import roles
from ipfund.web.accounts.models import User
from ipfund.web.accounts.role_changes import NOT_YOUR_OWN_ROLES, role_change_confirm, role_change_request
from ipfund.web.accounts.services import staff_user_create
from ipfund.web.claims import duties
from ipfund.web.claims.selectors import review_queue
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.notices import services as notices
from ipfund.web.payments.services import payment_record
from ipfund.web.review import services as review


@pytest.fixture
def submitted(enterprise, open_round):
    return flow.submitted_from_sample(enterprise, sample("custody_sme"))


def legacy_roles(user, role_list):
    """An account that came to hold ``role_list`` before combining them was refused (written as
    an old database holds it): the services still keep it off its own claims."""
    User.objects.filter(pk=user.pk).update(roles=role_list)
    user.refresh_from_db()
    return user


@pytest.mark.parametrize("role", roles.STAFF_ROLES)
def test_an_applicant_account_is_never_given_a_staff_role(enterprise, staff, role):
    with pytest.raises(ValidationError) as err:
        role_change_request(actor=staff.admin, user=enterprise, roles=["applicant", role])
    assert err.value.message_dict["roles"] == [roles.APPLICANT_WITH_STAFF]
    enterprise.refresh_from_db()
    assert enterprise.roles == ["applicant"]


@pytest.mark.parametrize("judging", [roles.REVIEWER, roles.APPROVER])
def test_finance_is_never_combined_with_reviewing_or_approving(staff, judging):
    for user, wanted in ((staff.finance, [roles.FINANCE, judging]), (getattr(staff, judging), [judging, roles.FINANCE])):
        with pytest.raises(ValidationError) as err:
            role_change_request(actor=staff.admin, user=user, roles=wanted)
        assert err.value.message_dict["roles"] == [roles.FINANCE_WITH_JUDGING]
    with pytest.raises(ValidationError) as err:
        staff_user_create(actor=staff.admin, username="both", password="Zq-Office-2026!x", roles=[roles.FINANCE, judging])
    assert err.value.message_dict["roles"] == [roles.FINANCE_WITH_JUDGING]
    assert not User.objects.filter(username="both").exists()
    staff.finance.refresh_from_db()
    assert staff.finance.roles == ["finance"]


def test_an_applicant_made_reviewer_cannot_recommend_its_own_claim(submitted, enterprise, staff):
    reviewer_applicant = legacy_roles(enterprise, ["applicant", "reviewer"])
    with pytest.raises(PermissionDenied) as err:
        review.review_recommend(actor=reviewer_applicant, claim=submitted)
    assert str(err.value) == duties.OWN_CLAIM.format(id=submitted.number)
    for refused in (review.review_return, review.review_reject):
        with pytest.raises(PermissionDenied):
            refused(actor=reviewer_applicant, claim=submitted, **({"comment": "x"} if refused is review.review_return else {"reason": "x"}))
    submitted.refresh_from_db()
    assert submitted.state == "submitted"
    assert submitted not in review_queue(user=reviewer_applicant)


def test_an_applicant_made_approver_cannot_approve_its_own_claim(submitted, enterprise, staff):
    claim = review.review_recommend(actor=staff.reviewer, claim=submitted)
    approver_applicant = legacy_roles(enterprise, ["applicant", "approver"])
    with pytest.raises(PermissionDenied):
        review.approval_approve(actor=approver_applicant, claim=claim)
    with pytest.raises(PermissionDenied):
        review.approval_send_back(actor=approver_applicant, claim=claim, reason="x")
    claim.refresh_from_db()
    assert claim.state == "recommended"


def test_a_staff_member_affiliated_with_the_applicant_cannot_handle_its_claims(submitted, enterprise, staff):
    colleague = staff_user_create(
        actor=staff.admin, username="colleague", password="Zq-Office-2026!x", roles=["reviewer"],
        affiliation=enterprise.applicant.id_number.lower(),
    )
    role_change_confirm(actor=staff.admin2, change=colleague.role_changes.get())  # the second administrator
    colleague.refresh_from_db()
    assert colleague.roles == ["reviewer"]
    assert colleague.affiliation == enterprise.applicant.id_number
    assert submitted not in review_queue(user=colleague)
    with pytest.raises(PermissionDenied):
        review.review_recommend(actor=colleague, claim=submitted)


def test_finance_cannot_pay_its_own_claim(submitted, enterprise, staff):
    flow.advance(submitted, "approved", staff)
    notice = notices.notice_publish(actor=staff.reviewer2)
    with flow.clock_at(notice.ends_at):
        notices.notice_close(actor=staff.reviewer2, notice=notice)
    payer = legacy_roles(enterprise, ["applicant", "finance"])
    with pytest.raises(PermissionDenied):
        payment_record(actor=payer, claim=submitted, paid_on=dt.date.today(), reference="PZ-1")


def test_one_person_never_recommends_and_approves_even_after_a_send_back(submitted, staff):
    both = flow.roles_set(staff, staff.reviewer2, ["reviewer", "approver"])
    claim = review.review_recommend(actor=both, claim=submitted)
    claim = review.approval_send_back(actor=staff.approver, claim=claim, reason="请重新核实费用")
    claim = review.review_recommend(actor=staff.reviewer, claim=claim)  # the last recommender is someone else
    with pytest.raises(PermissionDenied) as err:
        review.approval_approve(actor=both, claim=claim)
    assert str(err.value) == duties.RECOMMENDED_BEFORE
    assert review.approval_approve(actor=staff.approver, claim=claim).state == "approved"


@pytest.mark.parametrize("handler", ["reviewer", "approver"])
def test_who_handled_a_claim_cannot_resolve_objections_against_it(submitted, staff, handler):
    flow.advance(submitted, "approved", staff)
    if handler == "approver":  # give the approver the reviewer's role too: still refused
        flow.roles_set(staff, staff.approver, ["reviewer", "approver"])
    notice = notices.notice_publish(actor=staff.reviewer2)
    objection = notices.objection_file(entry=notice.entries.get(), name="王五", contact="1", reason="重复申报")
    actor = getattr(staff, handler)
    actor.refresh_from_db()
    with pytest.raises(PermissionDenied) as err:
        notices.objection_resolve(actor=actor, objection=objection, upheld=False, resolution="不成立")
    assert str(err.value) == duties.HANDLED_BEFORE.format(id=submitted.number)
    objection.refresh_from_db()
    assert objection.state == "open"
    assert notices.objection_resolve(actor=staff.reviewer2, objection=objection, upheld=False, resolution="不成立").state == "dismissed"


def test_an_administrator_cannot_grant_itself_roles(staff):
    with pytest.raises(PermissionDenied) as err:
        role_change_request(actor=staff.admin, user=staff.admin, roles=["admin", "approver"])
    assert str(err.value) == NOT_YOUR_OWN_ROLES
    staff.admin.refresh_from_db()
    assert staff.admin.roles == ["admin"]
