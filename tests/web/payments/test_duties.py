"""Separation of duties at payment (issue 21 item 3): whoever applied for, recommended, approved or
returned a claim never records it paid or failed nor puts it in a batch — by the services, the
API and the pages alike — even after becoming a finance member."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ipfund.web.accounts.models import User
from ipfund.web.accounts.services import staff_user_create
from ipfund.web.api.services import api_token_create
from ipfund.web.claims import duties
from ipfund.web.claims.models import Claim
from ipfund.web.claims.services import claim_submit
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.notices.services import notice_close, notice_publish
from ipfund.web.payments import services
from ipfund.web.payments.models import Payment, PaymentBatch, PaymentFailure
from ipfund.web.review.services import approval_approve, review_recommend, review_return

pytestmark = pytest.mark.django_db

HANDLINGS = ("applied", "recommended", "approved", "returned")


def _person(staff, role: str, **fields) -> User:
    user = staff_user_create(actor=staff.admin, username=f"zhang-{role}", password="Zq-Office-2026!x", roles=[role], **fields)
    User.objects.filter(pk=user.pk).update(password_change_required=False)  # as after their first sign-in
    return flow.roles_set(staff, user, [role])  # confirmed by the second administrator


def _final(claim, staff) -> Claim:
    notice = notice_publish(actor=staff.reviewer2, claims=[claim])
    with flow.clock_at(notice.ends_at + dt.timedelta(seconds=1)):
        notice_close(actor=staff.reviewer2, notice=notice)
    return Claim.objects.select_related("applicant").get(pk=claim.pk)


@pytest.fixture
def handled(open_round, staff, applicant):
    """``handled(how)`` → (a final award, a finance member who ``how`` it before becoming finance)."""

    def make(how: str):
        owner = applicant("enterprise", sme=True)
        claim = flow.submitted_from_sample(owner, sample("custody_sme"))
        if how == "applied":  # an account of the applicant's own unit, working as finance
            person = _person(staff, "finance", affiliation=owner.applicant.id_number)
            claim = approval_approve(actor=staff.approver, claim=review_recommend(actor=staff.reviewer, claim=claim))
        elif how == "recommended":
            person = _person(staff, "reviewer")
            claim = approval_approve(actor=staff.approver, claim=review_recommend(actor=person, claim=claim))
        elif how == "approved":
            person = _person(staff, "approver")
            claim = approval_approve(actor=person, claim=review_recommend(actor=staff.reviewer, claim=claim))
        else:
            person = _person(staff, "reviewer")
            claim = review_return(actor=person, claim=claim, comment="请补充托管合同")
            claim = claim_submit(actor=owner, claim=claim)
            claim = approval_approve(actor=staff.approver, claim=review_recommend(actor=staff.reviewer, claim=claim))
        if how != "applied":
            person = flow.roles_set(staff, person, ["finance"])  # moved to finance afterwards
        return _final(claim, staff), person

    return make


@pytest.mark.parametrize("how", HANDLINGS)
def test_the_services_refuse_a_payment_by_who_handled_the_claim(handled, staff, how):
    claim, person = handled(how)
    today = timezone.localdate()
    expected = (duties.OWN_CLAIM.format(id=claim.number) if how == "applied" else duties.PAY_HANDLED.format(ref=claim.reference))
    with pytest.raises(PermissionDenied) as err:
        services.payment_record(actor=person, claim=claim, paid_on=today, reference="ZF-1")
    assert str(err.value) == expected
    with pytest.raises(PermissionDenied) as err:
        services.payment_fail(actor=person, claim=claim, reason="账户已销户")
    assert str(err.value) == expected
    with pytest.raises(PermissionDenied) as err:
        services.payment_batch_record(actor=person, claim_ids=[claim.pk], paid_on=today, reference="PL-1")
    assert claim.reference in str(err.value)
    claim.refresh_from_db()
    assert claim.state == "final"
    assert not (Payment.objects.exists() or PaymentFailure.objects.exists() or PaymentBatch.objects.exists())
    # another finance member pays it
    assert services.payment_record(actor=staff.finance, claim=claim, paid_on=today, reference="ZF-2").amount > 0


def test_a_batch_that_lists_a_handled_claim_is_refused_whole(handled, staff, open_round, applicant):
    claim, person = handled("approved")
    other = _final(flow.advance(flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme", 1)),
                                "approved", staff), staff)
    with pytest.raises(PermissionDenied) as err:
        services.payment_batch_record(actor=person, claim_ids=[other.pk, claim.pk], paid_on=timezone.localdate(), reference="PL-2")
    assert claim.reference in str(err.value) and other.reference not in str(err.value)
    assert not Payment.objects.exists() and not PaymentBatch.objects.exists()
    result = services.payment_batch_record(actor=person, claim_ids=[other.pk], paid_on=timezone.localdate(), reference="PL-3")
    assert [line.claim_id for line in result.paid] == [other.pk]


def _api(user) -> Client:
    secret = api_token_create(actor=user, name="财务系统", second_factor=True)[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.mark.parametrize("how", ["recommended", "approved"])
def test_the_api_refuses_who_handled_the_claim(handled, how):
    claim, person = handled(how)
    client, today = _api(person), timezone.localdate().isoformat()
    for path, body in (
        (f"/api/payments/{claim.pk}/paid", {"paid_on": today, "reference": "ZF-9"}),
        (f"/api/payments/{claim.pk}/failed", {"reason": "账户已销户"}),
        ("/api/payments/batch", {"claims": [claim.pk], "paid_on": today, "reference": "PL-9"}),
    ):
        response = client.post(path, body, content_type="application/json")
        assert response.status_code == 403, path
        assert claim.reference in response.json()["detail"]
    claim.refresh_from_db()
    assert claim.state == "final" and not Payment.objects.exists()


def test_an_old_account_holding_approver_and_finance_cannot_pay_what_it_approved(open_round, staff, applicant):
    """The finding replayed: approver and finance in one account (as held before the rule refused it)."""
    both = _person(staff, "approver")
    claim = flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme"))
    claim = _final(approval_approve(actor=both, claim=review_recommend(actor=staff.reviewer, claim=claim)), staff)
    User.objects.filter(pk=both.pk).update(roles=["approver", "finance"])
    both.refresh_from_db()  # a token is issued under the roles held now (an older one stops working)
    response = _api(both).post(f"/api/payments/{claim.pk}/paid", {"paid_on": timezone.localdate().isoformat(), "reference": "ZF"},
                               content_type="application/json")
    assert response.status_code == 403 and response.json()["detail"] == duties.PAY_HANDLED.format(ref=claim.reference)
    assert not Payment.objects.exists()


def test_the_pages_offer_nothing_and_refuse_a_crafted_post(handled, staff):
    claim, person = handled("recommended")
    client = Client()
    client.force_login(person)
    queue = client.get(reverse("portal:finance_queue")).content.decode()
    assert f'value="{claim.pk}"' not in queue and duties.PAY_HANDLED.format(ref=claim.reference) in queue
    page = client.get(reverse("portal:finance_claim", args=[claim.pk])).content.decode()
    assert 'id="pay-barred"' in page and 'id="record-payment"' not in page and 'id="bank-account"' not in page
    today = timezone.localdate().isoformat()
    client.post(reverse("portal:finance_claim", args=[claim.pk]), {"action": "pay", "paid_on": today, "reference": "ZF-3"})
    client.post(reverse("portal:finance_claim", args=[claim.pk]), {"action": "fail", "reason": "账户已销户"})
    response = client.post(reverse("portal:finance_batch"), {"claims": [claim.pk], "paid_on": today, "reference": "PL-4"})
    assert claim.reference in response.content.decode()
    claim.refresh_from_db()
    assert claim.state == "final" and not Payment.objects.exists() and not PaymentFailure.objects.exists()
    # the colleague who did not handle it sees the checkbox and pays it
    other = Client()
    other.force_login(staff.finance)
    assert f'value="{claim.pk}"' in other.get(reverse("portal:finance_queue")).content.decode()
