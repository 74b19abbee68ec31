"""Role changes under the two-person rule.

An administrator asks (role_change_request); a change that grants any role waits until a second
administrator confirms it (role_change_confirm) or someone rejects it (role_change_reject). Nobody
asks for or confirms a change of their own roles, and the one who asked never confirms: so no
administrator alone makes anyone — itself, an applicant, an account it just created — an
approver. A change that only takes roles away applies at once (withdrawing access must not wait),
except the administrator role: taking it away waits for a second administrator too (one
administrator must not strip the others in one empty POST), and the last active administrator
never loses it.
Every step is audited, and told to the other administrators (and, when it applies, to the person).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ipfund.web.audit.services import audit_record
from ipfund.web.audit.actions import AuditAction
from ipfund.web.notifications.services import notification_send

from . import roles as role_names
from .models import RoleChange, User
from .signals import REVOKED_ROLE_GRANT, credentials_changed

UNKNOWN_ROLE = "未知角色：{role}。"
ONLY_ADMIN = "只有管理员可以管理用户和角色。"
NOT_YOUR_OWN_ROLES = "不能修改本人的角色，请由另一位管理员办理。"
NO_CHANGE = "角色没有变化。"
NOT_YOUR_OWN_REQUEST = "不能确认本人提出的角色变更，须由另一位管理员确认。"
NOT_YOUR_OWN_CONFIRMATION = "不能确认本人的角色变更。"
NOT_PENDING = "该角色变更已处理（{state}），不能再确认或驳回。"
STALE = "提出变更后，用户 {user} 的角色已被改动（现为：{now}）。请驳回此变更，重新提出。"
ROLES_CHANGED = "用户 {user} 的角色已由管理员 {actor} 变更：{before} → {after}。"
ROLES_CONFIRMED = "用户 {user} 的角色已变更：{before} → {after}（管理员 {requester} 提出，{confirmer} 确认）。"
ROLES_PENDING = "管理员 {actor} 提出变更用户 {user} 的角色：{before} → {after}，须由另一位管理员在“角色变更确认”中确认后生效。"
LAST_ADMIN = "{user} 是唯一在用的管理员，不能取消其管理员角色：请先为另一人授予管理员角色并经确认。"
ROLES_REJECTED = "管理员 {actor} 驳回了对用户 {user} 的角色变更（{before} → {after}）{reason}。"


def role_text(role_list) -> str:
    return "、".join(role_names.ROLE_LABELS.get(r, r) for r in role_list) or "无"


def roles_check(role_list) -> list[str]:
    for role in role_list:
        if role not in role_names.ROLE_LABELS:
            raise ValidationError({"roles": [UNKNOWN_ROLE.format(role=role)]})
    reason = role_names.incompatible(role_list)
    if reason:
        raise ValidationError({"roles": [reason]})
    return sorted(set(role_list))


def _admins():
    return [u for u in User.objects.filter(is_active=True) if role_names.has_role(u, role_names.ADMIN)]


def _tell(message: str, *, actor: User, also=()) -> None:
    """The other administrators (never the actor) and ``also`` hear of it, in-app and by mail."""
    people = {a.pk: a for a in _admins() if a.pk != actor.pk}
    people.update({p.pk: p for p in also if p.pk != actor.pk})
    for person in people.values():
        notification_send(user=person, message=message)


def _require_admin(actor: User) -> None:
    if not role_names.has_role(actor, role_names.ADMIN):
        raise PermissionDenied(ONLY_ADMIN)


def _apply(user: User, role_list: list[str], *, actor: User) -> None:
    granted = set(role_list) - set(user.roles or [])
    user.roles = role_list
    user.is_staff = user.is_superuser = role_names.ADMIN in role_list
    user.save(update_fields=["roles", "is_staff", "is_superuser"])
    if granted:  # a token issued under fewer roles never acts with the new ones
        credentials_changed.send(sender=User, actor=actor, user=user, reason=REVOKED_ROLE_GRANT)


def _supersede_pending(user: User, *, actor: User) -> None:
    for old in RoleChange.objects.select_for_update().filter(user=user, state=RoleChange.PENDING):
        old.state, old.decided_by, old.decided_at = RoleChange.SUPERSEDED, actor, timezone.now()
        old.save(update_fields=["state", "decided_by", "decided_at"])
        audit_record(actor=actor, action=AuditAction.ROLE_CHANGE_SUPERSEDED, obj=old, after={"state": old.state})


@transaction.atomic
def role_change_request(*, actor: User, user: User, roles) -> RoleChange:
    """Ask for ``user`` to hold exactly ``roles``. Granting anything: PENDING for a second
    administrator; only taking away: APPLIED now. A newer request supersedes a pending one."""
    _require_admin(actor)
    if user.pk == actor.pk:
        raise PermissionDenied(NOT_YOUR_OWN_ROLES)
    after = roles_check(roles)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = sorted(user.roles or [])
    if after == before:
        raise ValidationError({"roles": [NO_CHANGE]})
    removes_admin = _removes_admin(user, after)
    _supersede_pending(user, actor=actor)
    grants = set(after) - set(before)
    change = RoleChange.objects.create(
        user=user, before=before, after=after, requested_by=actor,
        state=RoleChange.PENDING if grants or removes_admin else RoleChange.APPLIED,
    )
    texts = {"user": user.get_username(), "actor": actor.get_username(), "before": role_text(before), "after": role_text(after)}
    if grants or removes_admin:
        audit_record(actor=actor, action=AuditAction.ROLE_CHANGE_REQUEST, obj=change,
                     after={"user": user.get_username(), "before": before, "after": after})
        _tell(ROLES_PENDING.format(**texts), actor=actor)
    else:
        _apply(user, after, actor=actor)
        audit_record(actor=actor, action=AuditAction.USER_ROLES_SET, obj=user, before={"roles": before}, after={"roles": after})
        _tell(ROLES_CHANGED.format(**texts), actor=actor, also=[user])
    return change


def _removes_admin(user: User, after) -> bool:
    """Whether ``after`` takes the administrator role from ``user``; refused for the last one."""
    if not role_names.has_role(user, role_names.ADMIN) or role_names.ADMIN in after:
        return False
    if not any(a.pk != user.pk for a in _admins()):
        raise ValidationError({"roles": [LAST_ADMIN.format(user=user.get_username())]})
    return True


def _pending(change: RoleChange, actor: User) -> RoleChange:
    _require_admin(actor)
    change = RoleChange.objects.select_for_update().select_related("user", "requested_by").get(pk=change.pk)
    if change.state != RoleChange.PENDING:
        raise ValidationError(NOT_PENDING.format(state=change.state_label), code="not_pending")
    return change


@transaction.atomic
def role_change_confirm(*, actor: User, change: RoleChange) -> User:
    """A second administrator confirms: the roles apply, audited with who asked and who confirmed."""
    change = _pending(change, actor)
    if change.requested_by_id == actor.pk:
        raise PermissionDenied(NOT_YOUR_OWN_REQUEST)
    if change.user_id == actor.pk:
        raise PermissionDenied(NOT_YOUR_OWN_CONFIRMATION)
    user = User.objects.select_for_update().get(pk=change.user_id)
    now = sorted(user.roles or [])
    if now != sorted(change.before):
        raise ValidationError(STALE.format(user=user.get_username(), now=role_text(now)), code="stale")
    _removes_admin(user, change.after)  # still not the last administrator
    _apply(user, list(change.after), actor=actor)
    change.state, change.decided_by, change.decided_at = RoleChange.CONFIRMED, actor, timezone.now()
    change.save(update_fields=["state", "decided_by", "decided_at"])
    audit_record(actor=actor, action=AuditAction.USER_ROLES_SET, obj=user, before={"roles": change.before},
                 after={"roles": change.after, "requested_by": change.requested_by.get_username(), "change": change.pk})
    _tell(ROLES_CONFIRMED.format(user=user.get_username(), before=role_text(change.before), after=role_text(change.after),
                                 requester=change.requested_by.get_username(), confirmer=actor.get_username()),
          actor=actor, also=[user])
    return user


@transaction.atomic
def role_change_reject(*, actor: User, change: RoleChange, reason: str = "") -> RoleChange:
    """Any administrator but the person concerned rejects (the one who asked: withdraws) it."""
    change = _pending(change, actor)
    if change.user_id == actor.pk:
        raise PermissionDenied(NOT_YOUR_OWN_CONFIRMATION)
    reason = (reason or "").strip()[:500]
    change.state, change.decided_by, change.decided_at, change.reason = RoleChange.REJECTED, actor, timezone.now(), reason
    change.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    audit_record(actor=actor, action=AuditAction.ROLE_CHANGE_REJECT, obj=change, after={"state": change.state, "reason": reason})
    _tell(ROLES_REJECTED.format(actor=actor.get_username(), user=change.user.get_username(), before=role_text(change.before),
                                after=role_text(change.after), reason=f"：{reason}" if reason else ""),
          actor=actor, also=[change.requested_by])
    return change


def role_changes_pending():
    return RoleChange.objects.filter(state=RoleChange.PENDING).select_related("user", "requested_by")
