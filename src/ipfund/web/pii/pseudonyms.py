"""The pseudonym a person carries everywhere outside the encrypted profile: duplicate keys, cap
groups, ledger rows, audit events, explanations. ``个人#`` and 16 hex digits of an HMAC of the
resident ID number under IPFUND_INDEX_KEY: the same person always gets the same pseudonym (so
caps and duplicate keys hold), and it cannot be turned back into the number without the key.

Organisations keep their unified social credit code: it is public (the national enterprise
credit register), and other claims name it (a custody provider's list of SME clients)."""

from __future__ import annotations

import hashlib
import hmac

from ipfund.web.engine_door import PSEUDONYM_PREFIX, canonical

from .keys import index_key

_HEX_DIGITS = 16


def person_pseudonym(number: str) -> str:
    message = f"pseudonym\x00{canonical(number)}".encode("utf-8")
    digest = hmac.new(index_key(), message, hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:_HEX_DIGITS].upper()


def applicant_identity(kind: str, number: str) -> str:
    """What the engine, the ledger and the audit chain know an applicant by."""
    return person_pseudonym(number) if kind == "person" else canonical(number)
