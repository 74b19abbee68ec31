"""Claim (one applicant, one item, its facts and workflow state) and Evidence (uploaded files)."""

from __future__ import annotations

from typing import Any

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from ipfund.web.uploads import EXTENSIONS

from .workflow import State

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


# What a page shows for a claim that has no reference yet (a draft, a proposal not yet confirmed).
UNNUMBERED = "未编号（尚未提交）"


class Claim(models.Model):
    applicant = models.ForeignKey("accounts.ApplicantProfile", on_delete=models.PROTECT, related_name="claims")
    round = models.ForeignKey("rounds.ApplicationRound", null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    policy = models.CharField(max_length=64)
    # The version of the policy package (Policy.version) the claim was last decided under.
    policy_version = models.CharField(max_length=64, blank=True, default="", db_default="")
    item = models.CharField(max_length=64)
    event_date = models.DateField()
    facts = models.JSONField(default=dict)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    # 受理编号, given at the first submission (claims/reference.py); drafts have none.
    reference = models.CharField(max_length=32, null=True, blank=True, unique=True)
    # A retried API call or a double-clicked submit carries the same key and gets the same claim.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    # The SHA-256 of the request that carried the key: the same key with another body is refused.
    idempotency_digest = models.CharField(max_length=64, blank=True, default="", db_default="")

    decision = models.JSONField(null=True, blank=True)  # the engine's last decision, as the contract gives it
    engine_amount = models.DecimalField(null=True, blank=True, **MONEY)
    recommended_amount = models.DecimalField(null=True, blank=True, **MONEY)
    reduction_reason = models.TextField(blank=True)
    approved_amount = models.DecimalField(null=True, blank=True, **MONEY)
    review_comment = models.TextField(blank=True)  # the last return-for-correction comment
    decision_reason = models.TextField(blank=True)  # rejection, send-back or revocation reason
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="claim_idempotency_key_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(recommended_amount__isnull=True) | models.Q(recommended_amount__gte=0),
                name="claim_recommended_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["item", "state"]),
            models.Index(fields=["state", "submitted_at", "id"], name="claim_queue_order"),
            # The queues' other sort orders (QUEUE_SORTS) and an applicant's claims by state.
            models.Index(fields=["state", "reference", "id"], name="claim_queue_reference"),
            models.Index(fields=["state", "item", "submitted_at", "id"], name="claim_queue_item"),
            models.Index(fields=["state", "engine_amount", "id"], name="claim_queue_engine_amount"),
            models.Index(fields=["state", "recommended_amount", "id"], name="claim_queue_recommended"),
            models.Index(fields=["applicant", "state", "id"], name="claim_applicant_state"),
        ]
        verbose_name = "申报"
        verbose_name_plural = "申报"

    def __str__(self) -> str:
        return f"申报 #{self.pk} {self.item}"

    @property
    def number(self) -> str:
        """The one number a person reads for this claim: its reference (受理编号), given at the first
        submission; a draft or a proposal not yet confirmed has none and says so."""
        return self.reference or UNNUMBERED

    @property
    def state_label(self) -> str:
        return State(self.state).label

    @property
    def payment(self):
        """The claim's latest payment, or None: its only one for an award paid at once; for one paid
        in stages (分期拨付) the last installment's (`payments` holds them all; prefetch it for lists)."""
        payments = list(self.payments.all())
        return payments[-1] if payments else None


class ReferenceSequence(models.Model):
    """The last reference number given in one series and year (claims/reference.py)."""

    series = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="reference_sequence_unique")]


def evidence_path(instance: "Evidence", filename: str) -> str:
    # A random name: the applicant's file name says nothing about where it is stored.
    return f"evidence/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{EXTENSIONS[instance.content_type]}"


class CurrentEvidence(models.Manager):
    """Evidence the claim holds now: a file the applicant removed or replaced is not among it."""

    def get_queryset(self):
        return super().get_queryset().filter(removed_at__isnull=True)


class Evidence(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="evidence")
    requirement = models.CharField(max_length=200)  # one label of policy.items[item].evidence
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Removed or replaced by the applicant (claims/evidence_changes.py): the row stays for the audit trail.
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = CurrentEvidence()  # the default (and so claim.evidence): current files only
    with_removed = models.Manager()

    class Meta:
        ordering = ["requirement", "uploaded_at", "id"]
        base_manager_name = "with_removed"
        verbose_name = "证明材料"
        verbose_name_plural = "证明材料"


def staged_path(instance: "StagedUpload", filename: str) -> str:
    return f"staged/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{EXTENSIONS[instance.content_type]}"


class StagedUpload(models.Model):
    """A checked file chosen on a claim form whose save failed (another field was refused): kept for
    the same person and form (its token) so it need not be chosen again; attached as evidence when
    the form is saved, swept after IPFUND_STAGED_UPLOAD_HOURS (claims/staging.py)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=100)
    requirement = models.CharField(max_length=200)
    file = models.FileField(upload_to=staged_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["owner", "token"])]
        verbose_name = "暂存的上传文件"
        verbose_name_plural = "暂存的上传文件"


class StateCount(models.Model):
    """How many claims of a policy, a round (0: none) and a year of submission (0: not submitted)
    are in a state — kept by triggers on the claims table in the claim's own transaction
    (claims/state_counts.py); never written by the platform itself."""

    policy = models.CharField(max_length=64)
    round_key = models.IntegerField()
    year = models.IntegerField()
    state = models.CharField(max_length=20, choices=State.choices)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["policy", "round_key", "year", "state"], name="claim_state_count_key")]
