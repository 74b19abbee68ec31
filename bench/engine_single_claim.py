"""Single-claim evaluation in process, every item in turn: p50 and p99 latency, with and without
the explanation (targets: p99 < 1 ms without, < 3 ms with)."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from claims_mix import ITEMS, make_claim, make_pools  # noqa: E402
from machine import describe  # noqa: E402

from ipfund.engine import evaluate_batch  # noqa: E402


def main(n: int = 3000) -> None:
    rng = random.Random(7)
    pools = make_pools(rng, orgs=200, persons=200)
    claims = []
    while len(claims) < n:
        c = make_claim(len(claims), rng, pools)
        claims.append(c)
    for explain in (False, True):
        for c in claims[:200]:  # warm caches (identifier checks, templates)
            evaluate_batch({"policy": "zhaoqing-hitech-ip-2022", "claims": [c]}, explain=explain)
        times = []
        for c in claims:
            batch = {"policy": "zhaoqing-hitech-ip-2022", "claims": [c]}
            t = time.perf_counter()
            evaluate_batch(batch, explain=explain)
            times.append(time.perf_counter() - t)
        times.sort()
        p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
        print(f"single claim ({len(ITEMS)} items mixed, {n} claims), explanation {'on ' if explain else 'off'}: "
              f"p50 {p50 * 1000:.3f} ms, p99 {p99 * 1000:.3f} ms (target p99 < {3 if explain else 1} ms)")
    print(f"machine: {describe()}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
