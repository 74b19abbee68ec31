"""Signing in: usernames compared in their normalised form, and the client address django-axes
records failures under (signin_guard.py decides from those records when a captcha is asked for).

The client address is the connection's, unless ``IPFUND_TRUSTED_PROXIES`` names the TLS proxy in
front of the platform; only then is the address the proxy appends to ``X-Forwarded-For`` believed.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from .usernames import username_normalise

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
