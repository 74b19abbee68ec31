"""`ipfund policy show [ITEM]` and `ipfund policy check [--path DIR]`: the policy, readable and verified."""

from __future__ import annotations

import sys

from ipfund.cli.common import fail
from ipfund.engine.errors import BatchError

DEFAULT_POLICY = "zhaoqing-hitech-ip-2022"
UNKNOWN_ITEM = "没有项目 {item}；`ipfund policy show` 列出全部项目"


def add_parser(p) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = sub.add_parser("show", help="列出条款和项目，或显示一个项目的全部内容")
    show.add_argument("item", nargs="?", help="项目编号，如 china_patent_award")
    show.add_argument("--policy", default=DEFAULT_POLICY)
    check = sub.add_parser("check", help="检查政策包：引用的条款、原文语句、参数")
    check.add_argument("--policy", default=DEFAULT_POLICY)
    check.add_argument("--path", help="检查此目录下的政策包（policy.yaml、source.txt、rules.py）")


def run(args) -> int:
    from ipfund.engine.policy import load_policy, load_policy_path

    try:
        if args.action == "check" and args.path:
            policy = load_policy_path(args.path)
        else:
            policy = load_policy(args.policy)
    except BatchError as exc:
        return fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - any broken package is reported, never a traceback
        return fail(f"无法载入政策包：{type(exc).__name__}：{exc}")
    if args.action == "check":
        problems = policy.check()
        for p in problems:
            print(f"ipfund policy check: {p}", file=sys.stderr)
        if problems:
            return 1
        print(f"{policy.id}：{len(policy.clauses)} 个条款（原文每一句均已归入条款），{len(policy.items)} 个项目，"
              f"{len(policy.parameters)} 个参数，{len(policy.interpretations)} 项解释 — 检查通过")
        return 0
    if args.item:
        item = policy.items.get(args.item)
        if item is None:
            return fail(UNKNOWN_ITEM.format(item=args.item))
        _print(_item_text(policy, item))
        return 0
    _print(_overview(policy))
    return 0


def _print(lines) -> None:
    sys.stdout.write("\n".join(lines) + "\n")


def _kinds(policy, item) -> str:
    text = "、".join(policy.kind_labels[k] for k in item.kinds)
    if item.kinds_by:
        fact, by_value = item.kinds_by
        for value, kinds in by_value.items():
            text += f"（{fact}={value} 时：{'、'.join(policy.kind_labels[k] for k in kinds)}）"
    return text


def _overview(policy) -> list[str]:
    from ipfund.engine.policy import ROLE_LABELS

    lines = [f"{policy.title}（{policy.document_number}，{policy.issued_on.isoformat()} 发布，政策编号 {policy.id}）", ""]
    for clause in policy.clauses:
        items = [i for i in policy.items.values() if i.clause == clause.number]
        lines.append(f"{clause.number}  {clause.title}" + ("" if clause.monetary else "  ［非资金条款］"))
        for item in items:
            lines.append(f"    {item.id:<34} {item.title}：{item.summary}")
        for role, passage in clause.passages:  # what is not money: goals, scope, definitions, procedure
            if role not in ("money", "heading"):
                lines.append(f"    ［{ROLE_LABELS.get(role, role)}］{passage}")
    lines += ["", "解释（--interpret 编号=选项 可选择）："]
    for i in policy.interpretations.values():
        mark = "可选" if i.selectable else "文本明确" if i.explicit else "固定"
        lines.append(f"  {i.id}（{i.clause}）[{mark}] {i.question}")
        for option, text in i.options.items():
            lines.append(f"      {'● ' if option == i.default else '○ '}{option}：{text}" + ("（默认）" if option == i.default else ""))
        if i.reason:
            lines.append(f"      默认理由：{i.reason}")
    lines += ["", "`ipfund policy show 项目编号` 显示一个项目的全部内容。"]
    return lines


def _item_text(policy, item) -> list[str]:
    from ipfund.engine.vocabulary import REASON_LABELS

    P = policy.params
    lines = [
        f"{item.title}（{item.id}）",
        f"条款：{item.clause}  「{item.source}」",
        f"金额：{item.summary}",
        f"可申报：{_kinds(policy, item)}" + ("；承接单位可不在区内注册" if item.zone_exempt else "；须在区内"),
    ]
    if item.requires_sme:
        lines.append("限中小微企业（applicant.sme = true）")
    lines.append("申报事实（facts）：")
    for f in item.facts:
        opts = f"：{', '.join(f'{k}={v}' for k, v in (f.option_labels or {}).items())}" if f.options else ""
        opt = f"（可选，默认 {f.default}）" if f.optional else ""
        lines.append(f"  {f.name:<26} {f.type:<9} {f.label}{opt}{opts}")
    lines.append(
        f"有效期：事件日期在 {P.show('validity.start')[0].split('：')[1]} 至 {P.show('validity.end')[0].split('：')[1]}（含）"
        f"（validity.start / validity.end，{policy.parameters['validity.end'].clause}）"
    )
    lines.append("参数（按事件日期取值）：")
    names = list(item.formula.params) + ([item.cap.param] if item.cap else [])
    for name in names:
        par = policy.parameters[name]
        for v in P.show(name):
            lines.append(f"  {name}（{par.title}，{par.clause}）{v}")
    if item.conditions:
        lines.append("条件：")
        for c in item.conditions:
            lines.append(f"  {c.describe} → {c.reason}（{REASON_LABELS[c.reason]}）")
    key = item.key
    if key:
        lines.append(f"重复键：{' + '.join(key)}" + "".join(f"；{i}={o} 时 {' + '.join(k)}" for (i, o), k in item.key_when.items()))
    if item.top_up_when:
        lines.append("补差：应得金额减去本项目已获资助" + (f"（{item.top_up_when[0]}={item.top_up_when[1]} 时）" if isinstance(item.top_up_when, tuple) else ""))
    if item.cap:
        lines.append(f"上限：{item.cap.label}累计不超过 {item.cap.param}" + (f"（按 {item.cap.by} 取值）" if item.cap.by else ""))
    if item.interpretations:
        lines.append("相关解释：")
        for iid in item.interpretations:
            i = policy.interpretations[iid]
            lines.append(f"  {iid} {i.question} 默认 {i.default}：{i.options[i.default]}")
    lines.append("须提交的证明材料：" + "；".join(item.evidence))
    return lines
