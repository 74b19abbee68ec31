"""Reading claims: validation of the contract's claim format into typed columns, per item.

A claim is checked field by field in a fixed order (id, item, applicant, event date, facts) and
the first bad field is reported. Valid claims are appended to their item's column builder; the
columns (numpy arrays) are what rules compute on.
"""

from __future__ import annotations

import math
import re
from itertools import chain
from datetime import date
from decimal import Decimal

import numpy as np
import orjson

from .dates import parse_iso
from .errors import (
    BAD_ENUM,
    BAD_KIND,
    BAD_RIC,
    BAD_USCC,
    BAD_USCC_IN_LIST,
    MISSING,
    MONEY_ZERO,
    NOT_BOOL,
    NOT_WHOLE,
    NOT_DATE,
    NOT_ENCODABLE,
    NOT_INT,
    NOT_LIST,
    NOT_NUMBER,
    NOT_OBJECT_FIELD,
    NOT_STRING,
    UNKNOWN_ITEM,
    YEAR_AFTER_EVENT,
    YEAR_RANGE,
    LINE_BAD_CATEGORY,
    LINE_BAD_COUNT,
    LINE_BAD_OBJECT,
    LINE_COUNT_TOO_LARGE,
    LINE_NOT_OBJECT,
    LINE_REPEATED,
    LINE_UNKNOWN_COLUMN,
    LINES_EMPTY,
    LINES_NOT_LIST,
    LINES_TOO_MANY,
    InvalidInput,
    SELF_IN_LIST,
)
from .identifiers import (
    VALID_RIC,
    VALID_USCC,
    canonical,
    person_id_valid,
    person_id_valid_many,
    uscc_valid,
    uscc_valid_many,
)
from .money import INT64_SAFE_FEN, parse_money
from .vocabulary import KINDS, MAX_LINE_COUNT, MAX_LINES, Fact, Item, normal_identifier

_MISSING = object()
YEAR_MIN, YEAR_MAX = 1, 9999


def _year(v, field):
    if type(v) is not int:
        raise InvalidInput(field, NOT_INT)
    if not YEAR_MIN <= v <= YEAR_MAX:
        raise InvalidInput(field, YEAR_RANGE)
    return v


def _bool(v, field):
    if type(v) is not bool:
        raise InvalidInput(field, NOT_BOOL)
    return v


def _text(v, field):
    if type(v) is not str or not v.strip():
        raise InvalidInput(field, NOT_STRING)
    return v


def _date(v, field):
    ordinal = parse_iso(v) if type(v) is str else None
    if ordinal is None:
        raise InvalidInput(field, NOT_DATE)
    return ordinal


def _number(v, field):
    t = type(v)
    if t is bool or t not in (int, float, Decimal):
        raise InvalidInput(field, NOT_NUMBER)
    # Both readers (exact for batches, orjson for bulk) must see the same value: a float.
    try:
        f = float(v)
    except OverflowError:
        raise InvalidInput(field, NOT_NUMBER) from None
    if not math.isfinite(f) or f < 0:
        raise InvalidInput(field, NOT_NUMBER)
    return f


def _uscc_list(v, field):
    if type(v) is not list:
        raise InvalidInput(field, NOT_LIST)
    try:
        if VALID_USCC.issuperset(v):  # every code already checked once: count the distinct ones
            return len(set(v))
    except TypeError:
        pass  # an unhashable element: checked one by one below
    seen = set()
    for i, code in enumerate(v):
        if type(code) is not str or not uscc_valid(code):
            raise InvalidInput(field, BAD_USCC_IN_LIST.format(index=i + 1))
        seen.add(canonical(code))
    return len(seen)


def _enum_checker(fact: Fact):
    options = frozenset(fact.options)
    message = BAD_ENUM.format(options=", ".join(fact.options))

    def _enum(v, field):
        if type(v) is not str or v not in options:
            raise InvalidInput(field, message)
        return v

    return _enum


#: The careful check of each fact type: (value, field) → typed value, or InvalidInput.
_CHECKERS = {
    "year": _year,
    "money": parse_money,
    "bool": _bool,
    "text": _text,
    "date": _date,
    "number": _number,
    "uscc_list": _uscc_list,
}


def _uscc_list_all(v, field):
    """Like `_uscc_list`, counting every code listed (a client served twice counts twice)."""
    _uscc_list(v, field)
    return len(v)


def _not_applicant(codes, field: str, applicant: str) -> None:
    """A list of codes may not hold the applicant's own (a provider counting itself as a client)."""
    if type(codes) is not list:
        return
    for i, code in enumerate(codes):
        if type(code) is str and code.strip().upper() == applicant.upper():
            raise InvalidInput(field, SELF_IN_LIST.format(index=i + 1))


