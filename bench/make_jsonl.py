"""Write N synthetic claims of the full item mix as JSONL: `python bench/make_jsonl.py N OUT`."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parent))
from claims_mix import make_claim, make_pools  # noqa: E402


def main(n: int, out: str, seed: int = 2022) -> None:
    rng = random.Random(seed)
    pools = make_pools(rng)
    with open(out, "wb") as fh:
        buf = []
        for i in range(n):
            buf.append(orjson.dumps(make_claim(i, rng, pools)))
            if len(buf) >= 50000:
                fh.write(b"\n".join(buf) + b"\n")
                buf = []
        if buf:
            fh.write(b"\n".join(buf) + b"\n")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
