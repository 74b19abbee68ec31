"""`ipfund backup DEST`: the database, the uploaded files and the audit checkpoint into DEST."""

from __future__ import annotations

import argparse
import sys

DONE = "备份完成：{path}（{vendor}；{claims} 件申报、{ledger} 条台账记录、{audit} 条审计事件、{files} 个上传文件）。"
CHAIN_WARNING = "注意：备份前校验审计链未通过：{message}"


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dest", help="备份目录（不存在或为空）")
    parser.add_argument("--data-dir", help="数据目录（默认 $IPFUND_DATA_DIR 或 ./var）")


def run(args) -> int:
    from ._django import setup

    setup(args.data_dir)
    from ipfund.web.audit.services import audit_verify
    from ipfund.web.backups import VENDOR_LABELS, BackupError, backup_create

    chain = audit_verify()
    if not chain.ok:  # a backup of a damaged state is still evidence: taken, with the warning
        print(CHAIN_WARNING.format(message=chain.message), file=sys.stderr)
    try:
        summary = backup_create(args.dest)
    except BackupError as exc:
        print(f"ipfund backup：{exc}", file=sys.stderr)
        return 2
    print(DONE.format(path=summary.path, vendor=VENDOR_LABELS[summary.vendor], files=summary.files, **summary.counts))
    return 0
