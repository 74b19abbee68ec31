"""Limits on anonymous work: who a request comes from (a keyed hash of the address), and a
fixed-window counter for the rates the limits allow.

The address is the client's as sign-in throttling sees it (accounts.backends.client_address): the
connection's, or behind a proxy named in ``IPFUND_TRUSTED_PROXIES`` the one it forwards. It is stored and counted only as an HMAC with the
secret key, so the limits never keep anyone's address.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache


def client_hash(request) -> str:
    from ipfund.web.accounts.backends import client_address

    address = client_address(request)
    return hmac.new(settings.SECRET_KEY.encode(), f"client:{address}".encode(), hashlib.sha256).hexdigest()


def rate_allow(name: str, who: str, *, limit: int, window_seconds: int) -> bool:
    """Count one request of ``who`` against ``limit`` per fixed window; False once it is spent.

    The counter lives in Django's cache: shared by every worker when the cache is Redis
    (``IPFUND_CACHE_URL``), per process with the embedded default.
    """
    if limit <= 0:
        return True
    window = int(time.time()) // window_seconds
    key = f"ipfund:rate:{name}:{who}:{window}"
    cache.add(key, 0, timeout=window_seconds + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: start again
        cache.set(key, 1, timeout=window_seconds + 5)
        count = 1
    return count <= limit
