"""Where the bulk path cuts a file into blocks. With workers, a regular file is not sent to them:
the main process only finds where blocks end (`_spans`) and each worker reads its own block. The
cuts must give back exactly the file's lines, whatever their lengths, and decisions must not
depend on where the cuts fall."""

from __future__ import annotations

import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from ipfund.engine.bulk import BulkEvaluator, ParallelBulk, _blocks, _spans

POLICY = "zhaoqing-hitech-ip-2022"


def _pieces(path, block: int, window: int) -> list[bytes]:
    """The blocks `_spans` gives, read the way a worker reads them, and the file position after."""
    out = []
    with open(path, "rb") as fh:
        fd = fh.fileno()
        for span in _spans(fh, block, window):
            out.append(span if isinstance(span, bytes) else _pread(fd, *span))
        end = fh.tell()
    return out, end


def _pread(fd, offset, length):
    import os

    return os.pread(fd, length, offset)


lines = st.lists(st.one_of(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"x")),
                           st.integers(0, 300).map(lambda n: b"y" * n)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(lines=lines, final_newline=st.booleans(), block=st.integers(1, 200), window=st.integers(1, 64))
def test_spans_give_back_the_lines_of_the_file(tmp_path_factory, lines, final_newline, block, window):
    content = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    path = tmp_path_factory.mktemp("spans") / "claims.jsonl"
    path.write_bytes(content)
    pieces, end = _pieces(path, block, window)
    expected = content[:-1] if content.endswith(b"\n") else content
    assert b"\n".join(pieces) == expected
    # The same lines as the blocks read from a pipe; the position is the end (the progress bar).
    assert b"\n".join(_blocks(io.BytesIO(content), block)) == expected
    assert end == len(content)


def _uscc(i: int) -> str:
    body = f"91441200{i:09d}"
    return body + uscc.calc_check_digit(body + "0")


def _claim(i: int, *, id_=None, alliance=None) -> bytes:
    return json.dumps({"id": id_ or f"c{i}", "item": "patent_alliance", "event_date": "2023-05-01",
                       "applicant": {"id": _uscc(i % 7), "kind": "social_org", "in_zone": True},
                       "facts": {"alliance_id": alliance or f"AL-{i % 5}", "review_passed": True}}).encode()


def test_workers_reading_their_own_blocks_decide_as_one_process(tmp_path):
    # Small blocks, so that cuts fall everywhere: a line far longer than the look-past window
    # (the rest of the file then goes the way a pipe's does), blank lines at cuts, an id
    # repeated in a later block (that block is decided again in the main process, from the
    # file), keys and caps across blocks, and no final line break.
    rows = [_claim(i) for i in range(60)]
    rows[20] = _claim(20, alliance="AL-" + "9" * 200_000)
    rows[30:30] = [b"", b"   "]
    rows[45] = _claim(45, id_="c3")
    rows[50] = json.dumps({"id": "y50", "item": "custody_sme", "event_date": "2023-05-01",  # refused by the columns
                           "applicant": {"id": _uscc(1), "kind": "enterprise", "in_zone": True, "sme": True},
                           "facts": {"service_year": 2030, "actual_cost": "10.00"}}).encode()
    content = b"\n".join(rows)
    path = tmp_path / "claims.jsonl"
    path.write_bytes(content)

    def run(bulk, fh):
        return b"".join(chunk for chunk, _ in bulk.run_blocks(fh, block=700))

    alone = run(BulkEvaluator(POLICY), io.BytesIO(content))
    with open(path, "rb") as fh:
        parallel = run(ParallelBulk(POLICY, workers=2), fh)
    assert parallel == alone
    decisions = [json.loads(x) for x in alone.splitlines()]
    assert len(decisions) == 60
    assert decisions[43]["error"]["field"] == "id"  # the 46th line, 44th claim: "c3" again
    assert decisions[48]["error"]["field"] == "facts.service_year"
    assert sum(d.get("eligible", False) for d in decisions) == 6  # AL-0…AL-4 and the long one


