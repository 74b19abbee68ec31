"""`ipfund explain`: one decision's explanation, for a person (rich in a terminal, plain when piped)."""

from __future__ import annotations

import sys

from ipfund.cli.common import add_interpret, fail, parse_interpret, read_json_file
from ipfund.engine import BatchError

NO_SUCH_ID = "批次中没有 id 为 {id!r} 的申报"


def add_parser(p) -> None:
    p.add_argument("batch", help="批次 JSON 文件（- 表示标准输入）")
    p.add_argument("--id", required=True, help="要说明的申报 id")
    add_interpret(p)
    p.add_argument("--history", metavar="HISTORY.json", help="已发放的资助（合同的 history 格式）")
    p.add_argument("--registers", metavar="REGISTERS.json", help="政策包读取的名单（格式同 ipfund evaluate --registers）")


def run(args) -> int:
    from ipfund.engine import evaluate_batch

    try:
        history = read_json_file(args.history) if args.history else None
        batch = read_json_file(args.batch)
        registers = read_json_file(args.registers) if args.registers else None
        result = evaluate_batch(batch, history=history, interpretations=parse_interpret(args.interpret), registers=registers)
    except BatchError as exc:
        return fail(str(exc))
    decision = next((d for d in result["decisions"] if d.get("id") == args.id), None)
    if decision is None:
        return fail(NO_SUCH_ID.format(id=args.id))
    from ipfund.engine import policy_view

    policy = policy_view(result["policy"])  # the batch's own policy (cached: evaluate_batch loaded it)
    if "error" in decision:  # which item the claim named: its fields are said by their labels
        claims = batch.get("claims") if isinstance(batch, dict) else None
        claim = next((c for c in claims or () if isinstance(c, dict) and c.get("id") == args.id), {})
        decision = {**decision, "item": claim.get("item")}
    if sys.stdout.isatty():
        _rich(decision, policy)
    else:
        _plain(decision, policy)
    return 0


def _headline(d, policy) -> str:
    if "error" in d:
        e = d["error"]
        from ipfund.engine import field_words

        return f"申报 {d['id']}：输入无效（{field_words(policy, d.get('item'), str(e['field']))}：{e['message']}）"
    from ipfund.engine import REASON_LABELS

    item = policy.items.get(d["item"])
    title = item.title if item is not None else d["item"]
    verdict = f"资助 {d['amount']} 元" if d["eligible"] else "不予资助"
    extra = f"；原因：{'；'.join(REASON_LABELS.get(r, r) for r in d['reasons'])}" if d["reasons"] else ""
    return f"申报 {d['id']}（{title}，{d['citation']}）：{verdict}{extra}"


def _plain(d, policy) -> None:
    print(_headline(d, policy))
    for line in d.get("explanation", ()):
        print(f"  {line}")


def _rich(d, policy) -> None:
    from rich.console import Console
    from rich.panel import Panel
    from rich.text import Text

    body = Text()
    for line in d.get("explanation", ()):
        style = "red" if line.startswith("✗") else "green" if line.startswith("✓") else "bold" if line.startswith("结论") else ""
        body.append(line + "\n", style=style)
    colour = "red" if "error" in d or not d.get("eligible") else "green"
    Console().print(Panel(body, title=_headline(d, policy), border_style=colour, expand=False))
