"""Reads of rounds: which round accepts an item now, which interpretations are in force."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from .models import ApplicationRound, InterpretationChoice


def rounds_open(*, policy: str | None = None, at: dt.datetime | None = None) -> QuerySet[ApplicationRound]:
    """The rounds open now, of one policy or of all."""
    at = at or timezone.now()
    rounds = ApplicationRound.objects.filter(opens_at__lte=at, closes_at__gt=at)
    return rounds if policy is None else rounds.filter(policy=policy)


def round_open_for(policy: str, item: str, *, at: dt.datetime | None = None) -> ApplicationRound | None:
    """The open round of `policy` that accepts `item` (the one closing first), or None."""
    # Items are a JSON list; checking membership in Python keeps SQLite and PostgreSQL alike.
    for rnd in rounds_open(policy=policy, at=at).order_by("closes_at"):
        if rnd.covers(item):
            return rnd
    return None


def round_last_closed_for(policy: str, item: str, *, at: dt.datetime | None = None) -> ApplicationRound | None:
    at = at or timezone.now()
    for rnd in ApplicationRound.objects.filter(policy=policy, closes_at__lte=at).order_by("-closes_at"):
        if rnd.covers(item):
            return rnd
    return None


def round_next_for(policy: str, item: str, *, at: dt.datetime | None = None) -> ApplicationRound | None:
    at = at or timezone.now()
    for rnd in ApplicationRound.objects.filter(policy=policy, opens_at__gt=at).order_by("opens_at"):
        if rnd.covers(item):
            return rnd
    return None


UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"


def round_phase(rnd: ApplicationRound, *, at: dt.datetime | None = None) -> str:
    """Whether a round is still to open, open, or closed (已截止 is not 未开放)."""
    at = at or timezone.now()
    if at < rnd.opens_at:
        return UPCOMING
    return OPEN if at < rnd.closes_at else CLOSED


def interpretations_in_force(*, policy: str, on: dt.date | None = None) -> dict[str, str]:
    """The option of every interpretation of `policy` the bureau has chosen, as of ``on`` (today)."""
    on = on or timezone.localdate()
    chosen: dict[str, str] = {}
    for choice in InterpretationChoice.objects.filter(policy=policy, effective_from__lte=on).order_by(
        "effective_from", "id"
    ):
        chosen[choice.interpretation] = choice.option
    return chosen
