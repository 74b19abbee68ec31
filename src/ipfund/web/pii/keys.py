"""The keys personal data is protected with, all from the settings (the environment), never the
database: a MultiFernet of the data keys (the first encrypts, every one decrypts) and the HMAC key
of the blind index and the pseudonyms."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

KEY_INVALID = "密钥 {name} 无效：须为 Fernet 密钥（32 字节的 URL 安全 Base64 编码）。"


def derived_key(secret: str, purpose: str) -> str:
    """A Fernet-shaped key derived from the secret key: only outside production (demo, tests), so
    that they run without setting keys; production refuses to start without real ones."""
    digest = hashlib.sha256(f"ipfund:{purpose}:{secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


@lru_cache(maxsize=4)
def _multifernet(keys: tuple[str, ...]):
    from cryptography.fernet import Fernet, MultiFernet

    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode("ascii")))
        except (ValueError, UnicodeEncodeError):
            raise ValueError(KEY_INVALID.format(name=f"IPFUND_DATA_KEYS 第 {position} 个")) from None
    return MultiFernet(fernets)


def data_cipher():
    """The MultiFernet of IPFUND_DATA_KEYS, newest first."""
    from django.conf import settings

    return _multifernet(tuple(settings.IPFUND_DATA_KEYS))


def index_key() -> bytes:
    from django.conf import settings

    return settings.IPFUND_INDEX_KEY.encode("utf-8")

