"""`ipfund evaluate`: the calculator contract on the command line (a JSON batch, or JSONL in bulk)."""

from __future__ import annotations

import sys

from ipfund.cli.common import add_interpret, fail, parse_interpret, read_json_file
from ipfund.engine import BatchError


def add_parser(p) -> None:
    p.add_argument("batch", nargs="?", help="批次 JSON 文件（- 表示标准输入）")
    add_interpret(p)
    p.add_argument("--history", metavar="HISTORY.json", help="已发放的资助（合同的 history 格式）")
    p.add_argument("--jsonl", metavar="FILE", help="每行一个申报的 JSONL 文件（- 表示标准输入），逐行输出决定")
    p.add_argument("--policy", help="--jsonl 时的政策编号，如 zhaoqing-hitech-ip-2022")
    p.add_argument("--explain", action="store_true", help="--jsonl 时也输出计算说明（较慢）")
    p.add_argument("--workers", type=int, default=None,
                   help="--jsonl 时并行读取与初判的进程数（默认：CPU 核数；1 表示单进程）")


def run(args) -> int:
    try:
        interpretations = parse_interpret(args.interpret)
        history = read_json_file(args.history) if args.history else None
        if args.jsonl:
            if args.batch:
                raise BatchError("批次文件与 --jsonl 只能给出其一")
            if not args.policy:
                raise BatchError("--jsonl 需要 --policy 政策编号")
            return _run_jsonl(args, history, interpretations)
        if not args.batch:
            raise BatchError("请给出批次文件（- 表示标准输入），或 --jsonl 文件 --policy 政策编号")
        from ipfund.engine import evaluate_batch

        result = evaluate_batch(read_json_file(args.batch), history=history, interpretations=interpretations)
    except BatchError as exc:
        return fail(str(exc))
    import orjson

    sys.stdout.buffer.write(orjson.dumps(result, option=orjson.OPT_INDENT_2) + b"\n")
    return 0


def _run_jsonl(args, history, interpretations) -> int:
    import os

    from ipfund.engine import evaluate_jsonl

    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    src = sys.stdin.buffer if args.jsonl == "-" else _open(args.jsonl)
    out = sys.stdout.buffer
    progress = _progress(args.jsonl, src) if sys.stderr.isatty() and args.jsonl != "-" else None
    chunks = evaluate_jsonl(src, args.policy, history=history, interpretations=interpretations, explain=args.explain,
                            workers=workers)
    try:
        for chunk, consumed in chunks:
            out.write(chunk)
            out.flush()
            if progress is not None:
                progress(consumed)
    finally:
        if progress is not None:
            progress(None)
    out.flush()
    return 0


def _open(path):
    try:
        return open(path, "rb")
    except OSError as exc:
        raise BatchError(f"无法读取 {path}：{exc.strerror}") from None


def _progress(path, fh):
    """A progress bar over the bytes of the file, on stderr (only when stderr is a terminal)."""
    import os

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    total = os.path.getsize(path)
    bar = Progress(TextColumn("评估中"), BarColumn(), TextColumn("{task.percentage:>5.1f}%"), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task("", total=total)
    bar.start()

    def update(_consumed):
        if _consumed is None:
            bar.stop()
        else:
            bar.update(task, completed=fh.tell())

    return update