def test_workers_hash_ids_for_the_main_process_only_when_they_hash_alike():
    from itertools import chain

    from ipfund.engine import bulk

    blob = b"\n".join(_claim(i) for i in range(30))
    try:
        bulk._worker_init(POLICY, None, hash(bulk._HASH_PROBE))  # forked: the same hash seed
        *_, results, invalid_ids, hashes = bulk._worker_static(blob)
        ids = list(chain.from_iterable(r.cols.ids for r in results))
        assert not invalid_ids and sorted(ids) == sorted(f"c{i}" for i in range(30))
        assert hashes.tolist() == [hash(cid) for cid in ids]
        bulk._worker_init(POLICY, None, hash(bulk._HASH_PROBE) + 1)  # another seed: the main hashes
        assert bulk._worker_static(blob)[-1] is None
        # A block with invalid claims, one of them repeating an id within the block: the hashes
        # follow the ids the main process registers, invalid ones first, each id once.
        bad = json.loads(_claim(31, id_="c5"))
        bad["facts"]["review_passed"] = "yes"
        rows = [_claim(i) for i in range(30)] + [_claim(30, id_="c2"), json.dumps(bad).encode()]
        bulk._worker_init(POLICY, None, hash(bulk._HASH_PROBE))
        *_, results, invalid_ids, hashes = bulk._worker_static(b"\n".join(rows))
        assert sorted(invalid_ids) == ["c2", "c5"]
        ids = bulk._block_ids(invalid_ids, results)
        assert sorted(ids) == sorted(f"c{i}" for i in range(30)) and ids[:2] == invalid_ids
        assert hashes.tolist() == [hash(cid) for cid in ids]
    finally:
        bulk._WORKER.clear()


def test_bad_applicant_ids_anywhere_in_a_block_are_named_as_the_batch_names_them():
    # Applicant ids are checked once for the whole block, all items together, and each bad one
    # must come back to its own claim: bad ids in several items, first and last places included.
    from ipfund.engine import evaluate_batch

    good = [_uscc(i) for i in range(8)]
    bad_org = good[1][:-1] + ("0" if good[1][-1] != "0" else "1")
    claims = []
    for i in range(24):
        item = ("patent_alliance", "custody_sme", "patent_attorney")[i % 3]
        person = item == "patent_attorney"
        aid = ("11010519491231002X" if person else good[i % 8])
        if i in (0, 7, 11, 23):
            aid = "110105194912310021" if person else bad_org  # a wrong check character
        facts = {"patent_alliance": {"alliance_id": f"AL-{i}", "review_passed": True},
                 "custody_sme": {"service_year": 2023, "actual_cost": "100.00"},
                 "patent_attorney": {"passed_exam": True, "employed_in_zone": True, "contract_years": 3}}[item]
        claims.append({"id": f"b{i}", "item": item, "event_date": "2023-05-01",
                       "applicant": {"id": aid, "kind": "person" if person else "enterprise", "in_zone": True,
                                     "sme": True},
                       "facts": facts})
    content = b"\n".join(json.dumps(c).encode() for c in claims)
    bulk = [json.loads(x) for chunk, _ in BulkEvaluator(POLICY).run_blocks(io.BytesIO(content))
            for x in chunk.splitlines()]
    assert bulk == evaluate_batch({"policy": POLICY, "claims": claims}, explain=False)["decisions"]
    assert [i for i, d in enumerate(bulk) if "error" in d] == [0, 7, 11, 23]
    assert all(bulk[i]["error"]["field"] == "applicant.id" for i in (0, 7, 11, 23))


