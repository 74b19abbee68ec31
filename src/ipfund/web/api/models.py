"""ApiToken: a bearer token for one user, stored only as its SHA-256 digest, until it expires.

A token carries the roles its user held when it was issued: once the user's roles differ it is
refused, and a role grant, a password change or a reset of the second factor revokes every token
of the user (``revoked_reason`` says which)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)  # shown in lists so a user can tell tokens apart
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=100, blank=True, default="")
    # The user's roles (sorted, "superuser" added for a superuser) when the token was issued.
    roles = models.JSONField(default=list)
    # Refused from this moment on (IPFUND_API_TOKEN_DAYS after issue unless chosen shorter).
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
