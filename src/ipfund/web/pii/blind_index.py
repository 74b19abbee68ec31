"""The keyed blind index of an encrypted value: HMAC-SHA256 under IPFUND_INDEX_KEY, so a number
can be found and kept unique without being stored in clear, and the index alone (without the
key, kept outside the database) tells nothing of the number."""

from __future__ import annotations

import hashlib
import hmac

from .keys import index_key


def blind_index(field: str, value: str) -> str:
    """The index of ``value`` in ``field`` (the field name separates the indexes of different
    kinds of number); the value is compared in canonical form (no spaces, upper case)."""
    canonical = (value or "").replace(" ", "").strip().upper()
    message = f"index\x00{field}\x00{canonical}".encode("utf-8")
    return hmac.new(index_key(), message, hashlib.sha256).hexdigest()


def account_key(account: str) -> str:
    """What the audit trail keeps of a bank account besides its masked form: its keyed index, so
    `audit reconcile` can hold the account stored now against the last one audited without the
    chain ever holding the number ("" for no account)."""
    return blind_index("bank_account", account) if (account or "").strip() else ""
