"""Notice (公示 with its period), NoticeEntry (one award shown), Objection (anyone's 异议)."""

from __future__ import annotations

from typing import Any

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from ipfund.web.pii.fields import EncryptedTextField, SealedRowModel

from ipfund.web.uploads import EXTENSIONS

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class Notice(models.Model):
    OPEN, CLOSED = "open", "closed"

    title = models.CharField(max_length=200)
    published_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    period_days = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=[(OPEN, "公示中"), (CLOSED, "已结束")], default=OPEN)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = "公示"
        verbose_name_plural = "公示"

    def __str__(self) -> str:
        return self.title

    def in_period(self, at) -> bool:
        return self.state == self.OPEN and self.published_at <= at < self.ends_at


class NoticeEntry(models.Model):
    """What the public sees of one award: names of persons masked, no ID numbers at all."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="entries")
    claim = models.OneToOneField("claims.Claim", on_delete=models.PROTECT, related_name="notice_entry")
    recipient = models.CharField(max_length=200)
    item_title = models.CharField(max_length=200)
    citation = models.CharField(max_length=32)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["id"]


def objection_path(instance: "Objection", filename: str) -> str:
    return f"objections/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{EXTENSIONS[instance.evidence_content_type]}"


class Objection(SealedRowModel):
    OPEN, UPHELD, DISMISSED = "open", "upheld", "dismissed"

    entry = models.ForeignKey(NoticeEntry, on_delete=models.PROTECT, related_name="objections")
    reference = models.CharField(max_length=32, null=True, blank=True, unique=True)  # 异议编号, given when filed
    # The objector's name and contact are personal data: encrypted, sealed to the row (pii/fields.py).
    name = EncryptedTextField()
    contact = EncryptedTextField()
    reason = models.TextField()
    evidence = models.FileField(upload_to=objection_path, blank=True, max_length=300)
    evidence_content_type = models.CharField(max_length=64, blank=True)
    filed_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(
        max_length=10, choices=[(OPEN, "待处理"), (UPHELD, "异议成立"), (DISMISSED, "异议不成立")], default=OPEN
    )
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Where it came from (for the per-address limit; kept as a hash, never the address itself).
    client_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["filed_at", "id"]
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
