"""Payment (one per award: a unique claim, with the account it was paid to), PaymentBatch (one bank
transfer batch, one bank reference), PaymentFailure (each failed attempt) and BankAccountChange (an
applicant's new account after approval, waiting for a second person's confirmation)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from ipfund.web.pii.fields import EncryptedTextField, SealedRowModel

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class PaymentBatch(models.Model):
    """Awards paid together in one bank transfer batch under one bank reference (凭证号)."""

    reference = models.CharField(max_length=100)
    paid_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = "批量拨付"
        verbose_name_plural = "批量拨付"


class Payment(SealedRowModel):
    claim = models.OneToOneField("claims.Claim", on_delete=models.PROTECT, related_name="payment")
    amount = models.DecimalField(**MONEY)
    paid_on = models.DateField()
    reference = models.CharField(max_length=100)
    batch = models.ForeignKey(PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    # The account the money went to, as it stood when the payment was recorded.
    bank_name = models.CharField(max_length=200, blank=True)
    bank_account = EncryptedTextField(blank=True)  # personal data: encrypted like the profile's
    bank_holder = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive")]
        verbose_name = "拨付记录"
        verbose_name_plural = "拨付记录"


class PaymentFailure(SealedRowModel):
    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="payment_failures")
    reason = models.TextField()
    failed_on = models.DateField()
    # The account the failed transfer went to: a later payment to the same account is refused
    # until the applicant's account is changed and confirmed (empty on failures recorded before).
    bank_name = models.CharField(max_length=200, blank=True)
    bank_account = EncryptedTextField(blank=True)
    bank_holder = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]


class BankAccountChange(SealedRowModel):
    """A new account given while an award waits for payment: used only once a second person confirms."""

    PENDING, CONFIRMED, REJECTED = "pending", "confirmed", "rejected"
    STATES = [(PENDING, "待复核"), (CONFIRMED, "已确认"), (REJECTED, "未通过")]

    applicant = models.ForeignKey("accounts.ApplicantProfile", on_delete=models.PROTECT, related_name="bank_account_changes")
    bank_name = models.CharField(max_length=200)
    bank_account = EncryptedTextField()  # personal data: encrypted like the profile's
    bank_holder = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=STATES, default=PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["applicant"], condition=models.Q(state="pending"), name="bank_change_one_pending"),
        ]
        verbose_name = "银行账户变更"
        verbose_name_plural = "银行账户变更"
