"""Bulk decisions on a Dask cluster (`distributed`): the same decisions, byte for byte, as one process.

A claim's decision reads only the ledger entries named by its duplicate key, its cap and top-up
groups, the caps spanning items (`caps:`, across policies too) and the matters of its exclusive
groups — and its id, which no later claim may repeat. Claims that share none of these names never
read what the others write. So the claims are partitioned by key closure: the names of every claim
are found (a map over blocks of the input, on the workers), claims sharing a name are joined
(union-find over claims and names), and the connected components are packed into chunks of about
equal size. Each chunk is decided on a worker in the input's order, against the whole history, by
the very bulk evaluator one process uses; the decisions are put back in input order.

Names travel as 64-bit digests (blake2b of the name's repr): two names that collide only join two
components that need not be joined — the result is the same, the balance a little worse.

The cluster: a LocalCluster of `workers` processes started here, or a running scheduler's address
(its workers must have ipfund and the same policy packages installed).
"""

from __future__ import annotations

import contextlib
import heapq
import io
import os
from dataclasses import dataclass
from hashlib import blake2b
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from .policy import Policy, load_policy

#: Chunks per worker: more give finer progress and balance, fewer less overhead per chunk.
CHUNKS_PER_WORKER = 4
#: Claims per naming task (the map over the input).
NAMING_LINES = 20_000

Progress = Callable[[str, int, int], None]  # (phase, done, total)


# -- names -------------------------------------------------------------------------------------


def _digest(name) -> int:
    return int.from_bytes(blake2b(repr(name).encode(), digest_size=8).digest(), "little", signed=True)


