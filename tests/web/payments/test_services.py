"""Payments: recorded once per award; a failure is recorded and retried."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ipfund.web.accounts.services import applicant_profile_update
from ipfund.web.claims.models import Claim
from ipfund.web.claims.selectors import claims_to_pay
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.notices.services import notice_close, notice_publish
from ipfund.web.notifications.models import Notification
from ipfund.web.payments import services
from ipfund.web.payments.models import BankAccountChange, Payment, PaymentFailure


@pytest.fixture
def final_claim(enterprise, open_round, staff):
    claim = flow.advance(flow.submitted_from_sample(enterprise, sample("custody_sme")), "approved", staff)
    notice = notice_publish(actor=staff.reviewer)
    with flow.clock_at(notice.ends_at + dt.timedelta(seconds=1)):
        notice_close(actor=staff.reviewer, notice=notice)
    return Claim.objects.get(pk=claim.pk)


def test_pay_once(final_claim, staff):
    assert list(claims_to_pay(user=staff.finance)) == [final_claim]
    payment = services.payment_record(actor=staff.finance, claim=final_claim, paid_on=timezone.localdate(), reference="ZF-0001")
    assert payment.amount == Decimal("3000.00")
    assert Claim.objects.get(pk=final_claim.pk).state == "paid"
    with pytest.raises(ValidationError):
        services.payment_record(actor=staff.finance, claim=final_claim, paid_on=timezone.localdate(), reference="ZF-0002")
    assert Payment.objects.count() == 1


def test_failure_then_retry(final_claim, staff, enterprise):
    services.payment_fail(actor=staff.finance, claim=final_claim, reason="账户名与户名不符")
    assert Claim.objects.get(pk=final_claim.pk).state == "payment_failed"
    # the retry goes to another account, once the applicant changed it and a second person confirmed
    applicant_profile_update(actor=enterprise, profile=enterprise.applicant, bank_name="中国建设银行肇庆分行",
                             bank_account="6217000000001234560", bank_holder=enterprise.applicant.name)
    services.bank_change_confirm(actor=staff.finance, change=BankAccountChange.objects.get())
    services.payment_record(actor=staff.finance, claim=final_claim, paid_on=timezone.localdate(), reference="ZF-0003")
    assert Claim.objects.get(pk=final_claim.pk).state == "paid"
    messages = list(Notification.objects.filter(user=enterprise).values_list("message", flat=True))
    assert any("拨付未成功" in m for m in messages) and any("已拨付" in m for m in messages)


def test_a_payment_to_an_account_that_failed_is_refused_until_it_is_changed_and_confirmed(final_claim, staff, enterprise):
    """The finding replayed: a failure because the account was closed, then a batch recorded it paid
    to the same closed account with no warning."""
    failed = enterprise.applicant.bank_account
    failure = services.payment_fail(actor=staff.finance, claim=final_claim, reason="收款账户已销户")
    assert failure.bank_account == failed and failure.bank_name == enterprise.applicant.bank_name
    expected = services.failed_account_message(failure)
    assert "收款账户已销户" in expected and failed[-4:] in expected
    with pytest.raises(ValidationError) as err:
        services.payment_record(actor=staff.finance, claim=final_claim, paid_on=timezone.localdate(), reference="ZF-1")
    assert err.value.messages == [expected]
    result = services.payment_batch_record(actor=staff.finance, claim_ids=[final_claim.pk], paid_on=timezone.localdate(), reference="PL-1")
    assert result.batch is None and [line.message for line in result.refused] == [expected]
    # a change still waiting for its second person does not lift it; a rejected one neither
    applicant_profile_update(actor=enterprise, profile=enterprise.applicant, bank_name="中国银行肇庆分行",
                             bank_account="6217000000009999990", bank_holder=enterprise.applicant.name)
    services.bank_change_reject(actor=staff.finance, change=BankAccountChange.objects.get(state="pending"), reason="户名不符")
    with pytest.raises(ValidationError, match="拨付失败"):
        services.payment_record(actor=staff.finance, claim=final_claim, paid_on=timezone.localdate(), reference="ZF-2")
    # changed back to the very account that failed: still refused
    applicant_profile_update(actor=enterprise, profile=enterprise.applicant, bank_name="中国建设银行肇庆分行",
                             bank_account="6217000000001234560", bank_holder=enterprise.applicant.name)
    services.bank_change_confirm(actor=staff.finance, change=BankAccountChange.objects.get(state="pending"))
    payment = services.payment_record(actor=staff.finance, claim=final_claim, paid_on=timezone.localdate(), reference="ZF-3")
    assert payment.bank_account == "6217000000001234560"


def test_a_failure_recorded_before_failures_kept_their_account_waits_for_a_confirmed_change(final_claim, staff, enterprise):
    failure = services.payment_fail(actor=staff.finance, claim=final_claim, reason="户名不符")
    PaymentFailure.objects.filter(pk=failure.pk).update(bank_name="", bank_account="", bank_holder="")
    with pytest.raises(ValidationError, match="户名不符"):
        services.payment_record(actor=staff.finance, claim=final_claim, paid_on=timezone.localdate(), reference="ZF-1")
    applicant_profile_update(actor=enterprise, profile=enterprise.applicant, bank_name="中国建设银行肇庆分行",
                             bank_account="6217000000001234560", bank_holder=enterprise.applicant.name)
    services.bank_change_confirm(actor=staff.finance, change=BankAccountChange.objects.get())
    assert services.payment_record(actor=staff.finance, claim=final_claim, paid_on=timezone.localdate(), reference="ZF-2").amount > 0


def test_only_finance_pays_and_fields_are_required(final_claim, staff):
    with pytest.raises(PermissionDenied):
        services.payment_record(actor=staff.approver, claim=final_claim, paid_on=timezone.localdate(), reference="X")
    with pytest.raises(ValidationError) as err:
        services.payment_record(actor=staff.finance, claim=final_claim, paid_on=timezone.localdate(), reference="")
    assert err.value.message_dict["reference"] == [services.REFERENCE_REQUIRED]
    with pytest.raises(ValidationError) as err:
        services.payment_record(actor=staff.finance, claim=final_claim, paid_on=timezone.localdate() + dt.timedelta(days=1), reference="X")
    assert err.value.message_dict["paid_on"] == [services.DATE_IN_FUTURE]


def test_unfinished_claim_cannot_be_paid(enterprise, open_round, staff):
    claim = flow.advance(flow.submitted_from_sample(enterprise, sample("custody_sme")), "approved", staff)
    with pytest.raises(Exception) as err:
        services.payment_record(actor=staff.finance, claim=claim, paid_on=timezone.localdate(), reference="X")
    assert "不能执行" in str(err.value)
