"""Canonical JSON: the one byte form of an audit event that its hash is computed over."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

GENESIS_HASH = "0" * 64


def _default(value: Any) -> Any:
    # Money and dates become strings so that the stored JSON and the hashed JSON are the same
    # text whatever the database does with numbers.
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def canonical_json(value: Any) -> str:
    return json.dumps(value, default=_default, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def normalise(value: Any) -> Any:
    """The value as it will read back from a JSON column."""
    return None if value is None else json.loads(canonical_json(value))


def event_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()
