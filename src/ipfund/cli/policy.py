"""`ipfund policy show|list|check|new|test|diff`: policy packages, readable, verified, compared."""

from __future__ import annotations

import sys

from ipfund.cli.common import fail
from ipfund.engine.errors import BatchError

DEFAULT_POLICY = "zhaoqing-hitech-ip-2022"
UNKNOWN_ITEM = "未知的项目 {item!r}；`ipfund policy show` 列出全部项目"


def add_parser(p) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = sub.add_parser("show", help="列出条款和项目，或显示一个项目的全部内容")
    show.add_argument("item", nargs="?", help="项目编号，如 china_patent_award")
    show.add_argument("--policy", default=DEFAULT_POLICY, help="政策编号或政策包目录")
    lst = sub.add_parser("list", help="列出已安装的政策包：文号、标题、版本、有效期、状态")
    lst.add_argument("--on", metavar="YYYY-MM-DD", help="按此日期判断状态（默认：今天）")
    check = sub.add_parser("check", help="检查政策包：原文语句、条款引用、条款目录、参数版本")
    check.add_argument("target", nargs="?", help="政策包目录或政策编号（默认：内置的 2022 政策）")
    check.add_argument("--policy", default=None, help=argparse_suppress())
    check.add_argument("--path", help="检查此目录下的政策包（同 TARGET）")
    new = sub.add_parser("new", help="由政策原文生成政策包骨架（条款按原文拆分，语句逐字引用）")
    new.add_argument("dir", help="新政策包目录（须不存在或为空）")
    new.add_argument("--source", required=True, metavar="TEXT", help="政策原文（UTF-8 文本文件）")
    new.add_argument("--id", help="政策编号（默认：目录名）")
    test = sub.add_parser("test", help="运行政策包自带的测试案例（golden/*.yaml）")
    test.add_argument("target", help="政策包目录或政策编号")
    diff = sub.add_parser("diff", help="逐项比较两个政策包或两个版本（PACKAGE@YYYY-MM-DD）")
    diff.add_argument("old", help="原政策：政策编号或目录，可加 @日期 取该日施行的版本")
    diff.add_argument("new", help="新政策：政策编号或目录，可加 @日期")


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS


def _load(target: str):
    """A policy by directory (when it is one) or by installed id."""
    from pathlib import Path

    from ipfund.engine.policy import load_policy, load_policy_path

    if Path(target).is_dir() or "/" in target or target.startswith("."):
        return load_policy_path(target)
    return load_policy(target)


def run(args) -> int:
    try:
        if args.action == "list":
            return _list(args)
        if args.action == "new":
            return _new(args)
        target = {
            "show": lambda: args.policy,
            "check": lambda: args.path or args.target or args.policy or DEFAULT_POLICY,
            "test": lambda: args.target,
            "diff": lambda: None,
        }[args.action]()
        if args.action == "diff":
            return _diff(args)
        if args.action == "check":
            return _check(target)
        policy = _load(target)
    except BatchError as exc:
        return fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - any broken package is reported, never a traceback
        return fail(f"政策包无法读取：{type(exc).__name__}: {exc}")
    if args.action == "test":
        return _test(policy)
    if args.item:
        item = policy.items.get(args.item)
        if item is None:
            return fail(UNKNOWN_ITEM.format(item=args.item))
        _print(_item_text(policy, item))
        return 0
    _print(_overview(policy))
    return 0


def _check(target: str) -> int:
    """Every problem of the package, each naming its file and line; never a traceback."""
    from pathlib import Path

    from ipfund.engine.authoring.checks import check_folder

    folder = Path(target) if Path(target).is_dir() or "/" in target or target.startswith(".") else _load(target).path
    problems, warnings = check_folder(folder)
    for w in warnings:
        print(f"ipfund policy check: {w}", file=sys.stderr)
    for p in problems:
        print(f"ipfund policy check: {p}", file=sys.stderr)
    if problems:
        print(f"ipfund policy check: {folder.name}：发现 {len(problems)} 个问题", file=sys.stderr)
        return 1
    policy = _load(str(folder))
    print(f"{policy.id}：{len(policy.clauses)} 个条款、{len(policy.items)} 个项目、"
          f"{len(policy.parameters)} 个参数、{len(policy.interpretations)} 个解释，检查通过"
          + (f"（{len(warnings)} 个提示）" if warnings else ""))
    return 0


