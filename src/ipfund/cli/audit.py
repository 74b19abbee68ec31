"""`ipfund audit verify`: check the audit hash chain; exit 1 at the first broken link."""

from __future__ import annotations

import argparse


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["verify"], help="verify：校验审计链")
    parser.add_argument("--data-dir", help="数据目录（默认 $IPFUND_DATA_DIR 或 ./var）")


def run(args) -> int:
    from ._django import setup

    setup(args.data_dir)
    from ipfund.web.audit.services import audit_verify

    result = audit_verify()
    print(("OK " if result.ok else "BROKEN ") + result.message)
    return 0 if result.ok else 1
