"""A person may be named by the platform's pseudonym (个人# and 16 hex digits) instead of the
resident ID number: the engine decides, keys and caps by it, and shows it as it is."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ipfund.engine import evaluate_batch
from ipfund.engine.identifiers import is_pseudonym, person_id_valid, person_id_valid_many, ric_valid

PSEUDONYM = "个人#0123456789ABCDEF"


def test_pseudonym_shape():
    assert is_pseudonym(PSEUDONYM) and is_pseudonym(PSEUDONYM.lower())
    for bad in ["个人#0123456789ABCDEG", "个人#0123456789ABCDE", "个人#0123456789ABCDEFA", "人#0123456789ABCDEF0", 12]:
        assert not is_pseudonym(bad)
    assert not ric_valid(PSEUDONYM) and person_id_valid(PSEUDONYM)


@given(st.lists(st.one_of(st.just(PSEUDONYM), st.text(max_size=20), st.just("441202199001010018")), max_size=30))
def test_many_agree_with_one_by_one(ids):
    assert person_id_valid_many(ids).tolist() == [person_id_valid(i) for i in ids]


def _claim(cid, person):
    return {"id": cid, "item": "guangdong_outstanding_inventor", "event_date": "2023-06-01",
            "applicant": {"id": person, "kind": "person", "in_zone": True}, "facts": {"award_year": 2023}}


def test_a_pseudonymous_person_is_decided_and_keyed_by_the_pseudonym():
    result = evaluate_batch(
        {"policy": "zhaoqing-hitech-ip-2022", "claims": [_claim("a", PSEUDONYM), _claim("b", PSEUDONYM.lower())]},
        explain=True,
    )
    first, second = result["decisions"]
    assert first["eligible"] and first["amount"] == "20000.00"
    assert second["reasons"] == ["duplicate"]
    assert PSEUDONYM in "\n".join(second["explanation"])


def test_an_organisation_cannot_use_a_pseudonym():
    claim = _claim("c", PSEUDONYM) | {"item": "china_patent_award", "facts": {"patent_number": "ZL1", "level": "gold"}}
    claim["applicant"] = {"id": PSEUDONYM, "kind": "enterprise", "in_zone": True}
    decision = evaluate_batch({"policy": "zhaoqing-hitech-ip-2022", "claims": [claim]})["decisions"][0]
    assert decision["error"]["field"] == "applicant.id"
