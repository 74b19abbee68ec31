"""`audit reconcile`, the accounts money goes to: every encrypted value opens at its own row, and
each payee account is the one its last audited change recorded.

A bank account copied (token and all) from one applicant's row to another's no longer decrypts
(pii/fields.py) and is named here; an account changed around the platform — any way at all — no
longer matches the last audited registration, profile update, confirmed change or erasure of its
profile (compared by keyed index where the event recorded one, by masked form in older events);
a payment's account is held against its own payment event the same way.
"""

from __future__ import annotations

from django.db import connection

from ipfund.web.accounts.models import ApplicantProfile
from ipfund.web.audit.models import AuditEvent
from ipfund.web.masking import mask_bank_account
from ipfund.web.payments.models import Payment
from ipfund.web.pii.blind_index import account_key
from ipfund.web.pii.fields import MisplacedCiphertext, place, unseal
from ipfund.web.accounts.pii import encrypted_columns

MISPLACED = "{table} #{pk} 的 {column} 密文不属于该行（从别处复制而来），无法解密。"
PAYEE_ACCOUNT = "申报主体 #{profile}（{name}）的收款账号为 {now}，审计链第 {seq} 条（{action}）记录的是 {audited}。"
PAYEE_UNAUDITED = "申报主体 #{profile}（{name}）的收款账号 {now} 在审计链中没有记录。"
PAYMENT_ACCOUNT = "拨付记录 #{payment}（申报 #{claim}）的收款账号为 {now}，审计链第 {seq} 条记录的是 {audited}。"
PROFILE_ACTIONS = ("applicant_register", "applicant_profile_update", "applicant_erase")


def misplaced_values() -> tuple[list[str], set[tuple[str, int]]]:
    """Every encrypted value that does not open at its own row; and those rows (table, pk)."""
    found, rows = [], set()
    with connection.cursor() as cursor:
        for table, columns in encrypted_columns():
            cursor.execute(f"SELECT id, {', '.join(columns)} FROM {table} ORDER BY id")
            for pk, *tokens in cursor.fetchall():
                for column, token in zip(columns, tokens):
                    if not token:
                        continue
                    try:
                        unseal(token, place(table, column, pk))
                    except MisplacedCiphertext:
                        found.append(MISPLACED.format(table=table, pk=pk, column=column))
                        rows.add((table, pk))
    return found, rows


def _matches(account: str, audited: dict) -> bool:
    if "bank_account_key" in audited:
        return account_key(account) == audited["bank_account_key"]
    return mask_bank_account(account) == audited.get("bank_account", "")


def _last_audited_accounts() -> dict[int, tuple[AuditEvent, dict]]:
    """Per profile id: the last event that set its account, with what it recorded of it."""
    last: dict[int, tuple[AuditEvent, dict]] = {}
    events = AuditEvent.objects.filter(action__in=[*PROFILE_ACTIONS, "bank_change_confirm"]).order_by("seq")
    for event in events.only("seq", "action", "object_type", "object_id", "after").iterator(chunk_size=2000):
        after = event.after or {}
        if event.action == "bank_change_confirm":
            profile = after.get("applicant")
        elif event.object_type == "accounts.applicantprofile" and str(event.object_id).isdigit():
            profile = int(event.object_id)
        else:
            continue
        if event.action == "applicant_erase":
            after = {"bank_account": "", "bank_account_key": ""}
        if profile is not None:
            last[int(profile)] = (event, after)
    return last


def payee_differences(payments: list[Payment]) -> list[str]:
    diff, misplaced = misplaced_values()
    audited = _last_audited_accounts()
    for profile in ApplicantProfile.objects.order_by("id").iterator(chunk_size=2000):
        if (ApplicantProfile._meta.db_table, profile.pk) in misplaced:
            continue  # named above; its account cannot be read
        account = profile.bank_account or ""
        seen = audited.get(profile.pk)
        if seen is None:
            if account:
                diff.append(PAYEE_UNAUDITED.format(profile=profile.pk, name=profile.name, now=mask_bank_account(account)))
            continue
        event, recorded = seen
        if not _matches(account, recorded):
            diff.append(PAYEE_ACCOUNT.format(profile=profile.pk, name=profile.name, now=mask_bank_account(account) or "（无）",
                                             seq=event.seq, action=event.action, audited=recorded.get("bank_account") or "（无）"))
    events = {e.object_id: e for e in AuditEvent.objects.filter(action="payment_record").only("seq", "object_id", "after")}
    for payment in payments:
        event = events.get(str(payment.pk))
        if event is None or (Payment._meta.db_table, payment.pk) in misplaced:
            continue  # a payment without its event is named by the ledger reconcile
        recorded = (event.after or {}).get("account")
        if recorded is not None and mask_bank_account(payment.bank_account) != recorded:
            diff.append(PAYMENT_ACCOUNT.format(payment=payment.pk, claim=payment.claim_id, now=mask_bank_account(payment.bank_account),
                                               seq=event.seq, audited=recorded))
    return diff
