"""ipfund against the issue's yardstick, on the same machine, the same day, the same file.

    .venv/bin/python bench/versus_openfisca.py [N] [ROUNDS]

The issue compares `ipfund evaluate --jsonl` with an OpenFisca model of the same items reading
the same file with orjson ("about 5 s and 370 MB here"). This VM's speed changes about twofold
from day to day, so a figure measured on another day says little: this benchmark builds that
model (bench/openfisca_reference.py, in its own venv bench/.venv-openfisca made on first use from
bench/openfisca-requirements.txt) and times it and ipfund alternately, ROUNDS times (default 3),
printing each run and the medians: wall time and peak memory (proportional set size of the whole
process tree, sampled every 0.1 s, measured the same way for both).

It also counts how many of the reference's amounts are off by at least a fen where ipfund's
exact decision is an award the ledger did not cut (float32 money).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import orjson

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from engine_bulk import ipfund_command, measured  # noqa: E402
from machine import describe  # noqa: E402
from make_jsonl import main as make_jsonl  # noqa: E402

VENV = HERE / ".venv-openfisca"


def reference_python() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"making {VENV} (OpenFisca-Core and orjson from bench/openfisca-requirements.txt)…", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(HERE / "openfisca-requirements.txt")],
                       check=True)
    return python


def float32_errors(reference: Path, decisions: Path) -> tuple[int, int]:
    """(how many awards ipfund made uncut that the reference also pays, how many of those the
    reference's float32 amount misses by at least a fen)."""
    compared = wrong = 0
    with open(reference, "rb") as ref, open(decisions, "rb") as exact:
        for r_line, e_line in zip(ref, exact):
            e = orjson.loads(e_line)
            if not e.get("eligible") or e.get("capped"):
                continue
            r = orjson.loads(r_line)
            if r["amount"] == "0.00":
                continue  # an item the reference leaves out, or a rule it reads otherwise
            compared += 1
            wrong += abs(Decimal(r["amount"]) - Decimal(e["amount"])) >= Decimal("0.01")
    return compared, wrong


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    out_dir = HERE / "out"
    out_dir.mkdir(exist_ok=True)
    path = out_dir / f"claims-{n}.jsonl"
    if not path.exists():
        make_jsonl(n, str(path))
    python = reference_python()
    print(f"machine: {describe()}")
    runs = {
        "OpenFisca reference": ([str(python), str(HERE / "openfisca_reference.py"), str(path), "/dev/stdout"],
                                out_dir / "reference.jsonl"),
        "ipfund (default workers)": (ipfund_command(path, None), out_dir / "versus-ipfund.jsonl"),
        "ipfund --workers 1": (ipfund_command(path, 1), out_dir / "versus-ipfund-w1.jsonl"),
    }
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for k in range(rounds):
        for name, (cmd, out) in runs.items():
            wall, peak = measured(cmd, out)
            figures[name].append((wall, peak))
            print(f"round {k + 1}: {name}: {wall:.2f} s, {peak:.0f} MB", flush=True)
    size = path.stat().st_size / 1e6
    print(f"medians over {rounds} rounds, {n:,} lines ({size:.0f} MB):")
    for name, values in figures.items():
        wall = statistics.median(v[0] for v in values)
        peak = statistics.median(v[1] for v in values)
        print(f"  {name:26} {wall:5.2f} s wall   {peak:4.0f} MB peak")
    compared, wrong = float32_errors(runs["OpenFisca reference"][1], runs["ipfund (default workers)"][1])
    print(f"reference exactness: of {compared:,} uncut awards both pay, {wrong:,} "
          f"({100 * wrong / max(compared, 1):.1f}%) differ by at least a fen")


if __name__ == "__main__":
    main()
