"""Account services: applicant registration and profile, staff users (their roles: role_changes.py)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from ipfund.web.audit.services import audit_record
from ipfund.web.audit.actions import AuditAction
from ipfund.web.masking import mask_person_name
from ipfund.web.pii.blind_index import account_key
from ipfund.web.accounts.pii import profile_by_id_number, profile_protect

from . import roles as role_names
from .role_changes import ONLY_ADMIN, role_change_request, roles_check
from .identifiers import bank_account_check, invalid_message, verify_applicant_id
from .usernames import username_check
from .models import APPLICANT_KINDS, ApplicantProfile, User
from .signals import REVOKED_PASSWORD, bank_account_changing, credentials_changed

USERNAME_TAKEN = "该用户名已被使用。"
ID_NUMBER_TAKEN = "该统一社会信用代码或身份证号码已绑定其他账户。"
UNKNOWN_KIND = "请选择申报主体类型。"
NOT_YOUR_PROFILE = "只能修改本人的申报主体信息。"
NAME_REQUIRED = "请填写名称。"

PROFILE_FIELDS = (
    "name", "address", "in_zone", "sme", "contact_name", "contact_phone", "bank_name", "bank_account", "bank_holder",
)
BANK_FIELDS = ("bank_name", "bank_account", "bank_holder")


def profile_snapshot(profile: ApplicantProfile) -> dict:
    """What the audit trail keeps of a profile: personal numbers masked, never in clear."""
    person = profile.kind == "person"
    return {
        "kind": profile.kind,
        # A person by the pseudonym the ledger knows them by; the chain can never be erased.
        "id_number": profile.ledger_identity if person else profile.masked_id_number,
        "name": mask_person_name(profile.name) if person else profile.name,
        "address": profile.address,
        "in_zone": profile.in_zone,
        "sme": profile.sme,
        "contact_name": profile.contact_name,
        "contact_phone": profile.masked_phone,
        "bank_name": profile.bank_name,
        "bank_account": profile.masked_bank_account,
        "bank_account_key": account_key(profile.bank_account),  # keyed, for reconcile
        "bank_holder": profile.bank_holder,
    }


def applicant_register_errors(*, username: str = "", password: str = "", email: str = "", kind: str = "",
                              id_number: str = "", name: str = "", bank_account: str = "", **_ignored) -> dict[str, list[str]]:
    """Every error ``applicant_register`` would give for these values, field by field, without
    registering: the registration page shows them all at once, beside the form's own errors."""
    return _register_checks(username=username, password=password, email=email, kind=kind, id_number=id_number,
                            name=name, bank_account=bank_account)[0]


def _register_checks(
    *, username: str, password: str, email: str, kind: str, id_number: str, name: str, bank_account: str
) -> tuple[dict[str, list[str]], str, str | None, str]:
    errors: dict[str, list[str]] = {}
    try:
        username = username_check(username)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if kind not in APPLICANT_KINDS:
        errors["kind"] = [UNKNOWN_KIND]
    compact = verify_applicant_id(kind, id_number or "") if kind in APPLICANT_KINDS else None
    if kind in APPLICANT_KINDS and compact is None:
        errors["id_number"] = [invalid_message(kind)]
    elif compact and profile_by_id_number(compact) is not None:
        errors["id_number"] = [ID_NUMBER_TAKEN]
    if "username" not in errors and User.objects.filter(username=username).exists():
        errors["username"] = [USERNAME_TAKEN]
    if not (name or "").strip():
        errors["name"] = [NAME_REQUIRED]
    try:
        bank_account = bank_account_check(bank_account)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    return errors, username, compact, bank_account


@transaction.atomic
def applicant_register(
    *,
    username: str,
    password: str,
    email: str,
    kind: str,
    id_number: str,
    name: str,
    address: str = "",
    in_zone: bool = True,
    sme: bool = False,
    contact_name: str = "",
    contact_phone: str = "",
    bank_name: str = "",
    bank_account: str = "",
    bank_holder: str = "",
) -> User:
    errors, username, compact, bank_account = _register_checks(
        username=username, password=password, email=email, kind=kind, id_number=id_number, name=name, bank_account=bank_account)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password, email=email, roles=[role_names.APPLICANT])
            profile = ApplicantProfile(
                user=user,
                kind=kind,
                id_number=compact or "",  # never empty here: an invalid number was refused above
                name=name.strip(),
                address=address,
                in_zone=in_zone,
                sme=sme and kind != "person",
                contact_name=contact_name,
                contact_phone=contact_phone,
                bank_name=bank_name,
                bank_account=bank_account,
                bank_holder=(bank_holder or "").strip(),
            )
            profile_protect(profile)
            profile.save()
    except IntegrityError:  # a simultaneous registration took the name or the number
        raise ValidationError({"id_number": [ID_NUMBER_TAKEN]}) from None
    audit_record(actor=user, action=AuditAction.APPLICANT_REGISTER, obj=profile, after=profile_snapshot(profile))
    return user


