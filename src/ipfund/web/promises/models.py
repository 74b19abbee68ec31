"""Promises (承诺) that awards carry and the recovery (追回) of money when one is broken.

Promise: one per claim of an item whose policy declares a promise (五（一）「在区内经营不少于3年的
承诺书」): its text, the signed letter (evidence), its term. RecoveryCase: a breach recorded with its
evidence, the amount to recover (all, or in proportion to the days of the term left), the ledger
entry that took it back, the notice. Repayment: money finance records as repaid. WriteOff: the rest
given up, requested by one person and approved by another."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from ipfund.web.filed import random_name

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
BREACH_LABELS = {"moved_out_of_zone": "迁离本区", "deregistered": "注销登记", "other": "其他违反承诺的情形"}
START_LABELS = {"payment": "资助资金拨付之日", "approval": "资助审定之日"}
BASIS_LABELS = {"all": "追回已拨付的全部资助", "proportional": "按承诺期未履行的天数占承诺期天数的比例追回"}


class Promise(models.Model):
    ACTIVE, KEPT, BROKEN, VOID = "active", "kept", "broken", "void"
    STATES = {ACTIVE: "履行中", KEPT: "已履行", BROKEN: "已违反", VOID: "资助已撤销（承诺不再适用）"}

    claim = models.OneToOneField("claims.Claim", on_delete=models.PROTECT, related_name="promise")
    text = models.TextField()  # quoted from the policy
    evidence = models.ForeignKey("claims.Evidence", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    evidence_label = models.CharField(max_length=200)
    years = models.PositiveSmallIntegerField()
    start_basis = models.CharField(max_length=12, choices=list(START_LABELS.items()))
    recovery_basis = models.CharField(max_length=12, choices=list(BASIS_LABELS.items()))
    breaches = models.JSONField(default=list)  # the breach codes the policy declares
    interpretations = models.JSONField(default=list)  # ["A37=payment", …]
    term_start = models.DateField(null=True, blank=True)  # None: waits for the payment
    term_end = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=list(STATES.items()), default=ACTIVE, db_index=True)
    # A register import suggests a breach (a proposal staff confirm, never a recovery by itself).
    flag_breach = models.CharField(max_length=20, blank=True)
    flag_on = models.DateField(null=True, blank=True)
    flag_note = models.TextField(blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term_end", "id"]
        indexes = [models.Index(fields=["state", "term_end"], name="promise_due")]
        verbose_name = verbose_name_plural = "资助承诺"

    def __str__(self) -> str:
        return f"承诺 #{self.pk}"

    @property
    def state_label(self) -> str:
        return self.STATES[self.state]

    @property
    def start_label(self) -> str:
        return START_LABELS.get(self.start_basis, self.start_basis)

    @property
    def basis_label(self) -> str:
        return BASIS_LABELS.get(self.recovery_basis, self.recovery_basis)

    @property
    def flag_label(self) -> str:
        return BREACH_LABELS.get(self.flag_breach, "")


def breach_evidence_path(instance: "RecoveryCase", filename: str) -> str:
    return random_name("recoveries", instance.evidence_content_type)


class RecoveryCase(models.Model):
    OPEN, SETTLED = "open", "settled"
    STATES = {OPEN: "追回中", SETTLED: "已结案"}

    promise = models.OneToOneField(Promise, on_delete=models.PROTECT, related_name="recovery")
    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="recoveries")
    breach = models.CharField(max_length=20, choices=list(BREACH_LABELS.items()))
    breached_on = models.DateField()
    note = models.TextField()
    evidence = models.FileField(upload_to=breach_evidence_path, max_length=300)
    evidence_content_type = models.CharField(max_length=64)
    source = models.CharField(max_length=12, default="staff")  # staff | register (a confirmed flag)
    # The amount as it stood before the recovery, and how the amount due follows from it.
    awarded = models.DecimalField(**MONEY)
    basis = models.CharField(max_length=12, choices=list(BASIS_LABELS.items()))
    term_days = models.PositiveIntegerField()
    days_left = models.PositiveIntegerField()
    amount_due = models.DecimalField(**MONEY)
    entry = models.OneToOneField("ledger.AwardEntry", on_delete=models.PROTECT, related_name="recovery")
    due_by = models.DateField()  # the deadline the notice gives to repay
    state = models.CharField(max_length=8, choices=list(STATES.items()), default=OPEN, db_index=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount_due__gt=0), name="recovery_due_positive")]
        verbose_name = verbose_name_plural = "追回案件"

    def __str__(self) -> str:
        return f"追回 #{self.pk}"

    @property
    def state_label(self) -> str:
        return self.STATES[self.state]

    @property
    def breach_label(self) -> str:
        return BREACH_LABELS.get(self.breach, self.breach)

    @property
    def basis_label(self) -> str:
        return BASIS_LABELS.get(self.basis, self.basis)

    @property
    def repaid(self) -> Decimal:
        return sum((r.amount for r in self.repayments.all()), Decimal("0.00"))

    @property
    def written_off(self) -> Decimal:
        return sum((w.amount for w in self.write_offs.all() if w.state == WriteOff.APPROVED), Decimal("0.00"))

    @property
    def outstanding(self) -> Decimal:
        """The receivable: due, less what was repaid and what was written off with approval."""
        return self.amount_due - self.repaid - self.written_off


class Repayment(models.Model):
    case = models.ForeignKey(RecoveryCase, on_delete=models.PROTECT, related_name="repayments")
    amount = models.DecimalField(**MONEY)
    paid_on = models.DateField()
    reference = models.CharField(max_length=100)  # 银行回单号
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_positive")]
        verbose_name = verbose_name_plural = "追回资金归还"


class WriteOff(models.Model):
    PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
    STATES = {PENDING: "待批准", APPROVED: "已核销", REJECTED: "未批准"}

    case = models.ForeignKey(RecoveryCase, on_delete=models.PROTECT, related_name="write_offs")
    amount = models.DecimalField(**MONEY)
    reason = models.TextField()
    state = models.CharField(max_length=8, choices=list(STATES.items()), default=PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="write_off_positive"),
            # The second person: whoever decides is not whoever asked.
            models.CheckConstraint(condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                                   name="write_off_second_person"),
            models.UniqueConstraint(fields=["case"], condition=Q(state="pending"), name="write_off_one_pending"),
        ]
        verbose_name = verbose_name_plural = "追回余额核销"

    @property
    def state_label(self) -> str:
        return self.STATES[self.state]
