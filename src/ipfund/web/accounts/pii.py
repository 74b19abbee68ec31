"""Services on personal data: the indexes kept beside the encrypted numbers, an audited reveal
(of ID numbers and phones; finance's reveal of bank accounts is payments.account_for_finance),
re-encryption under the newest key (rotation) and erasure (PIPL) that leaves the ledger and the
audit chain verifiable."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ipfund.web.accounts import roles
from ipfund.web.audit.services import audit_record
from ipfund.web.audit.actions import AuditAction

from ipfund.web.pii.blind_index import blind_index
from ipfund.web.pii.fields import reencrypt
from ipfund.web.pii.pseudonyms import applicant_identity

REVEAL_FIELDS = {
    "id_number": ("证件号码", (roles.REVIEWER, roles.APPROVER, roles.ADMIN)),
    "contact_phone": ("联系电话", (roles.REVIEWER, roles.APPROVER, roles.FINANCE, roles.ADMIN)),
}
REVEAL_UNKNOWN_FIELD = "不能查看该字段：{field}。"
REVEAL_FORBIDDEN = "您的角色不能查看{label}。"
REVEAL_PURPOSE_REQUIRED = "请填写查看事由（purpose）。"
ERASE_ONLY_ADMIN = "只有管理员可以删除个人信息。"
ERASE_REASON_REQUIRED = "请填写删除个人信息的依据（reason）。"
ERASE_ALREADY = "该申报主体的个人信息已删除。"
ERASE_NOT_PERSON = "只能删除个人申报主体的个人信息；单位的统一社会信用代码是公开信息。"
ERASED_NAME = "已删除的申请人"


def profile_protect(profile) -> None:
    """Fill the blind indexes and the ledger identity from the clear values about to be saved.
    Called by the account services before every save of a profile's numbers."""
    profile.id_number_index = blind_index("id_number", profile.id_number)
    profile.ledger_identity = applicant_identity(profile.kind, profile.id_number)
    account = (profile.bank_account or "").strip()
    profile.bank_account_index = blind_index("bank_account", account) if account else ""


def profile_by_id_number(number: str):
    from ipfund.web.accounts.models import ApplicantProfile

    return ApplicantProfile.objects.filter(id_number_index=blind_index("id_number", number)).first()


@transaction.atomic
def pii_reveal(*, actor, profile, field: str, purpose: str) -> str:
    """The clear value of one personal number, for a role that needs it; every reveal is an
    audit event naming who saw which field of whom, and why (never the value)."""
    if field not in REVEAL_FIELDS:
        raise ValidationError({"field": [REVEAL_UNKNOWN_FIELD.format(field=field)]})
    label, allowed = REVEAL_FIELDS[field]
    if not any(roles.has_role(actor, role) for role in allowed):
        raise PermissionDenied(REVEAL_FORBIDDEN.format(label=label))
    if not (purpose or "").strip():
        raise ValidationError({"purpose": [REVEAL_PURPOSE_REQUIRED]})
    audit_record(actor=actor, action=AuditAction.PII_REVEAL, obj=profile, after={"field": field, "purpose": purpose.strip()})
    return getattr(profile, field)


@transaction.atomic
def applicant_erase(*, actor, profile, reason: str):
    """Blank a person's encrypted numbers, name and contact (PIPL art. 47). The profile row, the
    ledger and the audit chain stay: they name the person only by the pseudonym, so caps and
    duplicate keys still hold and `audit verify` still passes. The account is deactivated."""
    from ipfund.web.accounts.models import ApplicantProfile

    if not roles.has_role(actor, roles.ADMIN):
        raise PermissionDenied(ERASE_ONLY_ADMIN)
    if not (reason or "").strip():
        raise ValidationError({"reason": [ERASE_REASON_REQUIRED]})
    profile = ApplicantProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.erased_at is not None:
        raise ValidationError(ERASE_ALREADY, code="already_erased")
    if profile.kind != "person":
        raise ValidationError(ERASE_NOT_PERSON, code="not_person")
    ApplicantProfile.objects.filter(pk=profile.pk).update(
        id_number="", id_number_index=None, contact_phone="", bank_account="", bank_account_index="",
        name=ERASED_NAME, address="", contact_name="", bank_name="", erased_at=timezone.now(),
    )
    # A pending or past account change holds the number too. Payments keep the account they were
    # paid to (encrypted): accounting records of public money must be kept.
    profile.bank_account_changes.update(bank_account="", bank_holder="")
    user = profile.user
    user.is_active = False
    user.email = ""
    user.first_name = user.last_name = user.real_name = ""
    user.save(update_fields=["is_active", "email", "first_name", "last_name", "real_name"])
    audit_record(
        actor=actor, action=AuditAction.APPLICANT_ERASE, obj=profile,
        after={"ledger_identity": profile.ledger_identity, "reason": reason.strip()},
    )
    profile.refresh_from_db()
    return profile


@dataclass(frozen=True)
class RekeyResult:
    profiles: int
    values: int


def encrypted_columns() -> list[tuple[str, list[str]]]:
    """Every table holding encrypted personal data, with its encrypted columns (the profile's
    numbers, and the accounts recorded on payments and account changes)."""
    from django.apps import apps

    from ipfund.web.pii.fields import EncryptedTextField

    tables = []
    for model in apps.get_models():
        columns = [f.column for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if columns:
            tables.append((model._meta.db_table, columns))
    return sorted(tables)


def pii_rekey(*, batch: int = 500) -> RekeyResult:
    """Re-encrypt every personal number under the newest data key (the first of IPFUND_DATA_KEYS).
    Tokens are rotated without the clear text leaving MultiFernet; each batch is one transaction,
    so a run that stops can simply be started again."""
    from django.db import connection

    from ipfund.web.accounts.models import ApplicantProfile

    profiles = values = 0
    for table, columns in encrypted_columns():
        last = 0
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                # Raw columns: the tokens themselves, not the clear text the field would decrypt to.
                cursor.execute(
                    f"SELECT id, {', '.join(columns)} FROM {table} WHERE id > %s ORDER BY id LIMIT %s", [last, batch]
                )
                rows = cursor.fetchall()
                for pk, *tokens in rows:
                    fresh = [reencrypt(t) if t else t for t in tokens]
                    sets = ", ".join(f"{c} = %s" for c in columns)
                    cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*fresh, pk])
                    if table == ApplicantProfile._meta.db_table:
                        profiles += 1
                    values += sum(1 for t in tokens if t)
                    last = pk
            if len(rows) < batch:
                break
    return RekeyResult(profiles, values)
