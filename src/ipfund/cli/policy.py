"""`ipfund policy show|list|check|new|test|diff`: policy packages, readable, verified, compared."""

from __future__ import annotations

import sys

from ipfund.cli.common import fail
from ipfund.engine import BatchError

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
    """A policy by directory (when it is one) or by installed id, as the read model."""
    from ipfund.engine import open_package

    return open_package(target)


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
    from ipfund.engine import show_item, show_policy

    if args.item:
        if args.item not in policy.items:
            return fail(UNKNOWN_ITEM.format(item=args.item))
        _print(show_item(policy, args.item))
        return 0
    _print(show_policy(policy))
    return 0


def _check(target: str) -> int:
    """Every problem of the package, each naming its file and line; never a traceback."""
    from pathlib import Path

    from ipfund.engine import check_folder, package_folder, package_summary

    folder = Path(target) if Path(target).is_dir() or "/" in target or target.startswith(".") else package_folder(_load(target))
    problems, warnings = check_folder(folder)
    for w in warnings:
        print(f"ipfund policy check: {w}", file=sys.stderr)
    for p in problems:
        print(f"ipfund policy check: {p}", file=sys.stderr)
    if problems:
        print(f"ipfund policy check: {folder.name}：发现 {len(problems)} 个问题", file=sys.stderr)
        return 1
    policy = _load(str(folder))
    print(f"{package_summary(policy)}，检查通过" + (f"（{len(warnings)} 个提示）" if warnings else ""))
    return 0


def _list(args) -> int:
    import datetime as dt

    from ipfund.engine import STATE_LABELS, package_refs, policy_view_at, predecessor_view, state_on, validity_of

    try:
        day = dt.date.fromisoformat(args.on) if args.on else dt.date.today()
    except ValueError:
        return fail(f"--on 应为 YYYY-MM-DD 格式的日期，现为 {args.on!r}")
    found, problems = package_refs()
    for p in problems:
        print(f"ipfund policy list: {p}", file=sys.stderr)
    lines = [f"已安装的政策包（状态按 {day.isoformat()} 判断）：", ""]
    for ref in found.values():
        try:
            policy = policy_view_at(ref.path)
        except BatchError as exc:
            lines += [f"{ref.id}：无法读取（{exc}）", ""]
            continue
        v = validity_of(policy, day)
        start, end = v.first.isoformat(), v.last.isoformat()
        lines.append(f"{policy.title}")
        lines.append(f"  文号：{policy.document_number}    政策编号：{policy.id}（{'内置' if ref.builtin else ref.path}）")
        lines.append("  版本：" + "；".join(f"{d.isoformat()} {num}（{what}）" for d, num, what in policy.versions))
        lines.append(f"  有效期：{start} 至 {end}")
        pred = predecessor_view(policy)  # (a BatchError when named and not installed, as before)
        if pred is not None:
            lines.append(f"  延续：{pred.document_number} 的 {len(policy.continued)} 个项目")
        lines.append(f"  状态：{STATE_LABELS[state_on(policy, day)]}")
        lines.append("")
    _print(lines[:-1])
    return 0


def _new(args) -> int:
    from pathlib import Path

    from ipfund.engine import ScaffoldError, scaffold

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
    from ipfund.engine import golden_test

    report = golden_test(policy)
    for line in report.failures:
        print(line, file=sys.stderr)
    print(report.summary)
    return 0 if report.ok else 1


def _diff(args) -> int:
    from ipfund.engine import diff_packages

    old, old_day = _versioned(args.old)
    new, new_day = _versioned(args.new)
    _print(diff_packages(old, new, old_day=old_day, new_day=new_day))
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
