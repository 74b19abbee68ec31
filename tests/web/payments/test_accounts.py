"""The payee's account: full only for finance, every reveal audited, recorded on the payment; a change
after approval is held until a second staff person confirms it, and payment waits for it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ipfund.web.accounts.services import applicant_profile_update
from ipfund.web.audit.models import AuditEvent
from ipfund.web.claims.models import Claim
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.notices.services import notice_close, notice_publish
from ipfund.web.notifications.models import Notification
from ipfund.web.payments import services
from ipfund.web.payments.models import BankAccountChange, Payment

pytestmark = pytest.mark.django_db

NEW_ACCOUNT = "6217000000001234560"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_account(claim, **fields):
    profile = claim.applicant
    values = {"bank_name": "中国建设银行肇庆分行", "bank_account": NEW_ACCOUNT, "bank_holder": profile.name, **fields}
    return applicant_profile_update(actor=profile.user, profile=profile, **values)


def test_finance_page_shows_the_full_account_and_holder_and_audits_each_reveal(final_claims, staff):
    (claim,) = final_claims(1)
    client = signed_in(staff.finance)
    for _ in range(2):
        html = client.get(reverse("portal:finance_claim", args=[claim.pk])).content.decode()
        assert claim.applicant.bank_account in html and claim.applicant.name in html and "中国工商银行肇庆分行" in html
    reveals = AuditEvent.objects.filter(action="bank_account_reveal", object_id=str(claim.applicant.pk))
    assert reveals.count() == 2
    assert all(e.actor_id == staff.finance.pk and claim.applicant.bank_account not in str(e.after) for e in reveals)


def test_nobody_but_finance_gets_the_full_account(final_claims, staff):
    (claim,) = final_claims(1)
    for user in (staff.admin, staff.approver, staff.reviewer, claim.applicant.user):
        with pytest.raises(PermissionDenied):
            services.account_for_finance(actor=user, applicant=claim.applicant, purpose="x")
        page = signed_in(user).get(reverse("portal:finance_claim", args=[claim.pk]))
        assert page.status_code == 403
    finance_list = signed_in(staff.finance).get(reverse("portal:finance_queue")).content.decode()
    assert claim.applicant.bank_account not in finance_list  # the list shows the last four digits only
    assert not AuditEvent.objects.filter(action="bank_account_reveal").exists()


def test_the_account_paid_is_recorded_on_the_payment(final_claims, staff):
    (claim,) = final_claims(1)
    account = claim.applicant.bank_account
    payment = services.payment_record(actor=staff.finance, claim=claim, paid_on=timezone.localdate(), reference="ZF-1")
    assert (payment.bank_name, payment.bank_account, payment.bank_holder) == ("中国工商银行肇庆分行", account, claim.applicant.name)
    # A later change of the profile (nothing waits for payment now) leaves the payment as it was.
    change_account(claim)
    claim.applicant.refresh_from_db()
    assert claim.applicant.bank_account == NEW_ACCOUNT
    assert Payment.objects.get(pk=payment.pk).bank_account == account


def test_a_change_before_any_award_applies_at_once(applicant, staff):
    user = applicant("enterprise")
    applicant_profile_update(actor=user, profile=user.applicant, bank_account=NEW_ACCOUNT)
    user.applicant.refresh_from_db()
    assert user.applicant.bank_account == NEW_ACCOUNT
    assert not BankAccountChange.objects.exists()


def test_a_change_after_approval_is_held_notifies_staff_and_blocks_payment(final_claims, staff):
    (claim,) = final_claims(1)
    old = claim.applicant.bank_account
    change_account(claim)
    claim.applicant.refresh_from_db()
    assert claim.applicant.bank_account == old
    change = BankAccountChange.objects.get(state="pending")
    assert change.bank_account == NEW_ACCOUNT
    for user in (staff.finance, staff.admin):
        note = Notification.objects.get(user=user)
        assert claim.applicant.name in note.message and "复核" in note.message and NEW_ACCOUNT not in note.message
    with pytest.raises(ValidationError, match=services.ACCOUNT_CHANGE_PENDING):
        services.payment_record(actor=staff.finance, claim=claim, paid_on=timezone.localdate(), reference="ZF-2")
    assert Claim.objects.get(pk=claim.pk).state == "final" and not Payment.objects.exists()

    services.bank_change_confirm(actor=staff.finance, change=change)
    payment = services.payment_record(actor=staff.finance, claim=claim, paid_on=timezone.localdate(), reference="ZF-2")
    assert payment.bank_account == NEW_ACCOUNT and payment.bank_name == "中国建设银行肇庆分行"
    assert Notification.objects.filter(user=claim.applicant.user, message__contains="已复核确认").exists()


def test_the_person_who_entered_a_change_cannot_confirm_it(final_claims, staff):
    (claim,) = final_claims(1)
    applicant_profile_update(actor=staff.admin, profile=claim.applicant, bank_account=NEW_ACCOUNT)  # entered by staff
    change = BankAccountChange.objects.get()
    with pytest.raises(PermissionDenied, match=services.CHANGE_SAME_PERSON):
        services.bank_change_confirm(actor=staff.admin, change=change)
    with pytest.raises(PermissionDenied, match=services.CHANGE_WHO):
        services.bank_change_confirm(actor=staff.approver, change=change)
    services.bank_change_confirm(actor=staff.finance, change=change)
    with pytest.raises(ValidationError, match=services.CHANGE_NOT_PENDING):
        services.bank_change_confirm(actor=staff.finance, change=change)


def test_a_rejected_change_keeps_the_old_account_and_payment_goes_on(final_claims, staff):
    (claim,) = final_claims(1)
    old = claim.applicant.bank_account
    change_account(claim)
    change = BankAccountChange.objects.get()
    with pytest.raises(ValidationError) as err:
        services.bank_change_reject(actor=staff.finance, change=change, reason=" ")
    assert err.value.message_dict["reason"] == [services.CHANGE_REASON_REQUIRED]
    services.bank_change_reject(actor=staff.finance, change=change, reason="户名与单位名称不一致")
    payment = services.payment_record(actor=staff.finance, claim=claim, paid_on=timezone.localdate(), reference="ZF-3")
    assert payment.bank_account == old
    assert Notification.objects.filter(user=claim.applicant.user, message__contains="户名与单位名称不一致").exists()


def test_a_second_change_replaces_the_pending_one(final_claims, staff):
    (claim,) = final_claims(1)
    change_account(claim)
    change_account(claim, bank_account="6217000000009999")
    # read through the rows (an encrypted value opens only at its own row, not in values_list)
    assert [(c.state, c.bank_account) for c in BankAccountChange.objects.order_by("pk")] == [
        ("rejected", NEW_ACCOUNT), ("pending", "6217000000009999"),
    ]


def test_account_change_review_pages(final_claims, staff):
    (claim,) = final_claims(1)
    change_account(claim)
    change = BankAccountChange.objects.get()
    finance = signed_in(staff.finance)
    listing = finance.get(reverse("portal:account_changes")).content.decode()
    assert claim.applicant.name in listing and "待复核" in listing and NEW_ACCOUNT not in listing
    queue = finance.get(reverse("portal:finance_queue")).content.decode()
    assert services.ACCOUNT_CHANGE_PENDING in queue and f'value="{claim.pk}"' not in queue
    detail = finance.get(reverse("portal:account_change", args=[change.pk])).content.decode()
    assert NEW_ACCOUNT in detail and "确认变更" in detail
    assert AuditEvent.objects.filter(action="bank_account_reveal").count() == 2  # the old and the new account
    response = finance.post(reverse("portal:account_change", args=[change.pk]), {"action": "confirm"}, follow=True)
    assert "账户变更已确认" in response.content.decode()
    claim.applicant.refresh_from_db()
    assert claim.applicant.bank_account == NEW_ACCOUNT
    assert signed_in(staff.reviewer).get(reverse("portal:account_changes")).status_code == 403


def test_applicant_profile_says_the_change_waits_for_confirmation(final_claims, staff):
    (claim,) = final_claims(1)
    client = signed_in(claim.applicant.user)
    data = {"name": claim.applicant.name, "address": "肇庆高新区", "in_zone": "true", "sme": "true", "contact_name": "联系人",
            "contact_phone": "13800138000", "bank_name": "中国建设银行肇庆分行", "bank_account": NEW_ACCOUNT, "bank_holder": claim.applicant.name}
    html = client.post(reverse("portal:profile"), data, follow=True).content.decode()
    assert "须经工作人员复核确认后才生效" in html and 'id="pending-bank-change"' in html
    assert NEW_ACCOUNT not in html


def test_a_failed_payment_tells_the_applicant_what_to_do(final_claims, staff):
    (claim,) = final_claims(1)
    services.payment_fail(actor=staff.finance, claim=claim, reason="收款账户已销户，请申报单位更新银行账户。")
    client = signed_in(claim.applicant.user)
    html = client.get(reverse("portal:claim_detail", args=[claim.pk])).content.decode()
    assert "收款账户已销户" in html and 'id="update-bank-account"' in html
    assert "当前无需您操作" not in html
    note = Notification.objects.filter(user=claim.applicant.user, message__contains="拨付未成功").get()
    assert "。。" not in note.message

    change_account(claim)
    html = client.get(reverse("portal:claim_detail", args=[claim.pk])).content.decode()
    assert "正在等待工作人员复核确认" in html and 'id="update-bank-account"' not in html


def test_an_applicant_without_an_account_is_not_paid(open_round, staff, applicant):
    user = applicant("enterprise", sme=True)
    applicant_profile_update(actor=user, profile=user.applicant, bank_name="", bank_account="")  # nothing awarded yet
    claim = flow.advance(flow.submitted_from_sample(user, sample("custody_sme")), "approved", staff)
    notice = notice_publish(actor=staff.reviewer, claims=[claim])
    with flow.clock_at(notice.ends_at + dt.timedelta(seconds=1)):
        notice_close(actor=staff.reviewer, notice=notice)
    with pytest.raises(ValidationError, match=services.NO_ACCOUNT):
        services.payment_record(actor=staff.finance, claim=Claim.objects.get(pk=claim.pk), paid_on=timezone.localdate(), reference="ZF-9")
    assert not Payment.objects.exists()
