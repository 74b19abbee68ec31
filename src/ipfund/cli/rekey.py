"""`ipfund rekey`: re-encrypt all personal data under the newest key (IPFUND_DATA_KEYS' first)."""

from __future__ import annotations

import argparse


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="数据目录（默认 $IPFUND_DATA_DIR 或 ./var）")


def run(args) -> int:
    from ._django import setup

    setup(args.data_dir)
    from django.core.management import call_command

    call_command("rekey")
    return 0
