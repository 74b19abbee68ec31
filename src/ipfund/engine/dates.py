"""Dates as proleptic ordinals (numpy int64 columns) and the civil-code rule for anniversaries."""

from __future__ import annotations

import calendar
import re
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


@lru_cache(maxsize=1 << 16)
def parse_iso(value: str) -> int | None:
    """'YYYY-MM-DD' → date ordinal, or None when it is not a real date in that exact form."""
    if not _ISO.match(value):
        return None
    try:
        return date.fromisoformat(value).toordinal()
    except ValueError:
        return None


def iso(ordinal: int) -> str:
    return date.fromordinal(int(ordinal)).isoformat()


@lru_cache(maxsize=1 << 16)
def _add_years_one(ordinal: int, years: int) -> int:
    # 《民法典》第二百零二条: a period in years ends on the corresponding day of the last year;
    # where there is none (29 February), on the last day of that month.
    d = date.fromordinal(ordinal)
    y = d.year + years
    day = min(d.day, calendar.monthrange(y, d.month)[1])
    return date(y, d.month, day).toordinal()


def add_years(ordinals: object, years: object) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Anniversaries of an int64 column of date ordinals (years: scalar or column)."""
    ordinals = np.asarray(ordinals, dtype=np.int64)
    years = np.broadcast_to(np.asarray(years, dtype=np.int64), ordinals.shape)
    return np.fromiter(
        (_add_years_one(int(o), int(y)) for o, y in zip(ordinals, years)), dtype=np.int64, count=len(ordinals)
    )
