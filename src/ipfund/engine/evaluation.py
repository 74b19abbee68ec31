"""Evaluation: claims (in order) + what was already awarded + interpretation choices → decisions.

Two passes. The *static* pass runs each item's rule over its columns at once: validity, zone,
applicant kind, SME status, the rule's conditions and its formula — vectorised, so one claim and a
million cost the same code. The *ledger* pass then walks the surviving claims in batch order,
as if decided one after another: a duplicate key already taken, a top-up already paid, a cap group
already used. It touches only small integers and tuples, once per claim.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from itertools import repeat

import numpy as np

from .claims import ClaimReader, Columns, FastColumns
from .errors import (
    DUPLICATE_ID,
    HISTORY_INVALID,
    HISTORY_NO_AMOUNT,
    BatchError,
    InvalidInput,
)
from .money import InexactFloat, fen_to_yuan, parse_money
from .vocabulary import REASON_ORDER, Item

STATIC_REASONS = REASON_ORDER[:7]  # the ledger pass adds duplicate and cap_reached
OK, DUPLICATE, CAP_REACHED = 0, 1, 2


@lru_cache(maxsize=1 << 12)
def _year_of(ordinal: int) -> int:
    return date.fromordinal(ordinal).year


@lru_cache(maxsize=1 << 10)
def _decode(flags: int) -> tuple[str, ...]:
    return tuple(r for bit, r in enumerate(STATIC_REASONS) if flags >> bit & 1)


class Ledger:
    """What has been awarded so far: keys taken (→ the claim holding each), cap groups used and
    top-ups paid (fen). The ledger pass reads and extends it; history seeds it."""

    def __init__(self):
        self.taken: dict[tuple, str] = {}
        self.used: dict[tuple, int] = {}
        self.paid: dict[tuple, int] = {}


class StaticResult:
    """The static pass over one item's columns."""

    __slots__ = ("cols", "fen", "cut", "flags", "final", "status", "capped", "info")

    def __init__(self, cols: Columns, fen, cut, flags):
        self.cols = cols
        self.fen = fen
        self.cut = cut
        self.flags = flags
        self.final = np.zeros(cols.n, dtype=np.int64)
        self.status = np.zeros(cols.n, dtype=np.int8)
        self.capped = cut.copy()
        self.info: dict[int, dict] = {}


