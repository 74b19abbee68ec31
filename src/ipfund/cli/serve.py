"""`ipfund serve`: the platform on the embedded default (SQLite in the data directory).

Migrations are applied on start; `--demo` loads the demo data set first. Without CELERY_BROKER_URL
background jobs (exports, batches of letters) run on a worker thread of this process, so nothing
else needs to be started; jobs a previous run left unfinished are taken over and run again, queued
ones sent again, and a loop sends again every job whose worker thread died (jobs/leases.py). Expired
export files and unsaved staged uploads are swept on start and hourly. This is Django's
development server, for trying the platform; production runs `gunicorn ipfund.web.config.wsgi`
with PostgreSQL (see the README).
"""

from __future__ import annotations

import argparse


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--demo", action="store_true", help="先载入演示数据（已有数据时跳过）")
    parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    parser.add_argument("--data-dir", help="数据目录（默认 $IPFUND_DATA_DIR 或 ./var）")


def run(args) -> int:
    from ._django import migrate, setup

    setup(args.data_dir)
    migrate()
    if args.demo:
        from .demo import load_and_report

        if load_and_report():
            return 2
    from django.conf import settings
    from django.core.management import call_command

    if not settings.CELERY_BROKER_URL:  # exports run on a worker thread of this process
        from ipfund.web.jobs.leases import jobs_resend_every
        from ipfund.web.jobs.services import job_recover_embedded

        job_recover_embedded()
        jobs_resend_every()  # a job whose worker thread died is taken over
    from ipfund.web.jobs.housekeeping import housekeeping_every

    housekeeping_every()  # expired exports and unsaved staged files: now, then hourly
    print(f"平台已启动：http://{args.host}:{args.port}/   （接口文档 /api/docs，Ctrl-C 退出）")
    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False, use_threading=True, skip_checks=True)
    return 0
