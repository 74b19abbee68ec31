"""免申即享 at scale: a register of N enterprises (default 1,000,000), an award list row for each,
matched against every installed policy that has the row's item — the candidate claims decided each
alone against the ledger (with explanations, as a proposal stores them), on a LocalCluster of 1
and of 2 worker processes, runs alternated; the decisions of every run must be the same.

    python bench/match_register.py [N] [AWARDS] [ROUNDS]

What is timed is the engine's part of a matching run (engine_door.decide_candidates →
engine.distributed.decide_each): naming the candidates and the ledger names they ask for, the
ledger answering them at once (here an AwardIndex of AWARDS earlier awards, default 100,000, stands
for the platform's ledger tables), deciding in rounds of unlinked claims, gathering the decisions.
Reading the register rows from the database and writing the proposals are not in it, nor is the
benchmark's own comparison of the runs (a SHA-256 of every decision's record, after the timing)."""

from __future__ import annotations

import hashlib
import os
import random
import sys
import time
from pathlib import Path

import orjson

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from claims_mix import make_claim, make_pools, make_uscc  # noqa: E402
from machine import describe, on_cluster  # noqa: E402

from ipfund.engine import door  # noqa: E402
from ipfund.engine.distributed import LedgerSnapshot, decide_each, peak_rss  # noqa: E402
from ipfund.engine.packages import installed  # noqa: E402
from ipfund.engine.policy import load_policy  # noqa: E402


def register(n: int, seed: int = 2026) -> list:
    """An award list row for each of n enterprises, as the candidate claims matching makes of them
    (an organisation's item of the benchmark mix; the applicant from the enterprise register)."""
    rng = random.Random(seed)
    pools = make_pools(rng, orgs=200, persons=1)
    out = []
    while len(out) < n:
        c = make_claim(len(out), rng, pools)
        if c["applicant"]["kind"] == "person":
            continue
        code = make_uscc(rng)
        out.append(door.Claim(f"claim-row-{len(out) + 1}", c["item"],
                              door.Applicant(code, "enterprise", rng.random() < 0.95, rng.random() < 0.7, "企业" + code[-4:]),
                              c["event_date"], c["facts"]))
    return out


def main(n: int = 1_000_000, n_awards: int = 100_000, rounds: int = 2) -> None:
    print(describe())
    policies = [load_policy(pid) for pid in installed()]
    t = time.perf_counter()
    rows = register(n)
    earlier = register(n_awards, seed=7)
    print(f"{n:,} enterprises with an award row each, {len(policies)} installed policies "
          f"({', '.join(p.id for p in policies)}), {n_awards:,} earlier awards (made in {time.perf_counter() - t:.1f} s)")
    for policy in policies:
        candidates = [c for c in rows if c.item in policy.items]
        awards = [door.Award(c, "1000.00") for c in earlier if c.item in policy.items]
        decided = door.decide(policy, [a.claim for a in awards], explain=False)
        index = door.AwardIndex(policy, [a for a, d in zip(awards, decided) if d.eligible])

        def snapshot_of(keys, buckets, index=index):
            return LedgerSnapshot(index.holders(keys), index.amounts(buckets))

        digests = set()
        for r in range(rounds):
            for workers in (1, 2):
                def run(client, candidates=candidates, snapshot_of=snapshot_of):
                    return decide_each(policy, candidates, client, snapshot_of=snapshot_of, explain="eligible")

                load = os.getloadavg()[0]
                got, figures = on_cluster(workers, run)
                h = hashlib.sha256()  # the runs compared, after the timing (the benchmark's own work)
                for d in got:
                    h.update(orjson.dumps(d.as_record(), default=str))
                digests.add(h.hexdigest())
                eligible = sum(1 for d in got if d.eligible)
                del got
                print(f"{policy.id}, round {r + 1}, {workers} worker(s): {len(candidates):,} candidates "
                      f"({eligible:,} eligible): {figures}; client peak {peak_rss() / 2**20:,.0f} MiB; "
                      f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after", flush=True)
        print(f"{policy.id}: every run decided alike: {len(digests) == 1}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
