"""Data migration of rows written before personal data was encrypted: profiles encrypted and
indexed, and a person's number replaced by the pseudonym wherever the ledger and the claims'
stored decisions carried it (before the ledger became insert-only in the database). Audit events
written before cannot be changed without breaking the chain; the README says so."""

from __future__ import annotations

import json

from cryptography.fernet import InvalidToken

from ipfund.web.engine_door import canonical

from .blind_index import blind_index
from .fields import encrypt
from .keys import data_cipher
from .pseudonyms import applicant_identity

PROFILE_TABLE = "accounts_applicantprofile"


def _clear(value: str | None) -> str:
    """A value written before encryption; one that is already a token of ours is decrypted."""
    if not value:
        return ""
    try:
        return data_cipher().decrypt(value.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError):
        return value


def _replaced(value, number: str, pseudonym: str):
    return json.loads(json.dumps(value, ensure_ascii=False).replace(number, pseudonym))


def encrypt_existing_profiles(apps, schema_editor) -> None:
    persons: list[tuple[int, str, str]] = []
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, kind, id_number, contact_phone, bank_account FROM {PROFILE_TABLE}")
        for pk, kind, number, phone, account in cursor.fetchall():
            number, phone, account = _clear(number), _clear(phone), _clear(account)
            identity = applicant_identity(kind, number)
            cursor.execute(
                f"UPDATE {PROFILE_TABLE} SET id_number = %s, id_number_index = %s, ledger_identity = %s, "
                "contact_phone = %s, bank_account = %s, bank_account_index = %s WHERE id = %s",
                [encrypt(number), blind_index("id_number", number), identity,
                 encrypt(phone) if phone else "", encrypt(account) if account else "",
                 blind_index("bank_account", account) if account else "", pk],
            )
            if kind == "person":
                persons.append((pk, canonical(number), identity))
    if persons:
        _pseudonymise_ledger(apps, persons)


def _pseudonymise_ledger(apps, persons) -> None:
    AwardEntry = apps.get_model("ledger", "AwardEntry")
    DuplicateKey = apps.get_model("ledger", "DuplicateKey")
    CapBucket = apps.get_model("ledger", "CapBucket")
    Claim = apps.get_model("claims", "Claim")
    for pk, number, pseudonym in persons:
        for entry in AwardEntry.objects.filter(applicant_id=pk):
            AwardEntry.objects.filter(pk=entry.pk).update(
                claim_data=_replaced(entry.claim_data, number, pseudonym),
                duplicate_key=entry.duplicate_key.replace(number, pseudonym),
                cap_groups=_replaced(entry.cap_groups, number, pseudonym),
            )
        for key in DuplicateKey.objects.filter(entry__applicant_id=pk, key__contains=number):
            DuplicateKey.objects.filter(pk=key.pk).update(key=key.key.replace(number, pseudonym))
        for bucket in CapBucket.objects.filter(group__contains=number):
            CapBucket.objects.filter(pk=bucket.pk).update(group=bucket.group.replace(number, pseudonym))
        for claim in Claim.objects.filter(applicant_id=pk, decision__isnull=False):
            Claim.objects.filter(pk=claim.pk).update(decision=_replaced(claim.decision, number, pseudonym))
