"""Verification of the identifier an applicant is bound to: the engine's own checks (python-stdnum),
so the platform accepts exactly the numbers the calculator accepts."""

from __future__ import annotations

from ipfund.web.engine_door import canonical, ric_valid, uscc_valid

INVALID_USCC = "统一社会信用代码无效：请核对18位代码及校验码。"
INVALID_RIC = "居民身份证号码无效：请核对出生日期、地址码及校验码。"


def verify_applicant_id(kind: str, number: str) -> str | None:
    """The canonical number if valid for this kind of applicant, else None."""
    number = (number or "").strip().replace(" ", "")
    valid = ric_valid(number.upper()) if kind == "person" else uscc_valid(number.upper())
    return canonical(number) if valid else None


def invalid_message(kind: str) -> str:
    return INVALID_RIC if kind == "person" else INVALID_USCC
