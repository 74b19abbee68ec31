"""The compiled reader (src/ipfund/engine/_columns.c) against the msgspec path it stands in for.

Its promise is narrow: a line it accepts, msgspec accepts too, with the same values once the
column checks have converted them (money to fen, dates to ordinals); every other line it hands
back as doubtful, for the careful reader. These tests hold it to that on valid claims of every
item written many ways, and on those same lines broken byte by byte; and they check that bulk
decides alike with and without it.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipfund.engine import compiled as compiled_module
from ipfund.engine import evaluate_batch, wire
from ipfund.engine.bulk import BulkEvaluator
from ipfund.engine.claims import _fast_money, _converted
from ipfund.engine.policy import load_policy

POLICY = "zhaoqing-hitech-ip-2022"
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


if os.environ.get(compiled_module.DISABLE_VARIABLE, "") not in ("", "0"):
    pytest.skip("the compiled reader is disabled (IPFUND_NO_COMPILED_READER): its own tests have nothing to test",
                allow_module_level=True)


def test_the_compiled_reader_is_built():
    # `optional` in setup.py lets ipfund install without a C compiler; here it must be built, or
    # everything below would test nothing but the fallback.
    assert wire._columns is not None, "src/ipfund/engine/_columns.c was not built: run scripts/setup-dev"


policy = load_policy(POLICY)
ITEMS = list(policy.items.values())
ORG = "91441200MA00000159"
PERSON = "441202201003151005"

def mostly(valid, odd):
    """Nine times in ten a value of the plain form, else an odd one (each draw apart)."""
    return st.integers(0, 9).flatmap(lambda k: valid if k else odd)


# Values of each fact type: the plain ones the reader takes, and some it must leave to others.
VALUES = {
    "year": mostly(st.integers(1, 9999), st.sampled_from([0, -1, 10000, 2023.0, "2023", True, None])),
    "money": mostly(
        st.one_of(st.integers(0, 100_000_000_000), st.from_regex(r"\A\d{1,12}(\.\d{1,2})?\Z")),
        st.one_of(st.sampled_from([-1, 100_000_000_001, 10**20, 1.5, 0.1, True, None]),
                  st.from_regex(r"\A\d{1,13}(\.\d{0,3})?\Z"),
                  st.sampled_from(["", ".5", "1.", "1e3", " 1", "１２", "-1", "0", "00.00", "999999999999.99"]))),
    "bool": mostly(st.booleans(), st.sampled_from([0, 1, "true", None])),
    "text": mostly(st.text(max_size=8), st.sampled_from(["", " ", "ZL2019", None, 1])),
    "date": mostly(st.dates().map(str), st.sampled_from(["2023-02-29", "2023-13-01", "0000-01-01", "2023-1-8",
                                                         "2023-01-08T00:00", 20230108, None])),
    "number": mostly(st.one_of(st.integers(-10**20, 10**20), st.floats(allow_nan=False, allow_infinity=False)),
                     st.sampled_from(["3", None, True])),
    "uscc_list": mostly(st.lists(st.sampled_from([ORG, "91441200MA0000058N", "x", ""]), max_size=4),
                        st.sampled_from([[1], "x", None, [None]])),
}


@st.composite
def claim_objects(draw):
    item = draw(st.sampled_from(ITEMS))
    facts = {}
    for f in item.facts:
        if f.optional and draw(st.booleans()):
            continue
        if f.type == "enum":
            facts[f.name] = draw(mostly(st.sampled_from(list(f.options)), st.sampled_from(["", "other", None])))
        else:
            facts[f.name] = draw(VALUES[f.type])
    applicant = {"id": draw(mostly(st.sampled_from([ORG, PERSON, ORG.lower()]),
                                   st.sampled_from(["X" * 17, "申" * 18, "91441200MA0000015", None]))),
                 "kind": draw(mostly(st.sampled_from(["enterprise", "person", "school"]), st.just("company"))),
                 "in_zone": draw(mostly(st.booleans(), st.none()))}
    if draw(st.booleans()):
        applicant["sme"] = draw(mostly(st.booleans(), st.none()))
    if draw(st.booleans()):
        applicant["name"] = draw(mostly(st.one_of(st.text(max_size=6), st.none()), st.just(5)))
    obj = {"id": draw(mostly(st.sampled_from(["c1", "", "申报-1"]), st.just(1))), "item": item.id, "applicant": applicant,
           "event_date": draw(VALUES["date"]), "facts": facts}
    if draw(st.integers(0, 19)) == 0:
        del obj[draw(st.sampled_from(sorted(obj)))]
    if draw(st.integers(0, 19)) == 0:
        obj["extra"] = 1
    return obj


def spell(obj, rnd: random.Random) -> bytes:
    """One JSON spelling of the object: keys in any order, any JSON whitespace, escapes or not."""
    def dump(v):
        if isinstance(v, dict):
            keys = list(v)
            rnd.shuffle(keys)
            sep = rnd.choice([",", ", ", " ,\t"])
            return "{" + sep.join(f"{dump(k)}{rnd.choice([':', ': ', ' :'])}{dump(v[k])}" for k in keys) + "}"
        if isinstance(v, list):
            return "[" + rnd.choice([",", ", "]).join(map(dump, v)) + "]"
        return json.dumps(v, ensure_ascii=rnd.random() < 0.05)

    return (rnd.choice(["", " ", "\t"]) + dump(obj) + rnd.choice(["", " ", "\r"])).encode()


def compiled(line: bytes, pol=policy):
    """(item id, the line's column values) as the compiled reader reads it, or None: doubtful."""
    n, ids, doubtful, lines, groups = wire.read_columns(pol, line)
    assert n == 1
    if doubtful:
        assert doubtful == [0] and lines == [line] and ids == [None] and not groups
        return None
    [(item_id, rows, cols)] = groups
    assert rows == [0] and ids == cols[6]
    return item_id, [col[0] for col in cols]


def by_msgspec(line: bytes, pol=policy):
    """The same values by way of msgspec, converted as the column checks convert them."""
    import msgspec
    from msgspec.structs import astuple

    dec, item_of = wire.decoder(pol)
    try:
        s = dec.decode(line)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    item = pol.items[item_of[type(s)]]
    a = s.applicant
    facts = dict(zip(type(s.facts).__struct_fields__, astuple(s.facts)))
    values = [a.kind, a.id, a.in_zone, a.sme, a.name, s.event_date.toordinal(), s.id]
    for f in item.facts:
        v = facts[f.name]
        if _converted(item, f):
            if f.type == "money":
                out, bad = _fast_money([v])
                v = None if bad else out[0]
            else:
                v = 0 if v is None else v.toordinal()
        values.append(v)
    return item.id, values


def _same(got, want):
    assert got[0] == want[0]
    for g, w in zip(got[1], want[1], strict=True):
        assert type(g) is type(w) and g == w, (g, w)


def read_alike(line: bytes, pol=policy):
    """What the compiled reader takes of the line, msgspec takes too, with the same values; its
    reading (None: doubtful)."""
    got = compiled(line, pol)
    if got is not None:
        want = by_msgspec(line, pol)
        assert want is not None, line
        _same(got, want)
    return got


@SETTINGS
@given(obj=claim_objects(), seed=st.integers(0, 2**32))
def test_what_it_accepts_msgspec_accepts_with_the_same_values(obj, seed):
    line = spell(obj, random.Random(seed))
    got = compiled(line)
    if got is not None:
        want = by_msgspec(line)
        assert want is not None, line
        _same(got, want)


@SETTINGS
@given(obj=claim_objects(), seed=st.integers(0, 2**32), edits=st.lists(
    st.tuples(st.sampled_from(["delete", "insert", "replace"]), st.floats(0, 1),
              st.sampled_from(list(b'{}[]",:\\ \t\r0123456789.-eEtfnaZ') + [0, 0x0b, 0x80, 0xC3, 0xE4, 0xFF])),
    min_size=1, max_size=3))
def test_a_broken_line_is_never_read_otherwise_than_msgspec_reads_it(obj, seed, edits):
    data = bytearray(spell(obj, random.Random(seed)))
    for op, where, byte in edits:
        at = int(where * len(data))
        if op == "delete" and data:
            del data[min(at, len(data) - 1)]
        elif op == "insert":
            data.insert(at, byte)
        elif data:
            data[min(at, len(data) - 1)] = byte
    line = bytes(data).replace(b"\n", b" ")
    if not line.strip(b" \t\r\x0b\x0c"):
        return
    read_alike(line)


PLAIN = {"year": 2023, "money": "100.00", "bool": True, "text": "T-1", "date": "2023-05-01", "number": 3,
         "uscc_list": [ORG]}

#: JSON tokens as written, for any fact: numbers of every shape, strings of every form of money,
#: date and text, literals, and spellings no JSON reader takes.
NUMBERISH = st.from_regex(r"\A[-+0-9.eE]{1,16}\Z")
TOKENS = st.one_of(
    NUMBERISH,
    st.from_regex(r"\A-?\d{1,20}(\.\d{0,3})?([eE][+-]?\d{0,3})?\Z"),
    NUMBERISH.map(json.dumps),
    st.from_regex(r"\A\d{1,14}(\.\d{0,3})?\Z").map(json.dumps),
    st.from_regex(r"\A[0-9-]{8,11}\Z").map(json.dumps),
    st.dates().map(str).map(json.dumps),
    st.text(max_size=6).map(lambda t: json.dumps(t, ensure_ascii=False)),
    st.sampled_from(["true", "false", "null", "[]", "{}", '["91441200MA00000159"]', '[""]', "[1]", "tru", '"',
                     "-", "1.5e", "Infinity", "NaN", '"\\u0031"', "1 2"]),
)
BY_TYPE = {}
for _item in ITEMS:
    for _f in _item.facts:
        BY_TYPE.setdefault(_f.type, []).append((_item, _f))
FACTS = st.sampled_from(sorted(BY_TYPE)).flatmap(lambda t: st.sampled_from(BY_TYPE[t]))


@settings(max_examples=1500, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(at=FACTS, token=TOKENS, event=st.one_of(st.just('"2023-05-01"'), TOKENS))
def test_each_value_is_read_as_msgspec_reads_it(at, token, event):
    # A claim sound in every other respect, with one fact (and the event date) written as the
    # token: whatever the compiled reader takes, msgspec takes with the same value.
    item, fact = at
    facts = {f.name: (f.options[0] if f.type == "enum" else PLAIN[f.type]) for f in item.facts}
    body = ", ".join(f'"{k}": {json.dumps(v)}' if k != fact.name else f'"{k}": {token}' for k, v in facts.items())
    line = ('{"id": "c1", "item": "%s", "applicant": {"id": "%s", "kind": "enterprise", "in_zone": true}, '
            '"event_date": %s, "facts": {%s}}' % (item.id, ORG, event, body)).encode()
    got = compiled(line)
    if got is not None:
        want = by_msgspec(line)
        assert want is not None, line
        _same(got, want)


MONEY_EDGES = ["1.", ".5", "1.234", "0.0", "00", "000000000000.00", "999999999999.99", "1234567890123",
               "123456789012.3", "123456789012.345", "1234567890123.4", "1e3", "+1", "-0", "1..2", "１", "", "."]


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(text=st.one_of(st.from_regex(r"\A[0-9.]{0,16}\Z"), st.sampled_from(MONEY_EDGES)), quoted=st.booleans())
def test_money_is_read_as_the_column_checks_read_it(text, quoted):
    # Money text of the plain form becomes fen here, as _fast_money makes it; any other form (or
    # an integer out of range) is left to the careful reader.
    token = json.dumps(text) if quoted or not text else text
    line = ('{"id":"c1","item":"custody_sme","applicant":{"id":"%s","kind":"enterprise","in_zone":true},'
            '"event_date":"2023-05-01","facts":{"service_year":2023,"actual_cost":%s}}' % (ORG, token)).encode()
    got = compiled(line)
    want = by_msgspec(line)
    if got is not None:
        assert want is not None
        _same(got, want)
    if quoted or not text:  # taken exactly when plain
        taken = re.fullmatch(r"\d{1,12}(\.\d{1,2})?", text, re.ASCII) is not None
    else:  # a JSON integer of yuan in range
        taken = re.fullmatch(r"-?(0|[1-9]\d*)", text) is not None and 0 <= int(text) <= 10**11
    assert (got is not None) == taken, line


def test_plain_claims_are_taken_and_converted():
    line = (b'{"id":"c7","item":"ipms_certification","applicant":{"id":"91441200MA00000159","kind":"enterprise",'
            b'"name":"\xe7\x94\xb3\xe8\xaf\xb7\xe4\xba\xba","in_zone":true},"event_date":"2024-02-29",'
            b'"facts":{"stage":"initial","first_cycle":true,"city_applied":true,"actual_cost":"60000.5",'
            b'"city_subsidy":40000,"standard":"2013"}}')
    item_id, values = compiled(line)
    assert item_id == "ipms_certification"
    item = policy.items[item_id]
    facts = dict(zip([f.name for f in item.facts], values[7:]))
    assert values[:7] == ["enterprise", "91441200MA00000159", True, False, "申请人", 738945, "c7"]
    assert facts["actual_cost"] == 6_000_050 and facts["city_subsidy"] == 4_000_000  # fen
    assert facts["other_subsidies"] == 0  # left out: its default, 0 yuan
    assert values[0] is wire.KINDS[0]  # kinds and enum values are the schema's own strings


@pytest.mark.parametrize("line", [
    b'{"id":"c1","item":"patent_alliance","applicant":{"id":"91441200MA00000159","kind":"enterprise",'
    b'"in_zone":true},"event_date":"2023-05-01","facts":{"alliance_id":"AL\\u002d1","review_passed":true}}',
    b'{"id":"c1","item":"patent_alliance","applicant":{"id":"91441200MA00000159","kind":"enterprise",'
    b'"in_zone":true},"event_date":"2023-05-01","facts":{"alliance_id":"AL-1","review_passed":true}} {}',
    b'{"id":"c1","id":"c2","item":"patent_alliance","applicant":{"id":"91441200MA00000159","kind":"enterprise",'
    b'"in_zone":true},"event_date":"2023-05-01","facts":{"alliance_id":"AL-1","review_passed":true}}',
    b'{"id":"c1","item":"patent_alliance","applicant":{"id":"91441200MA00000159","kind":"enterprise",'
    b'"in_zone":true},"event_date":"2023-05-01","facts":{"alliance_id":"AL-1","review_passed":true,"x":1}}',
    b'{"id":"c1","item":"custody_sme","applicant":{"id":"91441200MA00000159","kind":"enterprise",'
    b'"in_zone":true},"event_date":"2023-05-01","facts":{"service_year":2023,"actual_cost":100.5}}',
    b'{"id":"c1","item":"nothing","applicant":{},"event_date":"2023-05-01","facts":{}}',
    b'\x00too long',
], ids=["escape", "two values", "key twice", "unknown fact", "money as a float", "unknown item", "too long"])
def test_what_it_leaves_to_the_careful_reader(line):
    assert compiled(line) is None


def test_facts_before_the_item_are_read_all_the_same():
    line = (b'{"facts":{"review_passed":true,"alliance_id":"AL-1"},"event_date":"2023-05-01","id":"c1",'
            b'"applicant":{"in_zone":false,"kind":"enterprise","id":"91441200MA00000159"},"item":"patent_alliance"}')
    _same(compiled(line), by_msgspec(line))


def test_blank_lines_are_skipped_and_positions_count_the_others():
    good = (b'{"id":"c%d","item":"patent_alliance","applicant":{"id":"91441200MA00000159","kind":"enterprise",'
            b'"in_zone":true},"event_date":"2023-05-01","facts":{"alliance_id":"AL-1","review_passed":true}}')
    blob = b"\n".join([good % 1, b" \t\x0b\x0c\r", b"[1]", b"", good % 2, b""])
    n, ids, doubtful, lines, groups = wire.read_columns(policy, blob)
    assert (n, ids, doubtful, lines) == (3, ["c1", None, "c2"], [1], [b"[1]"])
    assert groups[0][1] == [0, 2]


def test_raw_money_and_dates_where_another_check_reads_them_as_written():
    c = wire._columns
    schema = c.compile_schema(
        ((b"x", "x", ((b"m", "m", c.T_MONEY_RAW, False, Ellipsis, ()), (b"d", "d", c.T_DATE_RAW, True, None, ()),
                      (b"l", "l", c.T_CODE_LIST, True, [], ()))),),
        ((b"enterprise", "enterprise"),))
    line = (b'{"id":"a","item":"x","applicant":{"id":"91441200MA00000159","kind":"enterprise","in_zone":true},'
            b'"event_date":"2023-05-01","facts":{"m":"12.5","d":"2020-02-29"}}')
    _, _, _, _, [(_, _, cols)] = c.read_block(schema, line + b"\n" + line.replace(b'"12.5"', b"7"))
    import datetime

    assert cols[7] == ["12.5", 7] and cols[8] == [datetime.date(2020, 2, 29)] * 2
    assert cols[9] == [[], []] and cols[9][0] is not cols[9][1]  # a fresh default list for each claim


def test_reading_encoding_and_hashing_again_and_again_hold_no_memory():
    import numpy as np

    c = wire._columns
    rnd = random.Random(1)
    sample = [spell(obj, rnd) for obj in _examples(200)]
    blob = b"\n".join(sample)
    ids = [f"c{i}" for i in range(500)] + ["q\"uote"]
    templates = {0: (b'","x":', b"}"), 8: (b'","y":', b"}")}
    shapes = np.array([0, 8] * 250 + [0], dtype=np.int64)
    fen = np.arange(501, dtype=np.int64) * 101
    positions = np.arange(501, dtype=np.int64)
    hashes = np.arange(5000, dtype=np.int64) * 7919

    def once():
        wire.read_columns(policy, blob)
        c.render([b""] * 501, positions, ids[:-1] + ["plain"], shapes, templates, fen)  # all written
        c.render({}, positions, ids, shapes, templates, fen)  # stops at the id needing an escape
        index = c.HashIndex()
        index.insert(hashes, 0)
        index.candidates(hashes[:1000] * 3)

    for _ in range(3):
        once()
    before = sys.getallocatedblocks()
    for _ in range(30):
        once()
    assert sys.getallocatedblocks() - before < 200


def test_the_encoder_writes_amounts_and_ids_as_msgspec_and_python_do():
    import msgspec
    import numpy as np

    ids = ["c1", "申报-甲", "emoji-😀", "", "del\x7f"]
    fen = np.array([0, 5, 123456, -1, 10**15 + 7], dtype=np.int64)
    out: list = [None] * 5
    assert wire._columns.render(out, np.arange(5, dtype=np.int64), ids, np.zeros(5, dtype=np.int64),
                                {0: (b"|", b"!")}, fen)
    want = [b'{"id":"' + msgspec.json.encode(i)[1:-1] + b"|" + b"%d.%02d" % (f // 100, f % 100) + b"!"
            for i, f in zip(ids, fen.tolist())]
    assert out == want
    with pytest.raises(IndexError):
        wire._columns.render([None], np.array([3], dtype=np.int64), ["c"], np.zeros(1, dtype=np.int64),
                             {0: (b"", b"")}, np.zeros(1, dtype=np.int64))
    with pytest.raises(TypeError):
        wire._columns.render([None], [0], ["c"], np.zeros(1, dtype=np.int64), {0: (b"", b"")},
                             np.zeros(1, dtype=np.int64))


def _examples(n):
    out = []

    @settings(max_examples=n, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(claim_objects())
    def collect(obj):
        out.append(obj)

    collect()
    return out


@pytest.mark.parametrize("compiled_reader", [True, False], ids=["compiled", "msgspec"])
def test_bulk_decides_as_the_batch_with_and_without_the_compiled_reader(monkeypatch, compiled_reader):
    if not compiled_reader:
        monkeypatch.setattr(wire, "_columns", None)
    rnd = random.Random(7)
    objs = _examples(300)
    for i, obj in enumerate(objs):
        obj["id"] = f"c{i}"
    # the same claims in the batch path, and in bulk written many ways, with repeats across blocks
    claims = objs + [dict(objs[3], id="c3")]
    want = evaluate_batch({"policy": POLICY, "claims": json.loads(json.dumps(claims))})["decisions"]
    content = b"\n".join(spell(c, rnd) for c in claims)
    got = [json.loads(x) for chunk, _ in BulkEvaluator(POLICY).run_blocks(io.BytesIO(content), block=2000)
           for x in chunk.splitlines()]
    assert got == [{k: v for k, v in d.items() if k != "explanation"} for d in want]


#: Ids written as they are (other scripts included), and ids JSON must escape.
PLAIN_IDS = ["c1", "申报-甲", "emoji-😀", "del\x7f", "x" * 300, "line\u2028sep", ""]
ESCAPED_IDS = ['q"uote', "back\\slash", "tab\there", "ctl\u0001"]


@pytest.mark.parametrize("workers", [1, 2])
def test_the_compiled_encoder_writes_what_msgspec_writes(monkeypatch, workers):
    # Ids of every kind (escapes, other scripts), and repeated keys and a cap that the ledger
    # changes, so that the main process renders lines again too: the same bytes either way.
    from ipfund.engine import evaluation
    from ipfund.engine.bulk import ParallelBulk

    claims = []
    for i in range(600):
        if i % 3:  # compiled: every id of the item is written as it is
            cid = f"{PLAIN_IDS[i % len(PLAIN_IDS)]}-{i}"
            claims.append({"id": cid, "item": "custody_sme", "event_date": "2023-05-01",
                           "applicant": {"id": ORG, "kind": "enterprise", "in_zone": True, "sme": True},
                           "facts": {"service_year": 2023, "actual_cost": f"{1000 + i}.{i % 100:02d}"}})
        else:  # some ids need escapes: the item is encoded by msgspec
            cid = f"{(PLAIN_IDS + ESCAPED_IDS)[i % 11]}-{i}"
            claims.append({"id": cid, "item": "patent_alliance", "event_date": "2023-05-01",
                           "applicant": {"id": ORG, "kind": "enterprise", "in_zone": True},
                           "facts": {"alliance_id": f"AL-{i % 7}", "review_passed": i % 5 > 0}})
    content = b"\n".join(json.dumps(c, ensure_ascii=False).encode() for c in claims)

    def run():
        bulk = ParallelBulk(POLICY, workers=2) if workers > 1 else BulkEvaluator(POLICY)
        return b"".join(chunk for chunk, _ in bulk.run_blocks(io.BytesIO(content), block=4096))

    calls = []
    real = evaluation._columns.render
    monkeypatch.setattr(evaluation._columns, "render", lambda *a: calls.append(real(*a)) or calls[-1])
    compiled_out = run()
    if workers == 1:  # (with workers the calls happen in other processes)
        assert True in calls and False in calls  # both ways were taken
    monkeypatch.setattr(evaluation, "_columns", None)
    assert compiled_out == run()
    decided = [json.loads(x) for x in compiled_out.splitlines()]
    assert [d["id"] for d in decided] == [c["id"] for c in claims]
    assert any(d.get("capped") for d in decided) and any("duplicate" in d.get("reasons", ()) for d in decided)


# --- fuzzing: random bytes, and random packages with items of up to 200 facts ---------------


@settings(max_examples=1500, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.one_of(st.binary(max_size=400),
                      st.tuples(claim_objects(), st.integers(0, 2**32), st.binary(max_size=40), st.floats(0, 1))
                      .map(lambda t: _spliced(*t))))
def test_random_bytes_are_never_read_otherwise_than_msgspec_reads_them(data):
    # Any bytes at all, and valid lines with random bytes spliced in: a line the compiled reader
    # takes, msgspec takes with the same values; a block of them is read without a fault, each
    # non-blank line counted once.
    n, ids, doubtful, lines, groups = wire.read_columns(policy, data)
    assert n == len(ids) == len([x for x in data.split(b"\n") if x.strip(b" \t\r\x0b\x0c")])
    assert sorted(doubtful + [r for _, rows, _ in groups for r in rows]) == list(range(n))
    for line in data.split(b"\n"):
        if line.strip(b" \t\r\x0b\x0c"):
            read_alike(line)


def _spliced(obj, seed, noise: bytes, where: float) -> bytes:
    line = spell(obj, random.Random(seed))
    at = int(where * len(line))
    return line[:at] + noise + line[at:]


SUCCESSOR = Path(__file__).resolve().parents[1] / "fixtures" / "policies" / "fictional-successor-2025"
WIDE_ITEM = "high_value_portfolio"
#: Per fact type: defaults an optional fact may declare (as YAML), None standing for none.
DEFAULTS = {"year": [None, "2023"], "money": [None, "0", "'12.50'"], "bool": [None, "false", "true"],
            "text": [None, "'备注'"], "date": [None, "2024-01-01"], "number": [None, "0", "1.5"],
            "uscc_list": [None, "[]"], "enum": [None, "b"]}


@st.composite
def wide_facts(draw):
    """Up to 200 extra facts of every type, optional or not, with or without a default."""
    out = []
    for i in range(draw(st.integers(1, 200))):
        ftype = draw(st.sampled_from(sorted(DEFAULTS)))
        optional = draw(st.booleans())
        default = draw(st.sampled_from(DEFAULTS[ftype])) if optional else None
        out.append((f"x{i}", ftype, optional, default))
    return out


def wide_package(folder: Path, facts) -> Path:
    """The fictional successor package with the facts added to one item, written into folder."""
    package = folder / SUCCESSOR.name
    shutil.copytree(SUCCESSOR, package)
    lines = []
    for name, ftype, optional, default in facts:
        spec = f"type: {ftype}, label: 事实{name}"
        if ftype == "enum":
            spec += ", options: {a: 甲, b: 乙, c: 丙}"
        if optional:
            spec += ", optional: true" + ("" if default is None else f", default: {default}")
        lines.append(f"      {name}: {{{spec}}}\n")
    yaml_file = package / "policy.yaml"
    anchor = "      accepted: {type: bool, label: 经区主管部门验收合格}\n"
    text = yaml_file.read_text("utf-8")
    assert anchor in text
    yaml_file.write_text(text.replace(anchor, anchor + "".join(lines), 1), "utf-8")
    return package


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(facts=wide_facts(), data=st.data())
def test_items_of_up_to_200_facts_are_read_as_msgspec_reads_them(facts, data):
    from ipfund.engine.policy import load_policy_path

    with tempfile.TemporaryDirectory() as folder:
        pol = load_policy_path(wide_package(Path(folder), facts))
    item = pol.items[WIDE_ITEM]
    assert len(item.facts) == 3 + len(facts)
    base = {"project_id": "P-1", "actual_cost": "1000.00", "accepted": True}
    for _ in range(6):
        values = dict(base)
        for f in item.facts[3:]:
            if f.optional and data.draw(st.booleans()):
                continue
            values[f.name] = data.draw(mostly(st.sampled_from(list(f.options)), st.just("z")) if f.type == "enum"
                                       else VALUES[f.type])
        obj = {"id": "c1", "item": WIDE_ITEM, "event_date": "2025-06-01", "facts": values,
               "applicant": {"id": ORG, "kind": "enterprise", "in_zone": True}}
        line = spell(obj, random.Random(data.draw(st.integers(0, 2**32))))
        read_alike(line, pol)
    # a claim of only plain values is always taken, however wide the item
    plain = dict(base, **{f.name: (f.options[0] if f.type == "enum" else PLAIN[f.type]) for f in item.facts[3:]})
    line = json.dumps({"id": "c2", "item": WIDE_ITEM, "event_date": "2025-06-01", "facts": plain,
                       "applicant": {"id": ORG, "kind": "enterprise", "in_zone": True}}).encode()
    got = compiled(line, pol)
    assert got is not None and len(got[1]) == 7 + len(item.facts)
    _same(got, by_msgspec(line, pol))
