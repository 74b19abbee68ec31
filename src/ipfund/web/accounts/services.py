"""Account services: applicant registration and profile, staff users and their roles."""

from __future__ import annotations

import dataclasses

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from ipfund.web.audit.services import audit_record

from . import roles as role_names
from .identifiers import invalid_message, verify_applicant_id
from .models import APPLICANT_KINDS, ApplicantProfile, User

USERNAME_TAKEN = "该用户名已被使用。"
ID_NUMBER_TAKEN = "该统一社会信用代码或身份证号码已绑定其他账户。"
UNKNOWN_KIND = "请选择申报主体类型。"
UNKNOWN_ROLE = "未知角色：{role}。"
ONLY_ADMIN = "只有管理员可以管理用户和角色。"
NOT_YOUR_PROFILE = "只能修改本人的申报主体信息。"
NAME_REQUIRED = "请填写名称。"

PROFILE_FIELDS = (
    "name", "address", "in_zone", "sme", "contact_name", "contact_phone", "bank_name", "bank_account", "bank_holder",
)
BANK_FIELDS = ("bank_name", "bank_account", "bank_holder")


def profile_snapshot(profile: ApplicantProfile) -> dict:
    """What the audit trail keeps of a profile: personal numbers masked, never in clear."""
    return {
        "kind": profile.kind,
        "id_number": profile.masked_id_number,
        "name": profile.name,
        "address": profile.address,
        "in_zone": profile.in_zone,
        "sme": profile.sme,
        "contact_name": profile.contact_name,
        "contact_phone": profile.masked_phone,
        "bank_name": profile.bank_name,
        "bank_account": profile.masked_bank_account,
        "bank_holder": profile.bank_holder,
    }


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
    errors: dict[str, list[str]] = {}
    if kind not in APPLICANT_KINDS:
        errors["kind"] = [UNKNOWN_KIND]
    compact = verify_applicant_id(kind, id_number or "") if kind in APPLICANT_KINDS else None
    if kind in APPLICANT_KINDS and compact is None:
        errors["id_number"] = [invalid_message(kind)]
    elif compact and ApplicantProfile.objects.filter(id_number=compact).exists():
        errors["id_number"] = [ID_NUMBER_TAKEN]
    if User.objects.filter(username=username).exists():
        errors["username"] = [USERNAME_TAKEN]
    if not (name or "").strip():
        errors["name"] = [NAME_REQUIRED]
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password, email=email, roles=[role_names.APPLICANT])
            profile = ApplicantProfile.objects.create(
                user=user,
                kind=kind,
                id_number=compact,
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
    except IntegrityError:  # a simultaneous registration took the name or the number
        raise ValidationError({"id_number": [ID_NUMBER_TAKEN]}) from None
    audit_record(actor=user, action="applicant_register", obj=profile, after=profile_snapshot(profile))
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
    profile = ApplicantProfile.objects.select_for_update().get(pk=profile.pk)
    before = profile_snapshot(profile)
    bank = {f: changes.pop(f) for f in BANK_FIELDS if f in changes and changes[f] != getattr(profile, f)}
    if bank:
        # Imported here: payments builds on claims, which build on accounts.
        from ipfund.web.payments.services import awaiting_payment, bank_change_request, payee_account

        if awaiting_payment(profile):
            # An award waits for payment: the new account is held until a second person confirms it.
            proposed = dataclasses.replace(payee_account(profile), **bank)
            bank_change_request(actor=actor, profile=profile, account=proposed)
        else:
            changes.update(bank)
    for field, value in changes.items():
        setattr(profile, field, value)
    if profile.kind == "person":
        profile.sme = False
    profile.save()
    audit_record(actor=actor, action="applicant_profile_update", obj=profile, before=before, after=profile_snapshot(profile))
    return profile


def _check_roles(role_list) -> list[str]:
    for role in role_list:
        if role not in role_names.ROLE_LABELS:
            raise ValidationError({"roles": [UNKNOWN_ROLE.format(role=role)]})
    return sorted(set(role_list))


@transaction.atomic
def staff_user_create(*, actor: User | None, username: str, password: str, email: str = "", roles: list[str] | tuple = (), full_name: str = "") -> User:
    """Create a staff account. ``actor`` None is the bootstrap path used by the demo loader."""
    if actor is not None and not role_names.has_role(actor, role_names.ADMIN):
        raise PermissionDenied(ONLY_ADMIN)
    role_list = _check_roles(roles)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [USERNAME_TAKEN]})
    validate_password(password)
    user = User.objects.create_user(
        username=username,
        password=password,
        email=email,
        roles=role_list,
        first_name=full_name,
        is_staff=role_names.ADMIN in role_list,
        is_superuser=role_names.ADMIN in role_list,
    )
    audit_record(actor=actor or "system", action="staff_user_create", obj=user, after={"username": username, "roles": role_list})
    return user


@transaction.atomic
def user_roles_set(*, actor: User, user: User, roles: list[str] | tuple) -> User:
    if not role_names.has_role(actor, role_names.ADMIN):
        raise PermissionDenied(ONLY_ADMIN)
    role_list = _check_roles(roles)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {"roles": list(user.roles or [])}
    user.roles = role_list
    user.is_staff = user.is_superuser = role_names.ADMIN in role_list
    user.save(update_fields=["roles", "is_staff", "is_superuser"])
    audit_record(actor=actor, action="user_roles_set", obj=user, before=before, after={"roles": role_list})
    return user
