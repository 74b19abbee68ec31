"""The claim ids met so far in a stream, in little memory.

A repeated id is invalid input wherever in the stream it comes again, so bulk evaluation must
remember every id it has met: a million of them as a Python set cost about 90 MB. Here they are
kept as their UTF-8 bytes end to end, with their 64-bit hashes in a compiled hash table to find
them (or, where it is not built, numpy's sorted runs behind a Bloom filter) — about 35 bytes an
id. Equal hashes are settled by comparing the stored bytes, so every answer is exact.

Bulk registers a whole block of ids at once (`add_new`); the claim-by-claim reader uses `in` and
`add`, which go through a small set first. Hashes are Python's own `hash(str)`, compared only
within one process and the worker processes forked from it (which share its hash seed).
"""

from __future__ import annotations

import numpy as np


from .compiled import columns as _columns

# None where the compiled module is not built (or disabled): the sorted runs below do the same
HashIndex = _columns.HashIndex if _columns is not None else None


class ClaimIds:
    def __init__(self, pending_max: int = 1 << 16, filter_bits: int = 1 << 16, hash_fn=hash,
                 compiled: bool | None = None):
        """`compiled`: keep the hashes in the compiled hash table (the default where it is
        built) or in numpy's sorted runs behind a Bloom filter of `filter_bits` at first."""
        self._hash = hash_fn  # another function only in tests (to make hashes collide)
        self._pending: set[str] = set()  # ids added one at a time, not yet stored
        self._pending_max = pending_max
        use_table = HashIndex is not None if compiled is None else compiled
        self._index = HashIndex() if use_table else SortedRuns(filter_bits)  # type: ignore[misc]  # (a table only where built)
        self._ends = np.empty(1024, dtype=np.int64)  # where each stored id's bytes end
        self._stored_n = 0
        self._bytes = bytearray()

    def __len__(self) -> int:
        return len(self._pending) + self._stored_n

    def __contains__(self, cid: str) -> bool:
        if cid in self._pending:
            return True
        return bool(self._stored_n) and bool(self._stored([cid], self._hashes([cid])))

    def add(self, cid: str) -> None:
        """Register one id not met yet (the caller asked `in` first)."""
        self._pending.add(cid)
        if len(self._pending) >= self._pending_max:
            ids = list(self._pending)
            self._pending = set()
            self._store(ids, self._hashes(ids))

    def add_new(self, ids: list[str], hashes: np.ndarray | None = None, distinct: bool = False) -> bool:
        """Register the ids if they are distinct and none was met before, and say so; otherwise
        register none of them and return False (the caller then finds which with `met`).
        `hashes`: the ids' hashes, if the caller has them already (a worker process forked from
        this one hashes strings alike). `distinct`: the caller knows the ids are distinct."""
        if not ids:
            return True
        if not self._pending.isdisjoint(ids):
            return False
        if not distinct and len(set(ids)) != len(ids):
            return False
        if hashes is None:
            hashes = self._hashes(ids)
        if self._stored(ids, hashes):
            return False
        self._store(ids, hashes)
        return True

    def met(self, ids: list[str]) -> set[int]:
        """Positions in `ids` of the ids met before (not counting repeats within `ids`)."""
        found = set(self._stored(ids, self._hashes(ids))) if self._stored_n else set()
        if self._pending:
            found.update(i for i, cid in enumerate(ids) if cid in self._pending)
        return found

    # -- the stored part ---------------------------------------------------------------------

    def _hashes(self, ids: list[str]) -> np.ndarray:
        return np.fromiter(map(self._hash, ids), dtype=np.int64, count=len(ids))

    def _stored(self, ids: list[str], hashes: np.ndarray) -> list[int]:
        """Positions in `ids` of the ids already stored: those whose hash is stored, confirmed
        by comparing the stored bytes."""
        if not self._stored_n:
            return []
        candidates = self._index.candidates(np.ascontiguousarray(hashes, dtype=np.int64))
        return sorted({k for k, number in candidates if self._id(number) == ids[k]})

    def _id(self, number: int) -> str:
        start = int(self._ends[number - 1]) if number else 0
        return self._bytes[start : int(self._ends[number])].decode("utf-8", "surrogatepass")

    def _store(self, ids: list[str], hashes: np.ndarray) -> None:
        text = "".join(ids)
        if text.isascii():
            self._bytes += text.encode("ascii")
            sizes = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        else:
            encoded = [cid.encode("utf-8", "surrogatepass") for cid in ids]
            self._bytes += b"".join(encoded)
            sizes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(ids))
        base, n = self._stored_n, len(ids)
        if base + n > len(self._ends):  # grown by doubling: each end is copied O(1) times
            grown = np.empty(max(2 * len(self._ends), base + n), dtype=np.int64)
            grown[:base] = self._ends[:base]
            self._ends = grown
        np.cumsum(sizes, out=self._ends[base : base + n])
        if base:
            self._ends[base : base + n] += self._ends[base - 1]
        self._stored_n = base + n
        self._index.insert(np.ascontiguousarray(hashes, dtype=np.int64), base)


