"""`ipfund register import KIND FILE`: import a register (enterprises, awards, list) from Excel or
CSV as its next version. Columns as in the template (`ipfund register template KIND [--item I]`
prints them) or named with `--map 列名=field`. A bad file changes nothing: every bad cell is named
by row and column on stderr, exit 1."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

KINDS = ("enterprises", "awards", "list")
IMPORTED = "已导入“{name}”第 {version} 版：{rows} 行，其中 {waiting} 行单位名称待人工确认。"
BAD_MAP = "--map 应写作 列名=字段：{value}"


def add_parser(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    imp = sub.add_parser("import", help="导入名单文件（Excel .xlsx 或 CSV），作为该名单的新版本")
    imp.add_argument("kind", choices=KINDS, help="enterprises：企业名录；awards：获奖名单；list：按信用代码的名单")
    imp.add_argument("file", help="Excel（.xlsx）或 CSV 文件")
    imp.add_argument("--item", default="", help="获奖名单对应的申报项目（如 china_patent_award）")
    imp.add_argument("--code", default="", help="名单代码（同一代码的再次导入为新版本）")
    imp.add_argument("--name", default="", help="名单名称（如 2025年中国专利奖获奖名单）")
    imp.add_argument("--map", action="append", default=[], metavar="列名=field", help="列映射，可重复")
    imp.add_argument("--data-dir", help="数据目录（默认 $IPFUND_DATA_DIR 或 ./var）")
    tpl = sub.add_parser("template", help="打印该类名单模板的列（列名、字段、类型、是否必填）")
    tpl.add_argument("kind", choices=KINDS)
    tpl.add_argument("--item", default="")
    tpl.add_argument("--data-dir", help="数据目录（默认 $IPFUND_DATA_DIR 或 ./var）")


def _mapping(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        column, sep, field = pair.partition("=")
        if not sep or not column.strip():
            raise ValueError(BAD_MAP.format(value=pair))
        out[column.strip()] = field.strip()
    return out


def _messages(exc) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for errors in exc.error_dict.values() for e in errors for m in e.messages]
    return [str(m) for m in getattr(exc, "messages", [exc])]


def run(args) -> int:
    from ._django import setup

    setup(args.data_dir)
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from ipfund.web.registers.services import fields_of, register_for, register_import, register_upload

    try:
        if args.action == "template":
            for f in fields_of(args.kind, args.item):
                print(json.dumps({"column": f.label, "field": f.id, "type": f.type, "required": f.required,
                                  **({"options": [label for _, label in f.options]} if f.options else {})},
                                 ensure_ascii=False))
            return 0
        overrides = _mapping(args.map)
        path = Path(args.file)
        with transaction.atomic():  # the register made on a first import goes with its rows, or not at all
            register = register_for(kind=args.kind, code=args.code, name=args.name, item=args.item)
            upload = register_upload(actor=None, register=register, file_name=path.name, content=path.read_bytes())
            mapping = {**upload.mapping, **overrides}
            upload = register_import(actor=None, upload=upload, mapping=mapping)
    except (ValidationError, ValueError, OSError) as exc:
        for message in _messages(exc) if isinstance(exc, ValidationError) else [str(exc)]:
            print(message, file=sys.stderr)
        return 1
    waiting = upload.register_rows.filter(state__in=("unmatched", "ambiguous")).count()
    print(IMPORTED.format(name=register.name, version=upload.version, rows=upload.rows, waiting=waiting))
    return 0
