"""Claims decoded straight from JSON lines into typed structs (msgspec), for bulk evaluation.

One C-speed pass per chunk checks every type the contract names (strings, booleans, integers,
money as text or integer, lists of codes) and routes each claim to its item by the `item` tag.
What it refuses — and money sent as a binary float — goes to the careful reader, which stays the
definition of validity; what it accepts still passes the column checks (kinds, identifiers,
dates, enums, ranges). It only ever saves work, never decides.
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache
from typing import Annotated, Literal, Union

import msgspec
import numpy as np

from .compiled import columns as _columns  # the compiled reader; None: not built, or disabled
from .vocabulary import KINDS

_MONEY_INT = Annotated[int, msgspec.Meta(ge=0, le=100_000_000_000)]

#: What msgspec itself checks, in C, for each fact type. What it accepts is checked again on the
#: columns where the type alone does not settle it (money text, blank text, check characters);
#: anything in doubt goes to the careful reader.
_TYPES = {
    "year": Annotated[int, msgspec.Meta(ge=1, le=9999)],
    # A float goes to the careful reader. The form of money text is checked on the column, one
    # regular expression over all of it (a pattern here would call Python's re once per value).
    "money": Union[str, _MONEY_INT],
    "bool": bool,
    "text": str,  # non-blank is checked on the column (str.strip's idea of blank, not a regex's)
    "date": datetime.date,
    "number": Union[int, float],
    "uscc_list": list[str],
    # Lines (清单) are checked by the careful checker of the fact, value by value, on the column.
    "lines": list[dict],
}

# Every struct here is made with gc=False: it holds only strings, numbers, booleans, dates, lists
# of strings and the other structs, so it can never be part of a reference cycle, and leaving a
# million of them out of the cyclic collector's bookkeeping takes about a third off decoding.
Applicant = msgspec.defstruct(
    "Applicant",
    [
        ("id", Annotated[str, msgspec.Meta(min_length=18, max_length=18)]),
        ("kind", Literal[KINDS]),
        ("in_zone", bool),
        ("sme", bool, False),
        ("name", Union[str, None], None),
    ],
    gc=False,
)


def _type(fact):
    return Literal[tuple(fact.options)] if fact.type == "enum" else _TYPES[fact.type]


@lru_cache(maxsize=None)
def decoder(policy) -> tuple[msgspec.json.Decoder, dict]:
    """(decoder of one claim of any item of the policy, struct class → item id)."""
    classes, item_of = [], {}
    for item in policy.items.values():
        required: list[tuple] = [(f.name, _type(f)) for f in item.facts if not f.optional]
        optional: list[tuple] = [(f.name, _type(f), f.default) for f in item.facts if f.optional]
        facts = msgspec.defstruct(f"Facts_{item.id}", required + optional, gc=False)
        claim = msgspec.defstruct(
            f"Claim_{item.id}",
            [("id", str), ("applicant", Applicant), ("event_date", datetime.date), ("facts", facts)],
            tag_field="item",
            tag=item.id,
            gc=False,
        )
        classes.append(claim)
        item_of[claim] = item.id
    return msgspec.json.Decoder(Union[tuple(classes)]), item_of


def decode_chunk(policy, lines: list[bytes]) -> tuple[list, bool]:
    """(one struct per line or None where the careful reader must look, whether any is None)."""
    dec, _ = decoder(policy)
    try:
        structs = dec.decode_lines(b"\n".join(lines))
        if len(structs) == len(lines):  # a line holding two values would shift every claim after it
            return structs, False
    except (msgspec.ValidationError, msgspec.DecodeError):
        pass
    return _line_by_line(dec, lines), True


def _line_by_line(dec, lines: list[bytes]) -> list:
    out = []
    for line in lines:
        try:
            out.append(dec.decode(line))
        except (msgspec.ValidationError, msgspec.DecodeError):
            out.append(None)
    return out


#: A blank line inside a block (bytes.strip's idea of blank: the file may hold any of these).
_BLANK_INSIDE = re.compile(rb"\n[ \t\r\x0b\x0c]*\n")
_BLANK_BYTES = np.array([ord(c) for c in " \t\r\x0b\x0c\n"], dtype=np.uint8)


def _one_value_per_line(blob: bytes, values: int) -> bool:
    """Whether the block has exactly `values` lines and none of them is blank. One numpy pass
    finds the line breaks; a line that starts with a blank byte (rare in JSON lines) sends the
    question to the exact regular expression."""
    text = np.frombuffer(blob, dtype=np.uint8)
    breaks = np.flatnonzero(text == 10)
    if len(breaks) + 1 != values or not blob or blob[-1] == 10:
        return False
    starts = np.concatenate(([0], breaks + 1))
    if not np.isin(text[starts], _BLANK_BYTES).any():
        return True  # every line starts with a value, so none is blank
    first, last = blob[: breaks[0]] if len(breaks) else blob, blob[breaks[-1] + 1 :] if len(breaks) else blob
    return bool(first.strip()) and bool(last.strip()) and _BLANK_INSIDE.search(blob) is None


def decode_block(policy, blob: bytes) -> tuple[list, bool, list[bytes] | None]:
    """A block of JSON lines, decoded in one call: (structs, whether any is None, the non-blank
    lines — None when the block never had to be split).

    The block is decoded whole when every one of its lines holds exactly one claim: as many
    values as lines and no blank line (a blank line skipped and a line holding two values would
    otherwise cancel out and shift the claims between them). Else it is split into its non-blank
    lines and decoded as `decode_chunk` does.
    """
    dec, _ = decoder(policy)
    try:
        structs = dec.decode_lines(blob)
    except (msgspec.ValidationError, msgspec.DecodeError):
        structs = None
    if structs is not None and _one_value_per_line(blob, len(structs)):
        return structs, False, None
    lines = [line for line in blob.split(b"\n") if line.strip()]
    if structs is not None:
        decoded = decode_chunk(policy, lines)
    else:  # the whole block failed: some line is bad, so go straight to one line at a time
        decoded = _line_by_line(dec, lines), True
    return decoded[0], decoded[1], lines


# ---------------------------------------------------------------------------------------------
# The compiled reader (_columns.c): a block straight into each item's columns, without structs.
# It accepts only claims of the plainest form and hands every other line back as doubtful, so the
# careful reader still decides those; where it is not built, `read_columns` says so (None) and
# bulk reads with msgspec as above.


def compiled_type(item, fact) -> int:
    """The compiled reader's code for one fact: money as fen and dates as ordinals where the
    column checks convert them so (`claims._converted`), else as the msgspec path holds them."""
    from .claims import _converted

    c = _columns
    assert c is not None, "asked only where the compiled reader is built"
    converted = _converted(item, fact)
    codes = {
        "year": c.T_YEAR,
        "money": c.T_MONEY_FEN if converted else c.T_MONEY_RAW,
        "bool": c.T_BOOL,
        "text": c.T_TEXT,
        "date": c.T_DATE_ORD if converted else c.T_DATE_RAW,
        "number": c.T_NUMBER,
        "uscc_list": c.T_CODE_LIST,
        "enum": c.T_ENUM,
    }
    return codes[fact.type]


def _column_default(code: int, fact):
    """A left-out optional fact's value in its column, as the msgspec path has it after the typed
    check; Ellipsis: none (a required fact, or a default the fast path cannot take)."""
    from .claims import _fast_money_one

    if not fact.optional:
        return Ellipsis
    assert _columns is not None, "asked only where the compiled reader is built"
    d = fact.default
    if code == _columns.T_MONEY_FEN:
        fen = _fast_money_one(d)
        return Ellipsis if fen is None else fen
    if code == _columns.T_DATE_ORD:
        return 0 if d is None else d.toordinal()
    return d


@lru_cache(maxsize=None)
def _schema(policy):
    items = []
    for item in policy.items.values():
        facts = []
        for f in item.facts:
            code = compiled_type(item, f)
            options = tuple((o.encode(), o) for o in f.options) if f.type == "enum" else ()
            facts.append((f.name.encode(), f.name, code, f.optional, _column_default(code, f), options))
        items.append((item.id.encode(), item.id, tuple(facts)))
    return _columns.compile_schema(tuple(items), tuple((k.encode(), k) for k in KINDS)), tuple(policy.items)


@lru_cache(maxsize=None)
def has_lines(policy) -> bool:
    """Whether an item of the policy takes a `lines` fact (清单): the compiled reader does not read
    lines, so such a policy's blocks are read by msgspec and the column checks (`read_columns`
    answers None), which route each claim with lines through the fact's careful checker."""
    return any(f.type == "lines" for item in policy.items.values() for f in item.facts)


def read_columns(policy, blob: bytes):
    """A block of JSON lines read by the compiled reader: (how many non-blank lines, the claim id at
    each position — None where the line is doubtful —, the doubtful positions, their lines, and for
    each item met (item id, positions, columns in `FastColumns.transpose`'s order, with the event
    date and date facts as ordinals and money as fen)); None when the reader is not built."""
    if _columns is None or has_lines(policy):
        return None
    schema, item_ids = _schema(policy)
    n, ids, doubtful, lines, groups = _columns.read_block(schema, blob)
    return n, ids, doubtful, lines, [(item_ids[k], rows, cols) for k, rows, cols in groups]
