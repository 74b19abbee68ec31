"""`ipfund rekey` after a new key is put in front of IPFUND_DATA_KEYS: every stored token is then
readable with the new key alone, and `manage.py erase` blanks a person (the chain still verifies)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from ipfund.web.pii.keys import derived_key

pytestmark = pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the CLI runs on its embedded SQLite")
SECRET = "rekey-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def ipfund(*args, data_dir, keys=None):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(IPFUND_DATA_DIR=str(data_dir), IPFUND_SECRET_KEY=SECRET)
    if keys:
        env["IPFUND_DATA_KEYS"] = ",".join(keys)
    return subprocess.run([sys.executable, "-m", "ipfund.cli.main", *args], capture_output=True, text=True, env=env, timeout=300)


def test_rekey_then_erase(tmp_path):
    assert ipfund("demo", data_dir=tmp_path).returncode == 0
    new = Fernet.generate_key().decode()
    done = ipfund("rekey", data_dir=tmp_path, keys=[new, derived_key(SECRET, "data")])
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("已用最新密钥重新加密：")
    with sqlite3.connect(tmp_path / "ipfund.sqlite3") as db:
        rows = db.execute("SELECT id_number, bank_account FROM accounts_applicantprofile").fetchall()
        person = db.execute("SELECT u.username FROM accounts_applicantprofile p JOIN accounts_user u ON u.id = p.user_id "
                            "WHERE p.kind = 'person' LIMIT 1").fetchone()[0]
        admin = db.execute("SELECT username FROM accounts_user WHERE roles LIKE '%admin%' LIMIT 1").fetchone()[0]
        payments = [r[0] for r in db.execute("SELECT bank_account FROM payments_payment").fetchall()]
    assert payments and all(payments)
    for token in payments:
        Fernet(new.encode()).decrypt(token.encode())
    for number, account in rows:
        Fernet(new.encode()).decrypt(number.encode())
        if account:
            Fernet(new.encode()).decrypt(account.encode())

    erased = ipfund("manage", "erase", person, "--by", admin, "--reason", "本人申请删除", data_dir=tmp_path, keys=[new])
    assert erased.returncode == 0, erased.stderr
    assert "已删除申报主体" in erased.stdout and "个人#" in erased.stdout
    verify = ipfund("audit", "verify", data_dir=tmp_path, keys=[new])
    reconcile = ipfund("audit", "reconcile", data_dir=tmp_path, keys=[new])
    assert verify.stdout.startswith("OK ") and reconcile.stdout.startswith("OK "), verify.stdout + reconcile.stdout
