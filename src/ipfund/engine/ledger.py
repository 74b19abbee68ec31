"""The ledger pass: statically eligible claims decided in batch order against what was already
awarded — duplicate keys taken, cap groups used, top-ups paid.

Items never share keys or cap groups, so each item is decided on its own, in one of three ways
that must agree: first occurrences of keys at once, cumulative sums per cap group at once, or
claim after claim where keys meet caps or top-ups (and whenever explanations are asked for).

Claim after claim with `explain`, each claim's steps are recorded as they are taken (`r.info`):
the duplicate key and the earlier claim holding it, the top-up (entitlement, paid before, what is
left), each exclusive group's matter, each cap (its limit, what was used before, the room left,
what was asked and whether it cut the amount). The explanation says them as recorded.
"""

from __future__ import annotations

import numpy as np

OK, DUPLICATE, CAP_REACHED = 0, 1, 2


class Ledger:
    """What has been awarded so far: keys taken (→ the claim holding each), cap groups used and
    top-ups paid (fen). The ledger pass reads and extends it; history seeds it.

    Keys are by far the most numerous entries (hundreds of thousands in a long stream), so they
    are kept per item — items never share keys — and a key of one fact is that fact's value
    itself, not a tuple: a patent number, not (item, patent number). Without `holders` (a stream
    that is never explained), who holds a key is not kept, only that it is taken."""

    def __init__(self, holders: bool = True, ledger_ids: dict[str, str] | None = None):
        self.taken: dict[str, dict] = {}  # ledger id → {key → the claim holding it}
        self.used: dict[tuple, int] = {}
        self.paid: dict[tuple, int] = {}
        self.holders = holders
        #: claim id → (applicant, name, kind, event ordinal) of a claim holding a key, for explanations
        #: to name the earlier claim as a person knows it (kept only while explaining)
        self.claims: dict[str, tuple] = {}
        # item id → its ledger id: an item continuing a predecessor's shares that item's keys
        self.ledger_ids = ledger_ids or {}

    def taken_for(self, item_id: str) -> dict:
        lid = self.ledger_ids.get(item_id, item_id)
        taken = self.taken.get(lid)
        if taken is None:
            taken = self.taken[lid] = {}
        return taken

    def holder(self, cid: str) -> str:
        """What is kept as the holder of a key taken by claim `cid`."""
        return cid if self.holders else ""

    def remember(self, cols, j: int) -> None:
        """Who made claim `j` of these columns and when: the holder an explanation names."""
        self.claims[cols.ids[j]] = (str(cols.applicant[j]), str(cols.name[j] or ""), str(cols.kind[j]),
                                   int(cols.event[j]))


def full_key(item_id: str, key) -> tuple:
    """A key as explanations show it: the item and every part of the key."""
    return (item_id, *key) if type(key) is tuple else (item_id, key)


def _item_id(r) -> str:
    item = r.cols.item
    return item if type(item) is str else item.id


def keys_at_once(ledger: Ledger, r, rows, keys) -> None:
    """Duplicate keys only: the first occurrence of each key not yet taken wins."""
    taken = ledger.taken_for(_item_id(r))
    n = len(keys)
    first = dict(zip(reversed(keys), range(n - 1, -1, -1)))  # key → its first index
    for k in first.keys() & taken.keys():
        del first[k]
    winners = np.fromiter(first.values(), dtype=np.int64, count=len(first))
    ok = np.zeros(n, dtype=bool)
    ok[winners] = True
    if ledger.holders:
        ids = r.cols.ids
        taken.update(zip(first.keys(), [ids[j] for j in rows[winners].tolist()]))
    else:
        taken.update(dict.fromkeys(first.keys(), ""))
    r.status[rows[~ok]] = DUPLICATE
    won = rows[ok]
    r.final[won] = r.fen[won]

def caps_at_once(ledger: Ledger, r, rows, groups, caps) -> bool:
    """Cumulative sums per cap group: what claim i may have is min(cap, used before + asked
    up to i) − min(cap, used before + asked before i). False when a group's cap changes
    within the chunk (a parameter changed): then one by one."""
    used = ledger.used
    uniq = list(dict.fromkeys(groups))
    index = {g: i for i, g in enumerate(uniq)}
    codes = np.fromiter(map(index.__getitem__, groups), dtype=np.int64, count=len(groups))
    order = np.argsort(codes, kind="stable")
    c = codes[order]
    cap = caps[order]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    if (cap != np.repeat(cap[starts], np.diff(np.r_[starts, len(c)]))).any():
        return False
    asked = r.fen[rows][order]
    init = np.fromiter((used.get(g, 0) for g in uniq), dtype=np.int64, count=len(uniq))
    cum = np.cumsum(asked)
    base = np.repeat(cum[starts] - asked[starts], np.diff(np.r_[starts, len(c)]))
    after = init[c] + cum - base
    before = after - asked
    granted = np.maximum(np.minimum(after, cap) - np.minimum(before, cap), 0)
    full = before >= cap
    target = rows[order]
    r.final[target] = np.where(full, 0, granted)
    r.status[target[full]] = CAP_REACHED
    r.capped[target] |= full | (granted < asked)
    totals = np.add.reduceat(granted, starts)
    for g_code, total in zip(c[starts].tolist(), totals.tolist()):
        g = uniq[g_code]
        used[g] = used.get(g, 0) + total
    return True

