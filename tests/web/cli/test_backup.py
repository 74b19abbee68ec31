"""`ipfund backup` of a running demo and `ipfund restore` into an empty database: the chain
verifies, reconcile is clean, and the claims, the ledger, the audit trail and the files are the
same. SQLite always; PostgreSQL (marked postgres) on the test database and one made beside it."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROWS = {
    "claims": "SELECT id, state, item, approved_amount FROM claims_claim ORDER BY id",
    "ledger": "SELECT id, claim_id, kind, amount, claim_data, duplicate_key FROM ledger_awardentry ORDER BY id",
    "audit": "SELECT seq, hash FROM audit_auditevent ORDER BY seq",
    "evidence": "SELECT file, sha256 FROM claims_evidence ORDER BY id",
}


def cli(*args, env_extra: dict, timeout: int = 300):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "ipfund.cli.main", *args], capture_output=True, text=True, env=env, timeout=timeout)


def sqlite_rows(path: Path) -> dict:
    with sqlite3.connect(path) as db:
        return {name: db.execute(query).fetchall() for name, query in ROWS.items()}


def files_match(rows, uploads: Path) -> bool:
    return all(hashlib.sha256((uploads / name).read_bytes()).hexdigest() == digest for name, digest in rows)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def running_demo(tmp_path):
    """`ipfund serve --demo` on its own data directory, answering on a free port."""
    data, port = tmp_path / "live", free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["IPFUND_DATA_DIR"] = str(data)
    server = subprocess.Popen([sys.executable, "-m", "ipfund.cli.main", "serve", "--demo", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("ipfund serve --demo did not start") from None
                time.sleep(1)
        yield data
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the CLI runs on its embedded SQLite")
def test_backup_of_a_running_demo_restores_into_an_empty_database(running_demo, tmp_path):
    live, backup, restored = running_demo, tmp_path / "backup", tmp_path / "restored"
    made = cli("backup", str(backup), env_extra={"IPFUND_DATA_DIR": str(live)})
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("备份完成：") and "SQLite" in made.stdout
    manifest = json.loads((backup / "manifest.json").read_text())
    assert "database.sqlite3" in manifest["files"] and "checkpoint/audit-head.json" in manifest["files"]

    done = cli("restore", str(backup), env_extra={"IPFUND_DATA_DIR": str(restored)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("恢复完成：")
    for action in ("verify", "reconcile"):
        checked = cli("audit", action, env_extra={"IPFUND_DATA_DIR": str(restored), "IPFUND_CHECKPOINT_REQUIRED": "1"})
        assert checked.returncode == 0 and checked.stdout.startswith("OK "), checked.stdout

    before, after = sqlite_rows(backup / "database.sqlite3"), sqlite_rows(restored / "ipfund.sqlite3")
    assert after == before and after["claims"] and after["ledger"] and after["evidence"]
    assert len(after["audit"]) >= manifest["counts"]["audit"]
    assert files_match(after["evidence"], restored / "uploads")
    # What the live platform had when the backup began is all there.
    live_rows = sqlite_rows(live / "ipfund.sqlite3")
    assert live_rows["claims"][: len(after["claims"])] == after["claims"]

    again = cli("restore", str(backup), env_extra={"IPFUND_DATA_DIR": str(restored)})
    assert again.returncode == 2 and "目标数据库不是空的" in again.stderr


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the CLI runs on its embedded SQLite")
def test_a_damaged_backup_is_refused(tmp_path):
    data = tmp_path / "data"
    assert cli("demo", env_extra={"IPFUND_DATA_DIR": str(data)}).returncode == 0
    backup = tmp_path / "backup"
    assert cli("backup", str(backup), env_extra={"IPFUND_DATA_DIR": str(data)}).returncode == 0
    evidence = next((backup / "uploads").rglob("*.pdf"))
    evidence.write_bytes(evidence.read_bytes() + b"x")
    refused = cli("restore", str(backup), env_extra={"IPFUND_DATA_DIR": str(tmp_path / "empty")})
    assert refused.returncode == 2
    assert f"备份文件 {evidence.relative_to(backup).as_posix()} 已损坏或缺失" in refused.stderr
    into_used = cli("backup", str(backup), env_extra={"IPFUND_DATA_DIR": str(data)})
    assert into_used.returncode == 2 and "已存在且不为空" in into_used.stderr


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_backup_restores_into_an_empty_database(settings, tmp_path):
    import psycopg
    from django.db import connection

    from ipfund.web.demo.loader import load_demo

    load_demo()
    source = settings.DATABASES["default"]
    base = f"postgres://{source['USER']}@{source['HOST']}:{source['PORT'] or 5432}"
    target = source["NAME"] + "_restored"
    common = {"IPFUND_CHECKPOINT_DIR": str(settings.IPFUND_CHECKPOINT_DIR), "IPFUND_DATA_DIR": str(tmp_path / "d")}
    made = cli("backup", str(tmp_path / "backup"),
               env_extra={**common, "DATABASE_URL": f"{base}/{source['NAME']}", "IPFUND_MEDIA_ROOT": str(settings.MEDIA_ROOT)})
    assert made.returncode == 0, made.stderr
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
        admin.execute(f'CREATE DATABASE "{target}"')
    try:
        restored_env = {"IPFUND_CHECKPOINT_DIR": str(tmp_path / "cp2"), "IPFUND_DATA_DIR": str(tmp_path / "d2"),
                        "DATABASE_URL": f"{base}/{target}", "IPFUND_MEDIA_ROOT": str(tmp_path / "uploads2")}
        done = cli("restore", str(tmp_path / "backup"), env_extra=restored_env)
        assert done.returncode == 0, done.stdout + done.stderr
        for action in ("verify", "reconcile"):
            checked = cli("audit", action, env_extra={**restored_env, "IPFUND_CHECKPOINT_REQUIRED": "1"})
            assert checked.returncode == 0 and checked.stdout.startswith("OK "), checked.stdout
        def rows(name):
            with psycopg.connect(f"{base}/{name}") as db:
                return {table: db.execute(query).fetchall() for table, query in ROWS.items()}

        before, after = rows(source["NAME"]), rows(target)
        assert after["claims"] == before["claims"] and after["ledger"] == before["ledger"] and after["audit"] == before["audit"]
        assert files_match(after["evidence"], tmp_path / "uploads2")
    finally:
        connection.close()
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
