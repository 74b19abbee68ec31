"""CSP on every answer with no inline script; Django's admin off in production and read-only elsewhere."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.test import Client

WEB = Path(__file__).resolve().parents[3] / "src" / "ipfund" / "web"


def _script_src(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if part.strip().startswith("script-src"))


def test_every_kind_of_page_carries_the_policy(staff, enterprise):
    signed = Client()
    signed.force_login(staff.reviewer)
    answers = [Client().get("/"), Client().get("/accounts/login/"), Client().get("/api/docs"),
               Client().get("/api/items"), Client().get("/no-such-page/"), signed.get("/staff/review/")]
    for response in answers:
        assert _script_src(response) == "script-src 'self'", response
        assert "object-src 'none'" in response["Content-Security-Policy"]


def test_no_template_holds_an_inline_script_or_handler():
    offenders = []
    for template in WEB.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                offenders.append(f"{template.name}: {tag}")
        offenders += [f"{template.name}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
        offenders += [f"{template.name}: javascript:" for _ in re.findall(r"javascript:", text)]
    assert not offenders, offenders


def test_the_user_admin_changes_nothing(staff):
    client = Client()
    client.force_login(staff.admin)
    assert client.get(f"/django-admin/accounts/user/{staff.reviewer.pk}/password/").status_code == 403
    client.post(f"/django-admin/accounts/user/{staff.reviewer.pk}/change/", {"username": "x", "is_superuser": "on"})
    staff.reviewer.refresh_from_db()
    assert staff.reviewer.username == "reviewer" and not staff.reviewer.is_superuser


def test_django_admin_is_not_served_in_production(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "IPFUND_DJANGO_ADMIN"}}
    env.update(IPFUND_PRODUCTION="1", IPFUND_SECRET_KEY="x" * 60, IPFUND_ALLOWED_HOSTS="ipfund.example.gov.cn",
               IPFUND_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="ipfund.web.config.settings",
               IPFUND_DATA_KEYS=Fernet.generate_key().decode(), IPFUND_INDEX_KEY="i" * 40, IPFUND_AUDIT_KEY="a" * 40)
    probe = (
        "import django; django.setup()\n"
        "from django.urls import Resolver404, resolve\n"
        "try:\n    resolve('/django-admin/')\n    print('served')\n"
        "except Resolver404:\n    print('absent')\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.strip() == "absent", out.stderr