class Evaluator:
    """Evaluates batches of one policy in order, keeping the ledger between calls (streaming)."""

    def __init__(self, policy, interpretations: dict[str, str] | None = None):
        self.policy = policy
        self.interp = policy.resolve_interpretations(interpretations)
        self.P = policy.params
        self.ledger = Ledger()
        self.reader = ClaimReader(policy.items)
        self.fast = {item_id: FastColumns(b) for item_id, b in self.reader.builders.items()}
        self.seen_ids: set[str] = set()
        self._relied = {
            item.id: [f"{iid}={self.interp[iid]}" for iid in item.interpretations + ("A10",) if iid in self.interp]
            for item in policy.items.values()
        }

    # -- reading ---------------------------------------------------------------------------

    def read_many(self, claims: list, exact=None) -> dict[int, dict]:
        """Validate a chunk of claims (positions 0..len-1) into the columns; returns error decisions.

        Ids are checked first, in order: a repeated id is invalid whatever else the claim says.
        `exact(pos)` re-reads a claim's source exactly when a money value came as a binary float.
        """
        errors: dict[int, dict] = {}
        groups: dict[str, list[int]] = {}
        seen, fast = self.seen_ids, self.fast
        for p, obj in enumerate(claims):
            if type(obj) is dict:
                cid = obj.get("id")
                if type(cid) is str:
                    if cid in seen:
                        errors[p] = _error(obj, InvalidInput("id", DUPLICATE_ID.format(value=cid)))
                        continue
                    seen.add(cid)
                    item_id = obj.get("item")
                    if type(item_id) is str and item_id in fast:
                        groups.setdefault(item_id, []).append(p)
                        continue
            self._read_exact(p, obj, exact, errors)
        for item_id, rows in groups.items():
            for p in fast[item_id].add(rows, [claims[p] for p in rows]):
                self._read_exact(p, claims[p], exact, errors)
        return errors

    def _read_exact(self, pos, obj, exact, errors) -> None:
        try:
            try:
                self.reader.read(pos, obj)
            except InexactFloat:
                if exact is None:
                    raise
                obj = exact(pos)
                self.reader.read(pos, obj)
        except InvalidInput as err:
            errors[pos] = _error(obj, err)

    # -- history ---------------------------------------------------------------------------

    def add_history(self, awarded: list) -> None:
        """Take earlier awards as decided: their keys, cap use and top-ups, with their amounts."""
        reader = ClaimReader(self.policy.items)
        amounts = {}
        for index, obj in enumerate(awarded):
            try:
                reader.read(index, obj)
            except InvalidInput as err:
                raise BatchError(HISTORY_INVALID.format(index=index, field=err.field, message=err.message)) from None
            except InexactFloat:
                raise BatchError(HISTORY_INVALID.format(index=index, field="facts", message="money must be exact")) from None
            try:
                amounts[index] = parse_money(obj.get("amount"), "amount") if "amount" in obj else None
            except (InvalidInput, InexactFloat) as err:
                raise BatchError(HISTORY_NO_AMOUNT.format(index=index, message=getattr(err, "message", "inexact"))) from None
            if amounts[index] is None:
                raise BatchError(HISTORY_NO_AMOUNT.format(index=index, message="missing"))
        entries = []
        for cols in reader.columns():
            every = np.arange(cols.n)
            keys, tops, groups, caps = self._ledger_fields(cols, every)
            for j in range(cols.n):
                entries.append((int(cols.pos[j]), cols.ids[j], keys[j], tops[j], groups[j], amounts[int(cols.pos[j])]))
        led = self.ledger
        for _, cid, key, top, group, fen in sorted(entries, key=lambda e: e[0]):
            if key is not None:
                led.taken.setdefault(key, cid)
            if top is not None:
                led.paid[top] = led.paid.get(top, 0) + fen
            if group is not None:
                led.used[group] = led.used.get(group, 0) + fen

    # -- the two passes --------------------------------------------------------------------

    def static(self, cols: Columns) -> StaticResult:
        item: Item = cols.item
        P, interp, ev = self.P, self.interp, cols.event
        masks = {}
        masks["outside_validity"] = (ev < P.date("validity.start", ev)) | (ev > P.date("validity.end", ev))
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
        fen, cut = item.formula.compute(cols, P, interp)
        fen = np.broadcast_to(np.asarray(fen, dtype=np.int64), (cols.n,)).copy()
        for cond in item.conditions:
            m = np.broadcast_to(np.asarray(cond.applies(cols, P, interp, fen), dtype=bool), (cols.n,))
            masks[cond.reason] = masks[cond.reason] | m if cond.reason in masks else m
        flags = np.zeros(cols.n, dtype=np.int64)
        for bit, reason in enumerate(STATIC_REASONS):
            if reason in masks:
                flags |= masks[reason].astype(np.int64) << bit
        return StaticResult(cols, fen, np.asarray(cut, dtype=bool), flags)

    def _ledger_fields(self, cols: Columns, rows):
        """Duplicate keys, top-up groups, cap groups and caps of the given rows (Python values)."""
        item, interp, n = cols.item, self.interp, len(rows)

        def values(name):
            col = cols.applicant if name == "applicant" else cols.facts[name]
            return col[rows].tolist()

        fields = item.key_fields(interp)
        keys = list(zip(repeat(item.id), *[values(f) for f in fields])) if fields else [None] * n
        tops = list(zip(repeat(item.id), values("applicant"))) if item.tops_up(interp) else [None] * n
        cap = item.cap
        if cap is None:
            return keys, tops, [None] * n, [0] * n
        parts = [values(f) for f in cap.group]
        if cap.per_year_when and interp.get(cap.per_year_when[0]) == cap.per_year_when[1]:
            parts.append([_year_of(o) for o in cols.event[rows].tolist()])
        groups = list(zip(repeat(item.id), *parts))
        ev = cols.event[rows]
        if cap.by:
            caps = self.P.table_fen(cap.param, cols.facts[cap.by][rows], ev)
        else:
            caps = np.broadcast_to(np.asarray(self.P.money_fen(cap.param, ev), dtype=np.int64), (n,))
        return keys, tops, groups, caps.tolist()

    def ledger_pass(self, results: list[StaticResult], explain: bool) -> None:
        """Decide the statically eligible claims one after another against the ledger."""
        order_pos, refs = [], []
        keys, tops, groups, caps, fens = [], [], [], [], []
        for r_index, r in enumerate(results):
            rows = np.flatnonzero(r.flags == 0)
            if not len(rows):
                continue
            k, t, g, c = self._ledger_fields(r.cols, rows)
            keys += k
            tops += t
            groups += g
            caps += c
            fens += r.fen[rows].tolist()
            order_pos.append(r.cols.pos[rows])
            refs.append(np.stack([np.full(len(rows), r_index), rows], axis=1))
        if not order_pos:
            return
        pos = np.concatenate(order_pos)
        ref = np.concatenate(refs)
        order = np.argsort(pos, kind="stable").tolist()
        taken, used, paid = self.ledger.taken, self.ledger.used, self.ledger.paid
        out_status = [OK] * len(pos)
        out_fen = [0] * len(pos)
        out_capped = [False] * len(pos)
        infos = [None] * len(pos) if explain else None
        ids_of = [r.cols.ids for r in results]
        for j in order:
            key = keys[j]
            info = {} if explain else None
            if key is not None:
                holder = taken.get(key)
                if holder is not None:
                    out_status[j] = DUPLICATE
                    if explain:
                        info["key"], info["holder"] = key, holder
                        infos[j] = info
                    continue
            fen = fens[j]
            top = tops[j]
            if top is not None:
                before = paid.get(top, 0)
                if explain:
                    info["paid_before"], info["entitlement"] = before, fen
                fen -= before
                if fen <= 0:
                    out_status[j] = DUPLICATE
                    if explain:
                        infos[j] = info
                    continue
            group = groups[j]
            if group is not None:
                before = used.get(group, 0)
                room = caps[j] - before
                if explain:
                    info["cap"], info["used_before"], info["group"], info["asked"] = caps[j], before, group, fen
                if room <= 0:
                    out_status[j] = CAP_REACHED
                    if explain:
                        infos[j] = info
                    continue
                if fen > room:
                    fen = room
                    out_capped[j] = True
                used[group] = before + fen
            if key is not None:
                taken[key] = ids_of[ref[j, 0]][ref[j, 1]]
                if explain:
                    info["key"] = key
            if top is not None:
                paid[top] = paid.get(top, 0) + fen
            out_fen[j] = fen
            if explain:
                infos[j] = info
        # Scatter back into each item's result.
        r_idx = ref[:, 0]
        rows = ref[:, 1]
        status = np.array(out_status, dtype=np.int8)
        fen_arr = np.array(out_fen, dtype=np.int64)
        capped = np.array(out_capped, dtype=bool)
        for r_index, r in enumerate(results):
            sel = r_idx == r_index
            if not sel.any():
                continue
            rr = rows[sel]
            r.status[rr] = status[sel]
            r.final[rr] = fen_arr[sel]
            r.capped[rr] |= capped[sel]
            if explain:
                for j in np.flatnonzero(sel).tolist():
                    r.info[int(ref[j, 1])] = infos[j] or {}

    # -- decisions -------------------------------------------------------------------------

    def decide(self, size: int, errors: dict[int, dict], explain: bool) -> list[dict]:
        """Evaluate the claims read since the last call; decisions in batch order (positions 0..size-1)."""
        results = [self.static(cols) for cols in self.reader.columns()]
        self.ledger_pass(results, explain)
        out: list = [None] * size
        for p, err in errors.items():
            out[p] = err
        for r in results:
            self._emit(r, out, explain)
        return out

    def _emit(self, r: StaticResult, out: list, explain: bool) -> None:
        cols, item = r.cols, r.cols.item
        relied = self._relied[item.id]
        flags = r.flags.tolist()
        status = r.status.tolist()
        final = r.final.tolist()
        capped = r.capped.tolist()
        pos = r.pos_list if hasattr(r, "pos_list") else cols.pos.tolist()
        for i in range(cols.n):
            f = flags[i]
            if f:
                reasons = list(_decode(f))
                eligible, amount, cut = False, 0, False
            else:
                s = status[i]
                amount = final[i]
                if s == DUPLICATE:
                    reasons, eligible, cut = ["duplicate"], False, False
                elif s == CAP_REACHED:
                    reasons, eligible, cut = ["cap_reached"], False, True
                elif capped[i]:
                    reasons, eligible, cut = ["cap_reached"], True, True
                else:
                    reasons, eligible, cut = [], True, False
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
                from .explain import explain_decision

                d["explanation"] = explain_decision(self, r, i, d)
            out[pos[i]] = d


def _kind_in(kind_col, kinds):
    m = np.zeros(len(kind_col), dtype=bool)
    for k in kinds:
        m |= kind_col == k
    return m


def _error(obj, err: InvalidInput) -> dict:
    cid = obj.get("id") if type(obj) is dict else None
    return {"id": cid if type(cid) is str else None, "error": {"code": "invalid_input", "field": err.field, "message": err.message}}