def _self_listed(facts, fact_cols, aids) -> set[int]:
    """The rows whose list of codes (a fact with `not_applicant`) holds their applicant's own:
    the careful reader names the field."""
    out: set[int] = set()
    for fact, col in zip(facts, fact_cols):
        if fact.not_applicant:
            for j, (codes, aid) in enumerate(zip(col, aids)):
                if type(codes) in (list, tuple) and type(aid) is str and aid.upper() in {str(c).strip().upper() for c in codes}:
                    out.add(j)
    return out


def _optional_date(v, field):
    """A date that may be left out (None): 0 then, which no date is."""
    return 0 if v is None else _date(v, field)


def _lines_checker(fact: Fact):
    """The check of a `lines` fact (清单): a list of lines {category, count[, object]}, each error
    naming the line and its column (「第2行·数量：应为正整数」, field facts.x[2].count); the typed
    value is a tuple of (category, count, object in its normal form or None)."""
    cols = fact.columns
    assert cols is not None, "a lines fact has its columns"
    has_object = cols.object_label is not None
    known = ("category", "count", "object") if has_object else ("category", "count")
    object_word = "、object" if has_object else ""
    options = frozenset(cols.options)
    option_words = "、".join(f"{k}（{v}）" for k, v in cols.options.items())
    patent = cols.object_normal == "patent_number"

    def check(v, field):
        if type(v) is not list:
            raise InvalidInput(field, LINES_NOT_LIST.format(object=object_word))
        if not v:
            raise InvalidInput(field, LINES_EMPTY)
        if len(v) > MAX_LINES:
            raise InvalidInput(field, LINES_TOO_MANY.format(most=MAX_LINES, got=len(v)))
        out = []
        seen = {}
        for k, line in enumerate(v, 1):
            at = f"{field}[{k}]"
            if type(line) is not dict:
                raise InvalidInput(at, LINE_NOT_OBJECT.format(line=k, object=object_word))
            for column in line:
                if column not in known:
                    raise InvalidInput(f"{at}.{column}", LINE_UNKNOWN_COLUMN.format(
                        line=k, column=column, known="、".join(known)))
            cat = line.get("category")
            if type(cat) is not str or cat not in options:
                raise InvalidInput(f"{at}.category", LINE_BAD_CATEGORY.format(
                    line=k, column=cols.category_label, options=option_words))
            count = line.get("count")
            if type(count) is not int or count <= 0:
                raise InvalidInput(f"{at}.count", LINE_BAD_COUNT.format(line=k, column=cols.count_label))
            if count > MAX_LINE_COUNT:
                raise InvalidInput(f"{at}.count", LINE_COUNT_TOO_LARGE.format(
                    line=k, column=cols.count_label, most=MAX_LINE_COUNT))
            obj = None
            if has_object:
                raw = line.get("object")
                obj = normal_identifier(raw, patent) if type(raw) is str else ""
                if not obj:
                    raise InvalidInput(f"{at}.object", LINE_BAD_OBJECT.format(line=k, column=cols.object_label))
            first = seen.setdefault((obj, cat), k)
            if first != k:
                what = f"{cols.object_label}和{cols.category_label}" if has_object else cols.category_label
                raise InvalidInput(at, LINE_REPEATED.format(line=k, first=first, what=what))
            out.append((cat, count, obj))
        return tuple(out)

    return check


def _checker(fact: Fact, interp: dict | None = None):
    if fact.type == "lines":
        return _lines_checker(fact)
    if fact.type == "enum":
        return _enum_checker(fact)
    if fact.type == "uscc_list" and fact.reads(interp, "count_all"):
        return _uscc_list_all
    if fact.type == "date" and fact.optional and fact.default is None:
        return _optional_date
    return _CHECKERS[fact.type]


def _empty(fact: Fact):
    """The value of an optional fact left out that has no default (a date: 0)."""
    return 0 if fact.type == "date" else None


class _YearOf(dict):
    """date ordinal → its calendar year (a dict hit for the few thousand dates of a stream)."""

    def __missing__(self, ordinal: int) -> int:
        y = date.fromordinal(ordinal).year
        if len(self) < 1 << 16:
            self[ordinal] = y
        return y


year_of = _YearOf().__getitem__


def _after_type(fact: Fact, value, field: str, event: int | None, interp: dict | None = None):
    """What a fact's type asks beyond its form (contract v2): identifiers in their normal form
    (not empty), money bases more than 0, years no later than the event's."""
    if fact.normal is not None:
        value = fact.normal_form(value)
        if not value:
            raise InvalidInput(field, NOT_STRING)
    elif fact.positive and value == 0:
        raise InvalidInput(field, MONEY_ZERO)
    elif fact.whole and value != int(value):
        raise InvalidInput(field, NOT_WHOLE)
    elif fact.type == "year" and event is not None and value > year_of(event):
        raise InvalidInput(field, YEAR_AFTER_EVENT.format(year=year_of(event)))
    # An option read as another (alias_when) is kept as declared here: the columns read it (build).
    return value


