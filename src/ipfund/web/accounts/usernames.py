"""Usernames (用户名): one canonical spelling per person, no look-alikes, no reserved words.

A username is normalised (Unicode NFKC, then case-folded) before it is stored or compared, so
``Reviewer`` and ``ｒｅｖｉｅｗｅｒ`` are one name. Only Latin letters, digits and ``. _ -`` are
allowed after that; anything else — Cyrillic ``е`` in ``rеviewer``, Greek ``ο``, full-width
punctuation, spaces — is refused with a message naming the field, because a name that looks
like another person's name is how an impersonation starts. Names the platform itself uses in
its audit trail (``system``, ``public``) and the names of roles and functions are reserved.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

USERNAME_REQUIRED = "请填写用户名。"
USERNAME_CHARACTERS = "用户名只能使用英文字母、数字及 . _ -，且以字母或数字开头（2 至 40 个字符）；请勿使用形似英文字母的其他文字。"
USERNAME_RESERVED = "该用户名为系统保留名称，请换一个。"

_ALLOWED = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
RESERVED = frozenset(
    {
        "system", "public", "admin", "administrator", "root", "superuser", "staff", "support",
        "security", "audit", "auditor", "ipfund", "reviewer", "approver", "finance",
        "anonymous", "null", "none", "api", "webmaster", "postmaster", "noreply", "no-reply",
    }
)


def username_normalise(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw or "").strip().casefold()


def username_check(raw: str, *, allow_reserved: bool = False) -> str:
    """The canonical username, or a ValidationError on ``username`` saying what is wrong."""
    name = username_normalise(raw)
    if not name:
        raise ValidationError({"username": [USERNAME_REQUIRED]})
    if not _ALLOWED.fullmatch(name):
        raise ValidationError({"username": [USERNAME_CHARACTERS]})
    if not allow_reserved and name in RESERVED:
        raise ValidationError({"username": [USERNAME_RESERVED]})
    return name
