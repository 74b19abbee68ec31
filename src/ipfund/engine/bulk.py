"""Bulk evaluation: JSONL in, one decision per line out, streaming in chunks.

The ledger (keys taken, caps used, top-ups paid) is carried from chunk to chunk, so the result is
the same as evaluating the whole file as one batch — in bounded memory. Each block of lines is
decoded by msgspec into typed structs in one call (wire.py), split into lines only when some line
needs it; a line msgspec refuses (an invalid claim, a money value sent as a binary float, an integer
beyond 64 bits) is re-read with the exact reader the batch path uses, so both paths decide alike.
With workers, reading, the static pass and encoding run in other processes and the main process
decides each block against the ledger, in order, re-encoding only the lines the ledger changed.
"""

from __future__ import annotations

import json
import os
import stat
from decimal import Decimal
from itertools import chain
from typing import Iterable, Iterator

import numpy as np
import orjson

from . import wire
from .claim_ids import BlockIds
from .evaluation import Evaluator, no_gc
from .policy import Policy, load_policy

CHUNK = 20_000
#: Bytes of input decoded at a time (about 7,800 claims of the benchmark mix): larger blocks
#: spread the per-block costs thinner but hold more in each process at once, and beyond about
#: 2 MB they no longer gain (measured with 1, 2, 3, 6 and 12 MB: 2 MB was fastest).
BLOCK = 2 << 20
BAD_LINE = "该行不是有效的 JSON：{detail}"


#: Buffers up to this size come from malloc's heap, and this much freed memory stays there.
HOLD_MMAP = 32 << 20
HOLD_TRIM = 64 << 20


def hold_freed_memory() -> bool:
    """For a process that does nothing but a bulk run (the CLI): keep the memory of large
    buffers — each block's bytes, its rendered decisions, what travels between processes —
    for the next block instead of giving it back to the kernel, which hands out fresh pages that
    fault in one by one. About four fifths of the page faults of a run go. Worker processes
    forked afterwards inherit it. False where it cannot be done (not glibc, reader not built)."""
    if wire._columns is None:
        return False
    return wire._columns.hold_freed_memory(HOLD_MMAP, HOLD_TRIM)


def _exact(line: bytes):
    return json.loads(line, parse_float=Decimal)


#: A line longer than this is not a claim: it is answered with an error, not held in memory.
MAX_LINE = 16 * 1024 * 1024
TOO_LONG = b"\x00too long"
LINE_TOO_LONG = "该行超过 16 MB，不是一个申报"


def iter_lines(fh, block: int = BLOCK) -> Iterator[bytes]:
    """Lines of a binary file, read in large blocks."""
    for data in _blocks(fh, block):
        yield from data.split(b"\n")


def _blocks(fh, block: int = BLOCK) -> Iterator[bytes]:
    """The file in blocks of about `block` bytes, each ending at a line break (not included). A
    line over MAX_LINE is replaced by TOO_LONG, so memory stays bounded whatever the input."""
    read = getattr(fh, "read1", fh.read)  # read1: what a pipe has now, so output can stream
    rest = b""
    skipping = False
    while True:
        data = read(block)
        if not data:
            break
        if skipping:
            nl = data.find(b"\n")
            if nl < 0:
                continue
            data = TOO_LONG + data[nl:]
            skipping = False
        cut = data.rfind(b"\n")
        if cut < 0:
            rest += data
            if len(rest) > MAX_LINE:
                rest, skipping = b"", True
            continue
        head = rest + data[:cut]
        rest = data[cut + 1:]
        yield head
    if skipping:
        yield TOO_LONG
    elif rest:
        yield rest


def _spans(fh, block: int = BLOCK, window: int = 1 << 16) -> Iterator[tuple[int, int] | bytes]:
    """Like `_blocks`, for a regular file: where each block lies, (offset, length), found by
    reading only a little past each cut — so that workers can read their blocks themselves
    instead of being sent them. The file position follows the blocks given out. Should a line
    run on past the little read there (a very long line), the rest of the file comes as blocks
    from `_blocks` (bytes), whose reading bounds such lines."""
    fd = fh.fileno()
    size = os.fstat(fd).st_size
    pos = fh.tell()
    while pos < size:
        target = pos + block
        if target >= size:
            end = size - 1 if os.pread(fd, 1, size - 1) == b"\n" else size
        else:
            nl = os.pread(fd, window, target).find(b"\n")
            if nl < 0:
                fh.seek(pos)
                yield from _blocks(fh, block)
                return
            end = target + nl
        fh.seek(min(end + 1, size))
        yield pos, end - pos
        pos = end + 1