def test_claims_refused_by_the_column_checks_are_named_as_the_batch_names_them(monkeypatch):
    # Contract v2's checks after the type — a year after the event's, a money base of 0, an
    # identifier that is nothing but whitespace — refuse a claim in the column pass itself (a
    # million-line file holds many), naming the first failing fact in the item's order, as the
    # careful reader does; a claim that is also doubtful elsewhere still goes to the careful reader.
    from ipfund.engine import evaluate_batch
    from ipfund.engine.claims import ClaimReader

    org = _uscc(3)

    def claim(i, item, facts, event="2023-05-01", aid=org):
        return {"id": f"r{i}", "item": item, "event_date": event,
                "applicant": {"id": aid, "kind": "enterprise", "in_zone": True, "sme": True}, "facts": facts}

    nav = {"project_id": "DH-1", "actual_cost": "200000", "accepted": True, "higher_level_funded": False}
    claims = [
        claim(0, "custody_sme", {"service_year": 2027, "actual_cost": "100.00"}),  # year after the event
        claim(1, "custody_sme", {"service_year": 2023, "actual_cost": "0"}),  # base of 0
        claim(2, "custody_sme", {"service_year": 2024, "actual_cost": "0.00"}),  # both: the year first
        claim(3, "navigation_enterprise", {**nav, "project_id": " \u3000 "}),  # blank in normal form
        claim(4, "navigation_enterprise", {**nav, "actual_cost": 0}),
        claim(5, "navigation_enterprise", {**nav, "project_id": "DH-2", "higher_level_amount": "0"}),  # optional 0: fine
        claim(6, "custody_sme", {"service_year": 2030, "actual_cost": "1.00"}, aid=org[:-1] + "X"),  # id first
        claim(7, "custody_sme", {"service_year": 2023, "actual_cost": "100.00"}),  # sound
    ]
    careful = []
    read = ClaimReader.read
    monkeypatch.setattr(ClaimReader, "read", lambda self, pos, obj: (careful.append(obj["id"]), read(self, pos, obj)))
    content = b"\n".join(json.dumps(c, ensure_ascii=False).encode() for c in claims)
    bulk = [json.loads(x) for chunk, _ in BulkEvaluator(POLICY).run_blocks(io.BytesIO(content))
            for x in chunk.splitlines()]
    # Only the claim with a bad applicant id and the blank project number (blank text is doubtful
    # before any normal form is taken) needed the careful reader.
    assert sorted(careful) == ["r3", "r6"]
    expected = evaluate_batch({"policy": POLICY, "claims": claims}, explain=False)["decisions"]
    assert bulk == expected
    fields = [d["error"]["field"] if "error" in d else None for d in bulk]
    assert fields == ["facts.service_year", "facts.actual_cost", "facts.service_year", "facts.project_id",
                      "facts.actual_cost", None, "applicant.id", None]
    assert "2023" in bulk[0]["error"]["message"]


def test_results_travel_between_processes_unchanged():
    # Workers send their results pickled, lists of strings packed into one string each: ids and
    # keys holding the separator, empty lists and keys of several facts must come back as they were.
    import pickle

    import numpy as np

    from ipfund.engine.claims import Columns
    from ipfund.engine.evaluation import StaticResult

    for ids, keys in [(["c1", "c2"], ["K-1", "K-2"]), (["a\x00b", "c"], ["x\x00", ""]), ([], []),
                      (["only"], [("AL-1", 2023)]), (["", ""], None)]:
        n = len(ids)
        cols = Columns("patent_alliance", n, np.arange(n), ids, None, None, None, None, None, None, None)
        r = StaticResult(cols, np.arange(n, dtype=np.int64), np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64))
        r.rows = np.arange(n)
        r.fields = (keys, None, None, None) if keys is not None else None
        back = pickle.loads(pickle.dumps(r))
        assert back.cols.ids == ids and type(back.cols.ids) is list
        assert back.fields == r.fields and (back.fields is None or type(back.fields[0]) is type(keys))
        assert back.cols.item == "patent_alliance" and back.cols.n == n and back.cols.applicant is None
        assert (back.fen == r.fen).all() and (back.rows == r.rows).all()
