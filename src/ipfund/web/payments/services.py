"""payment_record and payment_fail, for finance (财务)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ipfund.web.audit.services import audit_record
from ipfund.web.claims.models import Claim
from ipfund.web.claims.services import claim_lock, claim_transition
from ipfund.web.claims.workflow import Action
from ipfund.web.ledger.selectors import award_net

from .models import Payment, PaymentFailure

REFERENCE_REQUIRED = "请填写拨付凭证号。"
REASON_REQUIRED = "请填写拨付失败原因。"
ALREADY_PAID = "该资助已拨付，不能重复拨付。"
DATE_IN_FUTURE = "拨付日期不能晚于今天。"
NOTHING_TO_PAY = "该申报在资助台账中没有可拨付的金额。"


@transaction.atomic
def payment_record(*, actor, claim: Claim, paid_on: dt.date, reference: str) -> Payment:
    if not (reference or "").strip():
        raise ValidationError({"reference": [REFERENCE_REQUIRED]})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": [DATE_IN_FUTURE]})
    claim = claim_lock(claim)
    if Payment.objects.filter(claim=claim).exists():
        raise ValidationError(ALREADY_PAID, code="already_paid")
    amount = award_net(claim=claim)
    if amount <= 0:
        raise ValidationError(NOTHING_TO_PAY, code="nothing_to_pay")
    claim_transition(actor=actor, claim=claim, action=Action.PAY)
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                claim=claim, amount=amount, paid_on=paid_on, reference=reference.strip(), recorded_by=actor
            )
    except IntegrityError:
        raise ValidationError(ALREADY_PAID, code="already_paid") from None
    audit_record(
        actor=actor, action="payment_record", obj=payment,
        after={"claim": claim.pk, "amount": amount, "paid_on": paid_on, "reference": payment.reference},
    )
    return payment


@transaction.atomic
def payment_fail(*, actor, claim: Claim, reason: str, failed_on: dt.date | None = None) -> PaymentFailure:
    if not (reason or "").strip():
        raise ValidationError({"reason": [REASON_REQUIRED]})
    claim = claim_lock(claim)
    claim_transition(actor=actor, claim=claim, action=Action.PAY_FAIL, note=reason.strip())
    failure = PaymentFailure.objects.create(
        claim=claim, reason=reason.strip(), failed_on=failed_on or timezone.localdate(), recorded_by=actor
    )
    audit_record(actor=actor, action="payment_fail", obj=failure, after={"claim": claim.pk, "reason": failure.reason})
    return failure
