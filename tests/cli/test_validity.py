"""Claim validity at its edges through the CLI, decided once by ipfund.engine.validity: the first
and last day of a policy (and the register's reading that moves the last day), a policy not yet
in force, and a successor's first day — the same answer from `evaluate` (batch and bulk), from the
explanation and from `policy list`'s state on that day."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "policies"
OLD, NEW = "zhaoqing-hitech-ip-2022", "fictional-successor-2025"
SME = {"id": "91441200MA000004XN", "kind": "enterprise", "in_zone": True, "sme": True}


def run(*args, stdin: str | None = None):
    exe = Path(sys.executable).parent / "ipfund"
    env = dict(os.environ, PYTHONIOENCODING="utf-8", IPFUND_POLICY_PATH=str(FIXTURES))
    env.pop("IPFUND_POLICY_STORE", None)
    proc = subprocess.run([str(exe if exe.exists() else shutil.which("ipfund")), *map(str, args)],
                          input=None if stdin is None else stdin.encode(), capture_output=True, timeout=60, env=env)
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr.decode()[-2000:]
    return proc.stdout.decode()


def custody(day: str) -> dict:
    year = int(day[:4])
    return {"id": day, "item": "custody_sme", "applicant": SME, "event_date": day,
            "facts": {"service_year": year, "actual_cost": "10000"}}


def decided(policy: str, days: list[str], *interpret: str) -> dict[str, dict]:
    """Each day's decision, by the batch and by bulk (which must agree), keyed by the day."""
    flags = [x for i in interpret for x in ("--interpret", i)]
    claims = [custody(d) for d in days]
    batch = json.loads(run("evaluate", "-", *flags, stdin=json.dumps({"policy": policy, "claims": claims})))
    bulk = [json.loads(x) for x in run("evaluate", "--jsonl", "-", "--policy", policy, "--workers", "1", *flags,
                                       stdin="".join(json.dumps(c) + "\n" for c in claims)).splitlines()]
    assert [{k: v for k, v in d.items() if k != "explanation"} for d in batch["decisions"]] == bulk
    return {d["id"]: d for d in batch["decisions"]}


def admitted(decision: dict) -> bool:
    return "outside_validity" not in decision["reasons"]


def state(policy_title_part: str, day: str) -> str:
    blocks = run("policy", "list", "--on", day).split("\n\n")
    # (the successor's block names the 2022 policy too, as the one it continues)
    block = next(b for b in blocks if b.split("\n")[0] and policy_title_part in b.split("延续")[0])
    return block.split("状态：")[1].split()[0]


def test_the_first_and_the_last_day_are_inside_the_days_around_them_outside():
    d = decided(OLD, ["2022-01-17", "2022-01-18", "2025-01-17", "2025-01-18"])
    assert [admitted(d[x]) for x in ("2022-01-17", "2022-01-18", "2025-01-17", "2025-01-18")] == [False, True, True, False]
    assert "不在政策有效期 2022-01-18 至 2025-01-17 内" in "\n".join(d["2025-01-18"]["explanation"])
    # the state of the policy on those days says the same
    assert [state("肇高管办〔2022〕2号", x) for x in ("2022-01-17", "2022-01-18", "2025-01-17", "2025-01-18")] == [
        "未生效", "现行", "现行", "已失效"]


def test_the_registers_reading_of_the_last_day_moves_it_one_day_later():
    d = decided(OLD, ["2025-01-18", "2025-01-19"], "A10=civil_code_201")
    assert admitted(d["2025-01-18"]) and not admitted(d["2025-01-19"])
    assert "不在政策有效期 2022-01-18 至 2025-01-18 内" in "\n".join(d["2025-01-19"]["explanation"])


def test_a_policy_not_yet_in_force_admits_no_event_before_its_first_day():
    d = decided(NEW, ["2024-06-01"])
    assert not admitted(d["2024-06-01"]) and d["2024-06-01"]["amount"] == "0.00"
    assert "不在政策有效期 2025-01-18 至 2027-01-17 内" in "\n".join(d["2024-06-01"]["explanation"])
    assert state("虚构高管办〔2025〕1号", "2024-06-01") == "未生效"


@pytest.mark.parametrize("day,old_admits,new_admits", [("2025-01-17", True, False), ("2025-01-18", False, True)])
def test_on_a_successors_first_day_the_event_is_the_successors(day, old_admits, new_admits):
    assert admitted(decided(OLD, [day])[day]) is old_admits
    assert admitted(decided(NEW, [day])[day]) is new_admits
    assert state("肇高管办〔2022〕2号", day) == ("现行" if old_admits else "已失效")
    assert state("虚构高管办〔2025〕1号", day) == ("现行" if new_admits else "未生效")
