"""The claim ids met so far in a stream, in little memory.

A repeated id is invalid input wherever in the stream it comes again, so bulk evaluation must
remember every id it has met: a million of them as a Python set cost about 90 MB. Here they are
kept as their UTF-8 bytes end to end, with sorted arrays of 64-bit hashes to find them — about 31
bytes an id. Equal hashes are settled by comparing the stored bytes, so every answer is exact.

Bulk registers a whole block of ids at once (`add_new`), while its strings are still in the CPU
cache; the claim-by-claim reader uses `in` and `add`, which go through a small set first. Hashes
are Python's own `hash(str)` and are only ever compared within one process.
"""

from __future__ import annotations

import numpy as np


class ClaimIds:
    def __init__(self, pending_max: int = 1 << 16, small_max: int = 1 << 17, hash_fn=hash):
        self._hash = hash_fn  # another function only in tests (to make hashes collide)
        self._small_max = small_max
        self._pending: set[str] = set()  # ids added one at a time, not yet stored
        self._pending_max = pending_max
        empty = np.empty(0, dtype=np.int64)
        # Sorted hashes, and for each the index of its id, in two levels (see below).
        self._levels = [(empty, empty), (empty, empty)]
        self._ends = np.empty(0, dtype=np.int64)  # where each stored id's bytes end
        self._bytes = bytearray()

    def __len__(self) -> int:
        return len(self._pending) + len(self._ends)

    def __contains__(self, cid: str) -> bool:
        if cid in self._pending:
            return True
        return bool(len(self._ends)) and bool(self._stored([cid], *self._locate([cid])))

    def add(self, cid: str) -> None:
        """Register one id not met yet (the caller asked `in` first)."""
        self._pending.add(cid)
        if len(self._pending) >= self._pending_max:
            ids = list(self._pending)
            self._pending = set()
            self._store(ids, *self._locate(ids))

    def add_new(self, ids: list[str]) -> bool:
        """Register the ids if they are distinct and none was met before, and say so; otherwise
        register none of them and return False (the caller then finds which with `met`)."""
        if not ids:
            return True
        if not self._pending.isdisjoint(ids):
            return False
        where = self._locate(ids)
        hashes = where[1]
        if (hashes[1:] == hashes[:-1]).any() and len(set(ids)) != len(ids):
            return False
        if self._stored(ids, *where):
            return False
        self._store(ids, *where)
        return True

    def met(self, ids: list[str]) -> set[int]:
        """Positions in `ids` of the ids met before (not counting repeats within `ids`)."""
        found = set(self._stored(ids, *self._locate(ids))) if len(self._ends) else set()
        if self._pending:
            found.update(i for i, cid in enumerate(ids) if cid in self._pending)
        return found

    # -- the stored part ---------------------------------------------------------------------
    # Two sorted levels, so that registering a block copies the small one, not all ids met: new
    # hashes go into the small level, which is merged into the large one when it grows past
    # `small_max` (one copy of the large level then, not one per block).

    def _locate(self, ids: list[str]):
        """(the order that sorts the ids' hashes, the hashes in that order, where each would go in
        each level): one sort and one search per level serve both look-up and insertion."""
        hashes = np.fromiter(map(self._hash, ids), dtype=np.int64, count=len(ids))
        order = np.argsort(hashes, kind="stable")
        hashes = hashes[order]
        at = [np.searchsorted(level_hashes, hashes) for level_hashes, _ in self._levels]  # sorted queries
        return order, hashes, at

    def _stored(self, ids: list[str], order, hashes, at) -> list[int]:
        """Positions in `ids` of the ids already stored."""
        found = []
        for (level_hashes, slots), where in zip(self._levels, at):
            n = len(level_hashes)
            if not n:
                continue
            for k in np.flatnonzero(level_hashes[np.minimum(where, n - 1)] == hashes).tolist():  # almost never
                j = int(where[k])
                cid = ids[int(order[k])]
                while j < n and level_hashes[j] == hashes[k]:
                    if self._id(int(slots[j])) == cid:
                        found.append(int(order[k]))
                        break
                    j += 1
        return found

    def _id(self, slot: int) -> str:
        start = int(self._ends[slot - 1]) if slot else 0
        return self._bytes[start : int(self._ends[slot])].decode("utf-8", "surrogatepass")

    def _store(self, ids: list[str], order, hashes, at) -> None:
        text = "".join(ids)
        if text.isascii():
            self._bytes += text.encode("ascii")
            sizes = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        else:
            encoded = [cid.encode("utf-8", "surrogatepass") for cid in ids]
            self._bytes += b"".join(encoded)
            sizes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(ids))
        base = len(self._ends)
        start = int(self._ends[-1]) if base else 0
        self._ends = np.concatenate([self._ends, start + np.cumsum(sizes)])
        (small, small_slots), large = self._levels
        small = np.insert(small, at[0], hashes)
        small_slots = np.insert(small_slots, at[0], base + order)
        if len(small) > self._small_max:
            large_hashes, large_slots = large
            where = np.searchsorted(large_hashes, small)
            large = (np.insert(large_hashes, where, small), np.insert(large_slots, where, small_slots))
            small, small_slots = small[:0], small_slots[:0]
        self._levels = [(small, small_slots), large]


class BlockIds(set):
    """The ids of one block only, as a plain set with `ClaimIds`' bulk methods: what a worker
    process needs to find ids repeated within its block (the main process checks across blocks)."""

    def add_new(self, ids: list[str]) -> bool:
        if len(set(ids)) == len(ids) and self.isdisjoint(ids):
            self.update(ids)
            return True
        return False

    def met(self, ids: list[str]) -> set[int]:
        return {i for i, cid in enumerate(ids) if cid in self}
