"""The compiled reader of bulk evaluation (src/ipfund/engine/_columns.c) as a policy officer and an
operator meet it: a package whose item has many facts (more than the 32 the reader once held) is
checked, tested and evaluated in bulk like any other, with the same decisions with and without
the compiled reader; a build older than its source is refused with a message saying what to run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ipfund.engine import compiled

REPO = Path(__file__).resolve().parents[2]
SUCCESSOR = REPO / "tests" / "fixtures" / "policies" / "fictional-successor-2025"
ORG = "91441200MA00000159"
TYPES = ["year", "money", "bool", "text", "date", "number", "uscc_list", "enum"]
# (an optional date without a default: a default date is refused by the batch path, issue 23's note)
DEFAULTS = {"year": "2023", "money": "0", "bool": "false", "text": "'无'", "date": None, "number": "0",
            "uscc_list": "[]", "enum": "a"}
STATED = {"year": 2025, "money": "100.50", "bool": True, "text": "备注", "date": "2025-01-01", "number": 3,
          "uscc_list": [ORG], "enum": "b"}
built = pytest.mark.skipif(compiled.columns is None, reason="the compiled reader is not built here, or disabled")


def run(*args, path: Path, compiled_reader: bool = True, stdin: bytes | None = None):
    env = dict(os.environ, PYTHONIOENCODING="utf-8", IPFUND_POLICY_PATH=str(path))
    env.pop("IPFUND_POLICY_STORE", None)
    env[compiled.DISABLE_VARIABLE] = "" if compiled_reader else "1"
    exe = Path(sys.executable).parent / "ipfund"
    proc = subprocess.run([str(exe if exe.exists() else shutil.which("ipfund")), *map(str, args)], input=stdin,
                          capture_output=True, timeout=120, env=env)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode("utf-8", "replace")[-2000:]
    return proc


def wide_package(folder: Path, n: int) -> Path:
    """The fictional successor with n optional facts of every type added to one item."""
    package = folder / SUCCESSOR.name
    shutil.copytree(SUCCESSOR, package)
    added = "".join(f"      x{i}: {{type: {t}, label: 补充事实{i}, optional: true"
                    + ("" if DEFAULTS[t] is None else f", default: {DEFAULTS[t]}")
                    + (", options: {a: 甲, b: 乙}" if t == "enum" else "") + "}\n"
                    for i, t in ((i, TYPES[i % len(TYPES)]) for i in range(n)))
    anchor = "      accepted: {type: bool, label: 经区主管部门验收合格}\n"
    policy = package / "policy.yaml"
    text = policy.read_text("utf-8")
    assert anchor in text
    policy.write_text(text.replace(anchor, anchor + added, 1), "utf-8")
    return package


@pytest.mark.parametrize("n", [33, 200])
def test_an_item_of_many_facts_is_checked_tested_and_evaluated_alike_either_way(tmp_path, n):
    package = wide_package(tmp_path, n)
    check = run("policy", "check", package, path=tmp_path)
    assert check.returncode == 0 and "检查通过" in check.stdout.decode(), check.stderr.decode()
    for compiled_reader in (True, False):
        test = run("policy", "test", package, path=tmp_path, compiled_reader=compiled_reader)
        assert test.returncode == 0 and "个案例全部通过" in test.stdout.decode(), test.stdout.decode()
    claims = []
    for i in range(60):  # every third claim states all the extra facts, the others some or none
        facts = {"project_id": f"P-{i % 40}", "actual_cost": f"{1000 * (i + 1)}.00", "accepted": i % 7 != 0}
        facts.update({f"x{k}": STATED[TYPES[k % len(TYPES)]] for k in range(n) if i % 3 == 0 or k % (i + 2) == 0})
        claims.append({"id": f"c{i}", "item": "high_value_portfolio", "event_date": "2025-06-01", "facts": facts,
                       "applicant": {"id": ORG, "kind": "enterprise", "in_zone": i % 5 != 0}})
    claims[4]["facts"]["x1"] = "not money"  # an invalid value is an error of that claim only
    lines = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in claims).encode()
    outputs = {(compiled_reader, workers): run("evaluate", "--jsonl", "-", "--policy", SUCCESSOR.name, "--workers",
                                               workers, path=tmp_path, compiled_reader=compiled_reader, stdin=lines)
               for compiled_reader in (True, False) for workers in (1, 2)}
    assert all(p.returncode == 0 for p in outputs.values()), [p.stderr.decode() for p in outputs.values()]
    assert len({p.stdout for p in outputs.values()}) == 1  # byte for byte the same
    decided = [json.loads(x) for x in outputs[True, 1].stdout.splitlines()]
    assert [d["id"] for d in decided] == [c["id"] for c in claims]
    assert "x1" in json.dumps(decided[4], ensure_ascii=False) and decided[4].get("error")
    assert sum(d.get("eligible", False) for d in decided) > 20
    # the batch path (no compiled reader at all) decides them alike
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps({"policy": SUCCESSOR.name, "claims": claims}, ensure_ascii=False), "utf-8")
    by_batch = json.loads(run("evaluate", batch, path=tmp_path).stdout)["decisions"]
    assert [{k: v for k, v in d.items() if k != "explanation"} for d in by_batch] == decided


@built
def test_the_build_carries_the_digest_of_its_source():
    assert compiled.columns.SOURCE_SHA256 == compiled.source_digest() != ""


@built
def test_a_build_older_than_its_source_is_refused_with_what_to_run(tmp_path):
    # A pull that changes _columns.c without a rebuild: the same module beside a changed source.
    copy = tmp_path / "ipfund"
    shutil.copytree(REPO / "src" / "ipfund", copy, ignore=shutil.ignore_patterns("web", "__pycache__"))
    with open(copy / "engine" / "_columns.c", "a", encoding="utf-8") as f:
        f.write("/* changed after the build */\n")
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONPATH=str(tmp_path))
    env.pop(compiled.DISABLE_VARIABLE, None)
    proc = subprocess.run([sys.executable, "-m", "ipfund.cli.main", "evaluate", REPO / "examples" / "batch.json"],
                          capture_output=True, timeout=60, env=env, cwd=tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and not proc.stdout and "Traceback" not in err, err
    assert "不是由当前的" in err and str(copy / "engine" / "_columns.c") in err and "build_ext --inplace" in err
    assert "IPFUND_NO_COMPILED_READER=1" in err
    # and with the compiled reader set aside, the same copy decides as ever
    env[compiled.DISABLE_VARIABLE] = "1"
    proc = subprocess.run([sys.executable, "-m", "ipfund.cli.main", "evaluate", REPO / "examples" / "batch.json"],
                          capture_output=True, timeout=60, env=env, cwd=tmp_path)
    assert proc.returncode == 0 and json.loads(proc.stdout)["decisions"], proc.stderr.decode()