@transaction.atomic
def applicant_profile_update(*, actor: User, profile: ApplicantProfile, **changes) -> ApplicantProfile:
    """Change the editable fields of a profile; kind and the bound number never change."""
    if profile.user_id != actor.pk and not role_names.has_role(actor, role_names.ADMIN):
        raise PermissionDenied(NOT_YOUR_PROFILE)
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError({field: ["该字段不可修改。"] for field in sorted(unknown)})
    if "name" in changes and not (changes["name"] or "").strip():
        raise ValidationError({"name": [NAME_REQUIRED]})
    if "bank_account" in changes:
        changes["bank_account"] = bank_account_check(changes["bank_account"])
    profile = ApplicantProfile.objects.select_for_update().get(pk=profile.pk)
    before = profile_snapshot(profile)
    bank = {f: changes.pop(f) for f in BANK_FIELDS if f in changes and changes[f] != getattr(profile, f)}
    if bank:
        # Payments (built on accounts) holds the new account while an award waits for payment.
        held = bank_account_changing.send(sender=ApplicantProfile, actor=actor, profile=profile, bank=bank)
        if not any(answer for _receiver, answer in held):
            changes.update(bank)
    for field, value in changes.items():
        setattr(profile, field, value)
    if profile.kind == "person":
        profile.sme = False
    profile_protect(profile)
    profile.save()
    audit_record(actor=actor, action=AuditAction.APPLICANT_PROFILE_UPDATE, obj=profile, before=before, after=profile_snapshot(profile))
    return profile


def _check_affiliation(affiliation: str) -> str:
    if not (affiliation or "").strip():
        return ""
    compact = verify_applicant_id("enterprise", affiliation)
    if compact is None:
        raise ValidationError({"affiliation": [invalid_message("enterprise")]})
    return compact


@transaction.atomic
def staff_user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    email: str = "",
    roles: list[str] | tuple = (),
    full_name: str = "",
    affiliation: str = "",
) -> User:
    """Create a staff account. ``actor`` None is the bootstrap path used by the demo loader and
    ``ipfund manage``; an administrator's account gets a password the person must change."""
    if actor is not None and not role_names.has_role(actor, role_names.ADMIN):
        raise PermissionDenied(ONLY_ADMIN)
    username = username_check(username, allow_reserved=actor is None)
    role_list = roles_check(roles)
    affiliation = _check_affiliation(affiliation)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [USERNAME_TAKEN]})
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as exc:
        raise ValidationError({"password": list(exc.messages)}) from None
    # An administrator's new account starts with no role: the roles asked for wait for a second
    # administrator like any other grant (an account of one's own making is no way around that).
    granted = role_list if actor is None else []
    user = User.objects.create_user(
        username=username,
        password=password,
        email=email,
        roles=granted,
        real_name=full_name.strip(),
        affiliation=affiliation,
        is_staff=role_names.ADMIN in granted,
        is_superuser=role_names.ADMIN in granted,
        password_change_required=actor is not None,
    )
    audit_record(
        actor=actor or "system",
        action=AuditAction.STAFF_USER_CREATE,
        obj=user,
        after={"username": username, "roles": granted, "affiliation": affiliation},
    )
    if actor is not None and role_list:
        role_change_request(actor=actor, user=user, roles=role_list)
    return user


NAME_REQUIRED = "请填写姓名。"
NAME_TOO_LONG = "姓名不能超过 50 个字。"
NOT_STAFF = "只能为工作人员账号设定姓名（申报人以申报主体名称显示）。"


@transaction.atomic
def staff_name_set(*, actor: User, user: User, real_name: str) -> User:
    """An administrator records a staff member's real name (姓名), audited; timelines, audit pages
    and documents show it instead of the login name."""
    if not role_names.has_role(actor, role_names.ADMIN):
        raise PermissionDenied(ONLY_ADMIN)
    name = (real_name or "").strip()
    if not name:
        raise ValidationError({"real_name": [NAME_REQUIRED]})
    if len(name) > 50:
        raise ValidationError({"real_name": [NAME_TOO_LONG]})
    user = User.objects.select_for_update().get(pk=user.pk)
    if role_names.APPLICANT in (user.roles or []):
        raise ValidationError({"real_name": [NOT_STAFF]})
    before = user.real_name
    user.real_name = name
    user.save(update_fields=["real_name"])
    audit_record(actor=actor, action=AuditAction.STAFF_NAME_SET, obj=user,
                 before={"real_name": before}, after={"real_name": name})
    return user


PASSWORD_WRONG = "原密码不正确。"


@transaction.atomic
def account_password_set(*, actor: User, new_password: str, via: str = "change") -> User:
    """Give the actor a new password of their own choosing (after checking it), audited; a password
    an administrator had set no longer has to be changed."""
    try:
        validate_password(new_password, actor)
    except ValidationError as exc:
        raise ValidationError({"new_password1": list(exc.messages)}) from None
    user = User.objects.select_for_update().get(pk=actor.pk)
    user.set_password(new_password)
    user.password_change_required = False
    user.save(update_fields=["password", "password_change_required"])
    audit_record(actor=user, action=AuditAction(f"password_{via}"), obj=user, after={"username": user.username})
    credentials_changed.send(sender=User, actor=user, user=user, reason=REVOKED_PASSWORD)
    return user


def account_password_change(*, actor: User, old_password: str, new_password: str) -> User:
    if not actor.check_password(old_password):
        raise ValidationError({"old_password": [PASSWORD_WRONG]})
    return account_password_set(actor=actor, new_password=new_password, via="change")
