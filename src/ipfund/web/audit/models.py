"""AuditEvent (one hash-chained row per state change) and AuditHead (the lock for appends)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .canonical import event_fields

AUDIT_IMMUTABLE = "审计事件只能追加，不能修改或删除。"


class AuditImmutableError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutableError(AUDIT_IMMUTABLE)

    def delete(self):
        raise AuditImmutableError(AUDIT_IMMUTABLE)


class AuditEvent(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        # The guard is integrity, not business logic: an existing event is never rewritten.
        if not self._state.adding:
            raise AuditImmutableError(AUDIT_IMMUTABLE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError(AUDIT_IMMUTABLE)

    def hashed_fields(self) -> dict:
        return event_fields(self)


class AuditHead(models.Model):
    """A single row naming the chain's last event; appends lock it so the chain cannot fork."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计链头"