def _after_type_columns(facts, values: list, events: list, bad: set, interp: dict | None = None,
                        refused: dict | None = None) -> None:
    """`_after_type` over the columns of a chunk (values in `facts` order), in place: normal
    forms taken, claims that fail added to `bad` (the careful reader then names the field).

    With `refused`, a claim that fails on a fact it must carry is not sent to the careful reader:
    its error — the field and message `_after_type` would raise — goes into `refused` (position →
    InvalidInput), for the first such fact in the item's order, which is the one the careful
    reader names (the caller sends a claim that is also in `bad` to the careful reader). An
    optional fact may have been filled with its default, which the careful reader never checks,
    so its failures stay doubts."""
    years = None

    def fail(rows, fact, message):
        if refused is None or fact.optional:
            bad.update(rows)
            return
        field = "facts." + fact.name
        for j in rows:
            if j not in refused:
                refused[j] = InvalidInput(field, message(j))

    for fact, i in zip(facts, range(len(values))):
        col = values[i]
        if fact.normal is not None:
            col = values[i] = (fact.normal_forms(col) if set(map(type, col)) == {str}
                               else [fact.normal_form(v) for v in col])
            if not all(col):
                fail([j for j, v in enumerate(col) if not v], fact, lambda j: NOT_STRING)
        elif fact.positive:
            if 0 in col:
                fail([j for j, v in enumerate(col) if v == 0], fact, lambda j: MONEY_ZERO)
        elif fact.whole:
            broken = [j for j, v in enumerate(col) if v is not None and v != int(v)]
            if broken:
                fail(broken, fact, lambda j: NOT_WHOLE)
        elif fact.type == "year":
            if years is None:
                years = list(map(year_of, events)) if None not in events else [
                    year_of(e) if e is not None else 9999 for e in events]
            if any(map(int.__gt__, [v if type(v) is int else 0 for v in col], years)):
                fail([j for j, (v, y) in enumerate(zip(col, years)) if type(v) is int and v > y], fact,
                     lambda j: YEAR_AFTER_EVENT.format(year=years[j]))


def _needless(facts, cols: list, by_name: dict) -> list:
    """Columns with the values of facts not needed for the claim (`Fact.needless_when`) set to
    a placeholder that passes the column checks; `_blank_needless` then empties them."""
    out = list(cols)
    for i, fact in enumerate(facts):
        if fact.needless_when is not None:
            other, values = fact.needless_when
            other_col = cols[by_name[other]]
            out[i] = ["-" if type(o) is str and o in values else v for o, v in zip(other_col, cols[i])]
    return out


def _blank_needless(facts, values: list, by_name: dict, aids: list) -> None:
    """The values of facts not needed replaced by the applicant's code (upper case), which stands
    for them in keys: an organisation award is the organisation's, whatever title it gives."""
    for i, fact in enumerate(facts):
        if fact.needless_when is not None:
            other, skip = fact.needless_when
            values[i] = [a.upper() if type(o) is str and o in skip else v
                         for o, v, a in zip(values[by_name[other]], values[i], aids)]


_DTYPES = {
    "year": np.int64,
    "money": np.int64,
    "bool": bool,
    "date": np.int64,
    "number": np.float64,
    "uscc_list": np.int64,
    "lines": object,
    "enum": object,
    "text": object,
}


class Columns:
    """One item's claims as columns: numpy arrays, one element per claim, in batch order."""

    #: fact → the values as the claims declared them, where the rules read them otherwise
    #: (an option read as another under an interpretation): explanations show these.
    declared: dict = {}

    def __init__(self, item: Item, n: int, pos, ids, applicant, name, kind, in_zone, sme, event, facts):
        self.item = item
        self.n = n
        self.pos = pos
        self.ids = ids
        self.applicant = applicant
        self.name = name
        self.kind = kind
        self.in_zone = in_zone
        self.sme = sme
        self.event = event
        self.facts = facts

    def row(self, i: int) -> dict:
        """One claim back as Python values, for its explanation."""
        return {
            "id": self.ids[i],
            "applicant": self.applicant[i],
            "name": self.name[i],
            "kind": self.kind[i],
            "in_zone": bool(self.in_zone[i]),
            "sme": bool(self.sme[i]),
            "event": int(self.event[i]),
            "facts": {k: _py(v[i]) for k, v in self.facts.items()},
            "declared": {k: v[i] for k, v in self.declared.items()},
        }


def _py(x):
    return x.item() if hasattr(x, "item") else x


