"""`ipfund serve --demo` is never silent while it prepares (issue 21, item 9): its port answers at
once with a Chinese waiting page (503, so tools keep waiting), the console prints each step, and the
platform itself answers on the same port when the demo is loaded."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from ipfund.cli.waiting_page import TITLE, waiting_page

from .test_backup import free_port


def fetch(port: int) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_the_waiting_page_answers_with_the_current_step_and_frees_the_port():
    port = free_port()
    page = waiting_page("127.0.0.1", port)
    assert page is not None
    with page:
        page.step = "第一批：初审、审定（第 3 步，共 7 步）"
        status, body = fetch(port)
        assert status == 503 and TITLE in body and "第一批：初审、审定（第 3 步，共 7 步）" in body
        assert 'http-equiv="refresh"' in body
        assert waiting_page("127.0.0.1", port) is None  # taken: the caller goes on without it
    again = waiting_page("127.0.0.1", port)  # freed for the platform itself
    assert again is not None
    again.server.server_close()


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the CLI runs on its embedded SQLite")
def test_serve_demo_answers_at_once_and_prints_its_progress(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["IPFUND_DATA_DIR"] = str(tmp_path / "live")
    server = subprocess.Popen([sys.executable, "-m", "ipfund.cli.main", "serve", "--demo", "--port", str(port)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    waiting_seen, started = False, False
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, body = fetch(port)
            except OSError:
                time.sleep(0.5)
                continue
            if status == 503:
                assert TITLE in body and "当前：" in body
                waiting_seen = True
            elif status == 200:
                started = True
                break
            time.sleep(1)
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    assert waiting_seen and started, out
    lines = out.splitlines()
    assert lines[0].startswith("准备期间访问 ") and "正在准备演示数据…" in lines[0]
    assert "正在准备数据库…" in lines and "正在载入演示数据（约需一分钟，请稍候）…" in lines
    steps = [line.strip() for line in lines if line.strip().startswith("[")]
    assert [s.split("]")[0] for s in steps] == [f"[{n}/7" for n in range(1, 8)]
    assert any(line.strip().startswith("正在准备数据库（") for line in lines)
    assert lines.index("正在载入演示数据（约需一分钟，请稍候）…") < lines.index(next(x for x in lines if x.startswith("演示数据已载入")))
    assert any(line.startswith("平台已启动：") for line in lines)
