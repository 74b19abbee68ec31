"""Facts as a form sends them turned into the types the engine reads (the engine door builds the claim)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

_TRUE = {"1", "true", "on", "yes", "是", "y"}
_FALSE = {"0", "false", "off", "no", "否", "n", ""}
_SPLIT = re.compile(r"[\s,，;；、]+")


def _coerce(kind: str, value: Any) -> Any:
    """A form's string turned into the contract's JSON type; anything unusable is passed on
    unchanged so the engine names the field in its `invalid_input` error."""
    if value is None:
        return None
    if kind in {"int", "year"}:
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value
        text = str(value).strip()
        return int(text) if re.fullmatch(r"-?\d+", text) else value
    if kind == "number":
        if isinstance(value, (int, bool)):
            return value
        text = str(value).strip()
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        # The contract's `number` (contract years) is a JSON number; the engine reads it as a float.
        return float(text) if re.fullmatch(r"-?\d+\.\d+", text) else value
    if kind == "money":
        if isinstance(value, bool):
            return value
        try:
            return str(Decimal(str(value).strip().replace(",", "")))
        except InvalidOperation:
            return value
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        return value
    if kind == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value).strip()
    if kind == "uscc_list":
        if isinstance(value, (list, tuple)):
            return [str(v).strip().upper() for v in value if str(v).strip()]
        return [part.upper() for part in _SPLIT.split(str(value)) if part]
    return value.strip() if isinstance(value, str) else value


def coerce_facts(item_spec, raw: dict) -> dict:
    """The facts of one item, each in its contract type; facts the item does not name are dropped,
    optional facts left empty are omitted."""
    facts = {}
    for fact in item_spec.facts:
        value = raw.get(fact.name)
        if fact.optional and (value is None or value == ""):
            continue
        if value is None and fact.type == "bool":
            value = False  # an unticked checkbox sends nothing
        facts[fact.name] = _coerce(fact.type, value)
    return facts