class ItemBuilder:
    """Collects the valid claims of one item and turns them into Columns."""

    def __init__(self, item: Item, interp: dict | None = None):
        self.item = item
        self.interp = interp or {}
        self.checks = tuple((f.name, "facts." + f.name, _checker(f, self.interp), f.optional, f.default, f)
                            for f in item.facts)
        self.reset()

    def reset(self):
        self.pos, self.ids, self.applicant, self.name, self.kind = [], [], [], [], []
        self.in_zone, self.sme, self.event = [], [], []
        self.facts = {f.name: [] for f in self.item.facts}

    def __len__(self):
        return len(self.pos)

    def add_facts(self, facts, event: int | None = None, applicant: str = "") -> list:
        """Validate the facts of one claim (raising InvalidInput); returns the typed values.
        `event`: the claim's event date (ordinal), which no year fact may come after."""
        if type(facts) is not dict:
            raise InvalidInput("facts", MISSING if facts is _MISSING else NOT_OBJECT_FIELD)
        out = []
        read: dict = {}
        for name, field, check, optional, default, fact in self.checks:
            v = facts.get(name, _MISSING)
            if fact.needless_when is not None:
                other, values = fact.needless_when
                if read.get(other) in values:  # not needed: the applicant stands for it in keys
                    read[name] = applicant
                    out.append(applicant)
                    continue
                if v is _MISSING:
                    raise InvalidInput(field, MISSING)
            elif v is _MISSING:
                if optional:
                    read[name] = value = check(default, field) if default is not None else _empty(fact)
                    out.append(value)
                    continue
                raise InvalidInput(field, MISSING)
            if fact.not_applicant and applicant:
                _not_applicant(v, field, applicant)
            read[name] = value = _after_type(fact, check(v, field), field, event, self.interp)
            out.append(value)
        return out

    def append(self, pos, cid, applicant, name, kind, in_zone, sme, event, values):
        self.pos.append(pos)
        self.ids.append(cid)
        self.applicant.append(applicant)
        self.name.append(name)
        self.kind.append(kind)
        self.in_zone.append(in_zone)
        self.sme.append(sme)
        self.event.append(event)
        for (fname, *_), v in zip(self.checks, values):
            self.facts[fname].append(v)

    def build(self) -> Columns:
        n = len(self.pos)
        facts = {}
        declared = {}
        for f in self.item.facts:
            dtype = _DTYPES[f.type]
            values = self.facts[f.name]
            if f.alias_when:  # the rules read the option as another; the claim keeps what it declared
                declared[f.name] = values
                values = [f.alias(v, self.interp) for v in values]
            if f.type == "money" and values and max(values) > INT64_SAFE_FEN:
                dtype = object  # exact Python integers for amounts int64 sums could overflow
            if f.type == "lines":  # tuples of lines: one element each, never broadcast as an array
                arr = np.empty(n, dtype=object)
                for i, v in enumerate(values):
                    arr[i] = v
            elif dtype is object:
                arr = np.empty(n, dtype=object)
                arr[:] = values
            else:
                arr = np.array(values, dtype=dtype)
            facts[f.name] = arr
        applicant = np.empty(n, dtype=object)
        applicant[:] = self.applicant
        kind = np.empty(n, dtype=object)
        kind[:] = self.kind
        cols = Columns(
            self.item,
            n,
            np.array(self.pos, dtype=np.int64),
            self.ids,
            applicant,
            self.name,
            kind,
            np.array(self.in_zone, dtype=bool),
            np.array(self.sme, dtype=bool),
            np.array(self.event, dtype=np.int64),
            facts,
        )
        cols.declared = declared
        self.reset()
        return cols


