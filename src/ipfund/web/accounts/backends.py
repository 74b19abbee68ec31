"""Authentication backend with login throttling: repeated failures lock a username or client."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from .models import LoginFailure

LOGIN_THROTTLED = "登录失败次数过多，请稍后再试。"


def _client(request) -> str:
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")[:64]


def login_throttled(username: str, client: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.IPFUND_LOGIN_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    limit = settings.IPFUND_LOGIN_MAX_FAILURES
    if recent.filter(username=username).count() >= limit:
        return True
    # A client address gets more room than a username: offices share one address.
    return bool(client) and recent.filter(client=client).count() >= limit * 4


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username or kwargs.get("email") or ""
        client = _client(request)
        if login_throttled(username, client):
            # PermissionDenied stops Django trying other backends and shows a failed login.
            raise PermissionDenied(LOGIN_THROTTLED)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            LoginFailure.objects.create(username=username[:150], client=client)
        return user
