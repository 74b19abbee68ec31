"""`ipfund uploads sweep`: remove upload files no row names, once older than the grace period."""

from __future__ import annotations

import argparse
import datetime as dt

DONE = "上传文件：{kept} 个有记录；{verb} {removed} 个孤立文件；{young} 个孤立文件未满 {hours} 小时，暂留。"


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["sweep"], help="sweep：清理没有记录的孤立上传文件")
    parser.add_argument("--grace-hours", type=float, default=24, help="孤立文件至少存在多少小时才清理（默认 24）")
    parser.add_argument("--dry-run", action="store_true", help="只列出，不删除")
    parser.add_argument("--data-dir", help="数据目录（默认 $IPFUND_DATA_DIR 或 ./var）")


STAGED = "暂存文件：已删除 {removed} 个超过暂存期限、未保存到申报的文件。"
GRACE_NEGATIVE = "ipfund uploads：--grace-hours 不能为负数。"


def run(args) -> int:
    if args.grace_hours < 0:
        import sys

        print(GRACE_NEGATIVE, file=sys.stderr)
        return 2
    from ._django import setup

    setup(args.data_dir)
    from ipfund.web.claims.staging import staged_sweep
    from ipfund.web.upload_sweep import uploads_sweep

    if not args.dry_run:
        print(STAGED.format(removed=staged_sweep()))
    result = uploads_sweep(grace=dt.timedelta(hours=args.grace_hours), dry_run=args.dry_run)
    for name in result.removed:
        print(("将删除 " if args.dry_run else "已删除 ") + name)
    print(DONE.format(kept=result.kept, verb="将删除" if args.dry_run else "已删除", removed=len(result.removed),
                      young=result.young, hours=f"{args.grace_hours:g}"))
    return 0