def encodable(text: str) -> bool:
    """Whether the text can be written as UTF-8 (ASCII is told in constant time)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _nothing(_obj) -> None:
    return None


def unencodable_field(obj) -> str | None:
    """The first field of a claim (dotted, as errors name fields) holding text that cannot be
    written as UTF-8 — a lone UTF-16 surrogate, which only a JSON escape such as "\\ud800" makes —
    or None. A key counts as its object's field. Such text could never be written back in a
    decision, so a claim holding it is invalid input wherever it is.

    Told at once (orjson writes the claim, in C) for the claims that have none — every text of
    them UTF-8 — and field by field for the others, which orjson refuses (as it refuses anything
    else it cannot write: the walk below is the answer)."""
    try:
        orjson.dumps(obj, default=_nothing, option=orjson.OPT_NON_STR_KEYS)
        return None
    except (TypeError, ValueError):
        pass
    stack = [("", obj)]
    while stack:
        path, v = stack.pop()
        if type(v) is str:
            if not encodable(v):
                return path or "claim"
        elif type(v) is dict:
            items = list(v.items())
            for k, _ in items:
                if type(k) is str and not encodable(k):
                    return path or "claim"
            stack.extend((f"{path}.{k}" if path else str(k), x) for k, x in reversed(items))
        elif type(v) is list:
            stack.extend((path, x) for x in reversed(v))
    return None


class ClaimReader:
    """Validates claims of the contract's format and routes them to their item's builder."""

    def __init__(self, items: dict[str, Item], interp: dict | None = None):
        self.interp = interp or {}
        self.builders = _Lazy(items, lambda item: ItemBuilder(item, self.interp))
        self._kind_message = BAD_KIND.format(options=", ".join(KINDS))
        self._kinds = frozenset(KINDS)

    def read(self, pos: int, obj) -> None:
        """Validate one claim and append it; raises InvalidInput naming the first bad field."""
        if type(obj) is not dict:
            raise InvalidInput("claim", NOT_OBJECT_FIELD)
        field = unencodable_field(obj)
        if field is not None:
            raise InvalidInput(field, NOT_ENCODABLE)
        cid = obj.get("id")
        if type(cid) is not str:
            raise InvalidInput("id", NOT_STRING)
        item_id = obj.get("item")
        builder = self.builders.get(item_id) if type(item_id) is str else None
        if builder is None:
            raise InvalidInput("item", MISSING if item_id is None else UNKNOWN_ITEM.format(value=item_id))
        applicant = obj.get("applicant")
        if type(applicant) is not dict:
            raise InvalidInput("applicant", MISSING if applicant is None else NOT_OBJECT_FIELD)
        kind = applicant.get("kind")
        if type(kind) is not str or kind not in self._kinds:
            raise InvalidInput("applicant.kind", MISSING if kind is None else self._kind_message)
        aid = applicant.get("id")
        if kind == "person":
            if type(aid) is not str or not person_id_valid(aid):
                raise InvalidInput("applicant.id", MISSING if aid is None else BAD_RIC)
        elif type(aid) is not str or not uscc_valid(aid):
            raise InvalidInput("applicant.id", MISSING if aid is None else BAD_USCC)
        in_zone = applicant.get("in_zone")
        if type(in_zone) is not bool:
            raise InvalidInput("applicant.in_zone", MISSING if in_zone is None else NOT_BOOL)
        sme = applicant.get("sme", False)
        if type(sme) is not bool:
            raise InvalidInput("applicant.sme", NOT_BOOL)
        name = applicant.get("name")
        if name is not None and type(name) is not str:
            raise InvalidInput("applicant.name", NOT_STRING)
        ev = obj.get("event_date")
        event = parse_iso(ev) if type(ev) is str else None
        if event is None:
            raise InvalidInput("event_date", MISSING if ev is None else NOT_DATE)
        values = builder.add_facts(obj.get("facts", _MISSING), event, canonical(aid))
        builder.append(pos, cid, canonical(aid), name, kind, in_zone, sme, event, values)

    def columns(self) -> list[Columns]:
        return [b.build() for b in list(self.builders.values()) if len(b)]


class _Lazy(dict):
    """item id → a per-item helper, made the first time the item is met (most batches hold few
    items, and a single-claim evaluation should not pay for the other twenty)."""

    def __init__(self, items: dict, make):
        super().__init__()
        self.items = items  # type: ignore[assignment,method-assign]  # (shadows dict.items, never called here)
        self.make = make

    def __missing__(self, item_id):
        item = self.items.get(item_id)
        if item is None:
            raise KeyError(item_id)
        value = self[item_id] = self.make(item)
        return value

    def get(self, item_id, default=None):
        try:
            return self[item_id]
        except (KeyError, TypeError):
            return default

    def __contains__(self, item_id):
        return item_id in self.items


# ---------------------------------------------------------------------------------------------
# The fast path: a whole chunk of claims checked column by column. A column whose every value is
# well-formed passes at C speed (type sets, set inclusion, cached identifier checks); a claim
# with any doubtful value is handed to `ClaimReader.read`, which remains the definition of what is
# valid and which field is reported. So the fast path can only ever agree with the slow one.


def _types(col) -> set:
    return set(map(type, col))


def _fast_year(col):
    if _types(col) == {int} and YEAR_MIN <= min(col) and max(col) <= YEAR_MAX:
        return col, ()
    return col, [i for i, v in enumerate(col) if type(v) is not int or not YEAR_MIN <= v <= YEAR_MAX]


def _fast_bool(col):
    if _types(col) == {bool}:
        return col, ()
    return col, [i for i, v in enumerate(col) if type(v) is not bool]


def _fast_text(col):
    if _types(col) == {str} and all(map(str.strip, col)):
        return col, ()
    return col, [i for i, v in enumerate(col) if type(v) is not str or not v.strip()]


def _fast_enum(options):
    def check(col):
        try:
            if set(col) <= options:
                return col, ()
        except TypeError:
            pass
        return col, [i for i, v in enumerate(col) if type(v) is not str or v not in options]

    return check


def _fast_money_one(v):
    if type(v) is str:
        if len(v) > 3 and v[-3] == ".":  # the usual "1234.56"
            digits = v[:-3] + v[-2:]
            if digits.isdigit() and digits.isascii() and len(digits) <= 14:
                return int(digits)
        elif v.isdigit() and v.isascii() and len(v) <= 12:
            return int(v) * 100
        return None
    if type(v) is int and 0 <= v <= 100_000_000_000:
        return v * 100
    return None  # floats, one decimal, and everything else: the exact reader decides


_PLAIN_YUAN = re.compile(r"(?:\d{1,12}(?:\.\d\d?)?\n)*\Z", re.ASCII)


def _yuan_text_fen(s: str) -> int:
    if s[-3:-2] == ".":
        return int(s.replace(".", ""))
    whole, _, frac = s.partition(".")
    return int(whole) * 100 + (int(frac) * 10 if frac else 0)


_TWO_DECIMALS = re.compile(r"(?:\d{1,12}\.\d\d\n)*\Z", re.ASCII)
_WHOLE_YUAN = re.compile(r"(?:\d{1,12}\n)*\Z", re.ASCII)


def _money_strings(col):
    """Yuan strings "123" / "123.4" / "123.45" → fen: one regex over the whole column proves the
    form, then each converts with int(); None when any string is not of that plain form. A column
    all of one form ("123.45" everywhere, or "123" everywhere) converts in one C-level map."""
    text = "\n".join(col) + "\n"
    if text.count("\n") != len(col):  # a value may hold a "\n" too
        return None
    if _TWO_DECIMALS.match(text) is not None:
        return list(map(int, text.replace(".", "").split("\n")[:-1]))
    if _WHOLE_YUAN.match(text) is not None:
        return [fen * 100 for fen in map(int, col)]
    if _PLAIN_YUAN.match(text) is None:
        return None
    return list(map(_yuan_text_fen, col))


def _fast_money(col):
    if _types(col) == {str}:
        out = _money_strings(col)
        if out is not None:
            return out, ()
    out = list(map(_fast_money_one, col))
    if None in out:
        return out, [i for i, v in enumerate(out) if v is None]
    return out, ()


def _fast_by_one(check):
    def fast(col):
        out, bad = [], []
        for i, v in enumerate(col):
            try:
                out.append(check(v, ""))
            except Exception:  # noqa: BLE001 - any doubt goes to the exact reader
                out.append(None)
                bad.append(i)
        return out, bad

    return fast


def _fast_checker(fact: Fact, interp: dict | None = None):
    """The column-wise check of a fact type; types without one check each value carefully."""
    if fact.type == "enum":
        return _fast_enum(frozenset(fact.options))
    fast = {"year": _fast_year, "bool": _fast_bool, "text": _fast_text, "money": _fast_money}.get(fact.type)
    return fast or _fast_by_one(_checker(fact, interp))


#: ISO date text → ordinal, for every valid date met (a few thousand distinct dates in practice).
DATES: dict[str, int] = {}


def _same(col):
    return col, ()


def _converted(item: Item, fact: Fact) -> bool:
    """Whether the compiled reader gives this fact converted (money as fen, a date as its
    ordinal) — what `_typed_checker` does to it here."""
    return fact.type in ("money", "date") and not any(
        f.needless_when is not None and f.needless_when[0] == fact.name for f in item.facts)


def _typed_checker(fact: Fact, interp: dict | None = None):
    """What is left to check of a fact `wire` has decoded (its type and form are already sure)."""
    if fact.type in ("year", "bool", "enum"):
        return _same
    if fact.type == "text":
        return _fast_text
    if fact.type == "money":
        return _fast_money  # integers are in range already; text gets its form checked here
    if fact.type == "date":
        if fact.optional and fact.default is None:
            return lambda col: ([0 if d is None else d.toordinal() for d in col], ())
        return lambda col: (list(map(date.toordinal, col)), ())
    if fact.type == "uscc_list":
        return _typed_uscc_list_all if fact.reads(interp, "count_all") else _typed_uscc_list
    return _fast_by_one(_checker(fact, interp))  # number


def _event_one(v):
    if type(v) is not str:
        return None
    ordinal = parse_iso(v)
    if ordinal is not None and len(DATES) < 1 << 16:
        DATES[v] = ordinal
    return ordinal


def _ids_known(kinds, aids) -> bool:
    """Every identifier already found valid for its kind (a set inclusion, at C speed)."""
    try:
        if "person" not in kinds:
            return VALID_USCC.issuperset(aids)
        if set(kinds) == {"person"}:
            return VALID_RIC.issuperset(aids)
        pairs = list(zip(kinds, aids))  # persons and organisations in one item (lawsuits, prizes)
        return VALID_RIC.issuperset([a for k, a in pairs if k == "person"]) and VALID_USCC.issuperset(
            [a for k, a in pairs if k != "person"]
        )
    except TypeError:
        return False


def bad_ids(kinds, aids) -> list[int]:
    """Positions whose identifier is not valid for its kind (the typed path: every id is a string
    of 18 characters), each kind's codes checked in one vectorised pass."""
    persons = [i for i, k in enumerate(kinds) if k == "person"] if "person" in kinds else []
    if not persons:
        return np.flatnonzero(~uscc_valid_many(aids)).tolist()
    bad = []
    if len(persons) < len(kinds):
        orgs = [i for i, k in enumerate(kinds) if k != "person"]
        ok = uscc_valid_many([aids[i] for i in orgs])
        bad += [orgs[j] for j in np.flatnonzero(~ok).tolist()]
    ok = person_id_valid_many([aids[i] for i in persons])
    return bad + [persons[j] for j in np.flatnonzero(~ok).tolist()]