def read_names(ev, n: int, errors: Mapping[int, dict], results: list | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The ledger names of the claims an evaluator has just read (positions 0..n-1), as
    (positions, digests): one pair per name a claim's decision reads or writes — its id, its
    duplicate key, top-up and cap groups, the caps spanning items and the matters of its
    exclusive groups, exactly as the ledger pass files them (`Evaluator.prepare`). `results`, when
    given, receives each block's static result (for the caller to read more of them)."""
    owners: list[int] = []
    names: list = []
    for p, err in errors.items():
        cid = err.get("id") if isinstance(err, dict) else None
        if cid is not None:
            owners.append(p)
            names.append(("id", cid))
    for cols in ev.reader.columns():
        pos = cols.pos.tolist()
        owners.extend(pos)
        names.extend(("id", cid) for cid in cols.ids)
        r = ev.static(cols)
        if results is not None:
            results.append(r)
        ev.prepare(r)
        if not len(r.rows):
            continue
        at = cols.pos[r.rows].tolist()
        keys, tops, groups, _caps = r.fields
        lid = cols.item.ledger_id
        if keys is not None:
            owners.extend(at)
            names.extend(("key", lid, k) for k in keys)
        for kind, values in (("top", tops), ("group", groups)):
            if values is not None:
                owners.extend(at)
                names.extend((kind, v) for v in values)
        if r.spanning is not None:
            shared_caps, matters = r.spanning
            for p, row_caps, row_matters in zip(at, shared_caps, matters):
                for bucket, _limit, _cap in row_caps:
                    owners.append(p)
                    names.append(("bucket", bucket))
                for matter, _grp, _rule in row_matters:
                    owners.append(p)
                    names.append(("matter", matter))
    return np.asarray(owners, dtype=np.int64), np.fromiter(map(_digest, names), dtype=np.int64, count=len(names))


def components(n: int, owners: np.ndarray, digests: np.ndarray) -> np.ndarray:
    """For each of n claims, the smallest position of the claims it is linked to (by sharing a
    name, directly or through others): union-find by hooking and pointer jumping, in numpy."""
    if not len(owners):
        return np.arange(n, dtype=np.int64)
    _, name_index = np.unique(digests, return_inverse=True)
    u = owners.astype(np.int64)
    v = name_index.astype(np.int64).ravel() + n
    parent = np.arange(max(n, int(v.max()) + 1), dtype=np.int64)
    while True:
        pu, pv = parent[u], parent[v]
        differ = pu != pv
        if not differ.any():
            break
        lo, hi = np.minimum(pu[differ], pv[differ]), np.maximum(pu[differ], pv[differ])
        np.minimum.at(parent, hi, lo)
        while True:  # every node straight under its root
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
    return parent[:n]


def pack(roots: np.ndarray, chunks: int) -> list[np.ndarray]:
    """The claims (positions) of each chunk, in input order: whole components, the largest first
    to the least loaded chunk, the many small ones filling what is left up to an equal share."""
    n = len(roots)
    if n == 0:
        return []
    comp, inverse, sizes = np.unique(roots, return_inverse=True, return_counts=True)
    chunks = max(1, min(chunks, len(comp)))
    target = -(-n // chunks)
    order = np.argsort(-sizes, kind="stable")
    big = order[sizes[order] * 4 > target]
    small = order[sizes[order] * 4 <= target]
    load = [(0, b) for b in range(chunks)]
    heapq.heapify(load)
    bin_of = np.empty(len(comp), dtype=np.int64)
    loads = np.zeros(chunks, dtype=np.int64)
    for c in big.tolist():
        used, b = heapq.heappop(load)
        bin_of[c] = b
        loads[b] = used + sizes[c]
        heapq.heappush(load, (int(loads[b]), b))
    if len(small):
        room = np.maximum(target - loads, 0)
        if room.sum() < sizes[small].sum():  # the big ones overfilled: share what is left evenly
            room = room + -(-(sizes[small].sum() - room.sum()) // chunks)
        ends = np.cumsum(room)
        starts = np.cumsum(sizes[small]) - sizes[small]
        bin_of[small] = np.minimum(np.searchsorted(ends, starts, side="right"), chunks - 1)
    claim_bin = bin_of[inverse.ravel()]
    by_bin = np.argsort(claim_bin, kind="stable")  # positions grouped by chunk, in input order
    cuts = np.searchsorted(claim_bin[by_bin], np.arange(1, chunks))
    return [part for part in np.split(by_bin, cuts) if len(part)]


# -- the cluster -------------------------------------------------------------------------------


@contextlib.contextmanager
def dask_client(workers: int = 2, scheduler: str | None = None, *, processes: bool = True):
    """A Dask client: on the scheduler at `scheduler`, or on a LocalCluster of `workers` worker
    processes (one thread each) started here and closed on leaving."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=processes, dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": ":0"},  # its web server on a free port, not 8787
                      silence_logs=40) as cluster, Client(cluster) as client:
        yield client


def peak_memory(client) -> dict[str, int]:
    """Each worker's peak resident memory so far, in bytes (by worker address)."""
    return client.run(peak_rss)


def cpu_seconds(client) -> dict[str, float]:
    """Each worker's CPU time so far (user + system), in seconds (by worker address)."""
    return client.run(_cpu)


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def peak_rss() -> int:
    """This process's peak resident memory in bytes: VmHWM, which starts afresh in a process that
    exec'd (ru_maxrss would carry the peak of the process that started it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _worker_count(client) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


# -- on the workers ----------------------------------------------------------------------------

_CACHE: dict[tuple, Any] = {}


def _here() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return str(os.getpid())


def _policy(ref) -> Policy:
    ref = getattr(ref, "_policy", None) or ref  # a read model (PolicyView): the policy it was built from
    return ref if isinstance(ref, Policy) else load_policy(ref)


def _known(policy: Policy, known_from) -> tuple:
    """What a bulk evaluator reads the facts the platform knows from: the history's awards and the
    registers (`known_from`: the pair as given to the run)."""
    from .evaluation import _history_claims
    from .known import by_applicant, earlier_of_awards, read_registers

    history, registers = known_from
    return by_applicant(earlier_of_awards(policy, _history_claims(policy, history), load=load_policy)), read_registers(registers)


def _names_of_lines(policy_ref, interpretations, blob: bytes, known_from=None) -> tuple[int, np.ndarray, np.ndarray]:
    from .bulk import _read_block, _read_known
    from .evaluation import Evaluator

    policy = _policy(policy_ref)
    ev = Evaluator(policy, interpretations, explainable=False)
    # A claim's names are read as it will be decided: with the facts the platform knows filled in.
    n, errors = _read_block(ev, blob) if known_from is None else _read_known(ev, blob, _known(policy, known_from))
    return (n, *read_names(ev, n, errors))


def _names_of_claims(policy_ref, interpretations, claims: bytes) -> tuple[int, np.ndarray, np.ndarray]:
    from .evaluation import Evaluator

    claims = _unpacked(claims)
    ev = Evaluator(_policy(policy_ref), interpretations, explainable=False)
    errors = ev.read_many(claims)
    return (len(claims), *read_names(ev, len(claims), errors))


def _packed(obj) -> bytes:
    """A list of claims or awards as one bytes object: Dask walks a task's arguments looking for
    futures, element by element, which costs far more than pickling them once."""
    import pickle

    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def _unpacked(data: bytes):
    import pickle

    from .evaluation import no_gc

    with no_gc():  # many small objects at once: the collector would walk them again and again
        return pickle.loads(data)


def _read_history(policy_ref, interpretations, explainable: bool, awarded: bytes):
    """A part of the history read into a ledger of its own (None when some award cannot be read:
    the client then reads the whole history itself, to refuse it with the very message one process gives)."""
    from .errors import BatchError
    from .evaluation import Evaluator

    ev = Evaluator(_policy(policy_ref), interpretations, explainable=explainable)
    try:
        ev.add_history(_unpacked(awarded))
    except BatchError:
        return None
    return ev.ledger


def _merge(ledgers: list):
    """The ledgers of consecutive parts of a history as the one ledger the whole history gives: a
    key held by the earliest award holding it, cap groups used and top-ups paid summed."""
    first = ledgers[0]
    for led in ledgers[1:]:
        for lid, taken in led.taken.items():
            mine = first.taken.get(lid)
            first.taken[lid] = taken if mine is None else {**taken, **mine}
        for store, theirs in ((first.used, led.used), (first.paid, led.paid)):
            for k, v in theirs.items():
                store[k] = store.get(k, 0) + v
        first.claims = {**led.claims, **first.claims}
    return first


#: Awards per history-reading task.
HISTORY_PART = 50_000


def history_ledger(client, policy: Policy | str, history: dict | None, interpretations: dict[str, str],
                   explainable: bool):
    """The ledger a history (the contract's {"policy", "awarded"}) gives, read in parts on the
    cluster and merged here; None for no history. Refused (BatchError) as one process refuses it."""
    from .evaluation import _history_claims
    from .evaluation import Evaluator

    if history is None:
        return None
    interpretations = dict(interpretations)
    awarded = _history_claims(_policy(policy), history)  # the shape checked here, as BulkEvaluator does
    ref = _ship(policy)
    parts = [_packed(awarded[i:i + HISTORY_PART]) for i in range(0, len(awarded), HISTORY_PART)]
    ledgers = client.gather(client.map(_read_history, [ref] * len(parts), [dict(interpretations)] * len(parts),
                                       [explainable] * len(parts), _scattered(client, parts), pure=False)) if parts else []
    if any(led is None for led in ledgers):
        ev = Evaluator(_policy(policy), interpretations, explainable=explainable)
        ev.add_history(awarded)  # raises the error one process raises
        return ev.ledger
    if not ledgers:
        return Evaluator(_policy(policy), interpretations, explainable=explainable).ledger
    return _merge(ledgers)


def _bulk(token: str, chunk: int, policy_ref, ledger, interpretations, explain: bool, known_from=None):
    """This worker's bulk evaluator for a run, its ledger the history's (a copy of its own). Chunks
    share no name, so one evaluator decides them one after another as each would be decided
    alone; a chunk met again (a task run twice) gets a fresh one."""
    import pickle

    from .bulk import BulkEvaluator

    key = (token, _here())
    found = _CACHE.get(key)
    if found is None or chunk in found[1]:
        for old in [k for k in _CACHE if k[1] == key[1] and k != key]:
            del _CACHE[old]  # one run at a time per worker
        bulk = BulkEvaluator(_policy(policy_ref), interpretations=interpretations, explain=explain,
                             registers=known_from[1] if known_from else None)
        if ledger is not None:
            bulk.ev.ledger = pickle.loads(pickle.dumps(ledger, protocol=pickle.HIGHEST_PROTOCOL))
        if known_from is not None:
            # Facts the platform knows ("首次", last year's figure, a register's list) are read from
            # the history's awards and the registers, as one process reads them.
            bulk.known = _known(bulk.policy, known_from)
        done: set[int] = set()
        found = _CACHE[key] = (bulk, done)
    found[1].add(chunk)
    return found[0]


def _decide_lines(token: str, chunk: int, policy_ref, ledger, interpretations, explain: bool, blob: bytes,
                  known_from=None) -> bytes:
    bulk = _bulk(token, chunk, policy_ref, ledger, interpretations, explain, known_from)
    return b"".join(part for part, _n in bulk.run_blocks(io.BytesIO(blob)))


def _decide_claims(policy_ref, claims: bytes, history, interpretations, explain: bool) -> list:
    from .door import decide

    return decide(_policy(policy_ref), _unpacked(claims), history=history, interpretations=interpretations, explain=explain)


def _ship(policy: Policy | str):
    """What names the policy on a worker: its id when the worker can load it so, else the policy."""
    if isinstance(policy, str):
        return policy
    try:
        if load_policy(policy.id) is policy:
            return policy.id
    except Exception:  # noqa: BLE001 - a draft or derived policy is not installed: it travels whole
        pass
    return policy


# -- runs --------------------------------------------------------------------------------------


@dataclass
class Plan:
    """How a run was split: the chunks (positions, in input order) and the components found."""

    chunks: list[np.ndarray]
    components: int
    largest: int


def plan(n: int, named: Iterable[tuple[int, np.ndarray, np.ndarray]], chunks: int) -> Plan:
    """Chunks from the names of consecutive parts of the input (each: its size, positions within
    it, digests)."""
    owners, digests = [], []
    offset = 0
    for size, o, d in named:
        owners.append(o + offset)
        digests.append(d)
        offset += size
    assert offset == n, (offset, n)
    roots = components(n, np.concatenate(owners) if owners else np.empty(0, np.int64),
                       np.concatenate(digests) if digests else np.empty(0, np.int64))
    _, counts = np.unique(roots, return_counts=True)
    return Plan(pack(roots, chunks), len(counts), int(counts.max()) if len(counts) else 0)


def _gather_in_order(client, futures: list, progress: Progress | None, phase: str) -> list:
    from distributed import as_completed

    results: list = [None] * len(futures)
    index = {f.key: i for i, f in enumerate(futures)}
    done = 0
    for future in as_completed(futures):
        results[index[future.key]] = future.result()
        done += 1
        if progress is not None:
            progress(phase, done, len(futures))
    return results


def decide_jsonl(policy: Policy | str, lines: Sequence[bytes], client, *, history: dict | None = None,
                 interpretations: Mapping[str, str] | None = None, explain: bool = False, chunks: int | None = None,
                 progress: Progress | None = None, registers: dict | None = None) -> Iterator[bytes]:
    """The decisions of the non-blank JSONL `lines` as `ipfund evaluate --jsonl` writes them (one
    line each, in input order), decided on the cluster of `client` — byte for byte what
    BulkEvaluator writes in one process. Facts the platform knows read the history's awards (all
    of them, on every worker) and the `registers` given, never other claims of the input: the
    partition by key closure stays exact for them."""
    import uuid

    lines = [line for line in lines if line.strip()]
    n = len(lines)
    if not n:
        return
    ref = _ship(policy)
    interp = dict(interpretations or {})
    from .known import uses_known

    known_from = None
    if uses_known(_policy(ref)):
        [known_from] = client.scatter([(history, registers)], broadcast=True, hash=False)
    parts = [b"\n".join(lines[i:i + NAMING_LINES]) for i in range(0, n, NAMING_LINES)]
    named = _gather_in_order(client, client.map(_names_of_lines, [ref] * len(parts), [interp] * len(parts),
                                                _scattered(client, parts), [known_from] * len(parts), pure=False),
                             progress, "names")
    split = plan(n, named, chunks or CHUNKS_PER_WORKER * _worker_count(client))
    token = uuid.uuid4().hex
    ledger = history_ledger(client, policy, history, interp, explain)
    [shared] = client.scatter([ledger], broadcast=True, hash=False)
    blobs = _scattered(client, [b"\n".join([lines[p] for p in positions.tolist()]) for positions in split.chunks])
    futures = [client.submit(_decide_lines, token, c, ref, shared, interp, explain, blob, known_from, pure=False)
               for c, blob in enumerate(blobs)]
    out: list[bytes] = [b""] * n
    decided = _gather_in_order(client, futures, progress, "decide")
    for positions, data in zip(split.chunks, decided):
        got = data.split(b"\n")
        if got and got[-1] == b"":
            got.pop()
        assert len(got) == len(positions), (len(got), len(positions))
        for p, line in zip(positions.tolist(), got):
            out[p] = line
    for i in range(0, n, NAMING_LINES):
        yield b"\n".join(out[i:i + NAMING_LINES]) + b"\n"


def decide_claims(policy: Policy | str, claims: Sequence, client, *, history=None,
                  interpretations: Mapping[str, str] | None = None, explain: bool = False, chunks: int | None = None,
                  progress: Progress | None = None) -> list:
    """`door.decide(policy, claims, history=…, interpretations=…, explain=…)` on the cluster: the
    same Decisions, in the same order. `claims`: door Claims;
    `history`: door Awards (read here into an AwardIndex) or a picklable LedgerLookup; it travels to
    every worker once."""
    from .door import AwardIndex, LedgerLookup

    n = len(claims)
    if not n:
        return []
    ref = _ship(policy)
    interp = dict(interpretations or {})
    contract = [c.as_contract() for c in claims]
    parts = [_packed(contract[i:i + NAMING_LINES]) for i in range(0, n, NAMING_LINES)]
    named = _gather_in_order(client, client.map(_names_of_claims, [ref] * len(parts), [interp] * len(parts),
                                                _scattered(client, parts), pure=False), progress, "names")
    split = plan(n, named, chunks or CHUNKS_PER_WORKER * _worker_count(client))
    if history is not None and not isinstance(history, LedgerLookup):  # awards read once, here
        history = AwardIndex(_policy(policy), history, interp)
    [shared] = client.scatter([history if history is not None else ()], broadcast=True, hash=False)
    futures = [client.submit(_decide_claims, ref, blob, shared, interp, explain,
                             pure=False)
               for blob in _scattered(client, [_packed([claims[p] for p in positions.tolist()]) for positions in split.chunks])]
    out: list = [None] * n
    for positions, decided in zip(split.chunks, _gather_in_order(client, futures, progress, "decide")):
        for p, d in zip(positions.tolist(), decided):
            out[p] = d
    return out


# -- each claim alone against a ledger (matching) --------------------------------------------------


class LedgerSnapshot:
    """A `LedgerLookup` over what a platform's ledger answered for a set of names, fetched once:
    it travels to the workers (a platform's own lookup reads a database they cannot reach)."""

    def __init__(self, holders: Mapping | None = None, amounts: Mapping | None = None):
        self._holders = dict(holders or {})
        self._amounts = dict(amounts or {})

    def holders(self, keys: Sequence[str]) -> dict:
        return {k: self._holders[k] for k in keys if k in self._holders}

    def amounts(self, buckets: Sequence[str]) -> dict:
        return {b: self._amounts[b] for b in buckets if b in self._amounts}


class _Recorder:
    """A lookup that answers nothing and remembers what it was asked."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.buckets: set[str] = set()

    def holders(self, keys: Sequence[str]) -> dict:
        self.keys.update(keys)
        return {}

    def amounts(self, buckets: Sequence[str]) -> dict:
        self.buckets.update(buckets)
        return {}


def _part_plan(policy_ref, interpretations, part: bytes) -> tuple[np.ndarray, list[str], list[str]]:
    """For a part of the claims (read once): the round of each claim within the part (no two
    claims of a round share a ledger name) and the names a decision of them asks the platform's
    ledger for (duplicate keys, buckets). Compact: the part itself stays where it is."""
    from .door import _seed
    from .evaluation import Evaluator

    contract = _unpacked(part)
    ev = Evaluator(_policy(policy_ref), interpretations)  # as `decide` reads them
    errors = ev.read_many(contract)
    results: list = []
    owners, digests = read_names(ev, len(contract), errors, results)
    recorder = _Recorder()
    _seed(ev, results, recorder)
    return rounds(len(contract), owners, digests).astype(np.int32), sorted(recorder.keys), sorted(recorder.buckets)


def rounds(n: int, owners: np.ndarray, digests: np.ndarray) -> np.ndarray:
    """A round for each claim such that no two claims of a round share a ledger name: claims linked
    to no other are all in round 0; the others, in order, one round after the last round any of
    their names was in."""
    roots = components(n, owners, digests)
    out = np.zeros(n, dtype=np.int64)
    _, first, counts = np.unique(roots, return_index=True, return_counts=True)
    linked = np.isin(roots, roots[first[counts > 1]])
    if not linked.any():
        return out
    keep = linked[owners]
    names_of: dict[int, list[int]] = {}
    for o, d in zip(owners[keep].tolist(), digests[keep].tolist()):
        names_of.setdefault(o, []).append(d)
    last: dict[int, int] = {}
    for p in np.flatnonzero(linked).tolist():
        names = names_of.get(p, ())
        r = max((last[d] + 1 for d in names if d in last), default=0)
        for d in names:
            last[d] = r
        out[p] = r
    return out


def _decide_part(policy_ref, part: bytes, round_of: np.ndarray, lookup, interpretations, explain: bool | str,
                 packed: bool = False) -> list | bytes:
    """A part's claims each decided alone against the lookup: round by round (the claims of a
    round share no ledger name, so deciding them together decides each alone), in part order.
    `packed`: the decisions as one bytes object (for the client to read without the collector)."""
    from .door import _decided
    from .evaluation import Evaluator

    contract = _unpacked(part)
    policy = _policy(policy_ref)
    out: list = [None] * len(contract)
    for r in np.unique(round_of).tolist():
        at = np.flatnonzero(round_of == r).tolist()
        batch = [contract[p] for p in at]  # as `decide(policy, claims, history=lookup)` decides them
        for p, d in zip(at, _decided(Evaluator(policy, interpretations), batch, [c["item"] for c in batch], lookup,
                                     explain)):
            out[p] = d
    return _packed(out) if packed else out


def _run(client, fn, *args, pure=False):
    """A task on the cluster, or here when there is no client."""
    if client is None:
        return _Done(fn(*args))
    return client.submit(fn, *args, pure=pure)


def _scattered(client, data: list) -> list:
    """Parts of the input sent to the workers (spread over them), as futures the tasks take: they
    travel from here to a worker once, not through the scheduler inside the task graph."""
    return client.scatter(data, hash=False) if data else []


class _Done:
    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


def decide_each(policy: Policy | str, claims: Sequence, client, *, snapshot_of: Callable[[list, list], Any],
                interpretations: Mapping[str, str] | None = None, explain: bool | str = True, chunks: int | None = None,
                progress: Progress | None = None) -> list:
    """Each claim decided alone against the platform's ledger — what `decide(policy, [claim],
    history=lookup)` gives for each — in bulk. The claims go to the workers once, in parts (bytes,
    spread over them) that stay there: each part is read once to find its claims' ledger names —
    giving the rounds of the part, in which no two claims share a name (so none sees another's
    award) — and the names its decisions ask the ledger for; `snapshot_of(keys, buckets)` answers
    them all at once here (a picklable LedgerLookup, e.g. a LedgerSnapshot, sent to every worker
    once); then each part is decided where it lies, round by round. Without a client, the same in
    this process. `explain="eligible"`: explanations for the eligible claims only (in the same
    pass). `chunks`: parts in all (default CHUNKS_PER_WORKER per worker; at most NAMING_LINES claims each)."""
    n = len(claims)
    if not n:
        return []
    ref = _ship(policy)
    interp = dict(interpretations or {})
    workers = _worker_count(client) if client is not None else 1
    size = max(1, min(NAMING_LINES, -(-n // (chunks or CHUNKS_PER_WORKER * workers))))
    blobs = [_packed([c.as_contract() for c in claims[i:i + size]]) for i in range(0, n, size)]
    parts = _scattered(client, blobs) if client is not None else blobs
    del blobs
    planned = _in_order(client, [_run(client, _part_plan, ref, interp, part) for part in parts], progress, "names")
    lookup = snapshot_of(sorted({k for _r, ks, _bs in planned for k in ks}), sorted({b for *_, bs in planned for b in bs}))
    shared = client.scatter([lookup], broadcast=True, hash=False)[0] if client is not None else lookup
    futures = [_run(client, _decide_part, ref, part, round_of, shared, interp, explain, client is not None)
               for part, (round_of, _ks, _bs) in zip(parts, planned)]
    out: list = []
    for decided in _in_order(client, futures, progress, "decide"):
        out.extend(_unpacked(decided) if isinstance(decided, bytes) else decided)
    return out


def _in_order(client, futures: list, progress: Progress | None, phase: str) -> list:
    if client is not None:
        return _gather_in_order(client, futures, progress, phase)
    if progress is not None:
        for i in range(len(futures)):
            progress(phase, i + 1, len(futures))
    return [f.result() for f in futures]


def evaluate_jsonl_on_dask(src, policy: str, *, history: dict | None = None, interpretations: dict | None = None,
                           explain: bool = False, registers: dict | None = None, workers: int = 2,
                           scheduler: str | None = None, progress=None) -> Iterator[bytes]:
    """`evaluate_jsonl`'s decision lines decided on a Dask cluster (a LocalCluster of `workers`
    processes, or the running `scheduler`), partitioned by key closure (distributed.py): the same
    bytes. `progress(phase, done, total)` is told the chunks done."""
    from .bulk import _blocks

    lines = [line for blob in _blocks(src) for line in blob.split(b"\n")]
    with dask_client(workers, scheduler) as client:
        yield from decide_jsonl(policy, lines, client, history=history, interpretations=interpretations,
                                explain=explain, progress=progress, registers=registers)
