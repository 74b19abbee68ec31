"""Duplicate keys and cap groups of one contract claim, read from the item's own declaration in the
policy package (Item.key_fields, Item.cap, Item.tops_up) — the same fields the engine uses, so the
database constraints and the engine agree on what "the same thing" and "the same cap" are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ipfund.engine.identifiers import canonical

SEPARATOR = "|"


@dataclass(frozen=True)
class CapGroup:
    group: str
    # The policy's cap for the group in yuan, or None for a top-up item, whose bucket only
    # serialises approvals: the engine pays "entitlement minus what was paid", under the lock.
    cap: Decimal | None


@dataclass(frozen=True)
class LedgerKeys:
    duplicate_key: str | None
    cap_groups: tuple[CapGroup, ...]


def _value(claim: dict, name: str, item=None) -> str:
    if name == "applicant":
        return canonical(claim["applicant"]["id"])
    if name == "event_year":
        return claim["event_date"][:4]
    value = claim["facts"].get(name)
    if item is not None:
        fact = item.fact(name)
        if fact.needless_when is not None and claim["facts"].get(fact.needless_when[0]) in fact.needless_when[1]:
            return canonical(claim["applicant"]["id"])  # not needed: the applicant stands for it (the engine's reading)
        value = fact.normal_form(value)  # identifiers compared in their normal form (contract v2)
    return str(value)


def _joined(item_id: str, parts) -> str:
    return SEPARATOR.join([item_id, *parts])


def ledger_keys(policy, claim: dict, interpretations: dict[str, str]) -> LedgerKeys:
    """Keys of a claim the engine judged valid (every fact named here is present and typed)."""
    item = policy.items[claim["item"]]
    interp = policy.resolve_interpretations(interpretations)
    fields = item.key_fields(interp)
    key = _joined(item.id, [_value(claim, f, item) for f in fields]) if fields else None
    groups: list[CapGroup] = []
    if item.tops_up(interp):
        groups.append(CapGroup(_joined(item.id, ["top_up", *(_value(claim, f, item) for f in item.top_up_by)]), None))
    cap = item.cap
    if cap is not None:
        parts = [_value(claim, f, item) for f in cap.group_fields(interp)]
        event = dt.date.fromisoformat(claim["event_date"])
        if cap.per_year_when and interp.get(cap.per_year_when[0]) == cap.per_year_when[1]:
            parts.append(str(event.year))
        at = event.toordinal()
        if cap.by:
            fen = policy.params.table_fen_one(cap.param, str(claim["facts"][cap.by]), at)
        else:
            fen = policy.params.money_fen_one(cap.param, at)
        groups.append(CapGroup(_joined(item.id, parts), Decimal(int(fen)) / 100))
    return LedgerKeys(key, tuple(sorted(groups, key=lambda g: g.group)))