def _is_regular(fh) -> bool:
    try:
        return stat.S_ISREG(os.fstat(fh.fileno()).st_mode)
    except (AttributeError, OSError, ValueError):  # io.BytesIO and the like have no descriptor
        return False


def _read_block(ev: Evaluator, blob: bytes) -> tuple[int, dict[int, dict]]:
    """Read one block of lines into the evaluator's columns: (how many claims, the errors by
    position). The block is split into lines only if some line needs the careful reader."""
    bad: dict[int, dict] = {}
    block = wire.read_columns(ev.policy, blob)
    if block is not None:  # the compiled reader: the lines it doubted come with it
        known = dict(zip(block[2], block[3]))
        lines = None

        def line_at(p):
            nonlocal lines
            if p in known:
                return known[p]
            if lines is None:  # a line the column checks doubt: the block's non-blank lines
                lines = [line for line in blob.split(b"\n") if line.strip()]
            return lines[p]
    else:
        structs, some_none, lines = wire.decode_block(ev.policy, blob)

        def line_at(p):
            nonlocal lines
            if lines is None:  # decoded whole, so every line holds one claim and none is blank
                lines = blob.split(b"\n")
            return lines[p]

    def source(p):
        line = line_at(p)
        try:
            return _exact(line)
        except (ValueError, RecursionError, UnicodeDecodeError) as exc:
            bad[p] = _line_error(exc, line)
            return None

    if block is not None:
        errors = ev.read_columns(block, source)
        n = block[0]
    else:
        errors = ev.read_structs((structs, some_none), source)
        n = len(structs)
    errors.update(bad)  # an unreadable line's own message wins over "not an object"
    return n, errors


def _line_error(exc, line: bytes = b"") -> dict:
    message = LINE_TOO_LONG if line == TOO_LONG else BAD_LINE.format(detail=str(exc).splitlines()[0][:200])
    return {"id": None, "error": {"code": "invalid_input", "field": "claim", "message": message}}


def _read_known(ev: Evaluator, blob: bytes, known: tuple) -> tuple[int, dict[int, dict]]:
    """`_read_block` for a policy with facts the platform knows: the lines are parsed one by one
    (the compiled reader is not used) so that those facts are filled before the claims are read."""
    bad: dict[int, dict] = {}
    claims: list = []
    for p, line in enumerate(line for line in blob.split(b"\n") if line.strip()):
        try:
            claims.append(_exact(line))
        except (ValueError, RecursionError, UnicodeDecodeError) as exc:
            bad[p] = _line_error(exc, line)
            claims.append(None)
    earlier, registers = known
    claims, refused = ev.fill_known(claims, earlier=earlier, registers=registers)
    errors = ev.read_many(claims, refused=refused)
    errors.update(bad)
    return len(claims), errors


class BulkEvaluator:
    def __init__(self, policy: str | Policy, *, history: dict | None = None, interpretations=None, explain: bool = False,
                 registers: dict | None = None):
        from .evaluation import _history_claims
        from .known import by_applicant, earlier_of_awards, read_registers, uses_known

        self.policy = policy if isinstance(policy, Policy) else load_policy(policy)
        self.ev = Evaluator(self.policy, interpretations, explainable=explain)
        awarded = _history_claims(self.policy, history)
        self.ev.add_history(awarded)
        self.explain = explain
        # Facts the platform knows: read from the history's awards and the registers given.
        self.known = ((by_applicant(earlier_of_awards(self.policy, awarded, load=load_policy)), read_registers(registers))
                      if uses_known(self.policy) else None)

    def _decide(self, blob: bytes, encoded: bool = False):
        if self.known is not None:
            n, errors = _read_known(self.ev, blob, self.known)
        else:
            n, errors = _read_block(self.ev, blob)
        if encoded and not self.explain:
            return self.ev.decide_encoded(n, errors), n
        return self.ev.decide(n, errors, self.explain), n

    def _chunks(self, lines: Iterable[bytes]) -> Iterator[list[bytes]]:
        chunk: list[bytes] = []
        for line in lines:
            if not line.strip():
                continue
            chunk.append(line)
            if len(chunk) >= CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def run_decisions(self, lines: Iterable[bytes]) -> Iterator[list[dict]]:
        """Decisions as dicts, chunk by chunk."""
        for chunk in self._chunks(lines):
            with no_gc():
                decided, _ = self._decide(b"\n".join(chunk))
            yield decided

    def run_blocks(self, fh, block: int = BLOCK) -> Iterator[tuple[bytes, int]]:
        """Decisions encoded as JSON lines for a binary file read in blocks of whole lines, block
        by block, with how many decisions each holds."""
        dumps = orjson.dumps
        for blob in _blocks(fh, block):
            with no_gc():
                decided, n = self._decide(blob, encoded=True)
                if not isinstance(decided, bytes):
                    decided = b"\n".join(map(dumps, decided)) + b"\n"
            yield (decided if n else b""), n


