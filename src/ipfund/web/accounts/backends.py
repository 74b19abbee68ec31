"""Signing in: usernames compared in their normalised form; throttling is django-axes' (settings).

Throttling counts failures per account *and* client address together (``AXES_LOCKOUT_PARAMETERS``),
so whoever guesses at a known staff name from their own address locks out only themselves: the
person with the right password, from anywhere else, still signs in. The client address is the
connection's, unless ``IPFUND_TRUSTED_PROXIES`` names the TLS proxy in front of the platform;
only then is the address the proxy appends to ``X-Forwarded-For`` believed.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.shortcuts import render

from .usernames import username_normalise

LOGIN_THROTTLED = "该账户在此网络地址登录失败次数过多，请 {minutes} 分钟后再试，或使用“忘记密码”重设密码。"
BACKEND = "ipfund.web.accounts.backends.PlatformModelBackend"


class PlatformModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        return super().authenticate(request, username=username_normalise(username or ""), password=password, **kwargs)


def axes_username(request, credentials) -> str:
    """The username axes counts failures under: normalised, so ``Reviewer`` and ``reviewer`` are one."""
    raw = (credentials or {}).get("username") or (request.POST.get("username", "") if request is not None else "")
    return username_normalise(raw)


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.IPFUND_TRUSTED_PROXIES)


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or — when that is a trusted proxy — the last address in
    X-Forwarded-For that is not itself a trusted proxy (the one the proxy saw)."""
    remote = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    if not settings.IPFUND_TRUSTED_PROXIES or not _trusted(remote):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _trusted(address):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote
    return remote


def login_throttled_response(request, original_response=None, credentials=None):
    """What a throttled sign-in sees: the sign-in page with a Chinese message, status 429."""
    from ipfund.web.portal.forms import LoginForm

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = LoginForm(request, data=None, initial={"username": axes_username(request, credentials)})
    return render(
        request, "portal/registration/login.html",
        {"form": form, "throttled": LOGIN_THROTTLED.format(minutes=minutes)}, status=429,
    )
