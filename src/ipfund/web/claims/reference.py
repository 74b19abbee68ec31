"""Reference numbers (受理编号) of claims and objections: a per-year sequence, unique, never reused.

A claim gets ``ZQGX-2026-000123`` when it is first submitted; an objection ``ZQGX-YY-2026-000012``
when it is filed. The counter row is locked in the caller's transaction, so two submissions at
the same instant never share a number (and a rolled-back submission gives its number back).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ReferenceSequence

CLAIM = "ZQGX"
OBJECTION = "ZQGX-YY"


def reference_next(series: str, *, at=None) -> str:
    """The next number of ``series`` in the year of ``at`` (now by default), locked until commit."""
    year = timezone.localdate(at or timezone.now()).year
    counter = ReferenceSequence.objects.select_for_update().filter(series=series, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                ReferenceSequence.objects.create(series=series, year=year, last=0)
        except IntegrityError:  # another transaction created this year's row first
            pass
        counter = ReferenceSequence.objects.select_for_update().get(series=series, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{series}-{year}-{counter.last:06d}"