def evaluate_lines(lines: Iterable[bytes], *, policy: str, history: dict | None = None, interpretations=None,
                   explain: bool = False, registers: dict | None = None) -> Iterator[dict]:
    """One decision per non-blank JSONL line, in order (the same decisions as evaluate_batch)."""
    bulk = BulkEvaluator(policy, history=history, interpretations=interpretations, explain=explain, registers=registers)
    for decisions in bulk.run_decisions(lines):
        yield from decisions


# ---------------------------------------------------------------------------------------------
# Parallel bulk: reading, checking and the static pass need no state, so worker processes do them
# chunk by chunk; the ledger pass — the only part that depends on order — and the encoding stay
# in the main process, which takes the workers' results strictly in chunk order.

_WORKER: dict = {}


#: A string whose hash tells whether two processes hash strings alike (same hash seed).
_HASH_PROBE = "ipfund: claim ids"


def _worker_init(policy_id: str, interpretations, main_probe: int | None = None) -> None:
    _WORKER["ev"] = Evaluator(load_policy(policy_id), interpretations, explainable=False)  # keys as the main's
    # Forked workers share the main process's hash seed, so they can hash the block's ids for it
    # (they hashed them already, finding repeats). Should they ever not, the main hashes itself.
    _WORKER["same_hashes"] = main_probe == hash(_HASH_PROBE)


def _worker_static(task):
    """One block of the input — its bytes, or where it lies in the input file, (descriptor,
    length, offset) — read, judged statically and rendered optimistically:
    (the lines rendered, each with its line break, where each of them starts, the prepared
    results, the ids of the invalid claims — those of the sound ones are in the results — and the
    hashes of the block's ids in the order the main process registers them, or None when this
    process does not hash strings as the main one does)."""
    ev: Evaluator = _WORKER["ev"]
    blob = task if isinstance(task, bytes) else os.pread(*task)
    ev.seen_ids = BlockIds()  # repeated ids within the block; across blocks the main process checks
    with no_gc():
        n, errors = _read_block(ev, blob)
        results = [ev.static(cols) for cols in ev.reader.columns()]
        out = ev.render_errors(n, errors)
        for r in results:
            ev.render_optimistic(r, out)
            r.shippable()
    # One bytes object travels far cheaper than a list of small ones. The block's ids travel once:
    # those of sound claims inside the results, those of invalid claims in their errors.
    invalid_ids = [e["id"] for e in errors.values() if e["id"] is not None]
    id_hashes = None
    if _WORKER.get("same_hashes"):  # in the order the main process lists the block's ids
        id_hashes = _hashes(_block_ids(invalid_ids, results))
    starts = np.zeros(len(out) + 1, dtype=np.int64)  # where each line starts (and one past the end)
    np.cumsum(np.fromiter(map(len, out), dtype=np.int64, count=len(out)) + 1, out=starts[1:])
    out.append(b"")  # the last line's break too, without copying the block again to add it
    return b"\n".join(out), starts, results, invalid_ids, id_hashes


def _block_ids(invalid_ids: list, results: list) -> list[str]:
    """The distinct ids of a block as the main process registers them: those of invalid claims
    first (an id repeated within the block is among them, and counts once here), then those of
    the sound claims. Distinct, since the worker found every repeat within the block."""
    ids = list(chain(invalid_ids, *(r.cols.ids for r in results)))
    return list(dict.fromkeys(ids)) if invalid_ids else ids


