"""Identifiers of applicants: unified social credit codes (GB 32100-2015) and resident identity
numbers (GB 11643-1999), checked as python-stdnum checks them (`stdnum.cn.uscc`, `stdnum.cn.ric`:
the same alphabet, check characters and birth date; tests/engine/test_identifiers.py holds every
answer to python-stdnum's). The checks are written out here, a few lines each, because importing
python-stdnum's `stdnum.util` imports ssl, socket and pydoc: a fifth of a one-claim batch's start."""

from __future__ import annotations

from functools import lru_cache

import datetime as _dt

from . import address_codes

#: GB 32100's alphabet of 31 characters (python-stdnum's `stdnum.cn.uscc._alphabet`).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_check_character(code: str) -> str:
    """The check character of a code's first 17 characters (of the alphabet, upper case), as
    `stdnum.cn.uscc.calc_check_digit`."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code, _WEIGHTS))
    return USCC_ALPHABET[(31 - total) % 31]


def ric_check_character(number: str) -> str:
    """The check character of an identity number's first 17 digits, as `stdnum.cn.ric.calc_check_digit`."""
    checksum = (1 - 2 * int(number[:17], 13)) % 11
    return "X" if checksum == 10 else str(checksum)


#: Codes found valid so far, exactly as written (upper case): lets a list of codes be checked by
#: one set inclusion. Bounded so that a stream of distinct codes cannot grow it without end.
VALID_USCC: set[str] = set()
VALID_RIC: set[str] = set()
_VALID_USCC_MAX = 1 << 20


@lru_cache(maxsize=1 << 18)
def uscc_valid(code: str) -> bool:
    """18 characters of the GB 32100 alphabet whose last one is the check character.

    stdnum's `validate` also demands eight leading digits, which GB 32100 does not (registration
    authorities such as 'N' or 'Y' are letters), so only the alphabet and check are taken from it.
    """
    if type(code) is not str or len(code) != 18:
        return False
    upper = code.upper()
    if any(c not in USCC_ALPHABET for c in upper):
        return False
    ok = upper[-1] == uscc_check_character(upper)
    if ok and code == upper and len(VALID_USCC) < _VALID_USCC_MAX:
        VALID_USCC.add(code)
    return ok


@lru_cache(maxsize=1 << 18)
def ric_valid(number: str) -> bool:
    """18 characters, a real birth date, an address code in use in the birth year (python-stdnum's
    check, as `stdnum.cn.ric.validate` does it) and the right check character."""
    if type(number) is not str or len(number) != 18:
        return False
    original, number = number, number.upper()
    if not number[:17].isascii() or not number[:17].isdigit() or number[-1] not in "0123456789X":
        return False
    if number[-1] != ric_check_character(number):
        return False
    try:  # a real birth date (stdnum.cn.ric.get_birth_date)
        year = _dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])).year
    except ValueError:
        return False
    ok = _address_in_use(number[:6], year)
    if ok and number == original and len(VALID_RIC) < _VALID_USCC_MAX:
        VALID_RIC.add(number)
    return ok


@lru_cache(maxsize=1 << 16)
def _address_in_use(address: str, year: int) -> bool:
    # python-stdnum's table of counties with the years each was in use, generated into a module
    # (address_codes: parsing stdnum's own file took most of a one-claim batch's time).
    return address_codes.in_use(address, year)


#: GB 32100's check: the value of each of the first 17 characters in the alphabet times its weight.
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_valid_many(codes: list[str]):
    """`uscc_valid` of every code, as a numpy array of booleans — one vectorised pass over a
    whole column (bulk reads a million), the same answer as asking `uscc_valid` of each.

    Codes that are all 18 ASCII characters are checked together: case folded, each character's
    value looked up in a table of the GB 32100 alphabet (python-stdnum's, so both agree on it),
    the weighted sum taken mod 31. Anything else (another length, other scripts, a non-string)
    is asked one by one, as the careful reader does.
    """
    import numpy as np

    n = len(codes)
    chars = _ascii_18(codes)
    if chars is None:
        return np.fromiter(map(uscc_valid, codes), dtype=bool, count=n)
    values = _uscc_table()[chars]
    total = values[:, :17] @ np.array(_WEIGHTS, dtype=np.int64)
    return (values >= 0).all(axis=1) & (values[:, 17] == (31 - total % 31) % 31)


