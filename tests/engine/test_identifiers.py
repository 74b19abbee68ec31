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
