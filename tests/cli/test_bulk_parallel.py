"""`ipfund evaluate --jsonl` with worker processes decides exactly as one process and as the batch
path: across block boundaries, with ids repeated in later blocks, invalid and unreadable lines,
money as JSON numbers, and caps and duplicate keys shared between blocks."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from stdnum.cn import ric, uscc

from ipfund.engine import evaluate_batch

POLICY = "zhaoqing-hitech-ip-2022"
IPFUND = shutil.which("ipfund") or str(Path(sys.executable).with_name("ipfund"))


def _uscc(i: int) -> str:
    body = f"914412{i:06d}ABCDE"
    return body + uscc.calc_check_digit(body)


def _ric(i: int) -> str:
    body = f"441202{1990 + i % 20}0{1 + i % 9}1{i % 9}{i % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _claims(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        org = _uscc(rng.randrange(40))
        kind = rng.random()
        if kind < 0.35:
            c = {"item": "custody_sme", "applicant": {"id": org, "kind": "enterprise", "in_zone": True, "sme": True},
                 "facts": {"service_year": 2023, "actual_cost": rng.choice(["2000", "3000.5", 4000, 1234.57])}}
        elif kind < 0.6:
            c = {"item": "china_patent_award", "applicant": {"id": org, "kind": "enterprise", "in_zone": rng.random() < 0.9},
                 "facts": {"patent_number": f"ZL{rng.randrange(300)}", "level": rng.choice(["gold", "silver", "excellence"])}}
        elif kind < 0.8:
            c = {"item": "patent_litigation", "applicant": {"id": _ric(rng.randrange(30)), "kind": "person", "in_zone": True},
                 "facts": {"case_number": f"(2023)粤{rng.randrange(400)}号", "venue": rng.choice(["foreign", "domestic"]),
                           "infringement_established": True, "judgment_effective": rng.random() < 0.95}}
        else:
            c = {"item": "ip_operation_match", "applicant": {"id": org, "kind": "institution", "in_zone": True},
                 "facts": {"project_id": f"OP{rng.randrange(50)}", "funding_level": "city",
                           "funding_amount": str(rng.randrange(1000, 300000))}}
        c["id"] = f"c{i}" if rng.random() > 0.002 else f"c{rng.randrange(i + 1)}"  # some ids repeat, far apart
        c["event_date"] = rng.choice(["2023-05-01", "2024-12-31", "2025-01-18"])
        line = json.dumps(c, ensure_ascii=False)
        r = rng.random()
        if r < 0.002:
            line = line[:-7]  # unreadable
        elif r < 0.004:
            line = line.replace('"in_zone": true', '"in_zone": "yes"')  # invalid
        lines.append(line)
    return lines


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> tuple[Path, list[str]]:
    lines = _claims(40_000)  # well over one 4 MB block
    path = tmp_path_factory.mktemp("bulk") / "claims.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 5 * 1024 * 1024
    return path, lines


def _run(path: Path, workers: int) -> list[dict]:
    proc = subprocess.run([IPFUND, "evaluate", "--jsonl", str(path), "--policy", POLICY, "--workers", str(workers)],
                          capture_output=True, check=True, timeout=300)
    return [json.loads(x) for x in proc.stdout.splitlines()]


def test_workers_decide_as_one_process_and_as_the_batch(big_file):
    path, lines = big_file
    parallel = _run(path, 2)
    single = _run(path, 1)
    assert parallel == single
    claims = []
    for line in lines:
        try:
            claims.append(json.loads(line))
        except ValueError:
            claims.append(None)
    readable = [c for c in claims if c is not None]
    batch = evaluate_batch({"policy": POLICY, "claims": readable}, explain=False)["decisions"]
    bulk_readable = [d for d, c in zip(parallel, claims) if c is not None]
    assert bulk_readable == batch
    unreadable = [d for d, c in zip(parallel, claims) if c is None]
    assert unreadable and all(d["error"]["field"] == "claim" for d in unreadable)
    repeated = [d for d in parallel if "error" in d and d["error"]["field"] == "id"]
    assert repeated, "the data set repeats some ids"
    # The ledger crossed block boundaries: one SME-year never gets more than its cap in total.
    per_group: dict = {}
    for d, c in zip(parallel, claims):
        if c and d.get("eligible") and c["item"] == "custody_sme":
            key = c["applicant"]["id"]
            per_group[key] = per_group.get(key, 0) + round(float(d["amount"]) * 100)
    assert per_group and max(per_group.values()) <= 1_000_000
