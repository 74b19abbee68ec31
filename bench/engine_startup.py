"""`ipfund evaluate` on a one-claim batch: wall time of the whole command (target < 0.3 s)."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from machine import describe  # noqa: E402

CLAIM = {
    "id": "c1", "item": "china_patent_award",
    "applicant": {"id": "91110108551385082Q", "kind": "enterprise", "name": "甲公司", "in_zone": True},
    "event_date": "2023-07-20", "facts": {"patent_number": "ZL201910000001.2", "level": "gold"},
}


def main(runs: int = 20) -> None:
    exe = shutil.which("ipfund") or str(Path(sys.executable).with_name("ipfund"))
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "one.json"
        batch.write_text(json.dumps({"policy": "zhaoqing-hitech-ip-2022", "claims": [CLAIM]}), encoding="utf-8")
        subprocess.run([exe, "evaluate", str(batch)], check=True, capture_output=True)  # warm the policy cache
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run([exe, "evaluate", str(batch)], check=True, capture_output=True)
            times.append(time.perf_counter() - t)
    times.sort()
    print(f"machine: {describe()}")
    print(f"ipfund evaluate, one-claim batch, {runs} runs: median {statistics.median(times) * 1000:.0f} ms, "
          f"max {times[-1] * 1000:.0f} ms (target < 300 ms)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
