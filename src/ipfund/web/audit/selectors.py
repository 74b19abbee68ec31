"""Reads of the audit trail: one object's history for the staff page."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import AuditEvent


def audit_history(*, object_type: str, object_id) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("seq")
