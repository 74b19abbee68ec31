"""Evaluation: claims (in order) + what was already awarded + interpretation choices → decisions.

Two passes. The *static* pass runs each item's rule over its columns at once: validity, zone,
applicant kind, SME status, the rule's conditions and its formula — vectorised, so one claim and a
million cost the same code. The *ledger* pass (ledger.py) then decides the surviving claims in
batch order, as if one after another: a duplicate key already taken, a top-up already paid, a cap
group already used. Decisions come out as dicts (with explanations) or encoded JSON lines (bulk).

When the claims are to be explained, both passes record their steps as they take them — the static
pass the validity bounds it applied, each condition's mask (and what the test compared) and the
formula's steps (`StaticResult.trace`), the ledger pass each claim's key, top-up, groups and caps
(`StaticResult.info`) — and `trace_of` gives one claim's record (trace.ClaimTrace), which the
explanation renders (explain.py computes nothing). Bulk evaluation records nothing.
"""

from __future__ import annotations

import gc
import operator
from bisect import bisect_right
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import chain, repeat

import numpy as np

from .claims import ClaimReader, Columns, FastColumns, bad_ids, encodable, unencodable_field
from .claim_ids import ClaimIds
from .ledger import _NO_KEY, CAP_REACHED, DUPLICATE, OK, Ledger, caps_at_once, keys_at_once, one_by_one, shared_one_by_one
from .errors import (
    DUPLICATE_ID,
    HISTORY_POLICY,
    MONEY_FORMAT,
    HISTORY_INVALID,
    HISTORY_NO_AMOUNT,
    BatchError,
    InvalidInput,
)
from .money import InexactFloat, fen_to_yuan, parse_money
from . import validity
from .trace import Checked, ClaimTrace, one_claim
from .vocabulary import REASON_ORDER, Item

# the compiled reader and encoder of bulk evaluation; None where it is not built (or disabled):
# the encoding below does the same
from .compiled import columns as _columns

STATIC_REASONS = REASON_ORDER[:7]  # the ledger pass adds duplicate and cap_reached


@contextmanager
def no_gc():
    """Cyclic garbage collection paused: evaluation allocates millions of short-lived containers
    and no cycles, and the collector would otherwise re-walk every live one again and again."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@lru_cache(maxsize=1 << 12)
def _year_of(ordinal: int) -> int:
    return date.fromordinal(ordinal).year


@lru_cache(maxsize=1 << 10)
def _decode(flags: int) -> tuple[str, ...]:
    return tuple(r for bit, r in enumerate(STATIC_REASONS) if flags >> bit & 1)


class StaticResult:
    """The static pass over one item's columns."""

    __slots__ = ("cols", "fen", "cut", "flags", "final", "status", "capped", "info", "rows", "fields", "spanning",
                 "trace")

    def __init__(self, cols: Columns, fen, cut, flags, trace: "StaticTrace | None" = None):
        self.cols = cols
        self.fen = fen
        self.cut = cut
        self.flags = flags
        self.final = np.zeros(cols.n, dtype=fen.dtype)
        self.status = np.zeros(cols.n, dtype=np.int8)
        self.capped = cut.copy()
        self.info: dict[int, dict] = {}
        self.rows = None  # the statically eligible rows, in batch order
        self.fields = None  # their duplicate keys, top-up groups, cap groups and caps
        self.spanning = None  # their caps and matters spanning items (Evaluator._shared_fields), if any
        self.trace = trace  # what the static pass recorded, when the claims are to be explained

    def shippable(self) -> "StaticResult":
        """The result without the columns the ledger pass and the encoder do not read, so that it
        travels cheaply from a worker process."""
        c = self.cols
        self.cols = Columns(c.item.id, c.n, c.pos, c.ids, None, None, None, None, None, None, None)
        return self

    def __getstate__(self):
        # Lists of strings (the ids, the duplicate keys) travel as one joined string each: the
        # pickler would otherwise write and memoise every string of them apart.
        state = {k: getattr(self, k) for k in self.__slots__}
        c = self.cols
        if c.applicant is None:  # shippable: only what the main process reads
            state["cols"] = (c.item, c.n, c.pos, _packed(c.ids))
        if self.fields is not None:
            state["fields"] = (_packed(self.fields[0]), *self.fields[1:])
        return state

    def __setstate__(self, state):
        cols = state.pop("cols")
        if type(cols) is tuple:
            item, n, pos, ids = cols
            cols = Columns(item, n, pos, _unpacked(ids), None, None, None, None, None, None, None)
        fields = state.pop("fields")
        if fields is not None:
            fields = (_unpacked(fields[0]), *fields[1:])
        self.cols, self.fields = cols, fields
        for k, v in state.items():
            setattr(self, k, v)


class StaticTrace:
    """What the static pass recorded over one item's columns as it computed (per-claim arrays):
    the validity bounds it applied, each condition's mask and the values its test compared, the
    formula's steps; and the parts of the key and cap group the ledger files the claims under."""

    __slots__ = ("first", "last", "conditions", "formula", "key_fields", "cap_fields")

    def __init__(self, first, last, conditions: list, formula: dict, key_fields, cap_fields):
        self.first, self.last = first, last
        self.conditions = conditions  # (condition, in force, mask, values or None), in the item's order
        self.formula = formula
        self.key_fields, self.cap_fields = key_fields, cap_fields


