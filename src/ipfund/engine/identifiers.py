"""Identifiers of applicants: unified social credit codes (GB 32100-2015) and resident identity
numbers (GB 11643-1999), checked with python-stdnum."""

from __future__ import annotations

from functools import lru_cache

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError


@lru_cache(maxsize=1 << 18)
def uscc_valid(code: str) -> bool:
    """18 characters of the GB 32100 alphabet whose last one is the check character.

    stdnum's `validate` also demands eight leading digits, which GB 32100 does not (registration
    authorities such as 'N' or 'Y' are letters), so only the alphabet and check are taken from it.
    """
    if type(code) is not str or len(code) != 18:
        return False
    code = code.upper()
    if any(c not in uscc._alphabet for c in code):
        return False
    return code[-1] == uscc.calc_check_digit(code)


@lru_cache(maxsize=1 << 18)
def ric_valid(number: str) -> bool:
    """18 characters, a real birth date, a known address code and the right check character."""
    if type(number) is not str or len(number) != 18:
        return False
    try:
        ric.validate(number.upper())
    except (ValidationError, ValueError):
        return False
    return True


def canonical(identifier: str) -> str:
    """The form used in duplicate keys and caps: upper case ('x' check characters are common)."""
    return identifier.upper()
