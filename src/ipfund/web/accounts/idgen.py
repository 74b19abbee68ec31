"""Valid identifiers with correct check characters, for the demo data set and the tests."""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric, uscc

# 统一社会信用代码: registration authority + kind, then the 6-digit area code of Zhaoqing
# (441200), then a 9-character organisation code, then the check character.
_USCC_PREFIX = {
    "enterprise": "91",
    "service_agency": "91",
    "school": "12",
    "university": "12",
    "institution": "12",
    "social_org": "51",
}
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(kind: str, serial: int, area: str = "441200") -> str:
    body = f"{_USCC_PREFIX.get(kind, '91')}{area}"
    org, n = "", serial * 7919 + 104729  # spread serials over the alphabet
    for _ in range(8):
        n, r = divmod(n, len(_ALPHABET))
        org = _ALPHABET[r] + org
    org += str(serial % 10)
    stem = body + org
    return stem + uscc.calc_check_digit(stem)


def make_ric(serial: int, birth: dt.date = dt.date(1990, 1, 1), area: str = "441202") -> str:
    """A resident ID of Duanzhou, Zhaoqing (441202), born on ``birth``, sequence ``serial``."""
    stem = f"{area}{birth:%Y%m%d}{serial % 1000:03d}"
    return stem + ric.calc_check_digit(stem + "0")
