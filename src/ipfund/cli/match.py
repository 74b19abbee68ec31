"""`ipfund match [--policy P] [--on DATE]`: 免申即享 — every award list's newest rows matched against
the policies in force; writes one JSON line per proposal (credit code, policy, item, amount, the
source row) and then one per row left out (unresolved or ineligible), each with why."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

import orjson


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policy", default="", help="只匹配这一项现行政策（默认：全部现行政策）")
    parser.add_argument("--on", default="", help="按该日期判断现行政策（YYYY-MM-DD，默认今天）")
    parser.add_argument("--data-dir", help="数据目录（默认 $IPFUND_DATA_DIR 或 ./var）")


def run(args) -> int:
    from ._django import setup

    setup(args.data_dir)
    from django.core.exceptions import ValidationError

    from ipfund.web.registers.matching import match_run

    try:
        on = dt.date.fromisoformat(args.on) if args.on else None
    except ValueError:
        print(f"--on 应为 YYYY-MM-DD 格式的日期：{args.on}", file=sys.stderr)
        return 2
    try:
        result = match_run(actor=None, on=on, policy=args.policy or None)
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
