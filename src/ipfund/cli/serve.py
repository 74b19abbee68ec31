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


PREPARING = "正在准备数据库…"
MIGRATING = "正在准备数据库（{done}/{total}）"
WAITING_PAGE = "准备期间访问 http://{host}:{port}/ 会显示“正在准备演示数据…”页面。"


def run(args) -> int:
    from ._django import migrate, setup

    setup(args.data_dir)
    if args.demo:
        if _prepare_demo(args):
            return 2
    else:
        migrate()
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


def _prepare_demo(args) -> int:
    """Migrate and load the demo with the port already answering (cli/waiting_page.py) and each
    step printed: a newcomer sees that it is working, in the terminal and in the browser."""
    from ._django import migrate
    from .demo import load_and_report
    from .waiting_page import waiting_page

    page = waiting_page(args.host, args.port)
    if page is None:
        print(PREPARING, flush=True)
        migrate()
        return load_and_report()
    with page:
        print(WAITING_PAGE.format(host=args.host, port=args.port), flush=True)
        print(PREPARING, flush=True)
        page.step = PREPARING
        shown = {"tenth": 0}

        def migrated(done: int, total: int) -> None:
            page.step = MIGRATING.format(done=done, total=total)
            tenth = done * 10 // total
            if tenth > shown["tenth"] or done == total:  # a line every tenth of the way
                shown["tenth"] = tenth
                print("  " + page.step, flush=True)

        migrate(progress=migrated)

        def on_step(step: str) -> None:
            page.step = step

        return load_and_report(on_step=on_step)
