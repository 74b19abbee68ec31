"""EncryptedTextField: a text column holding a Fernet token, read back as the clear text.

Empty stays empty (a blank phone is not a secret, and erasure blanks a value). Equality on the
column is meaningless for anything but the empty string (each token is random), so a number is
looked up through its blind index column instead (see blind_index.py)."""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from .keys import data_cipher

UNDECRYPTABLE = "无法解密个人信息：IPFUND_DATA_KEYS 中没有加密它的密钥（密钥丢失或配置错误）。"
_LOOKUPS = {"exact", "isnull"}  # exact only for "" (empty stays empty); anything else is meaningless


def encrypt(value: str) -> str:
    return data_cipher().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return data_cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError):
        raise ImproperlyConfigured(UNDECRYPTABLE) from None


def reencrypt(token: str) -> str:
    """The token under the newest key (MultiFernet.rotate); the clear text never leaves this call."""
    try:
        return data_cipher().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError):
        raise ImproperlyConfigured(UNDECRYPTABLE) from None


class EncryptedTextField(models.TextField):
    description = "加密文本"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name in _LOOKUPS else None
