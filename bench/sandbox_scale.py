"""A sandbox-sized bulk run on Dask: N claims (default 1,000,000) of the full item mix decided against
a history of H awards (default 500,000), on a LocalCluster of 1 and of 2 worker processes, runs
alternated (the machine's speed drifts, and other work may share it), each checked byte for byte
against the one-process bulk (BulkEvaluator, what `ipfund evaluate --jsonl --workers 1` writes).

    python bench/sandbox_scale.py [N] [H] [ROUNDS]

Times are wall clock of the run on a started cluster (reading the input, naming, partitioning,
deciding, putting the lines back in order); the cluster's start is timed apart. Memory: each
worker's peak resident set, and the client's."""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import orjson

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from machine import describe, on_cluster  # noqa: E402
from make_jsonl import main as make_jsonl  # noqa: E402

from ipfund.engine.bulk import BulkEvaluator, iter_lines  # noqa: E402
from ipfund.engine.distributed import decide_jsonl, peak_rss  # noqa: E402

POLICY = "zhaoqing-hitech-ip-2022"
WORK = Path("/tmp/ipfund-bench-dask")


def history_of(n_awards: int) -> dict:
    """n_awards awards: claims of the same mix (ids h…), decided, the eligible ones with their amounts."""
    path = WORK / f"history-{n_awards}.json"
    if path.exists():
        return orjson.loads(path.read_bytes())
    source = WORK / f"history-candidates-{n_awards}.jsonl"
    make_jsonl(n_awards * 2, str(source), seed=7)
    lines = [line.replace(b'"id":"c', b'"id":"h', 1) for line in iter_lines(open(source, "rb")) if line]
    awarded = []
    bulk = BulkEvaluator(POLICY)
    for decisions, chunk in zip(bulk.run_decisions(lines), _chunks(lines, 20_000)):
        for d, line in zip(decisions, chunk):
            if d.get("eligible") and d["amount"] != "0.00":
                awarded.append({**orjson.loads(line), "amount": d["amount"]})
        if len(awarded) >= n_awards:
            break
    history = {"policy": POLICY, "awarded": awarded[:n_awards]}
    path.write_bytes(orjson.dumps(history))
    return history


def _chunks(lines, size):
    for i in range(0, len(lines), size):
        yield lines[i:i + size]


def main(n: int = 1_000_000, n_awards: int = 500_000, rounds: int = 2) -> None:
    WORK.mkdir(exist_ok=True)
    print(describe())
    claims = WORK / f"claims-{n}.jsonl"
    if not claims.exists():
        make_jsonl(n, str(claims))
    t = time.perf_counter()
    history = history_of(n_awards)
    print(f"{n:,} claims, {len(history['awarded']):,} awards in history (prepared in {time.perf_counter() - t:.1f} s)")

    baseline = WORK / f"baseline-{n}-{len(history['awarded'])}.json"  # kept: the one-process run is long
    if baseline.exists():
        known = orjson.loads(baseline.read_bytes())
        digest = known["sha256"]
        print(f"one process (BulkEvaluator): {known['seconds']:.1f} s (an earlier run, {known['at']})")
    else:
        t = time.perf_counter()
        want = b"".join(part for part, _ in BulkEvaluator(POLICY, history=history).run_blocks(open(claims, "rb")))
        took = time.perf_counter() - t
        print(f"one process (BulkEvaluator): {took:.1f} s")
        digest = hashlib.sha256(want).hexdigest()
        del want
        baseline.write_bytes(orjson.dumps({"sha256": digest, "seconds": took, "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}))

    for r in range(rounds):
        for workers in (1, 2):
            lines = [line for line in iter_lines(open(claims, "rb"))]

            def run(client, lines=lines):
                h = hashlib.sha256()
                for part in decide_jsonl(POLICY, lines, client, history=history):
                    h.update(part)
                return h.hexdigest()

            got, figures = on_cluster(workers, run)
            del lines
            print(f"round {r + 1}, {workers} worker(s): {figures}; client peak {peak_rss() / 2**20:,.0f} MiB; "
                  f"same bytes as one process: {got == digest}", flush=True)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
