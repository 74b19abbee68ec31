"""Payment (one per award, or one per installment of an award paid in stages, with the account it
was paid to), Installment (分期拨付: one installment of an award, its condition and state),
PaymentBatch (one bank transfer batch, one bank reference), PaymentFailure (each failed attempt)
and BankAccountChange (an applicant's new account after approval, waiting for a second person's
confirmation)."""

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


class Installment(models.Model):
    """One installment of an award paid in stages (分期拨付), planned at approval from the policy
    package's declaration: a schedule row under the claim's single grant (the whole award is the
    grant: it holds the key and counts against caps and budgets at approval). Paid by a Payment of
    its own; cancelled by a ledger entry of its own (the reduction, or the reversal when nothing
    was paid), which `cancelled_by` names. Every change of state is audited."""

    DUE, WAITING, PAID, CANCELLED = "due", "waiting", "paid", "cancelled"
    STATES = [(DUE, "待拨付"), (WAITING, "待验收"), (PAID, "已拨付"), (CANCELLED, "已取消")]
    APPROVAL = "approval"

    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="installments")
    grant = models.ForeignKey("ledger.AwardEntry", on_delete=models.PROTECT, related_name="installments")
    number = models.PositiveSmallIntegerField()
    amount = models.DecimalField(**MONEY)
    share = models.CharField(max_length=40)  # as the package declares it, for people: 50% / 剩余部分
    condition = models.CharField(max_length=64)  # "approval" or the package's name of the condition
    condition_label = models.CharField(max_length=100)  # 立项时 / 验收合格
    failed_label = models.CharField(max_length=100, blank=True)  # 验收不合格
    state = models.CharField(max_length=10, choices=STATES)
    # The reviewer's outcome of the condition (met or failed), with the evidence they uploaded.
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    outcome_note = models.TextField(blank=True)
    evidence = models.ForeignKey("claims.Evidence", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cancelled_by = models.ForeignKey("ledger.AwardEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["claim_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "number"], name="installment_number_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="installment_positive"),
            models.CheckConstraint(condition=~models.Q(state="cancelled") | models.Q(cancelled_by__isnull=False),
                                   name="installment_cancelled_by_entry"),
        ]
        verbose_name = "分期拨付"
        verbose_name_plural = "分期拨付"

    @property
    def conditional(self) -> bool:
        return self.condition != self.APPROVAL

    @property
    def state_label(self) -> str:
        return dict(self.STATES)[self.state]

    @property
    def when_label(self) -> str:
        return f"{self.condition_label}{'后' if self.conditional else ''}拨付"


class Payment(SealedRowModel):
    # One payment per award (installment null), or one per installment of an award paid in stages.
    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="payments")
    installment = models.OneToOneField(Installment, null=True, blank=True, on_delete=models.PROTECT, related_name="payment")
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
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive"),
            # An award paid at once is paid once (as when a claim had one payment).
            models.UniqueConstraint(fields=["claim"], condition=models.Q(installment__isnull=True), name="payment_once_per_award"),
        ]
        ordering = ["paid_on", "id"]
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
