"""The vectorised check of unified social credit codes answers exactly as python-stdnum's, one
code at a time (the bulk reader checks a million codes with it)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from ipfund.engine.identifiers import ric_valid, ric_valid_many, uscc_valid, uscc_valid_many

ALPHABET = uscc._alphabet


def _valid(body: str) -> str:
    return body + uscc.calc_check_digit(body + "0")


bodies = st.text(alphabet=ALPHABET, min_size=17, max_size=17)
valid_codes = bodies.map(_valid)
# Near misses: a wrong check character, lower case, letters outside GB 32100 (I O S V Z), another
# length, other scripts (including characters whose upper case is ASCII).
near = st.one_of(
    bodies.map(lambda b: b + "0"),
    valid_codes.map(str.lower),
    valid_codes.map(lambda c: c[:5] + "I" + c[6:]),
    st.text(alphabet=ALPHABET + "IOSVZ" + "abcıſ é", min_size=16, max_size=19),
)


@given(st.lists(st.one_of(valid_codes, near), max_size=60))
def test_many_at_once_agrees_with_one_by_one(codes):
    assert uscc_valid_many(codes).tolist() == [uscc_valid(c) for c in codes]


def test_a_column_of_valid_codes_is_valid_and_one_bad_character_is_found():
    codes = [_valid(f"91441200{i:09d}") for i in range(1000)]
    assert uscc_valid_many(codes).all()
    codes[417] = codes[417][:-1] + ("0" if codes[417][-1] != "0" else "1")
    assert uscc_valid_many(codes).tolist().index(False) == 417
    assert uscc_valid_many(codes).sum() == 999


def test_non_strings_are_not_valid():
    assert uscc_valid_many([None, 91441200, _valid("91441200MA4W0Q9X3")]).tolist() == [False, False, True]


def _ric(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


# Address codes in use, retired, never used; real and impossible birth dates; any sequence.
ric_bodies = st.builds(
    lambda address, born, seq: f"{address}{born}{seq:03d}",
    st.sampled_from(["441202", "441200", "110101", "440106", "999999", "000000", "441203", "230502"]),
    st.one_of(st.dates().map(lambda d: d.strftime("%Y%m%d")), st.sampled_from(["19990230", "20231301", "00000000"])),
    st.integers(0, 999),
)
valid_rics = ric_bodies.map(_ric)
near_rics = st.one_of(
    ric_bodies.map(lambda b: b + "0"),
    valid_rics.map(str.lower),
    valid_rics.map(lambda c: c[:17] + "Y"),
    st.text(alphabet="0123456789Xx１a", min_size=17, max_size=19),
)


@given(st.lists(st.one_of(valid_rics, near_rics), max_size=60))
def test_resident_numbers_many_at_once_agree_with_one_by_one(numbers):
    assert ric_valid_many(numbers).tolist() == [ric_valid(n) for n in numbers]


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.one_of(st.sampled_from(["ZL201910000001.2", "zl2019 1", "ＺＬ１", "ABC", "", " ", "\u3000X",
                                                 "（2023）粤73民初100号", "Z", "L1", "DH-1 "]),
                                st.text(max_size=6)), max_size=8),
       patent=st.booleans())
def test_a_column_of_identifiers_takes_the_normal_form_of_each(texts, patent):
    from ipfund.engine.vocabulary import normal_identifier, normal_identifiers

    assert normal_identifiers(texts, patent) == [normal_identifier(t, patent) for t in texts]


# --- the table of address codes, generated from python-stdnum's ---------------------------------


def test_the_generated_address_table_is_that_of_the_installed_python_stdnum():
    # After an upgrade of python-stdnum, regenerate: the lookups fall back to stdnum meanwhile.
    from pathlib import Path

    from ipfund.engine import address_codes

    generated = Path(address_codes.__file__).with_name("_address_codes.py").read_text("utf-8")
    assert generated == address_codes.generate(), "run: python -m ipfund.engine.address_codes > src/ipfund/engine/_address_codes.py"
    assert address_codes.table() is not None


def test_every_address_code_is_in_use_exactly_when_python_stdnum_says_so():
    # Every code of the table and codes around each, and codes of every province that are not in
    # it, in every year where an answer changes (each range's ends and the years beside them) and
    # a few others: the generated table answers as python-stdnum's own lookup.
    import random

    from ipfund.engine import address_codes

    text = address_codes.table()
    codes = [line.split(" ")[0] for line in text.strip().split("\n")]
    some = [1, 1990, 9999]
    rnd = random.Random(23)
    around = {f"{int(c) + d:06d}" for c in rnd.sample(codes, 300) for d in (-1, 1)} | {
        f"{p}{rnd.randrange(10000):04d}" for p in sorted({c[:2] for c in codes}) for _ in range(10)} | {"000000", "999999"}
    for code in sorted(set(codes) | around):
        years = set(some)
        for a, b in address_codes.ranges(code):
            years.update(y for y in (a - 1, a, b, b + 1) if 1 <= y <= 9999)
        for year in years:
            assert address_codes.in_use(code, year) == address_codes.stdnum_in_use(code, year), (code, year)


def test_a_known_province_with_an_unknown_county_is_not_a_resident_number():
    # python-stdnum raises KeyError for such an address code (its province found, no county):
    # that once stopped `ipfund evaluate` with a traceback; it is an invalid number.
    body = "11999919900101001"
    number = body + ric.calc_check_digit(body + "0")
    assert ric_valid(number) is False
    assert ric_valid_many([number]).tolist() == [False]


# The checks are written out in ipfund.engine.identifiers (importing python-stdnum's stdnum.util
# costs a one-claim batch a fifth of its start): they answer exactly as python-stdnum's.


def test_the_alphabet_is_python_stdnums():
    from ipfund.engine.identifiers import USCC_ALPHABET

    assert USCC_ALPHABET == uscc._alphabet


@given(bodies)
@settings(max_examples=500, deadline=None)
def test_the_credit_code_check_character_is_python_stdnums(body):
    from ipfund.engine.identifiers import uscc_check_character

    assert uscc_check_character(body + "0") == uscc.calc_check_digit(body + "0")


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.sampled_from("0123456789Xx"))
@settings(max_examples=1000, deadline=None)
def test_a_resident_number_is_valid_exactly_when_python_stdnum_validates_it(digits, last):
    from stdnum.exceptions import ValidationError

    from ipfund.engine.identifiers import ric_check_character

    number = digits + last
    assert ric_check_character(number.upper()) == ric.calc_check_digit(number.upper())
    try:
        ric.validate(number)
        theirs = True
    except (ValidationError, KeyError):
        theirs = False
    assert ric_valid(number) is theirs
    # a real number, the check character set right: valid as python-stdnum says
    fixed = digits + ric.calc_check_digit(digits + "0")
    try:
        ric.validate(fixed)
        theirs = True
    except (ValidationError, KeyError):
        theirs = False
    assert ric_valid(fixed) is theirs
