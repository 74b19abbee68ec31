"""`ipfund match [--policy P] [--on DATE]`: 免申即享 — every award list's newest rows matched against
the policies in force; writes one JSON line per proposal (credit code, policy, item, amount, the
source row) and then one per row left out (unresolved or ineligible), each with why."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys

import orjson


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policy", default="", help="只匹配这一项现行政策（默认：全部现行政策）")
    parser.add_argument("--on", default="", help="按该日期判断现行政策（YYYY-MM-DD，默认今天）")
    parser.add_argument("--data-dir", help="数据目录（默认 $IPFUND_DATA_DIR 或 ./var）")
    parser.add_argument("--dask-workers", type=int, default=None, metavar="N",
                        help="在 Dask 集群上批量决定：本机启动 N 个工作进程（或设置 IPFUND_DASK_SCHEDULER 使用已运行的调度器）")


def _progress(done: int, total: int) -> None:
    print(f"决定：{done}/{total} 块", file=sys.stderr, flush=True)


def run(args) -> int:
    from ._django import setup

    setup(args.data_dir)
    from django.core.exceptions import ValidationError

    from ipfund.web.registers.matching import match_run

    if args.dask_workers is not None:
        if args.dask_workers < 1:
            print("--dask-workers 应为正整数", file=sys.stderr)
            return 2
        from django.conf import settings

        settings.IPFUND_DASK_WORKERS, settings.IPFUND_DASK_MIN_CLAIMS = args.dask_workers, 0
        logging.getLogger("distributed").setLevel(logging.WARNING)  # the cluster's comings and goings
    try:
        on = dt.date.fromisoformat(args.on) if args.on else None
    except ValueError:
        print(f"--on 应为 YYYY-MM-DD 格式的日期：{args.on}", file=sys.stderr)
        return 2
    try:
        result = match_run(actor=None, on=on, policy=args.policy or None, progress=_progress)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for message in errors:
                print(message, file=sys.stderr)
        return 2
    out = sys.stdout.buffer
    for line in result.lines:
        out.write(orjson.dumps(line, default=str) + b"\n")
    out.flush()
    return 0