class SortedRuns:
    """The stored hashes, each with the number of its id, as numpy's sorted runs behind a Bloom
    filter — what `ClaimIds` uses where the compiled hash table is not built."""

    def __init__(self, filter_bits: int = 1 << 16):
        # A one-hash Bloom filter over the stored hashes: most ids of a block are new, and the
        # filter says so for nearly all of them without looking further. It is made larger as
        # ids accumulate, so that few new ids (about 1 in 16 at most) need a closer look.
        self._filter = np.zeros(filter_bits // 8, dtype=np.uint8)
        # Sorted runs (hashes, id numbers), merged like a log-structured merge tree: a run is
        # merged into the one before it when it has grown to half its size, so each hash is
        # merged about log2(ids / block) times.
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def _bits(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each hash sits in the filter: (byte, bit mask). Hashes of strings are spread
        over all their bits; the filter takes the high ones (the low ones pick `hash_fn=len`'s
        few values in tests, which is fine: they only make the filter useless, never wrong)."""
        spot = (hashes.view(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - self._filter_log2())
        return (spot >> np.uint64(3)).astype(np.intp), (np.uint8(1) << (spot & np.uint64(7)).astype(np.uint8))

    def _filter_log2(self) -> int:
        return (len(self._filter) * 8).bit_length() - 1

    def candidates(self, hashes: np.ndarray) -> list[tuple[int, int]]:
        """(position in `hashes`, id number) for every stored hash equal to one of these."""
        if not self._n:
            return []
        byte, mask = self._bits(hashes)
        maybe = np.flatnonzero(self._filter[byte] & mask)
        if not len(maybe):
            return []
        wanted = hashes[maybe]
        found = []
        for run_hashes, numbers in self._runs:
            at = np.searchsorted(run_hashes, wanted)
            n = len(run_hashes)
            for k in np.flatnonzero(run_hashes[np.minimum(at, n - 1)] == wanted).tolist():
                j, h = int(at[k]), int(wanted[k])
                while j < n and run_hashes[j] == h:  # every stored id with this hash
                    found.append((int(maybe[k]), int(numbers[j])))
                    j += 1
        return found

    def insert(self, hashes: np.ndarray, first: int) -> None:
        order = np.argsort(hashes, kind="stable")
        self._runs.append((hashes[order], first + order))
        self._n += len(hashes)
        while len(self._runs) > 1 and 2 * len(self._runs[-1][0]) >= len(self._runs[-2][0]):
            later = self._runs.pop()
            self._runs[-1] = _merge(*self._runs[-1], *later)
        if 16 * self._n > len(self._filter) * 8:
            self._filter = np.zeros(2 * len(self._filter), dtype=np.uint8)
            for run_hashes, _ in self._runs:
                self._mark(run_hashes)
        else:
            self._mark(hashes)

    def _mark(self, hashes: np.ndarray) -> None:
        byte, mask = self._bits(hashes)
        np.bitwise_or.at(self._filter, byte, mask)


def _merge(h1: np.ndarray, n1: np.ndarray, h2: np.ndarray, n2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted runs (hashes, id numbers) as one, in linear time: each hash of the second goes
    after the equal ones of the first, so ids with equal hashes keep the order they came in."""
    at = np.searchsorted(h1, h2, side="right") + np.arange(len(h2))
    hashes = np.empty(len(h1) + len(h2), dtype=np.int64)
    numbers = np.empty(len(hashes), dtype=np.int64)
    rest = np.ones(len(hashes), dtype=bool)
    rest[at] = False
    hashes[at], numbers[at] = h2, n2
    hashes[rest], numbers[rest] = h1, n1
    return hashes, numbers


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
