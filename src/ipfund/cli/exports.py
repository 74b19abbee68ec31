"""`ipfund exports sweep`: delete export files past their retention period (IPFUND_EXPORT_RETENTION_DAYS)."""

from __future__ import annotations

import argparse

DONE = "导出文件：已删除 {removed} 个超过保留期限（{days} 天）的文件。"


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["sweep"], help="sweep：删除超过保留期限的导出文件")
    parser.add_argument("--data-dir", help="数据目录（默认 $IPFUND_DATA_DIR 或 ./var）")


def run(args) -> int:
    from ._django import setup

    setup(args.data_dir)
    from django.conf import settings

    from ipfund.web.jobs.retention import exports_sweep

    print(DONE.format(removed=exports_sweep(), days=f"{settings.IPFUND_EXPORT_RETENTION_DAYS:g}"))
    return 0
