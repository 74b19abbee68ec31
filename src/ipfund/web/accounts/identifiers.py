"""Verification of the identifier an applicant is bound to, and of its bank account.

Credit codes and resident ID numbers go through the engine's own checks (python-stdnum), so the
platform accepts exactly the numbers the calculator accepts — and, for a code an organisation
registers with, the structure GB 32100-2015 gives the code beyond its check character: a
registration authority (1–9, A, N or Y), a non-zero kind, and a six-digit area code. A code of
all zeros has a correct check character and is refused here.
"""

from __future__ import annotations

import re

from stdnum import luhn

from ipfund.web.engine_door import canonical, ric_valid, uscc_valid

INVALID_USCC = "统一社会信用代码无效：请核对18位代码及校验码。"
INVALID_RIC = "居民身份证号码无效：请核对出生日期、地址码及校验码。"
INVALID_BANK_ACCOUNT = "银行账号应为 8 至 30 位数字（可含空格）。"
INVALID_BANK_CARD = "银行卡号校验位不正确，请核对（以 62 开头的 16 至 19 位银联卡号，最后一位是校验位）。"

_USCC_STRUCTURE = re.compile(r"[1-9ANY][1-9][1-8]\d{5}")


def verify_applicant_id(kind: str, number: str) -> str | None:
    """The canonical number if valid for this kind of applicant, else None."""
    number = (number or "").strip().replace(" ", "").upper()
    if kind == "person":
        valid = ric_valid(number)
    else:
        valid = uscc_valid(number) and bool(_USCC_STRUCTURE.fullmatch(number[:8]))
    return canonical(number) if valid else None


def invalid_message(kind: str) -> str:
    return INVALID_RIC if kind == "person" else INVALID_USCC


def bank_account_check(raw: str) -> str:
    """The account as digits only ('' when none is given), or a ValidationError on ``bank_account``.

    Chinese corporate (对公) accounts have no common check digit — their length and layout differ
    from bank to bank — so only digits and length (8–30) are checked. UnionPay card numbers (16–19
    digits beginning with 62) do carry a Luhn check digit, and it is checked for them alone.
    """
    from django.core.exceptions import ValidationError

    digits = re.sub(r"[\s-]", "", raw or "")
    if not digits:
        return ""
    if not digits.isascii() or not digits.isdigit() or not 8 <= len(digits) <= 30:
        raise ValidationError({"bank_account": [INVALID_BANK_ACCOUNT]})
    if digits.startswith("62") and 16 <= len(digits) <= 19 and not luhn.is_valid(digits):
        raise ValidationError({"bank_account": [INVALID_BANK_CARD]})
    return digits
