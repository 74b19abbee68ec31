"""`ipfund restore SRC`: a backup into the configured empty database and upload directory, then
the audit chain verified and the stores reconciled."""

from __future__ import annotations

import argparse
import sys

DONE = "恢复完成：{claims} 件申报、{ledger} 条台账记录、{audit} 条审计事件、{files} 个上传文件。"


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("src", help="ipfund backup 写出的备份目录")
    parser.add_argument("--data-dir", help="数据目录（默认 $IPFUND_DATA_DIR 或 ./var）")


def run(args) -> int:
    from ._django import migrate, setup

    setup(args.data_dir)
    from ipfund.web.audit.services import audit_verify
    from ipfund.web.backups import BackupError, backup_restore
    from ipfund.web.reconcile import audit_reconcile

    try:
        summary = backup_restore(args.src)
    except BackupError as exc:
        print(f"ipfund restore：{exc}", file=sys.stderr)
        return 2
    migrate()  # a backup of an older version is brought up to this one's schema
    print(DONE.format(files=summary.files, **summary.counts))
    chain, books = audit_verify(), audit_reconcile()
    print(("OK " if chain.ok else "BROKEN ") + chain.message)
    print(("OK " if books.ok else "DIFFERENCES ") + books.message)
    return 0 if chain.ok and books.ok else 1
