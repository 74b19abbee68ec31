"""Canonical JSON: the one byte form of an audit event that its hash is computed over, and the
hash itself: HMAC-SHA256 under IPFUND_AUDIT_KEY, a key kept outside the database, so whoever
rewrites events in the database cannot compute the hashes that would make them verify."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
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


def event_fields(event) -> dict[str, Any]:
    """What an event's hash covers (works on a migration's historical model too)."""
    return {
        "seq": event.seq,
        "at": event.at.astimezone(dt.timezone.utc).isoformat(),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }


def event_hash(fields: dict[str, Any], key: bytes | None = None) -> str:
    if key is None:
        from django.conf import settings

        key = settings.IPFUND_AUDIT_KEY.encode("utf-8")
    return hmac.new(key, canonical_json(fields).encode("utf-8"), hashlib.sha256).hexdigest()


def unkeyed_event_hash(fields: dict[str, Any]) -> str:
    """The hash of chains written before the chain was keyed (read once, by the migration)."""
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()
