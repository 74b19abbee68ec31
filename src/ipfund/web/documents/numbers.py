"""document_number_issue: the number (文号) of a document, from the settings' pattern of its kind
(IPFUND_DOCUMENT_NUMBERS) and a sequence per kind and year, counted like claim references (the
counter row locked in the caller's transaction). A document about one object keeps its number."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from ipfund.web.claims.reference import reference_next

from .models import IssuedDocument

# The counter series of each kind (claims.ReferenceSequence.series holds at most 16 characters).
SERIES = {"decision_letter": "DOC-LETTER", "notice": "DOC-NOTICE", "payment_list": "DOC-PAYLIST", "recovery_notice": "DOC-RECOVER"}
NO_PATTERN = "IPFUND_DOCUMENT_NUMBERS 缺少“{kind}”的文号格式（可用 {{year}} 与 {{serial}}）。"


def subject_of(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}" if obj is not None else ""


def _pattern(kind: str) -> str:
    pattern = settings.IPFUND_DOCUMENT_NUMBERS.get(kind)
    if not pattern:
        raise ImproperlyConfigured(NO_PATTERN.format(kind=kind))
    return pattern


@transaction.atomic
def document_number_issue(*, kind: str, on: dt.date, obj=None, actor=None) -> IssuedDocument:
    """The number of ``kind`` for ``obj`` (given once, then the same on every reprint), or a new
    number for a document issued afresh (``obj`` None), in the year of ``on``."""
    subject = subject_of(obj)
    if subject:
        found = IssuedDocument.objects.filter(kind=kind, subject=subject).first()
        if found is not None:
            return found
    pattern = _pattern(kind)
    serial = int(reference_next(SERIES[kind], at=timezone.make_aware(dt.datetime.combine(on, dt.time(12)))).rsplit("-", 1)[1])
    number = pattern.format(year=on.year, serial=serial)
    try:
        with transaction.atomic():
            return IssuedDocument.objects.create(
                kind=kind, subject=subject, year=on.year, serial=serial, number=number, issued_on=on,
                issued_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:  # the same document numbered at the same instant by another request
        return IssuedDocument.objects.get(kind=kind, subject=subject)