#: Between the strings of a packed list; a list whose strings hold it travels as it is.
_PACK_SEP = "\x00"


class _Packed(str):
    """A list of strings joined by _PACK_SEP, as it travels between processes."""

    __slots__ = ()


def _packed(values):
    if type(values) is not list or not values or type(values[0]) is not str:
        return values
    try:
        joined = _PACK_SEP.join(values)
    except TypeError:  # not all strings
        return values
    return _Packed(joined) if joined.count(_PACK_SEP) == len(values) - 1 else values


def _unpacked(values):
    return values.split(_PACK_SEP) if type(values) is _Packed else values


class Evaluator:
    """Evaluates batches of one policy in order, keeping the ledger between calls (streaming)."""

    def __init__(self, policy, interpretations: dict[str, str] | None = None, *, explainable: bool = True):
        """`explainable`: decisions may be explained, so the ledger keeps which claim holds each
        duplicate key and keys keep their parts; a stream that is never explained keeps neither
        (see `Ledger` and `_compact_keys`) and so much less memory."""
        self.policy = policy
        self.interp = policy.resolve_interpretations(interpretations)
        self.P = policy.params
        self.ledger = Ledger(holders=explainable, ledger_ids=policy.ledger_ids)
        self.explainable = explainable
        self.reader = ClaimReader(policy.items, self.interp)
        self.fast = _LazyFast(self.reader.builders)
        self.seen_ids = ClaimIds()  # every id met, however long the stream
        # Facts the platform knows (known.py): where each claim's came from, for its explanation.
        self.known_notes: dict[str, tuple] = {}
        self._templates: dict[str, dict] = {}
        # Readings of the validity period the register offers (policy.yaml `validity_readings`):
        # its last day one later (the start day not counted), and claims filed after it refused.
        self.start_shift = validity.start_shift(policy, self.interp)
        self.end_shift = validity.end_shift(policy, self.interp) + self.start_shift
        self.filing_fact = validity.filing_fact(policy, self.interp)
        self._relied = {
            item.id: [f"{iid}={self.interp[iid]}"
                      for iid in dict.fromkeys(item.interpretations + _shared_ids(policy, item) + _validity_ids(policy))
                      if iid in self.interp]
            for item in policy.items.values()
        }

    # -- reading ---------------------------------------------------------------------------

    def fill_known(self, claims: list, *, earlier=None, registers=None) -> tuple[list, dict[int, dict] | None]:
        """The claims with the facts the platform knows filled (derived, read from the ledger or a
        register), and the claims refused for stating one of them; unchanged for a policy that has
        none."""
        from .known import resolve, uses_known

        if not uses_known(self.policy):
            return claims, None
        resolved = resolve(self.policy, claims, earlier=earlier, registers=registers)
        if self.explainable:  # a stream never explained keeps no notes (its memory stays flat)
            self.known_notes.update(resolved.notes)
        return resolved.claims, resolved.refused

    def read_many(self, claims, source=None, refused: dict[int, dict] | None = None) -> dict[int, dict]:
        """Validate a chunk of claims (positions 0, 1, … in order) into the columns; returns the
        error decisions by position.

        `claims` may be a lazy iterable (bulk parses each line just before it is read, so the dict
        is still in cache). `source(pos)` gives a claim again, read exactly, for the careful reader
        (by default the object itself). Ids are checked first, in order: a repeated id is invalid
        whatever else the claim says.
        """
        if source is None:
            source = claims.__getitem__
        errors: dict[int, dict] = {}
        rows: dict[str, list[int]] = {}
        tuples: dict[str, list[tuple]] = {}
        careful: list = []
        seen, fast = self.seen_ids, self.fast
        for p, obj in enumerate(claims):
            if refused and p in refused:  # refused before reading (it states a fact the platform knows)
                cid = obj.get("id") if type(obj) is dict else None
                if type(cid) is str and cid in seen:
                    errors[p] = _error(obj, InvalidInput("id", DUPLICATE_ID.format(value=cid)))
                else:
                    if type(cid) is str:
                        seen.add(cid)
                    errors[p] = refused[p]
                continue
            if type(obj) is dict and unencodable_field(obj) is None:
                cid = obj.get("id")
                if type(cid) is str:
                    if cid in seen:
                        errors[p] = _error(obj, InvalidInput("id", DUPLICATE_ID.format(value=cid)))
                        continue
                    seen.add(cid)
                    item_id = obj.get("item")
                    reader = fast.get(item_id) if type(item_id) is str else None  # noqa: SIM401
                    if reader is not None:
                        t = reader.extract(obj)
                        if t is not None:
                            if item_id in rows:
                                rows[item_id].append(p)
                                tuples[item_id].append(t)
                            else:
                                rows[item_id] = [p]
                                tuples[item_id] = [t]
                            continue
            careful.append(p)
        for item_id, item_rows in rows.items():
            careful += fast[item_id].add(item_rows, tuples[item_id])
            _take_refused(fast[item_id], errors)
        for p in careful:
            self._read_exact(p, source, errors)
        return errors

    def read_structs(self, decoded: tuple[list, bool], source) -> dict[int, dict]:
        """Like `read_many`, for claims decoded by `wire.decode_chunk` (None: the careful reader
        reads `source(pos)`). Ids are registered strictly in position order, as `read_many` does.
        The loops are C-level maps: this runs once per claim of a million."""
        from . import wire

        structs, some_none = decoded
        careful: dict[int, object] = {}
        if some_none:
            ids: list = []
            for p, s in enumerate(structs):
                if s is None:
                    ids.append(self._careful_id(p, source, careful))
                else:
                    ids.append(s.id)
        else:
            ids = list(map(_ID, structs))
        errors: dict[int, dict] = {}
        repeated = self._register_ids(ids, some_none, careful, errors)
        _, item_of = wire.decoder(self.policy)
        keep = None
        if some_none or repeated:
            keep = [p for p, s in enumerate(structs) if s is not None and p not in repeated]
        staged = []
        for cls, rows in _group_by_type(structs, keep):
            fast = self.fast.get(item_of[cls])
            staged.append((fast, rows, fast.transpose(list(map(structs.__getitem__, rows)))))
        return self._read_staged(staged, careful, errors, source, compiled=False)

    def read_columns(self, block, source) -> dict[int, dict]:
        """Like `read_structs`, for a block the compiled reader read (`wire.read_columns`): each
        item's claims come as columns already; a doubtful line is read by `source(pos)`."""
        _n, ids, doubtful, _lines, groups = block
        careful: dict[int, object] = {}
        for p in doubtful:
            ids[p] = self._careful_id(p, source, careful)
        errors: dict[int, dict] = {}
        repeated = self._register_ids(ids, bool(doubtful), careful, errors)
        staged = []
        for item_id, rows, cols in groups:
            if repeated and not repeated.isdisjoint(rows):
                keep = [i for i, p in enumerate(rows) if p not in repeated]
                rows = [rows[i] for i in keep]
                cols = [[col[i] for i in keep] for col in cols]
                if not rows:
                    continue
            staged.append((self.fast.get(item_id), rows, cols))
        return self._read_staged(staged, careful, errors, source, compiled=True)

    @staticmethod
    def _careful_id(p, source, careful) -> str | None:
        obj = careful[p] = source(p)
        cid = obj.get("id") if type(obj) is dict else None
        # an id no decision could be written with is refused as such, never registered (as batch)
        return cid if type(cid) is str and encodable(cid) else None

    def _register_ids(self, ids: list, some_none: bool, careful: dict, errors: dict) -> set[int]:
        """Register the block's ids in position order; the positions whose id came before (in
        this block or an earlier one), each answered with its error here."""
        present = [cid for cid in ids if cid is not None] if some_none else ids
        seen = self.seen_ids
        repeated: set[int] = set()
        if not seen.add_new(present):  # some id came before: find which, all at once
            met = seen.met(ids if not some_none else [cid or "" for cid in ids])
            new: dict[str, None] = {}
            for p, cid in enumerate(ids):
                if cid is None:
                    continue
                if p in met or cid in new:
                    repeated.add(p)
                else:
                    new[cid] = None
            seen.add_new(list(new))
        for p in repeated:
            errors[p] = _error({"id": ids[p]}, InvalidInput("id", DUPLICATE_ID.format(value=ids[p])))
            careful.pop(p, None)  # a repeated id is invalid whatever else the claim says
        return repeated

    def _read_staged(self, staged: list, careful: dict, errors: dict, source, compiled: bool) -> dict[int, dict]:
        """Check each item's columns and append the sound claims; the applicant ids of all of
        them are checked in one pass; what the columns doubt, the careful reader reads."""
        bad = bad_ids(list(chain.from_iterable(c[0] for _, _, c in staged)),
                      list(chain.from_iterable(c[1] for _, _, c in staged)))
        bad_by_group: list[list[int]] = [[] for _ in staged]
        if bad:
            ends = np.cumsum([len(rows) for _, rows, _ in staged]).tolist()
            for b in bad:
                g = bisect_right(ends, b)
                bad_by_group[g].append(b - (ends[g - 1] if g else 0))
        for (fast, rows, cols), group_bad in zip(staged, bad_by_group):
            for p in fast.add_columns(rows, cols, typed=True, bad_applicants=group_bad, compiled=compiled):
                careful[p] = None
            _take_refused(fast, errors)
        for p, obj in careful.items():
            self._read_exact(p, (lambda _p, _o=obj: _o) if obj is not None else source, errors)
        return errors

    def _read_exact(self, pos, source, errors) -> None:
        obj = source(pos)
        try:
            self.reader.read(pos, obj)
        except InvalidInput as err:
            errors[pos] = _error(obj, err)
        except InexactFloat as err:  # a binary float the source cannot give again exactly
            errors[pos] = _error(obj, InvalidInput(err.args[0], MONEY_FORMAT))

    # -- history ---------------------------------------------------------------------------

    def add_history(self, awarded: list) -> None:
        """Take earlier awards as decided: their keys, cap use and top-ups, with their amounts.

        An award may name (`"policy"`) a predecessor this policy continues: it is read with that
        policy's items and interpretation defaults, and counts for the items continuing it."""
        by_policy: dict[str, list] = {}
        for index, obj in enumerate(awarded):
            pid = obj.get("policy", self.policy.id) if type(obj) is dict else self.policy.id
            by_policy.setdefault(pid, []).append(index)
        ancestors = {p.id: p for p in self.policy.ancestors()}
        for pid, indexes in by_policy.items():
            if pid == self.policy.id:
                self._add_history(awarded, indexes)
            elif pid in ancestors:
                Evaluator(ancestors[pid], explainable=self.explainable)._add_history(awarded, indexes, into=self)
            elif (other := self._sharing(pid)) is not None:
                # A policy whose items fall under a cap or group with this one's: its awards count there.
                Evaluator(other, explainable=self.explainable)._add_history(awarded, indexes, into=self)
            else:
                raise BatchError(HISTORY_POLICY.format(got=pid, want=self.policy.id))

    def _sharing(self, policy_id: str):
        """The installed policy `policy_id` when a cap or exclusive group spans its items and this
        policy's; else None."""
        from .policy import load_policy

        heads = {x.head for item in self.policy.items.values() for x in (*self.shared(item).caps, *self.shared(item).groups)}
        if not heads:
            return None
        try:
            other = load_policy(policy_id)
        except BatchError:
            return None
        theirs = {x.head for item in other.items.values()
                  for x in (*other.shared_for(item.id).caps, *other.shared_for(item.id).groups)}
        return other if heads & theirs else None

    def _add_history(self, all_awarded: list, indexes: list[int], into: "Evaluator | None" = None) -> None:
        awarded = _Subset(all_awarded, indexes)
        reader = ClaimReader(self.policy.items, self.interp)
        amounts = {}
        for index, obj in enumerate(awarded):
            try:
                reader.read(index, obj)
            except InvalidInput as err:
                raise BatchError(HISTORY_INVALID.format(index=awarded.at(index), field=err.field, message=err.message)) from None
            except InexactFloat:
                raise BatchError(HISTORY_INVALID.format(index=awarded.at(index), field="facts", message="金额须精确（最多两位小数）")) from None
            try:
                amounts[index] = parse_money(obj.get("amount"), "amount") if "amount" in obj else None
            except (InvalidInput, InexactFloat) as err:
                raise BatchError(HISTORY_NO_AMOUNT.format(index=awarded.at(index), message=getattr(err, "message", "金额须精确"))) from None
            if amounts[index] is None:
                raise BatchError(HISTORY_NO_AMOUNT.format(index=awarded.at(index), message="缺少必填项"))
        entries = []
        for cols in reader.columns():
            every = np.arange(cols.n)
            keys, tops, groups, _ = self._ledger_fields(cols, every)
            if self.shared(cols.item):
                shared_caps, matters = self._shared_fields(cols, every)
            else:
                shared_caps = matters = [()] * cols.n
            none = [None] * cols.n
            for j, (key, top, group) in enumerate(zip(keys or none, tops or none, groups or none)):
                pos = int(cols.pos[j])
                entries.append((pos, cols.item.ledger_id, cols.ids[j], keys is not None, key, top, group, amounts[pos],
                                [c[0] for c in shared_caps[j]] + [m[0] for m in matters[j]]))
                if keys is not None and self.explainable:
                    (into or self).ledger.remember(cols, j)
        led = (into or self).ledger
        for _, ledger_id, cid, keyed, key, top, group, fen, buckets in sorted(entries, key=lambda e: e[0]):
            if keyed:  # a one-fact key is the value itself, which may be None
                led.taken_for(ledger_id).setdefault(key, led.holder(cid))
            if top is not None:
                led.paid[top] = led.paid.get(top, 0) + fen
            if group is not None:
                led.used[group] = led.used.get(group, 0) + fen
            for bucket in buckets:  # shared caps (used) and matters (paid) are kept apart by their heads
                target = led.paid if "/matter:" in bucket[0] else led.used
                target[bucket] = target.get(bucket, 0) + fen

    # -- the two passes --------------------------------------------------------------------

    def validity_end(self, events):
        """The last day of the validity period at these event dates, as the register reads it."""
        return validity.outside(self.P, events, self.end_shift)[1]

    def static(self, cols: Columns, trace: bool = False) -> StaticResult:
        """The static pass over one item's columns; `trace`: recording its steps (StaticTrace),
        for the claims' explanations."""
        item: Item = cols.item
        P, interp, ev = self.P, self.interp, cols.event
        masks = {}
        first, end = validity.bounds(P, ev, self.end_shift, self.start_shift)
        masks["outside_validity"] = (ev < first) | (ev > end)
        filing = self.filing_fact
        if filing is not None and filing in cols.facts:  # filed after the policy expired
            masks["outside_validity"] = masks["outside_validity"] | (cols.facts[filing] > end)
        if not item.zone_exempt:
            masks["not_in_zone"] = ~cols.in_zone
        allowed = _kind_in(cols.kind, item.kinds)
        if item.kinds_by is not None:
            fact, by_value = item.kinds_by
            for value, kinds in by_value.items():
                allowed = np.where(cols.facts[fact] == value, _kind_in(cols.kind, kinds), allowed)
        masks["applicant_kind"] = ~allowed
        if item.requires_sme:
            masks["not_sme"] = ~cols.sme
        formula: dict | None = {} if trace else None
        fen, cut = item.formula.compute(cols, P, interp, formula)
        fen = np.asarray(fen)
        fen = np.broadcast_to(fen if fen.dtype == object else fen.astype(np.int64), (cols.n,)).copy()
        conditions: list | None = [] if trace else None
        for cond in item.conditions:
            if conditions is None:
                m = cond.applies(cols, P, interp, fen)
            else:
                m, values = cond.trace(cols, P, interp, fen)
            m = np.broadcast_to(np.asarray(m, dtype=bool), (cols.n,))
            if conditions is not None:
                conditions.append((cond, cond.in_force(interp), m, values))
            masks[cond.reason] = masks[cond.reason] | m if cond.reason in masks else m
        flags = np.zeros(cols.n, dtype=np.int64)
        for bit, reason in enumerate(STATIC_REASONS):
            if reason in masks:
                flags |= masks[reason].astype(np.int64) << bit
        recorded = None
        if conditions is not None:
            recorded = StaticTrace(first, end, conditions, formula, item.key_fields(interp) or (), self._cap_fields(item))
        return StaticResult(cols, fen, np.asarray(cut, dtype=bool), flags, recorded)

    def trace_of(self, r: StaticResult, i: int, installments: tuple = ()) -> ClaimTrace:
        """Claim i's trace: what the static pass (r.trace, recorded with `static(…, trace=True)`)
        and the ledger pass (r.info, recorded one by one with explain) computed for it, with the
        facts the platform filled and the installments planned for its award."""
        t = r.trace
        if t is None:
            raise ValueError("this result recorded no trace: make it with static(cols, trace=True) to explain")
        item = r.cols.item
        row = r.cols.row(i)
        row["item"] = item.id
        checked = tuple(Checked(cond, in_force, bool(m[i]), None if values is None else one_claim(values, i))
                        for cond, in_force, m, values in t.conditions)
        return ClaimTrace(
            policy=self.policy, item=item, interp=self.interp, row=row,
            validity=(int(one_claim(t.first, i)), int(one_claim(t.last, i))), checked=checked,
            formula=one_claim(t.formula, i), ledger=r.info.get(i, {}), key_fields=t.key_fields, cap_fields=t.cap_fields,
            known=tuple(self.known_notes.get(row["id"], ())), installments=tuple(installments),
        )

    def _ledger_fields(self, cols: Columns, rows):
        """Duplicate keys, top-up groups, cap groups and caps of the given rows (Python values);
        each is None when the item has no such thing."""
        item, interp, n = cols.item, self.interp, len(rows)

        def values(name):
            if name == "event_year":  # the calendar year of the event date (每年 read as the event's)
                return [_year_of(o) for o in cols.event[rows].tolist()]
            col = cols.applicant if name == "applicant" else cols.facts[name]
            return col[rows].tolist()

        fields = item.key_fields(interp)
        if not fields:
            keys = None
        elif len(fields) == 1:  # a key of one fact is the value itself (see Ledger)
            keys = values(fields[0])
        elif not self.explainable and all(_joinable(item, f) for f in fields):
            keys = _compact_keys([values(f) for f in fields])
        else:
            keys = list(zip(*[values(f) for f in fields]))
        tops = list(zip(repeat(item.ledger_id), *map(values, item.top_up_by))) if item.tops_up(interp) else None
        cap = item.cap
        if cap is None:
            return keys, tops, None, None
        groups = list(zip(repeat(item.ledger_id), *map(values, self._cap_fields(item))))
        ev = cols.event[rows]
        if cap.by:
            caps = self.P.table_fen(cap.param, cols.facts[cap.by][rows], ev)
        else:
            caps = np.broadcast_to(np.asarray(self.P.money_fen(cap.param, ev), dtype=np.int64), (n,))
        return keys, tops, groups, np.asarray(caps, dtype=np.int64)

    def _cap_fields(self, item: Item) -> tuple[str, ...]:
        """The parts of the item's cap group (the calendar year of the event last, per year)."""
        cap, interp = item.cap, self.interp
        if cap is None:
            return ()
        fields = cap.group_fields(interp)
        if cap.per_year_when and interp.get(cap.per_year_when[0]) == cap.per_year_when[1]:
            fields += ("event_year",)
        return fields

    def shared(self, item: Item | str):
        """The caps and exclusive groups spanning items that this item's claims fall under (a
        worker's shipped result names its item by id)."""
        return self.policy.shared_for(item if type(item) is str else item.id)

    def _shared_fields(self, cols: Columns, rows) -> tuple[list, list]:
        """Per row: the shared cap buckets [(bucket, cap fen, SharedCap)] and the matters
        [(matter, ExclusiveGroup, rule)] of the given rows."""
        item, n = cols.item, len(rows)
        shared = self.shared(item)
        qualified = f"{self.policy.id}/{item.id}"
        ev = cols.event[rows]

        def values(name):
            if name == "event_year":
                return [_year_of(o) for o in ev.tolist()]
            col = cols.applicant if name == "applicant" else cols.facts[name]
            return col[rows].tolist()

        caps: list[list] = [[] for _ in range(n)]
        for cap in shared.caps:
            parts = [values(p) for p in cap.parts_for(qualified)]
            params = self.P if cap.owner == self.policy.id else _owner_params(cap.owner)
            limits = np.broadcast_to(np.asarray(params.money_fen(cap.param, ev), dtype=np.int64), (n,)).tolist()
            for j, scope in enumerate(zip(*parts) if parts else [()] * n):
                caps[j].append(((cap.head, *scope), limits[j], cap))
        matters: list[list] = [[] for _ in range(n)]
        for grp in shared.groups:
            rule = grp.rule_under(self.interp)
            for j, value in enumerate(values(grp.matter[qualified])):
                matters[j].append(((grp.head, value), grp, rule))
        return caps, matters

    def prepare(self, r: StaticResult) -> None:
        """The statically eligible rows in batch order, with their ledger fields (no state read)."""
        rows = np.flatnonzero(r.flags == 0)
        r.rows = rows[np.argsort(r.cols.pos[rows], kind="stable")]
        r.fields = self._ledger_fields(r.cols, r.rows) if len(rows) else (None, None, None, None)
        if len(rows) and self.shared(r.cols.item):
            r.spanning = self._shared_fields(r.cols, r.rows)

    def ledger_pass(self, results: list[StaticResult], explain: bool) -> None:
        """Decide the statically eligible claims against the ledger, in batch order.

        Items never share keys or cap groups, so each item is decided on its own. An item with
        only a duplicate key is decided at once (first occurrences); one with only a cap by
        cumulative sums per group; the rest — keys with caps, top-ups — and every claim that is
        to be explained go one by one (`ledger.one_by_one`, the reference the others must agree with).
        """
        spanning = []
        for r in results:
            if r.rows is None:
                self.prepare(r)
            rows = r.rows
            if not len(rows):
                continue
            keys, tops, groups, caps = r.fields
            if r.spanning is not None:
                spanning.append(r)
                continue
            if explain or tops is not None or (keys is not None and groups is not None) or r.fen.dtype == object:
                one_by_one(self.ledger, r, rows, keys, tops, groups, caps, explain)
            elif groups is not None:
                if not caps_at_once(self.ledger, r, rows, groups, caps):
                    one_by_one(self.ledger, r, rows, keys, tops, groups, caps, explain)
            elif keys is not None:
                keys_at_once(self.ledger, r, rows, keys)
            else:
                r.final[rows] = r.fen[rows]
        if spanning:
            shared_one_by_one(self.ledger, self._spanning_entries(spanning), explain)

    def _spanning_entries(self, results: list[StaticResult]) -> list:
        """The eligible rows of items under shared caps or groups, in batch order across items."""
        entries = []
        for r in results:
            keys, tops, groups, caps = r.fields
            shared_caps, matters = r.spanning
            caps = caps.tolist() if caps is not None else None
            for j, row in enumerate(r.rows.tolist()):
                entries.append((int(r.cols.pos[row]), r, row, _NO_KEY if keys is None else keys[j],
                                None if tops is None else tops[j], None if groups is None else groups[j],
                                None if caps is None else caps[j], shared_caps[j], matters[j]))
        entries.sort(key=lambda e: e[0])
        return entries

    # -- decisions -------------------------------------------------------------------------

    def decide(self, size: int, errors: dict[int, dict], explain: bool) -> list[dict]:
        """Evaluate the claims read since the last call; decisions in batch order (positions 0..size-1)."""
        if explain and not self.explainable:
            raise ValueError("this evaluator keeps no key holders: make it with explainable=True to explain")
        results = [self.static(cols, explain) for cols in self.reader.columns()]
        self.ledger_pass(results, explain)
        out: list = [None] * size
        for p, err in errors.items():
            out[p] = err
        for r in results:
            self._emit(r, out, explain)
        return out

    def decide_encoded(self, size: int, errors: dict[int, dict]) -> bytes:
        """The same decisions as `decide(…, explain=False)`, already encoded as JSON lines: the
        bulk path's output without a dict per claim."""
        results = [self.static(cols) for cols in self.reader.columns()]
        self.ledger_pass(results, False)
        out = self.render_errors(size, errors)
        for r in results:
            self.render(r, np.arange(r.cols.n), out)
        return b"\n".join(out) + b"\n" if size else b""

    def render_errors(self, size: int, errors: dict[int, dict]) -> list:
        import orjson

        out: list = [b""] * size
        for p, err in errors.items():
            out[p] = orjson.dumps(err)
        return out

    def render_optimistic(self, r: StaticResult, out: list) -> None:
        """Every claim rendered as if the ledger changed nothing (statically eligible claims paid
        their formula amount); the main process re-renders the few the ledger does change."""
        if r.rows is None:
            self.prepare(r)
        r.final[r.rows] = r.fen[r.rows]
        self.render(r, np.arange(r.cols.n), out)
        r.final[:] = 0

    def changed_rows(self, r: StaticResult):
        """After the ledger pass: the rows whose outcome is not the optimistic one."""
        rows = r.rows
        if rows is None or not len(rows):
            return rows
        changed = (r.status[rows] != OK) | (r.final[rows] != r.fen[rows]) | (r.capped[rows] != r.cut[rows])
        return rows[changed]

    def render(self, r: StaticResult, rows, out: list) -> None:
        """Encode the decisions of the given rows into `out` at their batch positions. The bytes
        around id and amount come from a template per outcome shape; ids are encoded in one call."""
        import msgspec

        if not len(rows):
            return
        cols = r.cols
        item = cols.item if isinstance(cols.item, Item) else self.policy.items[cols.item]
        templates = self._templates.setdefault(item.id, {})
        relied = self._relied[item.id]
        flags = r.flags[rows]
        shapes = np.where(flags == 0, r.status[rows].astype(np.int64) * 2 + r.capped[rows], flags * 8)
        for code in np.unique(shapes).tolist():
            if code not in templates:
                templates[code] = _template(item, relied, *_shape(code))
        ids = cols.ids
        every = len(rows) == len(ids)
        wanted = ids if every else [ids[i] for i in rows.tolist()]
        final = r.final[rows]
        if _columns is not None and final.dtype == np.int64:  # the compiled encoder, where built
            positions = np.ascontiguousarray(cols.pos if every else cols.pos[rows], dtype=np.int64)
            listed = wanted if type(wanted) is list else list(wanted)
            if _columns.render(out, positions, listed, shapes.astype(np.int64), templates, final):
                return
        shape = shapes.tolist()
        encoded = msgspec.json.encode(wanted)[2:-2].split(b'","')  # '","' only ever separates
        heads = list(map(templates.__getitem__, shape))
        if final.dtype == object:
            amounts = [fen_to_yuan(x).encode() for x in final.tolist()]
        else:
            amounts = list(map(b"%d.%02d".__mod__, zip((final // 100).tolist(), (final % 100).tolist())))
        lines = list(map(b"".join, zip(repeat(b'{"id":"'), encoded, map(_HEAD, heads), amounts, map(_TAIL, heads))))
        if every:
            for p, line in zip(cols.pos.tolist(), lines):
                out[p] = line
        else:
            for p, line in zip(cols.pos[rows].tolist(), lines):
                out[p] = line

    def _emit(self, r: StaticResult, out: list, explain: bool) -> None:
        cols, item = r.cols, r.cols.item
        from .explain import explain_decision  # only evaluations that explain need it
        from .installments import plan

        relied = self._relied[item.id]
        flags = r.flags.tolist()
        status = r.status.tolist()
        final = r.final.tolist()
        capped = r.capped.tolist()
        pos = cols.pos.tolist()
        for i in range(cols.n):
            reasons, eligible, cut = _outcome(flags[i], status[i], capped[i])
            amount = final[i] if eligible else 0
            d = {
                "id": cols.ids[i],
                "item": item.id,
                "eligible": eligible,
                "amount": fen_to_yuan(amount),
                "capped": cut,
                "reasons": reasons,
                "citation": item.clause,
                "interpretations": relied,
            }
            if explain:
                planned = plan(item.installments, Decimal(d["amount"])) if eligible and item.installments else ()
                d["explanation"] = explain_decision(self.trace_of(r, i, planned), d)
            out[pos[i]] = d


_ID = operator.attrgetter("id")


class _Subset:
    """Some entries of a list, by their indexes, read as a list (and where each came from)."""

    def __init__(self, entries: list, indexes: list[int]):
        self.entries, self.indexes = entries, indexes

    def __iter__(self):
        return (self.entries[i] for i in self.indexes)

    def at(self, index: int) -> int:
        return self.indexes[index]


def _history_claims(policy, history: dict | None) -> list:
    from .errors import HISTORY_NOT_LIST, HISTORY_POLICY

    if history is None:
        return []
    if type(history) is not dict or type(history.get("awarded")) is not list:
        raise BatchError(HISTORY_NOT_LIST)
    got = history.get("policy", policy.id)
    if got == policy.id:
        return history["awarded"]
    if got not in {p.id for p in policy.ancestors()}:
        raise BatchError(HISTORY_POLICY.format(got=got, want=policy.id))
    # Awards of a predecessor this policy continues: each read under its own policy.
    return [{"policy": got, **a} if type(a) is dict else a for a in history["awarded"]]


def _owner_params(policy_id: str):
    """The parameters of the installed policy that declared a cap over another policy's items."""
    from .policy import load_policy

    return load_policy(policy_id).params


def _shared_ids(policy, item) -> tuple[str, ...]:
    """The interpretations that choose the rule of an exclusive group the item belongs to."""
    return tuple(g.rule[0] for g in policy.shared_for(item.id).groups if not isinstance(g.rule, str))


def _validity_ids(policy) -> tuple[str, ...]:
    """The interpretations every decision relies on: those of the validity period."""
    readings = policy.data.get("validity_readings", {})
    return tuple(dict.fromkeys(r[0] for r in readings.values())) or ("A10",)


_SEP = "\x1f"  # the unit separator


def _joinable(item: Item, name: str) -> bool:
    """Whether a key part's values print injectively: the applicant's code, a year (an int), an
    option or a text (strings) — a required fact, so never None."""
    if name in ("applicant", "event_year"):
        return True
    fact = item.fact(name)
    return not fact.optional and fact.type in ("year", "enum", "text")


def _compact_keys(parts: list[list]) -> list:
    """Keys of several facts as one string each, the parts joined by a separator: a third of the
    memory of a tuple of them. Each key has one form, given by its values alone, so equal keys
    stay equal: joined when no part holds the separator — then the string splits back into
    exactly its parts, and as each part's type is fixed (years print as digits), distinct keys
    stay distinct — and a tuple otherwise (in practice only a free text can hold one)."""
    if not parts[0]:
        return []
    texts = [p if type(p[0]) is str else list(map(str, p)) for p in parts]
    joined = list(map(_SEP.join, zip(*texts)))
    if any(_SEP in "".join(p) for p in texts):
        seps = len(parts) - 1
        joined = [j if j.count(_SEP) == seps else t for j, t in zip(joined, zip(*parts))]
    return joined


def _group_by_type(structs: list, keep: list[int] | None):
    """(struct class, positions) for each class among the structs (at `keep` positions), with
    positions ascending — grouped by a stable sort, without a Python loop per claim."""
    rows = np.arange(len(structs)) if keep is None else np.asarray(keep, dtype=np.int64)
    if not len(rows):
        return []
    types = list(map(type, structs)) if keep is None else list(map(type, map(structs.__getitem__, keep)))
    index = {t: i for i, t in enumerate(dict.fromkeys(types))}
    codes = np.fromiter(map(index.__getitem__, types), dtype=np.int64, count=len(types))
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    classes = list(index)
    return [(classes[int(codes[g[0]])], rows[g].tolist()) for g in np.split(order, bounds)]


class _LazyFast(dict):
    """item id → its FastColumns, made when the item is first met."""

    def __init__(self, builders):
        super().__init__()
        self.builders = builders

    def get(self, item_id, default=None):
        fast = dict.get(self, item_id)
        if fast is None:
            builder = self.builders.get(item_id)
            if builder is None:
                return default
            fast = self[item_id] = FastColumns(builder)
        return fast


def _kind_in(kind_col, kinds):
    m = np.zeros(len(kind_col), dtype=bool)
    for k in kinds:
        m |= kind_col == k
    return m


def _take_refused(fast, errors: dict[int, dict]) -> None:
    """The claims the column checks refused themselves, as error decisions."""
    for p, (cid, err) in fast.take_refused().items():
        errors[p] = _error({"id": cid}, err)


def _error(obj, err: InvalidInput) -> dict:
    cid = obj.get("id") if type(obj) is dict else None
    message = err.message if encodable(err.message) else err.message.encode("utf-8", "backslashreplace").decode()
    return {"id": cid if type(cid) is str and encodable(cid) else None,
            "error": {"code": "invalid_input", "field": err.field, "message": message}}


def _outcome(flags: int, status: int, capped: bool) -> tuple[list[str], bool, bool]:
    """(reasons, eligible, capped) of a claim from its static flags and ledger status."""
    if flags:
        return list(_decode(flags)), False, False
    if status == DUPLICATE:
        return ["duplicate"], False, False
    if status == CAP_REACHED:
        return ["cap_reached"], False, True
    if capped:
        return ["cap_reached"], True, True
    return [], True, False


_HEAD = operator.itemgetter(0)
_TAIL = operator.itemgetter(1)


def _shape(code: int) -> tuple[int, int, bool]:
    """(flags, status, capped) from a shape code: flags × 8, or status × 2 + capped."""
    if code >= 8:
        return code // 8, OK, False
    return 0, code // 2, bool(code % 2)


def _template(item: Item, relied: list[str], flags: int, status: int, capped: bool) -> tuple[bytes, bytes]:
    """The bytes of a decision between its id and amount and after the amount, for one shape of
    outcome: the line is '{"id":"' + id + head + amount + tail."""
    import orjson

    reasons, eligible, cut = _outcome(flags, status, capped)
    probe = orjson.dumps({
        "item": item.id, "eligible": eligible, "amount": "\x00", "capped": cut, "reasons": reasons,
        "citation": item.clause, "interpretations": relied,
    })
    head, tail = probe[1:].split(b"\\u0000")  # drop the opening brace: the id comes first
    return b'",' + head, tail
