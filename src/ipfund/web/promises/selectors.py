"""What the promise pages and the dashboard read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .models import Promise, RecoveryCase


def promises_by_due(*, state: str = "") -> QuerySet[Promise]:
    """Promises by the day their term ends (terms not yet started last), the claim and applicant read along."""
    rows = Promise.objects.select_related("claim__applicant").order_by("term_end", "id")
    return rows.filter(state=state) if state else rows


def recoveries_open() -> list[RecoveryCase]:
    return list(RecoveryCase.objects.filter(state=RecoveryCase.OPEN).select_related("claim__applicant")
                .prefetch_related("repayments", "write_offs").order_by("due_by", "id"))


@dataclass(frozen=True)
class PromiseBoard:
    falling_due: int  # active promises whose term ends within the reminder window
    flagged: int  # promises a register import flagged, waiting for staff
    open_cases: int
    outstanding: Decimal


def promise_board(today: dt.date | None = None) -> PromiseBoard:
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings.IPFUND_PROMISE_REMIND_DAYS)
    active = Promise.objects.filter(state=Promise.ACTIVE)
    cases = recoveries_open()
    return PromiseBoard(
        falling_due=active.filter(term_end__lte=horizon).count(),
        flagged=active.exclude(flag_breach="").count(),
        open_cases=len(cases),
        outstanding=sum((c.outstanding for c in cases), Decimal("0.00")),
    )
