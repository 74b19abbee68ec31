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
        required = [(f.name, _type(f)) for f in item.facts if not f.optional]
        optional = [(f.name, _type(f), f.default) for f in item.facts if f.optional]
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
