"""The ledger's duplicate keys. A stream that is never explained keeps a key of several facts as
one string (`_compact_keys`); two claims must share a key in that form exactly when they share it
as a tuple of facts — whatever a free text holds, the separator included."""

from __future__ import annotations

import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ipfund.engine import evaluate_batch
from ipfund.engine.bulk import BulkEvaluator
from ipfund.engine.evaluation import _SEP, _compact_keys

POLICY = "zhaoqing-hitech-ip-2022"

texts = st.text(alphabet=st.sampled_from(["a", "b", _SEP, "作", "1"]), min_size=1, max_size=4)
rows = st.tuples(st.sampled_from(["441202200405212806", "91441200MA4W0Q9X3B"]), st.integers(2020, 2030),
                 st.sampled_from(["gold", "silver"]), texts)


@settings(max_examples=300, deadline=None)
@given(st.lists(rows, min_size=1, max_size=12))
def test_compact_keys_are_equal_exactly_when_the_facts_are(keys):
    parts = [list(col) for col in zip(*keys)]
    compact = _compact_keys(parts)
    for i in range(len(keys)):
        for j in range(len(keys)):
            assert (compact[i] == compact[j]) == (keys[i] == keys[j])
    assert all(type(c) is str or c == k for c, k in zip(compact, keys))


def test_a_work_title_holding_the_separator_is_still_one_key(tmp_path):
    # Song Qingling awards keyed by (applicant, year, level, work): works whose titles hold the
    # separator, decided by the bulk path (compact keys) and the batch path (tuples) alike.
    def claim(i, work):
        return {"id": f"s{i}", "item": "song_qingling_award", "event_date": "2023-05-01",
                "applicant": {"id": "441202200405212806", "kind": "person", "in_zone": True},
                "facts": {"level": "gold", "award_year": 2023, "work": work}}

    works = ["a" + _SEP + "b", "a", "a" + _SEP + "b", "a" + _SEP, "a" + _SEP, _SEP + "b", "a"]
    claims = [claim(i, w) for i, w in enumerate(works)]
    batch = evaluate_batch({"policy": POLICY, "claims": claims})["decisions"]
    content = b"\n".join(json.dumps(c).encode() for c in claims)
    bulk = [json.loads(x) for chunk, _ in BulkEvaluator(POLICY).run_blocks(io.BytesIO(content))
            for x in chunk.splitlines()]
    assert [d["reasons"] for d in bulk] == [d["reasons"] for d in batch]
    assert [d["eligible"] for d in bulk] == [True, True, False, True, False, True, False]