def _typed_uscc_list(col):
    """Lists of codes (strings, as `wire` guarantees): every code of the column checked in one
    vectorised pass; a list with a bad code goes to the careful reader, which names its place."""
    sizes = list(map(len, col))
    flat = list(chain.from_iterable(col))
    if not flat:
        return sizes, ()
    ok = uscc_valid_many(flat)
    bad = ()
    if not ok.all():
        bad = np.unique(np.repeat(np.arange(len(col)), sizes)[~ok]).tolist()
    joined = "".join(flat)
    if joined == joined.upper():
        return list(map(len, map(set, col))), bad
    return [len({canonical(code) for code in v}) for v in col], bad


def _typed_uscc_list_all(col):
    """`_typed_uscc_list`, counting every code listed."""
    sizes, bad = _typed_uscc_list(col)
    return list(map(len, col)), bad


def _id_ok(kind, aid):
    if type(aid) is not str:
        return False
    return person_id_valid(aid) if kind == "person" else uscc_valid(aid)


_EXTRACTORS: dict[str, object] = {}


class FastColumns:
    """Checks one item's claims of a chunk column by column and appends the sound ones.

    Each claim is first flattened into a tuple while its dict is still in the CPU cache (`extract`);
    the checks then run over the transposed columns.
    """

    def __init__(self, builder: ItemBuilder):
        self.builder = builder
        item = builder.item
        interp = builder.interp
        self.interp = interp
        self.facts = tuple((f.name, _fast_checker(f, interp), f.optional, f.default) for f in item.facts)
        self.typed = tuple((f.name, _typed_checker(f, interp), f.type) for f in item.facts)
        # The compiled reader converts money to fen and dates to ordinals itself (wire.compiled_type).
        self.compiled = tuple((name, _same if _converted(item, f) else check, kind)
                              for (name, check, kind), f in zip(self.typed, item.facts))
        self.fact_list = item.facts
        self.fact_index = {f.name: i for i, f in enumerate(item.facts)}
        self.needless = any(f.needless_when is not None for f in item.facts)
        self.self_check = any(f.not_applicant for f in item.facts)
        self.after_type = any(f.normal or f.positive or f.whole or f.type == "year" or f.alias_when for f in item.facts)
        self.kinds = frozenset(KINDS)
        self._struct_order: dict[type, list[int]] = {}
        self.refused: dict[int, tuple[str, InvalidInput]] = {}
        fact_gets = "".join(f"f.get({f.name!r}, _M), " for f in item.facts)
        # A generated function: one attribute fetch per field, no loop (like namedtuple does).
        src = (
            "def extract(o, _M=_M, dict=dict, type=type):\n"
            "    a = o.get('applicant'); f = o.get('facts')\n"
            "    if type(a) is not dict or type(f) is not dict: return None\n"
            "    return (a.get('kind'), a.get('id'), a.get('in_zone'), a.get('sme', False), a.get('name'),\n"
            f"            o.get('event_date'), o['id'], {fact_gets})\n"
        )
        self.extract = _EXTRACTORS.get(src)
        if self.extract is None:
            scope = {"_M": _MISSING}
            exec(compile(src, f"<extract {item.id}>", "exec"), scope)  # noqa: S102 - generated from the item's own facts
            self.extract = _EXTRACTORS[src] = scope["extract"]

    def add(self, rows: list[int], tuples: list[tuple]) -> list[int]:
        """Append the sound claims (as `extract` tuples); return the positions that need the exact
        reader."""
        if not rows:
            return []
        return self.add_columns(rows, list(zip(*tuples)))

    def add_structs(self, rows: list[int], structs: list) -> list[int]:
        """The same for claims decoded by `wire` (typed structs, facts already type-checked)."""
        return self.add_columns(rows, self.transpose(structs), typed=True)

    def transpose(self, structs: list) -> list:
        """Typed structs of this item as columns, in `add_columns`' order."""
        from msgspec.structs import astuple  # bulk only: single claims need not import msgspec

        # Transposed at C speed: each struct to a tuple, then zip(*) (see wire for the field order).
        cids, apps, events, facts = zip(*map(astuple, structs))
        a_ids, kinds, in_zone, sme, names = zip(*map(astuple, apps))
        fact_cols = list(zip(*map(astuple, facts)))
        order = self._struct_order.get(type(facts[0]))
        if order is None:
            fields = type(facts[0]).__struct_fields__
            order = self._struct_order[type(facts[0])] = [fields.index(name) for name, *_ in self.facts]
        return [kinds, a_ids, in_zone, sme, names, events, cids] + [fact_cols[i] for i in order]

    def add_columns(self, rows: list[int], cols: list, typed: bool = False, bad_applicants=None,
                    compiled: bool = False) -> list[int]:
        """Check the columns and append the sound claims. `typed`: the values come from `wire`,
        whose decoder already checked types, kinds, enums, year ranges, dates and money forms;
        what is left is what only Python knows (check characters, blank text, list codes).
        `bad_applicants`: where the applicant ids are invalid, if the caller checked them already
        (a whole block's at once costs far less than each item's apart). `compiled`: the columns
        come from the compiled reader (`wire.read_columns`), which gives the event date and date
        facts as ordinals and money as fen already."""
        if typed:
            return self._add_typed(rows, cols, bad_applicants, compiled)
        kinds, aids, in_zone, sme, names, raw_events, ids = cols[:7]
        bad: set[int] = set()
        try:
            kinds_ok = set(kinds) <= self.kinds
        except TypeError:
            kinds_ok = False
        if not kinds_ok:
            bad.update(i for i, k in enumerate(kinds) if type(k) is not str or k not in self.kinds)
        if not _ids_known(kinds, aids):
            ok = list(map(_id_ok, kinds, aids))
            if not all(ok):
                bad.update(i for i, v in enumerate(ok) if not v)
        for col in (in_zone, sme):
            bad.update(_fast_bool(col)[1])
        if not _types(names) <= {str, type(None)}:
            bad.update(i for i, v in enumerate(names) if v is not None and type(v) is not str)
        try:
            events = list(map(DATES.__getitem__, raw_events))
        except (KeyError, TypeError):
            events = list(map(_event_one, raw_events))
        if None in events:
            bad.update(i for i, v in enumerate(events) if v is None)
        values = []
        fact_cols = cols[7:]
        if self.self_check:
            bad.update(_self_listed(self.fact_list, fact_cols, aids))
        if self.needless:
            fact_cols = _needless(self.fact_list, fact_cols, self.fact_index)
        for (_name, check, optional, default), col in zip(self.facts, fact_cols):
            if optional and _MISSING in col:
                col = [default if v is _MISSING else v for v in col]
            vals, b = check(col)
            bad.update(b)
            values.append(vals)
        return self._finish(rows, bad, ids, names, kinds, aids, in_zone, sme, events, values)

    def _finish(self, rows, bad, ids, names, kinds, aids, in_zone, sme, events, values) -> list[int]:
        if self.needless:
            _blank_needless(self.fact_list, values, self.fact_index, aids)
        if self.after_type:
            refused: dict[int, InvalidInput] = {}
            _after_type_columns(self.fact_list, values, events, bad, self.interp, refused)
            for j, err in refused.items():
                if j not in bad:  # sound but for this fact: refused here, as the careful reader would
                    self.refused[rows[j]] = (ids[j], err)
                    bad.add(j)
            slow = self._append(rows, bad, ids, names, kinds, aids, in_zone, sme, events, values)
            return [p for p in slow if p not in self.refused] if refused else slow
        return self._append(rows, bad, ids, names, kinds, aids, in_zone, sme, events, values)

    def take_refused(self) -> dict[int, tuple[str, InvalidInput]]:
        """The claims `add_columns` refused itself since the last call: position → (id, error)."""
        out, self.refused = self.refused, {}
        return out

    def _add_typed(self, rows: list[int], cols: list, bad_applicants=None, compiled: bool = False) -> list[int]:
        kinds, aids, in_zone, sme, names, events, ids = cols[:7]
        bad: set[int] = set(bad_ids(kinds, aids) if bad_applicants is None else bad_applicants)
        if not compiled:
            events = list(map(date.toordinal, events))
        values = []
        fact_cols = cols[7:]
        if self.self_check:
            bad.update(_self_listed(self.fact_list, fact_cols, aids))
        if self.needless:
            fact_cols = _needless(self.fact_list, fact_cols, self.fact_index)
        for (_name, check, _kind), col in zip(self.compiled if compiled else self.typed, fact_cols):
            vals, b = check(col)
            bad.update(b)
            values.append(vals)
        return self._finish(rows, bad, ids, names, kinds, aids, in_zone, sme, events, values)

    def _append(self, rows, bad, ids, names, kinds, aids, in_zone, sme, events, values) -> list[int]:
        slow = []
        if bad:
            slow = [rows[i] for i in sorted(bad)]
            keep = [i for i in range(len(rows)) if i not in bad]
            rows = [rows[i] for i in keep]
            ids, names, kinds, aids = ([col[i] for i in keep] for col in (ids, names, kinds, aids))
            in_zone, sme, events = ([col[i] for i in keep] for col in (in_zone, sme, events))
            values = [[col[i] for i in keep] for col in values]
        b = self.builder
        b.pos += rows
        b.ids += ids
        joined = "".join(aids)  # valid codes only (ASCII): upper-cased one by one only if some need it
        b.applicant += aids if joined == joined.upper() else map(str.upper, aids)
        b.name += names
        b.kind += kinds
        b.in_zone += in_zone
        b.sme += sme
        b.event += events
        for (name, *_), vals in zip(self.facts, values):
            b.facts[name] += vals
        return slow
