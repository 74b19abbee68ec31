"""`ipfund evaluate`: the calculator contract on the command line (a JSON batch, or JSONL in bulk)."""

from __future__ import annotations

import sys

from ipfund.cli.common import add_interpret, fail, parse_interpret, read_json_file
from ipfund.engine import BatchError


def add_parser(p) -> None:
    p.add_argument("batch", nargs="?", help="批次 JSON 文件（- 表示标准输入）")
    add_interpret(p)
    p.add_argument("--history", metavar="HISTORY.json", help="已发放的资助（合同的 history 格式）")
    p.add_argument("--registers", metavar="REGISTERS.json",
                   help="政策包读取的名单（失信名单、高新技术企业名单等）：{名单代码: {label, version, imported_on, entries: [{code, from, until}]}}")
    p.add_argument("--jsonl", metavar="FILE", help="每行一个申报的 JSONL 文件（- 表示标准输入），逐行输出决定")
    p.add_argument("--policy", help="--jsonl 时的政策编号，如 zhaoqing-hitech-ip-2022")
    p.add_argument("--explain", action="store_true", help="--jsonl 时也输出计算说明（较慢）")
    p.add_argument("--workers", type=int, default=None,
                   help="--jsonl 时并行读取与初判的进程数（默认：CPU 核数；1 表示单进程）")
    p.add_argument("--dask-workers", type=int, default=None, metavar="N",
                   help="--jsonl 时在 Dask 集群上按关联分组并行决定：本机启动 N 个工作进程（结果与单进程逐字节相同）")
    p.add_argument("--scheduler", default="", metavar="ADDR",
                   help="--jsonl 时使用已运行的 Dask 调度器（如 tcp://10.0.0.5:8786），不在本机启动集群")


def run(args) -> int:
    try:
        interpretations = parse_interpret(args.interpret)
        history = read_json_file(args.history) if args.history else None
        registers = read_json_file(args.registers) if args.registers else None
        if args.jsonl:
            if args.batch:
                raise BatchError("批次文件与 --jsonl 只能给出其一")
            if not args.policy:
                raise BatchError("--jsonl 需要 --policy 政策编号")
            if args.dask_workers is not None or args.scheduler:
                return _run_dask(args, history, interpretations, registers)
            return _run_jsonl(args, history, interpretations, registers)
        if not args.batch:
            raise BatchError("请给出批次文件（- 表示标准输入），或 --jsonl 文件 --policy 政策编号")
        from ipfund.engine import evaluate_batch

        result = evaluate_batch(read_json_file(args.batch), history=history, interpretations=interpretations,
                                registers=registers)
    except BatchError as exc:
        return fail(str(exc))
    import orjson

    sys.stdout.buffer.write(orjson.dumps(result, option=orjson.OPT_INDENT_2) + b"\n")
    return 0


def _run_jsonl(args, history, interpretations, registers=None) -> int:
    import os

    from ipfund.engine import evaluate_jsonl

    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    src = sys.stdin.buffer if args.jsonl == "-" else _open(args.jsonl)
    out = sys.stdout.buffer
    progress = _progress(args.jsonl, src) if sys.stderr.isatty() and args.jsonl != "-" else None
    chunks = evaluate_jsonl(src, args.policy, history=history, interpretations=interpretations, explain=args.explain,
                            workers=workers, registers=registers)
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


PHASES = {"names": "找出关联", "decide": "决定"}


def _run_dask(args, history, interpretations, registers=None) -> int:
    """The decisions decided on a Dask cluster, partitioned by what links claims; progress (chunks
    done) on stderr."""
    import logging

    from ipfund.engine import evaluate_jsonl_on_dask

    logging.getLogger("distributed").setLevel(logging.WARNING)  # the cluster's comings and goings
    if args.dask_workers is not None and args.dask_workers < 1:
        raise BatchError("--dask-workers 应为正整数")
    src = sys.stdin.buffer if args.jsonl == "-" else _open(args.jsonl)

    def progress(phase: str, done: int, total: int) -> None:
        print(f"{PHASES[phase]}：{done}/{total} 块", file=sys.stderr, flush=True)

    out = sys.stdout.buffer
    for part in evaluate_jsonl_on_dask(src, args.policy, history=history, interpretations=interpretations,
                                       explain=args.explain, registers=registers, workers=args.dask_workers or 2,
                                       scheduler=args.scheduler or None, progress=progress):
        out.write(part)
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
