"""Claims decoded straight from JSON lines into typed structs (msgspec), for bulk evaluation.

One C-speed pass per chunk checks every type the contract names (strings, booleans, integers,
money as text or integer, lists of codes) and routes each claim to its item by the `item` tag.
What it refuses — and money sent as a binary float — goes to the careful reader, which stays the
definition of validity; what it accepts still passes the column checks (kinds, identifiers,
dates, enums, ranges). It only ever saves work, never decides.
"""

from __future__ import annotations

import datetime
from functools import lru_cache
from typing import Annotated, Literal, Union

import msgspec

from .vocabulary import KINDS

_MONEY_TEXT = Annotated[str, msgspec.Meta(pattern=r"\A[0-9]{1,12}(\.[0-9]{1,2})?\Z")]
_MONEY_INT = Annotated[int, msgspec.Meta(ge=0, le=100_000_000_000)]

#: What msgspec itself checks, in C, for each fact type. Everything it accepts the careful reader
#: accepts too (a narrower form, never a wider one); the rest is checked on the columns.
_TYPES = {
    "year": Annotated[int, msgspec.Meta(ge=1, le=9999)],
    "money": Union[_MONEY_TEXT, _MONEY_INT],  # a float, or another form, goes to the careful reader
    "bool": bool,
    "text": str,  # non-blank is checked on the column (str.strip's idea of blank, not a regex's)
    "date": datetime.date,
    "number": Union[int, float],
    "uscc_list": list[str],
}

Applicant = msgspec.defstruct(
    "Applicant",
    [
        ("id", Annotated[str, msgspec.Meta(min_length=18, max_length=18)]),
        ("kind", Literal[KINDS]),
        ("in_zone", bool),
        ("sme", bool, False),
        ("name", Union[str, None], None),
    ],
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
        facts = msgspec.defstruct(f"Facts_{item.id}", required + optional)
        claim = msgspec.defstruct(
            f"Claim_{item.id}",
            [("id", str), ("applicant", Applicant), ("event_date", datetime.date), ("facts", facts)],
            tag_field="item",
            tag=item.id,
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
    out = []
    for line in lines:
        try:
            out.append(dec.decode(line))
        except (msgspec.ValidationError, msgspec.DecodeError):
            out.append(None)
    return out, True
