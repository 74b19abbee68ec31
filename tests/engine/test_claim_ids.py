"""The compact register of claim ids answers exactly as a set of the same ids would — through
its small pending set and its stored part (in the compiled hash table and in numpy's sorted
runs alike), for non-ASCII and unpaired-surrogate ids, and when hashes collide."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipfund.engine.claim_ids import BlockIds, ClaimIds, HashIndex

ids = st.one_of(
    st.integers(0, 300).map(lambda i: f"c{i}"),
    st.text(min_size=0, max_size=6),  # any code point, unpaired surrogates included
    st.sampled_from(["申报-1", "申报-2", "\ud800", "\udfff", "", "c1 "]),
)
steps = st.lists(st.tuples(st.sampled_from(["add", "add_new", "contains", "met"]), st.lists(ids, max_size=8)),
                 max_size=60)


def _replay(register: ClaimIds, script) -> None:
    model: set[str] = set()
    for op, batch in script:
        if op == "add":  # one at a time, as the claim-by-claim reader does: ask, then add
            for cid in batch:
                if cid not in register:
                    register.add(cid)
                model.add(cid)
        elif op == "add_new":
            fresh = len(set(batch)) == len(batch) and model.isdisjoint(batch)
            assert register.add_new(batch) is fresh
            if fresh:
                model.update(batch)
        elif op == "contains":
            assert [cid in register for cid in batch] == [cid in model for cid in batch]
        else:
            assert register.met(batch) == {i for i, cid in enumerate(batch) if cid in model}
        assert len(register) == len(model)


# Both ways of keeping the hashes: the compiled hash table and numpy's sorted runs.
# (The hash table only where built and not disabled: scripts/test runs these both ways.)
kept = pytest.mark.parametrize("compiled", [True, False] if HashIndex is not None else [False],
                               ids=["hash table", "sorted runs"] if HashIndex is not None else ["sorted runs"])


@kept
@settings(max_examples=200)
@given(script=steps)
def test_answers_as_a_set_would(compiled, script):
    _replay(ClaimIds(pending_max=3, filter_bits=64, compiled=compiled), script)


@kept
@settings(max_examples=200)
@given(script=steps)
def test_colliding_hashes_are_settled_by_the_stored_bytes(compiled, script):
    # Every id of the same length hashes alike: membership must come from comparing the ids.
    _replay(ClaimIds(pending_max=2, filter_bits=64, hash_fn=len, compiled=compiled), script)


@kept
def test_a_million_ids_in_blocks_then_each_is_found_and_a_new_one_is_not(compiled):
    register = ClaimIds(compiled=compiled)
    every = [f"c{i}" for i in range(1_000_000)]
    for start in range(0, len(every), 15_000):
        assert register.add_new(every[start:start + 15_000])
    assert len(register) == 1_000_000
    assert not register.add_new(["new", "c999999"]) and "new" not in register
    assert register.met(["new", "c0", "c500000", "c-1"]) == {1, 2}
    assert register.add_new(["new"]) and "new" in register


@given(steps)
def test_the_plain_set_for_one_block_answers_alike(script):
    _replay(BlockIds(), script)
