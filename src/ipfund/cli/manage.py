"""`ipfund manage …`: Django's management commands for the platform (migrate, createsuperuser…)."""

from __future__ import annotations

import argparse


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("args", nargs=argparse.REMAINDER, help="Django 管理命令及其参数")


def run(args) -> int:
    from ipfund.web.manage import main

    main(["ipfund manage", *args.args])
    return 0
