"""While `ipfund serve --demo` prepares (the database, the demo data: about a minute), its port
already answers: every request gets a short Chinese page saying what is being done, which reloads
itself every few seconds (status 503 with Retry-After, so tools keep waiting for the real site).
The page stops just before the platform itself starts listening on the same port."""

from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TITLE = "正在准备演示数据…"
PAGE = """<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
<title>{title}</title>
<style>body{{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:36em;margin:4em auto;color:#1f2933}}
p.step{{color:#52606d}}</style></head>
<body><h1>{title}</h1>
<p>平台正在启动，首次启动需要创建数据库并载入演示数据，约需一分钟。本页每 3 秒自动刷新，准备好后将显示平台首页。</p>
<p class="step">当前：{step}</p></body></html>
"""


class WaitingPage:
    """A tiny server answering every request with the waiting page; ``step`` is what it shows."""

    def __init__(self, host: str, port: int):
        self.step = "正在启动"
        waiting = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the http.server's name)
                body = PAGE.format(title=TITLE, step=html.escape(waiting.step)).encode()
                self.send_response(503)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Retry-After", "3")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_HEAD = do_GET

            def log_message(self, format, *args):  # the console shows the loading steps only
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="ipfund-waiting-page", daemon=True)

    def __enter__(self) -> "WaitingPage":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def waiting_page(host: str, port: int) -> WaitingPage | None:
    """The waiting page on ``host:port``, or None when the port cannot be taken (runserver will say why)."""
    try:
        return WaitingPage(host, port)
    except OSError:
        return None
