"""The policy sandbox's run (政策沙盘) at scale: M claims standing for the ledger's awards, replayed in
order, then N claims (pending and the register's), all decided under today's rules and under a
scenario (patent_attorney.amount raised to 8,000 元, custody_sme.cap_per_year lowered to 2,000 元
from 2023-01-01) through the engine door's `decide_scenario` — the one engine call of a run — and
added up (results.summarise: by source, item, year, kind, budget line; gainers and losers).

Prints the time of each step and the process's peak memory (RSS). The database is not part of it:
reading the ledger's claim_data and the pending claims is one indexed scan each (services.gather).

    .venv/bin/python bench/sandbox_run.py --claims 100000 --awards 100000
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from claims_mix import make_claim, make_pools  # noqa: E402
from machine import describe  # noqa: E402

from ipfund.web.engine_door import (  # noqa: E402
    ParameterOverride,
    decide_scenario,
    policy_named,
    scenario_interpretations,
    scenario_policy,
)
from ipfund.web.sandbox.results import Case, Outcome, summarise  # noqa: E402

POLICY = "zhaoqing-hitech-ip-2022"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000, help="pending and potential claims (N)")
    parser.add_argument("--awards", type=int, default=100_000, help="claims standing for the ledger's awards (M)")
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args(argv)
    import datetime as dt

    rng = random.Random(args.seed)
    pools = make_pools(rng)
    total = args.awards + args.claims
    t0 = time.perf_counter()
    claims = [make_claim(i, rng, pools) for i in range(total)]
    cases = [Case("award" if i < args.awards else "pending", c["id"], c["applicant"]["id"], c["applicant"]["name"],
                  c["applicant"]["kind"], c["item"], 2022 + i * 4 // max(total, 1), str(2022 + i * 4 // max(total, 1)))
             for i, c in enumerate(claims)]
    made = time.perf_counter() - t0
    base = policy_named(POLICY)
    t0 = time.perf_counter()
    changed = scenario_policy(base, [ParameterOverride("patent_attorney.amount", "8000"),
                                     ParameterOverride("custody_sme.cap_per_year", "2000", dt.date(2023, 1, 1))])
    rules = scenario_interpretations(base, {})
    derived = time.perf_counter() - t0
    c0 = time.process_time()
    t0 = time.perf_counter()
    before = decide_scenario(base, claims, interpretations=rules)
    t_base = time.perf_counter() - t0
    t0 = time.perf_counter()
    after = decide_scenario(changed, claims, interpretations=scenario_interpretations(changed, {}))
    t_scenario = time.perf_counter() - t0
    t0 = time.perf_counter()
    from decimal import Decimal

    zero = Decimal("0.00")
    outcomes = [Outcome(c, b.amount if b.eligible else zero, s.amount if s.eligible else zero)
                for c, b, s in zip(cases, before, after)]
    results = summarise(outcomes, item_labels={i.id: i.title for i in base.items.values()},
                        kind_labels=dict(base.kind_labels),
                        budget_lines={str(y): {"label": f"{y} 年度预算", "amount": None} for y in range(2022, 2027)},
                        item_order=list(base.items))
    t_sum = time.perf_counter() - t0
    cpu = time.process_time() - c0
    t = results["totals"]
    print(describe())
    print(f"claims decided: {total:,} ({args.awards:,} replayed awards + {args.claims:,} pending/potential), twice")
    print(f"generate claims      {made:8.2f} s")
    print(f"derive the scenario  {derived:8.3f} s")
    print(f"decide, today's rules {t_base:7.2f} s  ({total / t_base:,.0f} claims/s)")
    print(f"decide, scenario     {t_scenario:8.2f} s  ({total / t_scenario:,.0f} claims/s)")
    print(f"add up (summarise)   {t_sum:8.2f} s")
    print(f"run total (decide ×2 + add up) {t_base + t_scenario + t_sum:.2f} s wall, {cpu:.2f} s CPU of this process")
    print(f"peak memory (RSS)    {peak_mb():8.0f} MB")
    print(f"totals: base {t['base']} 元, scenario {t['scenario']} 元, delta {t['delta']} 元, changed {t['changed']:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