def _hashes(ids: list[str]) -> np.ndarray:
    return np.fromiter(map(hash, ids), dtype=np.int64, count=len(ids))


class ParallelBulk(BulkEvaluator):
    """Bulk evaluation with the stateless work (reading, checking, rules, encoding) spread over
    `workers` processes; the main process decides each block against the ledger, in order."""

    def __init__(self, policy: str, *, workers: int, history=None, interpretations=None, registers=None):
        super().__init__(policy, history=history, interpretations=interpretations, explain=False, registers=registers)
        self.workers = workers
        self.policy_id = policy
        self.interpretations = interpretations

    def run_blocks(self, fh, block: int = BLOCK) -> Iterator[tuple[bytes, int]]:
        """Decisions for a binary file read in blocks of whole lines; the main process never
        touches a line until the workers have decided it statically. A policy with facts the
        platform knows is read in this process (they are filled before its claims are read)."""
        if self.known is not None:
            yield from super().run_blocks(fh, block)
            return
        import multiprocessing
        from collections import deque

        ctx = multiprocessing.get_context("fork")
        pending: deque = deque()
        # A regular file is read by the workers themselves (they inherit its descriptor): the
        # main process only finds where blocks end. A pipe's blocks are read here and sent.
        fd = fh.fileno() if _is_regular(fh) else None
        with ctx.Pool(self.workers, initializer=_worker_init, initargs=(self.policy_id, self.interpretations, hash(_HASH_PROBE))) as pool:
            for task in _spans(fh, block) if fd is not None else _blocks(fh, block):
                if not isinstance(task, bytes):
                    offset, length = task
                    task = (fd, length, offset)  # type: ignore[assignment]  # os.pread's order
                pending.append((task, pool.apply_async(_worker_static, (task,))))
                # Bounded look-ahead; whatever is already done goes out at once.
                while pending and (len(pending) > self.workers or pending[0][1].ready()):
                    yield self._finish(*pending.popleft())
            while pending:
                yield self._finish(*pending.popleft())

    def _finish(self, task, future) -> tuple[bytes, int]:
        rendered, starts, results, invalid_ids, id_hashes = future.get()
        size = len(starts) - 1
        seen = self.ev.seen_ids
        ids = _block_ids(invalid_ids, results)
        with no_gc():
            if not seen.add_new(ids, id_hashes, distinct=True):
                # An id seen in an earlier block: this block is decided here, the careful way.
                decided, n = self._decide(task if isinstance(task, bytes) else os.pread(*task), encoded=True)
                return (decided if n else b""), n
            self.ev.ledger_pass(results, False)
            changed: dict[int, bytes] = {}
            for r in results:
                rows = self.ev.changed_rows(r)
                if rows is not None and len(rows):
                    self.ev.render(r, rows, changed)  # type: ignore[arg-type]  # (render fills a dict too)
            if changed:
                rendered = _splice(rendered, starts.tolist(), changed)
        return rendered, size


def _splice(rendered: bytes, starts: list[int], changed: dict[int, bytes]) -> bytes:
    """The rendered lines with those at the changed positions replaced (the others not copied one
    by one: the runs between changed lines are taken whole)."""
    pieces = []
    done = 0
    for p in sorted(changed):
        pieces.append(rendered[done : starts[p]])
        pieces.append(changed[p])
        done = starts[p + 1] - 1  # the line's end, before its line break
    pieces.append(rendered[done:])
    return b"".join(pieces)


def evaluate_jsonl(src, policy: str, *, history: dict | None = None, interpretations: dict | None = None,
                   explain: bool = False, workers: int = 1, registers: dict | None = None) -> Iterator[tuple[bytes, int]]:
    """The contract's decisions for a stream of JSON lines (one claim a line), in bulk: an iterator of
    (encoded decision lines, bytes consumed). The bulk path decides in columns; the golden cases of
    every package check it against `evaluate_batch` (the door's decision pass). With `workers` > 1
    (and no explanation) its reading and static pass run in that many processes."""
    hold_freed_memory()  # a bulk run does nothing else in its process
    bulk: ParallelBulk | BulkEvaluator
    if workers > 1 and not explain:
        bulk = ParallelBulk(policy, workers=workers, history=history, interpretations=interpretations, registers=registers)
    else:
        bulk = BulkEvaluator(policy, history=history, interpretations=interpretations, explain=explain, registers=registers)
    return bulk.run_blocks(src)
