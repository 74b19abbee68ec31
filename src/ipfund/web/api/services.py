"""API token services: create (the secret is returned once, never stored), revoke, authenticate."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ipfund.web.accounts import roles
from ipfund.web.audit.services import audit_record

from .models import ApiToken

TOKEN_NAME_REQUIRED = "请填写令牌名称。"
NOT_YOUR_TOKEN = "只能管理本人的接口令牌。"
TOKEN_PREFIX = "ipf_"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, actor, name: str) -> tuple[ApiToken, str]:
    """A new token for the actor; the plain secret is in the return value and nowhere else."""
    if not (name or "").strip():
        raise ValidationError({"name": [TOKEN_NAME_REQUIRED]})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name.strip(), prefix=secret[:10], digest=_digest(secret))
    audit_record(actor=actor, action="api_token_create", obj=token, after={"name": token.name, "prefix": token.prefix})
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk and not roles.has_role(actor, roles.ADMIN):
        raise PermissionDenied(NOT_YOUR_TOKEN)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token_revoke", obj=token, after={"revoked_at": token.revoked_at})
    return token


def api_token_user(secret: str):
    """The active user a bearer secret belongs to, or None."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(secret), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    return token.user
