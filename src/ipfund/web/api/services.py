"""API token services: create (the secret is returned once, never stored), revoke, authenticate.

Every token expires (``IPFUND_API_TOKEN_DAYS``, 90, unless a shorter life is chosen; at most
``IPFUND_API_TOKEN_MAX_DAYS``). A staff member's token acts with staff permissions, so it is
issued only in a session that passed the second factor (TOTP).

A token is bound to the privileges it was issued under: it records the user's roles, and once
they differ (a grant, a removal, a change made around the platform) it is refused with a Chinese
401. A role grant, a password change and a reset of the second factor also revoke every token of
the user (api_tokens_revoke_all), audited, so an applicant's token issued without TOTP never acts
with the finance role granted later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ipfund.web.accounts import roles
from ipfund.web.accounts.signals import REVOKED_MFA_RESET, REVOKED_PASSWORD, REVOKED_ROLE_GRANT  # noqa: F401 (named here too)
from ipfund.web.audit.services import audit_record
from ipfund.web.audit.actions import AuditAction

from .models import ApiToken

TOKEN_NAME_REQUIRED = "请填写令牌名称。"
NOT_YOUR_TOKEN = "只能管理本人的接口令牌。"
TOKEN_PREFIX = "ipf_"
TOKEN_DAYS_INVALID = "有效期须为 1 至 {max} 天。"
STAFF_TOKEN_NEEDS_MFA = "工作人员生成接口令牌前须先通过双因素认证：请先绑定验证器并输入验证码。"
TOKEN_EXPIRED = "接口令牌已于 {at} 过期，请在“接口令牌”页面（/me/tokens/）生成新令牌。"
TOKEN_ROLES_CHANGED = "接口令牌签发后账户角色已变更，令牌已失效，请在“接口令牌”页面（/me/tokens/）重新生成。"
# Why every token of a user was revoked (api_tokens_revoke_all's ``reason``), as the token page shows it.


class TokenExpired(Exception):
    """A bearer secret that was a token, past its expiry or issued under other roles: answered 401."""

    def __init__(self, token: ApiToken, message: str | None = None):
        super().__init__(message or TOKEN_EXPIRED.format(at=timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")))
        self.token = token


def token_roles(user) -> list[str]:
    """The privileges a token is bound to: the user's roles, sorted, and "superuser" for one."""
    held = sorted(set(user.roles or []))
    if user.is_superuser:
        held.append("superuser")
    return held


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, actor, name: str, days: int | None = None, second_factor: bool = False) -> tuple[ApiToken, str]:
    """A new token for the actor, valid for ``days`` (the default lifetime when None); the plain
    secret is in the return value and nowhere else. ``second_factor``: the actor's session passed
    TOTP (django-otp's ``is_verified()``), which a staff member's token requires."""
    if roles.is_staff_member(actor) and not second_factor:
        raise PermissionDenied(STAFF_TOKEN_NEEDS_MFA)
    if not (name or "").strip():
        raise ValidationError({"name": [TOKEN_NAME_REQUIRED]})
    days = settings.IPFUND_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= settings.IPFUND_API_TOKEN_MAX_DAYS:
        raise ValidationError({"days": [TOKEN_DAYS_INVALID.format(max=settings.IPFUND_API_TOKEN_MAX_DAYS)]})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name.strip(), prefix=secret[:10], digest=_digest(secret),
                                    expires_at=timezone.now() + dt.timedelta(days=days), roles=token_roles(actor))
    audit_record(actor=actor, action=AuditAction.API_TOKEN_CREATE, obj=token,
                 after={"name": token.name, "prefix": token.prefix, "expires_at": token.expires_at, "roles": token.roles})
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk and not roles.has_role(actor, roles.ADMIN):
        raise PermissionDenied(NOT_YOUR_TOKEN)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=AuditAction.API_TOKEN_REVOKE, obj=token, after={"revoked_at": token.revoked_at})
    return token


@transaction.atomic
def api_tokens_revoke_all(*, actor, user, reason: str) -> int:
    """Revoke every live token of ``user`` (its privileges or credentials changed); one audit event
    naming the reason and the tokens. Returns how many were revoked."""
    live = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True).order_by("pk"))
    if not live:
        return 0
    now = timezone.now()
    ApiToken.objects.filter(pk__in=[t.pk for t in live]).update(revoked_at=now, revoked_reason=reason)
    audit_record(actor=actor, action=AuditAction.API_TOKENS_REVOKE_ALL, obj=user,
                 after={"reason": reason, "tokens": [t.prefix for t in live], "revoked_at": now})
    return len(live)


def tokens_revoke_on_change(sender, *, actor, user, reason: str, **kwargs) -> int:
    """Receiver of accounts' credentials_changed (connected in ApiConfig.ready)."""
    return api_tokens_revoke_all(actor=actor, user=user, reason=reason)


def api_token_user(secret: str):
    """The active user a bearer secret belongs to, or None; TokenExpired for an expired token or
    one issued under roles the user no longer holds exactly."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(secret), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    if token.expires_at <= timezone.now():
        raise TokenExpired(token)
    if token.roles != token_roles(token.user):
        raise TokenExpired(token, TOKEN_ROLES_CHANGED)
    return token.user
