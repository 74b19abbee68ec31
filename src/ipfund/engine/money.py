"""Money: parsing yuan into integer fen, formatting fen back, and rates rounded half up.

Money never passes through a float: amounts are integer fen (分) inside the engine.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from .errors import MONEY_FORMAT, MONEY_NEGATIVE, MONEY_TOO_LARGE, InvalidInput

#: A bound against pathological input (thousand-digit numbers), not a policy limit: any real
#: amount is far below it and is computed exactly, however large.
MAX_FEN = 10**32
#: Above this a money column is held as Python integers instead of int64, so that sums and
#: products of a chunk cannot overflow.
INT64_SAFE_FEN = 10**14
_MONEY_TEXT = re.compile(r"\d+(\.\d+)?\Z")


class InexactFloat(Exception):
    """A money value arrived as a binary float whose decimal text may not be what was sent."""


def parse_money(value, field: str) -> int:
    """Yuan (JSON string or number, at most two decimals, not negative) → integer fen."""
    t = type(value)
    if t is int:
        if value < 0:
            raise InvalidInput(field, MONEY_NEGATIVE)
        if value > MAX_FEN // 100:
            raise InvalidInput(field, MONEY_TOO_LARGE)
        return value * 100
    if t is str:
        if not _MONEY_TEXT.match(value):
            if value.startswith("-") and _MONEY_TEXT.match(value[1:]):
                raise InvalidInput(field, MONEY_NEGATIVE)
            raise InvalidInput(field, MONEY_FORMAT)
        if len(value) > 60:
            raise InvalidInput(field, MONEY_TOO_LARGE)
        d = Decimal(value)
    elif t is Decimal:
        d = value
        if not d.is_finite():
            raise InvalidInput(field, MONEY_FORMAT)
    elif t is float:
        if not math.isfinite(value):
            raise InvalidInput(field, MONEY_FORMAT)
        # repr() is the shortest text that reads back as this float: the sender's literal when it
        # had at most 15 significant digits. Longer literals must be re-read exactly (bulk path).
        text = repr(value)
        digits = text.split("e")[0].replace("-", "").replace(".", "").strip("0")
        if len(digits) > 15 or "e" in text:
            raise InexactFloat(field)
        d = Decimal(text)
    else:
        raise InvalidInput(field, MONEY_FORMAT)
    if d < 0:
        raise InvalidInput(field, MONEY_NEGATIVE)
    return _decimal_fen(d, field)


def _decimal_fen(d: Decimal, field: str) -> int:
    """Exact fen of a finite, non-negative Decimal, whatever its size (no context rounding)."""
    _, digits, exp = d.as_tuple()
    assert isinstance(exp, int)  # a finite Decimal (callers refuse NaN and infinities first)
    number = int("".join(map(str, digits)) or "0")
    if len(digits) + exp > 40:  # more than 10^40 yuan: not an amount, and not worth the digits
        raise InvalidInput(field, MONEY_TOO_LARGE)
    if exp >= -2:
        fen = number * 10 ** (exp + 2)
    else:
        scale = 10 ** (-2 - exp)
        if number % scale:
            raise InvalidInput(field, MONEY_FORMAT)
        fen = number // scale
    if fen > MAX_FEN:
        raise InvalidInput(field, MONEY_TOO_LARGE)
    return fen


def fen_to_yuan(fen: int) -> str:
    """Integer fen → "1234.56" (exactly two decimals)."""
    sign = "-" if fen < 0 else ""
    q, r = divmod(abs(int(fen)), 100)
    return f"{sign}{q}.{r:02d}"


#: The units a money parameter may be quoted in (policy.yaml `unit`): the text's own.
UNITS = ("元", "万元")


def in_unit(fen: int, unit: str) -> str:
    """An amount as the text writes it: "100万" in 万元, "5000" (or "0.5") in 元 — the number
    without trailing zeros, to which the unit is appended."""
    value = Decimal(int(fen)) / (1_000_000 if unit == "万元" else 100)
    return format(value.normalize(), "f")


def amount_text(fen: int, unit: str = "元") -> str:
    """An amount for a person: "10000.00 元", or where the text says 万元, "1万元（10000.00 元）"."""
    if unit == "万元":
        return f"{in_unit(fen, unit)}万元（{fen_to_yuan(fen)} 元）"
    return f"{fen_to_yuan(fen)} 元"


def yuan_to_fen(text) -> int:
    """A parameter value written in yuan ("300000", "0.5" is not money) → integer fen."""
    d = Decimal(str(text))
    fen = d * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"money parameter {text!r} has more than two decimals")
    return int(fen)


def as_fraction(text) -> Fraction:
    """A rate parameter such as "0.5" → Fraction(1, 2), exactly."""
    try:
        return Fraction(Decimal(str(text)))
    except (InvalidOperation, ValueError) as exc:  # pragma: no cover - policy check catches this
        raise ValueError(f"rate {text!r} is not a decimal number") from exc


def apply_rate_half_up(fen, rate: Fraction):
    """fen × rate rounded to the fen, half up (amounts are never negative).

    Works on a Python int or on an int64 numpy array alike.
    """
    num, den = rate.numerator, rate.denominator
    return (fen * (2 * num) + den) // (2 * den)
