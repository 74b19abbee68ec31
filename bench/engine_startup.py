"""`ipfund evaluate` on a one-claim batch: wall and CPU time of the whole command (target < 0.3 s),
for an applicant with a unified social credit code and for one with a resident identity number
(whose address code is looked up in python-stdnum's table of counties: ipfund.engine.address_codes).

`python bench/engine_startup.py [RUNS]`. The commands run with bytecode caching on (as an installed
package runs: pip compiles it), whatever PYTHONDONTWRITEBYTECODE says here, after one warm-up run.
CPU time (user + system, of the command and its children) is printed beside wall time: on a
machine shared with others, wall time is mostly waiting for a core.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from machine import describe  # noqa: E402

ENTERPRISE = {
    "id": "c1", "item": "china_patent_award",
    "applicant": {"id": "91110108551385082Q", "kind": "enterprise", "name": "甲公司", "in_zone": True},
    "event_date": "2023-07-20", "facts": {"patent_number": "ZL201910000001.2", "level": "gold"},
}
PERSON = {
    "id": "c1", "item": "guangdong_outstanding_inventor",
    "applicant": {"id": "441202198801011029", "kind": "person", "name": "王工", "in_zone": True},
    "event_date": "2023-07-20", "facts": {"award_year": 2023},
}


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def measure(exe: str, claim: dict, runs: int, tmp: Path) -> tuple[list[float], list[float]]:
    batch = tmp / f"{claim['item']}.json"
    batch.write_text(json.dumps({"policy": "zhaoqing-hitech-ip-2022", "claims": [claim]}), encoding="utf-8")
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out = subprocess.run([exe, "evaluate", str(batch)], check=True, capture_output=True, env=env)  # warm caches
    assert json.loads(out.stdout)["decisions"][0]["eligible"] is True, out.stdout
    walls, cpus = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), _cpu()
        subprocess.run([exe, "evaluate", str(batch)], check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - t)
        cpus.append(_cpu() - c)
    return walls, cpus


def main(runs: int = 20) -> None:
    exe = shutil.which("ipfund") or str(Path(sys.executable).with_name("ipfund"))
    print(f"machine: {describe()}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, claim in (("enterprise (credit code)", ENTERPRISE), ("person (resident identity number)", PERSON)):
            walls, cpus = measure(exe, claim, runs, Path(tmp))
            print(f"ipfund evaluate, one-claim batch, {label}, {runs} runs: wall median "
                  f"{statistics.median(walls) * 1000:.0f} ms (min {min(walls) * 1000:.0f}, max {max(walls) * 1000:.0f}); "
                  f"CPU median {statistics.median(cpus) * 1000:.0f} ms (target < 300 ms)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
