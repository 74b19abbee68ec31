"""The platform's sub-commands through the `ipfund` entry: demo, audit verify (OK and broken)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the CLI runs on its embedded SQLite")


def ipfund(*args, data_dir):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["IPFUND_DATA_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-m", "ipfund.cli.main", *args], capture_output=True, text=True, env=env, timeout=300)


def test_demo_then_audit_verify_then_tamper(tmp_path):
    demo = ipfund("demo", data_dir=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "演示数据已载入" in demo.stdout and "approver" in demo.stdout
    again = ipfund("demo", data_dir=tmp_path)
    assert "未重复载入" in again.stdout

    ok = ipfund("audit", "verify", data_dir=tmp_path)
    assert ok.returncode == 0 and ok.stdout.startswith("OK ")

    with sqlite3.connect(tmp_path / "ipfund.sqlite3") as db:
        with pytest.raises(sqlite3.IntegrityError, match="审计事件只能追加"):
            db.execute("UPDATE audit_auditevent SET after = '{\"state\": \"paid\"}' WHERE seq = 40")
        db.execute("DROP TRIGGER audit_auditevent_no_update")
        db.execute("UPDATE audit_auditevent SET after = '{\"state\": \"paid\"}' WHERE seq = 40")
    broken = ipfund("audit", "verify", data_dir=tmp_path)
    assert broken.returncode == 1
    assert "第 40 条" in broken.stdout