def one_by_one(ledger: Ledger, r, rows, keys, tops, groups, caps, explain) -> None:
    """Claim after claim: the reference every other way of deciding must agree with."""
    item_id = _item_id(r)
    taken, used, paid = ledger.taken_for(item_id), ledger.used, ledger.paid
    fens = r.fen[rows].tolist()
    ids = r.cols.ids
    caps = caps.tolist() if caps is not None else None
    keyed = keys is not None
    for j, row in enumerate(rows.tolist()):
        info = {} if explain else None
        if explain:
            r.info[row] = info
        key = keys[j] if keyed else None  # a one-fact key is the value itself, which may be None
        if keyed:
            holder = taken.get(key)
            if holder is not None:
                r.status[row] = DUPLICATE
                if explain:
                    info["key"], info["holder"] = full_key(item_id, key), holder
                    info["held_by"] = ledger.claims.get(holder)  # whose it was and when (None: not known)
                continue
        fen = fens[j]
        top = tops[j] if tops is not None else None
        if top is not None:
            before = paid.get(top, 0)
            if explain:
                info["paid_before"], info["entitlement"], info["left"] = before, fen, fen - before
            fen -= before
            if fen <= 0:
                r.status[row] = DUPLICATE
                continue
        group = groups[j] if groups is not None else None
        if group is not None:
            before = used.get(group, 0)
            room = caps[j] - before
            if explain:
                info["cap"], info["used_before"], info["group"], info["asked"] = caps[j], before, group, fen
                info["room"], info["cut"] = room, room < fen
            if room <= 0:
                r.status[row] = CAP_REACHED
                r.capped[row] = True
                continue
            if fen > room:
                fen = room
                r.capped[row] = True
            used[group] = before + fen
        if keyed:
            taken[key] = ledger.holder(ids[row])
            if explain:
                info["key"] = full_key(item_id, key)
                ledger.remember(r.cols, row)
        if top is not None:
            paid[top] = paid.get(top, 0) + fen
        r.final[row] = fen


def shared_one_by_one(ledger: Ledger, entries: list, explain: bool) -> None:
    """Claims of items under caps or exclusive groups that span items, claim after claim in batch
    order across those items. Each entry: (pos, r, row, key, top, group, cap, shared caps, matters)
    with shared caps [(bucket, cap fen, SharedCap)] and matters [(matter, ExclusiveGroup, rule)].

    Per claim, as `one_by_one` does for one item, then: a matter already paid pays the difference
    to this claim's amount (rule difference) or nothing (rule first); every cap — the item's own
    and each shared one — leaves room, and the claim gets the least room; each cap that cut it is
    named (info["cut_by"])."""
    taken_by_item: dict[str, dict] = {}
    used, paid = ledger.used, ledger.paid
    for _pos, r, row, key, top, group, cap, caps, matters in entries:
        item_id = _item_id(r)
        taken = taken_by_item.get(item_id)
        if taken is None:
            taken = taken_by_item[item_id] = ledger.taken_for(item_id)
        info: dict | None = {} if explain else None
        if info is not None:
            r.info[row] = info
        keyed = key is not _NO_KEY
        if keyed:
            holder = taken.get(key)
            if holder is not None:
                r.status[row] = DUPLICATE
                if info is not None:
                    info["key"], info["holder"] = full_key(item_id, key), holder
                    info["held_by"] = ledger.claims.get(holder)
                continue
        fen = int(r.fen[row])
        if top is not None:
            before = paid.get(top, 0)
            if info is not None:
                info["paid_before"], info["entitlement"], info["left"] = before, fen, fen - before
            fen -= before
            if fen <= 0:
                r.status[row] = DUPLICATE
                continue
        stop = False
        for matter, grp, rule in matters:
            before = paid.get(matter, 0)
            step = None
            if info is not None:
                step = {"group": grp, "matter": matter, "paid_before": before, "entitlement": fen, "rule": rule}
                info.setdefault("matters", []).append(step)
            if before > 0 and rule == "first":
                stop = True
            else:
                fen -= before
                if step is not None:
                    step["left"] = fen  # the difference the rule pays
                if fen <= 0:
                    stop = True
            if stop:
                break
        if stop:
            r.status[row] = DUPLICATE
            continue
        limits = []  # (room, name, cap fen, used before)
        if group is not None:
            before = used.get(group, 0)
            limits.append((cap - before, group, cap, before, None))
        for bucket, limit, shared in caps:
            before = used.get(bucket, 0)
            limits.append((limit - before, bucket, limit, before, shared))
        asked = fen
        cut_by = []
        for room, name, limit, before, shared in limits:
            if info is not None:
                info.setdefault("caps", []).append({"group": name, "cap": limit, "used_before": before,
                                                    "asked": asked, "shared": shared, "room": room, "cut": room < asked})
            if room < asked:
                cut_by.append(name)
        if limits:
            room = min(lim[0] for lim in limits)
            if info is not None:
                info["cut_by"] = cut_by
            if room <= 0:
                r.status[row] = CAP_REACHED
                r.capped[row] = True
                continue
            if fen > room:
                fen = room
                r.capped[row] = True
            for _room, name, _limit, before, _shared in limits:
                used[name] = before + fen
        if keyed:
            taken[key] = ledger.holder(r.cols.ids[row])
            if info is not None:
                info["key"] = full_key(item_id, key)
                ledger.remember(r.cols, row)
        if top is not None:
            paid[top] = paid.get(top, 0) + fen
        for matter, _grp, _rule in matters:
            paid[matter] = paid.get(matter, 0) + fen
        r.final[row] = fen


#: No duplicate key for this entry (a one-fact key may itself be None).
_NO_KEY = object()