def ric_valid_many(numbers: list[str]):
    """`ric_valid` of every number, as a numpy array of booleans, in one vectorised pass: the
    check character (python-stdnum's `(1 - 2 * int(first 17, 13)) % 11`, taken mod 11 digit by
    digit as 13 ≡ 2), then the birth date, then the address code in use in the birth year, asked
    once for each distinct (address, year)."""
    import numpy as np

    n = len(numbers)
    chars = _ascii_18(numbers)
    if chars is None:
        return np.fromiter(map(ric_valid, numbers), dtype=bool, count=n)
    digits = chars[:, :17].astype(np.int64) - 48
    ok = ((digits >= 0) & (digits <= 9)).all(axis=1)
    check = (1 - 2 * (digits @ np.array([pow(2, 16 - i, 11) for i in range(17)], dtype=np.int64))) % 11
    ok &= chars[:, 17] == np.where(check == 10, ord("X"), check + ord("0"))
    # The birth date: a day of the (proleptic Gregorian) calendar, as datetime.date has it.
    year = digits[:, 6:10] @ np.array([1000, 100, 10, 1])
    month = digits[:, 10:12] @ np.array([10, 1])
    day = digits[:, 12:14] @ np.array([10, 1])
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_days = np.array(_MONTH_DAYS)[np.clip(month, 0, 12)] + ((month == 2) & leap)
    ok &= (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    # The address code in use in the birth year: asked once per distinct (address, year).
    address = digits[:, :6] @ np.array([100000, 10000, 1000, 100, 10, 1])
    pairs = address * 10000 + year
    distinct, where = np.unique(pairs[ok], return_inverse=True)
    in_use = np.array(list(map(_in_use_by_pair, distinct.tolist())), dtype=bool)
    ok[ok] = in_use[where]
    return ok


class _InUse(dict):
    """address * 10000 + year → whether the address code was in use that year (a dict hit is
    the common case; a miss asks `_address_in_use`). Bounded like the other caches here."""

    def __missing__(self, pair: int) -> bool:
        in_use = _address_in_use(f"{pair // 10000:06d}", pair % 10000)
        if len(self) < 1 << 18:
            self[pair] = in_use
        return in_use


_in_use_by_pair = _InUse().__getitem__

_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _ascii_18(codes: list[str]):
    """The codes upper-cased as an (n, 18) array of bytes, or None unless every one is a string of
    18 ASCII characters."""
    import numpy as np

    try:
        joined = "".join(codes)
    except TypeError:
        return None
    if len(joined) != 18 * len(codes) or not joined.isascii() or set(map(len, codes)) - {18}:
        return None
    return np.frombuffer(joined.upper().encode("ascii"), dtype=np.uint8).reshape(len(codes), 18)


@lru_cache(maxsize=1)
def _uscc_table():
    import numpy as np

    table = np.full(256, -1, dtype=np.int64)
    for value, char in enumerate(USCC_ALPHABET):
        table[ord(char)] = value
    return table


#: A person the platform knows by a keyed pseudonym instead of the number (it verified the number
#: at registration and keeps it encrypted; see web/pii/pseudonyms.py): "个人#" and 16 hex digits
#: (upper case as written by the platform; compared in upper case, like every identifier). The
#: engine needs only that the same person always has the same identifier.
PSEUDONYM_PREFIX = "个人#"
_PSEUDONYM_HEX = frozenset("0123456789ABCDEF")


def is_pseudonym(identifier) -> bool:
    return (
        type(identifier) is str
        and len(identifier) == len(PSEUDONYM_PREFIX) + 16
        and identifier.startswith(PSEUDONYM_PREFIX)
        and _PSEUDONYM_HEX.issuperset(identifier[len(PSEUDONYM_PREFIX):].upper())
    )


def person_id_valid(identifier) -> bool:
    """A person's `applicant.id`: a valid resident identity number or a platform pseudonym."""
    return ric_valid(identifier) or is_pseudonym(identifier)


def person_id_valid_many(identifiers: list[str]):
    """`person_id_valid` of every identifier: `ric_valid_many`, then pseudonyms where it said no."""
    import numpy as np

    ok = ric_valid_many(identifiers)
    for i in np.flatnonzero(~ok).tolist():
        ok[i] = is_pseudonym(identifiers[i])
    return ok


def canonical(identifier: str) -> str:
    """The form used in duplicate keys and caps: upper case ('x' check characters are common)."""
    return identifier.upper()


def mask_ric(number: str) -> str:
    """A resident identity number as it may be shown: region and last four, the rest hidden; a
    pseudonym is shown as it is (it names no one without the platform's key)."""
    if is_pseudonym(number):
        return number
    return number[:6] + "*" * 8 + number[-4:] if len(number) == 18 else "*" * len(number)
