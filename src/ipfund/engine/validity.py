"""When a policy admits a claim's event: decided here once, and asked by every place that needs it
— the rules (evaluation's static pass, one claim or a million, which records the bounds it
applied for the explanation), the policy's state on a day (现行 / 未生效 / 已失效: the CLI's
`policy list`, the web's policy pages, the API), and whether an application round can take any
claim.

A policy admits an event on day D when its parameters, read at D, say validity.start ≤ D ≤
validity.end (+ one day under the register's reading `validity_readings.end_one_day_later`); under
`validity_readings.filed_within_validity`, a claim filed after that last day is refused too. A
successor's first day is its own validity.start: an event that day is the successor's and, where
the predecessor ends the day before, outside the predecessor's. A round closing on day D can take a
claim only if some event the policy admits can have happened by D: D ≥ validity.start (the
rounds service compares with the first day this module gives).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .policy import Params, Policy

IN_FORCE, NOT_YET, EXPIRED = "in_force", "not_yet", "expired"
STATE_LABELS = {IN_FORCE: "现行", NOT_YET: "未生效", EXPIRED: "已失效"}


@dataclass(frozen=True)
class Validity:
    """The first and last event date a policy admits, as its parameters read on a day."""

    first: _dt.date
    last: _dt.date

    def admits(self, day: _dt.date) -> bool:
        return self.first <= day <= self.last


def end_shift(policy: Policy, interp: dict[str, str]) -> int:
    """1 when the interpretations read the validity period's last day one later, else 0."""
    shift = policy.data.get("validity_readings", {}).get("end_one_day_later")
    return 1 if shift and interp.get(str(shift[0])) == shift[1] else 0


def start_shift(policy: Policy, interp: dict[str, str]) -> int:
    """1 when the interpretations read the day of publication one day later (the printing day, not
    the signing day): the whole period then moves by a day (its first and its last day)."""
    late = policy.data.get("validity_readings", {}).get("start_one_day_later")
    return 1 if late and interp.get(str(late[0])) == late[1] else 0


def filing_fact(policy: Policy, interp: dict[str, str]) -> str | None:
    """The fact holding the filing date, when the interpretations refuse claims filed after the
    validity period's last day; else None."""
    filing = policy.data.get("validity_readings", {}).get("filed_within_validity")
    return str(filing[2]) if filing and interp.get(str(filing[0])) == filing[1] else None


def first_last(params: Params, ordinal: int, shift: int = 0, start: int = 0) -> tuple[int, int]:
    """validity.start (+ start) and validity.end (+ shift) read at one day, as ordinals."""
    first: int = params.value_one("validity.start", ordinal)
    last: int = params.value_one("validity.end", ordinal)
    return first + start, last + shift


def bounds(params: Params, events: Any, shift: int = 0, start: int = 0) -> tuple[Any, Any]:
    """For a column of event dates (ordinals, numpy): the first and last day of the validity read
    at each (the vectorised form of `first_last`)."""
    return params.date("validity.start", events) + start, params.date("validity.end", events) + shift


def outside(params: Params, events: Any, shift: int = 0, start: int = 0) -> tuple[Any, Any]:
    """For a column of event dates (ordinals, numpy): whether each is outside the validity read at
    it, and the last day at each (the vectorised form of `validity(...).admits`, for the rules)."""
    first, last = bounds(params, events, shift, start)
    return (events < first) | (events > last), last


def validity(policy: Policy, on: _dt.date, interpretations: dict[str, str] | None = None) -> Validity:
    """The first and last event date the policy admits, its parameters read on `on` (the event
    date), under the interpretations chosen (the policy's defaults for those not chosen)."""
    interp = policy.resolve_interpretations(interpretations)
    late = start_shift(policy, interp)
    first, last = first_last(policy.params, on.toordinal(), end_shift(policy, interp) + late, late)
    return Validity(_dt.date.fromordinal(first), _dt.date.fromordinal(last))


def admits(policy: Policy, event: _dt.date, interpretations: dict[str, str] | None = None) -> bool:
    """Whether an event on that day is inside the policy's validity (reason `outside_validity`)."""
    return validity(policy, event, interpretations).admits(event)


def state_on(policy: Policy, day: _dt.date, interpretations: dict[str, str] | None = None) -> str:
    """Whether a policy is in force on a day: IN_FORCE when it admits an event that day, NOT_YET
    before its first day, EXPIRED after its last."""
    v = validity(policy, day, interpretations)
    if day < v.first:
        return NOT_YET
    if day > v.last:
        return EXPIRED
    return IN_FORCE

