"""What several sub-commands share: reading batch files, --interpret, and exiting on bad input."""

from __future__ import annotations

import sys

from ipfund.engine import BAD_INTERPRET_ARG, NOT_JSON, TOO_DEEP, TOO_LARGE, BatchError

MAX_BATCH_MB = 256


class UsageError(Exception):
    """Exit 2 with a one-line message on stderr and nothing on stdout."""


def fail(message: str) -> int:
    print(f"ipfund: {message}".splitlines()[0], file=sys.stderr)
    return 2


def read_json_file(path: str):
    """A batch or history file (or - for stdin) read exactly: numbers with decimals as Decimal."""
    import json
    from decimal import Decimal

    try:
        if path == "-":
            raw = sys.stdin.buffer.read(MAX_BATCH_MB * 1024 * 1024 + 1)
        else:
            with open(path, "rb") as fh:
                raw = fh.read(MAX_BATCH_MB * 1024 * 1024 + 1)
    except OSError as exc:
        raise BatchError(f"无法读取 {path}：{exc.strerror}") from None
    if len(raw) > MAX_BATCH_MB * 1024 * 1024:
        raise BatchError(TOO_LARGE.format(limit=MAX_BATCH_MB))
    try:
        return json.loads(raw, parse_float=Decimal)
    except RecursionError:
        raise BatchError(TOO_DEEP) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BatchError(NOT_JSON.format(detail=str(exc).splitlines()[0])) from None


def parse_interpret(values: list[str] | None) -> dict[str, str]:
    out = {}
    for arg in values or ():
        iid, sep, option = arg.partition("=")
        if not sep or not iid or not option:
            raise BatchError(BAD_INTERPRET_ARG.format(arg=arg))
        out[iid.strip()] = option.strip()
    return out


def add_interpret(parser) -> None:
    parser.add_argument(
        "--interpret", action="append", metavar="ID=OPTION", help="选择对政策文本的解释，如 A7=per_year（可重复）"
    )
