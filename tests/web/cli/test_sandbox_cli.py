"""`ipfund sandbox run` on the demo's data: totals as JSON that add up, a scenario that raises one
amount and lowers a cap, a draft package read from a folder (never installed), Chinese errors, and
the ledger and the audit chain intact afterwards."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the CLI runs on its embedded SQLite")
BUILT_IN = Path(__file__).resolve().parents[3] / "src" / "ipfund" / "policies" / "zhaoqing_hitech_ip_2022"
POLICY = "zhaoqing-hitech-ip-2022"


def ipfund(*args, data_dir):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["IPFUND_DATA_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-m", "ipfund.cli.main", *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("sandbox-cli")
    loaded = ipfund("demo", data_dir=data_dir)
    assert loaded.returncode == 0, loaded.stderr
    return data_dir


def _ledger(data_dir) -> list:
    with sqlite3.connect(data_dir / "ipfund.sqlite3") as db:
        return db.execute("SELECT id, amount, kind FROM ledger_awardentry ORDER BY id").fetchall()


def _by(results: dict, table: str) -> dict:
    return {r["label"]: r for r in results[table]}


def test_a_scenario_prints_totals_that_add_up_and_leaves_the_ledger_alone(demo):
    before = _ledger(demo)
    out = ipfund("sandbox", "run", "--policy", POLICY, "--set", "patent_attorney.amount=8000",
                 "--set", "custody_sme.cap_per_year=2000@2023-01-01", "--json", data_dir=demo)
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)
    t = results["totals"]
    assert Decimal(t["scenario"]) - Decimal(t["base"]) == Decimal(t["delta"])
    for table in ("by_source", "by_item", "by_year", "by_kind", "by_budget"):
        rows = results[table]
        assert sum(r["count"] for r in rows) == t["count"]
        assert sum(Decimal(r["base"]) for r in rows) == Decimal(t["base"])
        assert sum(Decimal(r["scenario"]) for r in rows) == Decimal(t["scenario"])
    attorney = _by(results, "by_item")["专利代理师资助"]
    assert attorney["count"] >= 1 and Decimal(attorney["scenario"]) == Decimal(attorney["base"]) * 8 / 5
    custody = _by(results, "by_item")["中小微企业知识产权托管补助"]
    assert Decimal(custody["scenario"]) <= Decimal("2000") * custody["count"] < Decimal(custody["base"])
    assert "沙盘" in results["scenario_version"] and results["base_version"] in results["scenario_version"]
    assert _ledger(demo) == before
    verified = ipfund("audit", "verify", data_dir=demo)
    assert verified.returncode == 0, verified.stdout

    plain = ipfund("sandbox", "run", "--policy", POLICY, "--set", "patent_attorney.amount=8000", data_dir=demo)
    assert plain.returncode == 0 and "现行规则合计" in plain.stdout and "按项目" in plain.stdout
    assert not re.search(r"\b(patent_attorney|custody_sme|enterprise)\b", plain.stdout)


def test_a_wrong_value_is_refused_in_chinese_naming_the_parameter(demo):
    out = ipfund("sandbox", "run", "--policy", POLICY, "--set", "custody_sme.rate=很多", "--json", data_dir=demo)
    assert out.returncode == 2 and out.stdout == ""
    assert "custody_sme.rate" in out.stderr and "中小微企业托管服务补助比例" in out.stderr and "比例" in out.stderr
    out = ipfund("sandbox", "run", "--policy", POLICY, "--option", "A23=no_such", data_dir=demo)
    assert out.returncode == 2 and "A23" in out.stderr


def test_a_draft_package_is_run_from_its_folder_and_never_installed(demo, tmp_path):
    draft = tmp_path / "draft"
    shutil.copytree(BUILT_IN, draft, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    text = (draft / "policy.yaml").read_text(encoding="utf-8")
    text, n = re.subn(r'(  patent_attorney\.amount:\n(?:    .*\n)*?    values: \[\{from: 2022-01-18, value: )"5000"', r'\1"6000"', text)
    assert n == 1
    (draft / "policy.yaml").write_text(text, encoding="utf-8")
    out = ipfund("sandbox", "run", "--policy", POLICY, "--draft", str(draft), "--json", data_dir=demo)
    assert out.returncode == 0, out.stderr
    attorney = _by(json.loads(out.stdout), "by_item")["专利代理师资助"]
    assert Decimal(attorney["delta"]) == Decimal("1000") * attorney["count"]
    listed = ipfund("policy", "list", data_dir=demo)
    assert listed.returncode == 0 and listed.stdout.count(f"政策编号：{POLICY}") == 1  # the draft was not installed

    (draft / "rules.py").write_text("raise SystemExit\n", encoding="utf-8")
    refused = ipfund("sandbox", "run", "--policy", POLICY, "--draft", str(draft), data_dir=demo)
    assert refused.returncode == 2 and "rules.py" in refused.stderr