def _list(args) -> int:
    import datetime as dt

    from ipfund.engine.packages import STATE_LABELS, discover, state_on
    from ipfund.engine.validity import validity
    from ipfund.engine.policy import load_policy_path

    try:
        day = dt.date.fromisoformat(args.on) if args.on else dt.date.today()
    except ValueError:
        return fail(f"--on 应为 YYYY-MM-DD 格式的日期，现为 {args.on!r}")
    found, problems = discover()
    for p in problems:
        print(f"ipfund policy list: {p}", file=sys.stderr)
    lines = [f"已安装的政策包（状态按 {day.isoformat()} 判断）：", ""]
    for ref in found.values():
        try:
            policy = load_policy_path(ref.path)
        except BatchError as exc:
            lines += [f"{ref.id}：无法读取（{exc}）", ""]
            continue
        v = validity(policy, day)
        start, end = v.first.isoformat(), v.last.isoformat()
        lines.append(f"{policy.title}")
        lines.append(f"  文号：{policy.document_number}    政策编号：{policy.id}（{'内置' if ref.builtin else ref.path}）")
        lines.append("  版本：" + "；".join(f"{d.isoformat()} {num}（{what}）" for d, num, what in policy.versions()))
        lines.append(f"  有效期：{start} 至 {end}")
        pred = policy.predecessor()  # (a BatchError when named and not installed, as before)
        if pred is not None:
            lines.append(f"  延续：{pred.document_number} 的 {len(policy.continued)} 个项目")
        lines.append(f"  状态：{STATE_LABELS[state_on(policy, day)]}")
        lines.append("")
    _print(lines[:-1])
    return 0


def _new(args) -> int:
    from pathlib import Path

    from ipfund.engine.authoring.scaffold import ScaffoldError, scaffold

    try:
        text = Path(args.source).read_text(encoding="utf-8-sig")  # a BOM is not the text
    except OSError as exc:
        return fail(f"无法读取政策原文 {args.source}：{exc.strerror}")
    except UnicodeDecodeError:
        return fail(f"政策原文 {args.source} 不是 UTF-8 文本")
    try:
        written = scaffold(Path(args.dir), text, policy_id=args.id)
    except ScaffoldError as exc:
        return fail(str(exc))
    _print(_new_report(args.dir, written))
    return 0


def _new_report(folder, written) -> list[str]:
    """What `policy new` read from the text, and what the officer must fill in."""
    about = written["about"]
    missing = "（原文中未找到，请在 policy.yaml 中填写）"
    lines = [
        f"已生成政策包 {folder}：{written['clauses']} 个编号条款（条款目录共 {written['catalogue']} 项，"
        f"含标题、文首、序言等），{written['sentences']} 句原文全部列在所属条款下。",
        f"文号：{about.document_number or missing}",
        f"标题：{about.title or missing}",
        f"发文机关：{about.issuer or missing}",
        f"发布日期：{about.issued_on.isoformat() if about.issued_on else missing}",
    ]
    if about.start is not None:
        lines.append(f"施行日期：{about.start.isoformat()}（{about.validity_clause}「{about.validity_sentence}」）")
    elif about.issued_on is not None and about.end is not None:
        lines.append(f"施行日期：未能从原文读出，暂按发布日期 {about.issued_on.isoformat()}，请核对")
    else:
        lines.append(f"施行日期：{missing}")
    if about.end is not None:
        how = f"有效期{about.term}" if about.term else "原文所定"
        lines.append(f"有效期最后一日：{about.end.isoformat()}（{how}）")
    else:
        lines.append(f"有效期最后一日：{missing}")
    if written["unplaced"]:
        lines.append(f"有 {written['unplaced']} 句未能归入编号条款，已列在条款「未归类」下，请移入所属条款。")
    lines.append("下一步：核对条款标题和以上信息，把每个资金语句写成参数和项目（见 docs/policy-packages.md），"
                 f"然后运行 `ipfund policy check {folder}`。")
    return lines


def _test(policy) -> int:
    from ipfund.engine.authoring.golden import run_cases

    report = run_cases(policy)
    for line in report.failures:
        print(line, file=sys.stderr)
    print(report.summary())
    return 0 if report.ok else 1


def _diff(args) -> int:
    from ipfund.engine.authoring.diff import diff_policies

    old, old_day = _versioned(args.old)
    new, new_day = _versioned(args.new)
    _print(diff_policies(old, new, old_day=old_day, new_day=new_day))
    return 0


def _versioned(target: str):
    import datetime as dt

    name, sep, day = target.rpartition("@") if "@" in target else (target, "", "")
    when = None
    if sep:
        try:
            when = dt.date.fromisoformat(day)
        except ValueError:
            raise BatchError(f"{target}：@ 后应为 YYYY-MM-DD 格式的日期") from None
    return _load(name), when


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
        f"可申报：{_kinds(policy, item)}",
    ]
    if item.continues:
        lines.append(f"延续：{policy.continued_label(item)}（重复资助与累计上限合并计算）")
    lines.append("申报事实（facts）：")
    for f in item.facts:
        opts = f"：{', '.join(f'{k}={v}' for k, v in (f.option_labels or {}).items())}" if f.options else ""
        opt = ("" if "可选" in f.label else "（可选）" if f.default is None else f"（可选，默认 {f.default}）") if f.optional else ""
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
