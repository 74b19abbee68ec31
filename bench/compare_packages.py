"""Byte-identity check of a policy package across two versions of the code (e.g. the 2022 policy
written in Python before and as data after): the same outputs, compared with `cmp`.

    python bench/compare_packages.py --base REV [--claims N] [--explain-claims M] [--policy ID]

runs the code of git revision REV (its `src/`, exported to a temporary folder) and the working
tree's, each producing, for the policy:

- golden.jsonl: every golden case of the package, decided with explanations;
- golden-readings.jsonl: every golden case again under each option of each interpretation;
- bulk.jsonl: `ipfund evaluate --jsonl` of the bench's N-claim file (default 1,000,000), the bulk
  path, with the default number of workers;
- explain.jsonl: `ipfund evaluate --jsonl --explain` of its first M claims (default 100,000);

then compares each pair with `cmp`. Where a pair differs it says whether the decisions without
their explanations are still identical and which explanation lines differ (how often). It prints
the wall time of each bulk run and exits 0 only when every decision is identical. `produce OUT`
(used by the above) writes the outputs of the code on PYTHONPATH into OUT.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
POLICY = "zhaoqing-hitech-ip-2022"


def produce(out: Path, policy_id: str, claims: Path, explain_claims: Path) -> None:
    import copy

    import orjson

    from ipfund.engine import evaluate_claims
    from ipfund.engine.policy import load_policy
    from ipfund.engine.authoring.golden import load_cases
    from ipfund.engine.errors import BatchError

    policy = load_policy(policy_id)
    out.mkdir(parents=True, exist_ok=True)

    def decide(case, interpret):
        history = {"policy": policy.id, "awarded": copy.deepcopy(case["history"])} if "history" in case else None
        try:
            # (registers only where a case has them: older code, the base of a comparison, takes none)
            extra = {"registers": case["registers"]} if "registers" in case else {}
            got = evaluate_claims(policy, copy.deepcopy(case["claims"]), history=history, interpretations=interpret,
                                  **extra)
            return got["decisions"]
        except BatchError as exc:
            return {"batch_error": str(exc)}

    cases = [(f, c) for f, c in load_cases(policy.path) if isinstance(c, dict) and "claims" in c]
    with open(out / "golden.jsonl", "wb") as fh:
        for fname, case in cases:
            interpret = {str(k): str(v) for k, v in (case.get("interpret") or {}).items()} or None
            fh.write(orjson.dumps({"file": fname, "case": case.get("name"), "decisions": decide(case, interpret)}) + b"\n")
    with open(out / "golden-readings.jsonl", "wb") as fh:
        for iid, interp in policy.interpretations.items():
            for option in interp.options:
                for fname, case in cases:
                    chosen = {**{str(k): str(v) for k, v in (case.get("interpret") or {}).items()}, iid: option}
                    fh.write(orjson.dumps({"reading": f"{iid}={option}", "file": fname, "case": case.get("name"),
                                           "decisions": decide(case, chosen)}) + b"\n")
    exe = [sys.executable, "-c", "import sys; from ipfund.cli.main import main; sys.exit(main())"]
    for name, path, extra in (("bulk", claims, []), ("explain", explain_claims, ["--explain", "--workers", "1"])):
        t = time.perf_counter()
        with open(out / f"{name}.jsonl", "wb") as fh:
            subprocess.run([*exe, "evaluate", "--jsonl", str(path), "--policy", policy_id, *extra], stdout=fh, check=True)
        (out / f"{name}.seconds").write_text(f"{time.perf_counter() - t:.2f}\n")


def _claims_file(n: int) -> Path:
    sys.path.insert(0, str(HERE))
    from make_jsonl import main as make_jsonl

    path = HERE / "out" / f"claims-{n}.jsonl"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        make_jsonl(n, str(path))
    return path


def _run_produce(src: Path, out: Path, args, claims: Path, head: Path) -> None:
    env = {**__import__("os").environ, "PYTHONPATH": str(src)}
    subprocess.run([sys.executable, __file__, "produce", str(out), "--policy", args.policy,
                    "--claims-file", str(claims), "--explain-file", str(head)], env=env, check=True)


def _records(path: Path):
    import orjson

    with open(path, "rb") as fh:
        for line in fh:
            rec = orjson.loads(line)
            decisions = rec["decisions"] if isinstance(rec, dict) and "decisions" in rec else [rec]
            if not isinstance(decisions, list):  # a batch error
                yield rec, []
                continue
            yield ([{k: v for k, v in d.items() if k != "explanation"} for d in decisions],
                   [d.get("explanation") or [] for d in decisions])


def explain_difference(a: Path, b: Path) -> bool:
    """Print whether the decisions of two differing outputs are the same without their
    explanations, and the explanation lines only one side has; True when the decisions agree."""
    from collections import Counter
    from itertools import zip_longest

    changed, differ, n = Counter(), 0, 0
    for (da, ea), (db, eb) in zip_longest(_records(a), _records(b), fillvalue=(None, [])):
        n += 1
        if da != db:
            differ += 1
        for xa, xb in zip(ea, eb):
            if xa != xb:
                only_a = tuple(line for line in xa if line not in xb)
                only_b = tuple(line for line in xb if line not in xa)
                changed[(only_a, only_b)] += 1
    print(f"    decisions without explanations: {'identical' if not differ else f'{differ} of {n} records DIFFER'}")
    for (only_a, only_b), count in changed.most_common(10):
        print(f"    {count} explanation(s): base only {list(only_a) or '—'}; working tree only {list(only_b) or '—'}")
    return not differ


def compare(args) -> int:
    claims = _claims_file(args.claims)
    head = HERE / "out" / f"claims-{args.claims}-head-{args.explain_claims}.jsonl"
    if not head.exists():
        with open(claims, "rb") as src, open(head, "wb") as dst:
            for i, line in enumerate(src):
                if i >= args.explain_claims:
                    break
                dst.write(line)
    work = Path(tempfile.mkdtemp(prefix="compare-packages-"))
    try:
        base_src = work / "base"
        base_src.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.base, "src"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(base_src)], input=archive.stdout, check=True)
        _run_produce(base_src / "src", work / "out-base", args, claims, head)
        _run_produce(ROOT / "src", work / "out-new", args, claims, head)
        same = True
        for name in ("golden.jsonl", "golden-readings.jsonl", "bulk.jsonl", "explain.jsonl"):
            a, b = work / "out-base" / name, work / "out-new" / name
            ok = subprocess.run(["cmp", "-s", str(a), str(b)]).returncode == 0
            print(f"{name}: {'identical (cmp)' if ok else 'different (cmp)'} ({b.stat().st_size:,} bytes)")
            if not ok:
                same &= explain_difference(a, b)
        for name in ("bulk", "explain"):
            base_s = (work / "out-base" / f"{name}.seconds").read_text().strip()
            new_s = (work / "out-new" / f"{name}.seconds").read_text().strip()
            print(f"{name} wall time: base {base_s} s, working tree {new_s} s")
        if args.keep:
            print(f"outputs kept in {work}")
        return 0 if same else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command")
    pr = sub.add_parser("produce")
    pr.add_argument("out", type=Path)
    pr.add_argument("--policy", default=POLICY)
    pr.add_argument("--claims-file", type=Path, required=True)
    pr.add_argument("--explain-file", type=Path, required=True)
    p.add_argument("--base", help="git revision whose code is the reference")
    p.add_argument("--policy", default=POLICY)
    p.add_argument("--claims", type=int, default=1_000_000)
    p.add_argument("--explain-claims", type=int, default=100_000)
    p.add_argument("--keep", action="store_true", help="keep the outputs (their folder is printed)")
    args = p.parse_args()
    if args.command == "produce":
        produce(args.out, args.policy, args.claims_file, args.explain_file)
        return 0
    if not args.base:
        p.error("--base REV is required")
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
