"""Payments: recorded once per award; a failure is recorded and retried."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ipfund.web.claims.models import Claim
from ipfund.web.claims.selectors import claims_to_pay
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.notices.services import notice_close, notice_publish
from ipfund.web.notifications.models import Notification
from ipfund.web.payments import services
from ipfund.web.payments.models import Payment


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
    services.payment_record(actor=staff.finance, claim=final_claim, paid_on=timezone.localdate(), reference="ZF-0003")
    assert Claim.objects.get(pk=final_claim.pk).state == "paid"
    messages = list(Notification.objects.filter(user=enterprise).values_list("message", flat=True))
    assert any("拨付未成功" in m for m in messages) and any("已拨付" in m for m in messages)


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
