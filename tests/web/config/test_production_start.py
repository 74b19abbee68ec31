"""Production defaults at start (issue #21 items 7 and 8): gunicorn with several workers and no
shared cache is refused (the anonymous limits were counted per worker), so is production without
a broker for the jobs; a start that has both comes up. Real gunicorn processes in production mode."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from ipfund.web import startup

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def production_env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IPFUND_", "DATABASE_URL", "CELERY_", "DJANGO_"))}
    env.update(IPFUND_PRODUCTION="1", IPFUND_SECRET_KEY="x" * 60, IPFUND_ALLOWED_HOSTS="127.0.0.1",
               IPFUND_DATA_DIR=str(tmp_path), IPFUND_DATA_KEYS=Fernet.generate_key().decode(),
               IPFUND_INDEX_KEY="i" * 40, IPFUND_AUDIT_KEY="a" * 40, IPFUND_SSL_REDIRECT="0")
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(env, *args, port: int):
    return subprocess.Popen([GUNICORN, "-c", "python:ipfund.web.config.gunicorn", *args, "-b", f"127.0.0.1:{port}",
                             "ipfund.web.config.wsgi"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_several_workers_without_the_shared_cache_are_refused(tmp_path):
    server = gunicorn(production_env(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/4"), "-w", "2", port=free_port())
    try:
        _, err = server.communicate(timeout=120)
    finally:
        server.kill()
    assert server.returncode != 0
    assert startup.REFUSED.strip() in err and "2 个进程" in err and "IPFUND_CACHE_URL" in err


def test_production_without_a_broker_is_refused(tmp_path):
    env = production_env(tmp_path, IPFUND_CACHE_URL="redis://127.0.0.1:6379/15")
    server = gunicorn(env, "-w", "1", port=free_port())
    try:
        _, err = server.communicate(timeout=120)
    finally:
        server.kill()
    assert server.returncode != 0 and startup.NO_BROKER in err


def test_a_safe_production_start_answers(tmp_path):
    pytest.importorskip("redis")
    port = free_port()
    env = production_env(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/4", IPFUND_CACHE_URL="redis://127.0.0.1:6379/15")
    subprocess.run([sys.executable, "-m", "ipfund.web.manage", "migrate", "--noinput"], env=env, check=True,
                   capture_output=True, timeout=300)
    server = gunicorn(env, "-w", "2", port=port)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/policies", timeout=5) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert server.poll() is None, server.communicate()[1]
                assert time.monotonic() < deadline
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_problems_are_named_in_one_refusal(settings):
    settings.PRODUCTION = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.CELERY_BROKER_URL = ""
    settings.IPFUND_JOBS_IN_PROCESS = False
    settings.IPFUND_DB_OWNER_ALLOWED = True
    with pytest.raises(startup.ImproperlyConfigured) as refused:
        startup.refuse_unsafe_start(workers=None)
    text = str(refused.value)
    assert "多个进程（未知个数）" in text and startup.NO_BROKER in text
    settings.IPFUND_JOBS_IN_PROCESS = True
    assert startup.start_problems(workers=1) == []
