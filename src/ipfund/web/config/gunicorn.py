"""gunicorn's configuration for production: `gunicorn -c python:ipfund.web.config.gunicorn -w 3
ipfund.web.config.wsgi`. It tells each worker how many there are, so a start with several
workers and no shared cache is refused (web/startup.py), and caps request lines and headers."""

import os

limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190


def on_starting(server):
    os.environ["IPFUND_WEB_WORKERS"] = str(server.cfg.workers)
