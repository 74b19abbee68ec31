"""`ipfund sandbox run --policy P --set param=value[@date] --option A3=x [--draft DIR] [--json]`:
政策沙盘 — the ledger's standing awards, the pending claims and the register's potential claims
decided under today's rules and under the scenario; prints the totals (by source, item, year,
applicant kind and budget line; gainers and losers). The scenario and the run are kept and audited
as the web's are; nothing in the ledger changes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson


def add_parser(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    run = sub.add_parser("run", help="运行一个情景并输出测算结果")
    run.add_argument("--policy", required=True, help="政策编号（现行规则）")
    run.add_argument("--set", dest="settings", action="append", default=[], metavar="参数=值[@日期]",
                     help="修改参数，如 custody_sme.cap_per_year=5000@2025-01-01；金额表的一项写作 "
                          "china_patent_award.amount[gold]=400000（可重复）")
    run.add_argument("--option", dest="options", action="append", default=[], metavar="解释=选项",
                     help="选择解释口径，如 A23=event_year（可重复）")
    run.add_argument("--draft", type=Path, help="政策包草案的文件夹（只用于测算，不安装）")
    run.add_argument("--name", default="", help="情景名称（默认由修改内容生成）")
    run.add_argument("--no-register", action="store_true", help="不测算名单中的潜在申报")
    run.add_argument("--json", action="store_true", help="以 JSON 输出结果（金额为字符串）")
    run.add_argument("--data-dir", help="数据目录（默认 $IPFUND_DATA_DIR 或 ./var）")


def _print_table(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    for r in rows:
        print(f"  {r['label']}：{r['count']} 件，现行规则 {r['base']} 元，情景 {r['scenario']} 元，增减 {r['delta']} 元")


def run(args) -> int:
    from ._django import setup

    setup(args.data_dir)
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from ipfund.web.sandbox.services import parse_options, parse_settings, run_now, scenario_create

    try:
        overrides = parse_settings(args.settings)
        options = parse_options(args.options)
        name = args.name or f"命令行情景 {timezone.localtime():%Y-%m-%d %H:%M:%S}"
        scenario = scenario_create(actor=None, name=name[:100], policy=args.policy, overrides=overrides,
                                   interpretations=options, draft_dir=args.draft, include_register=not args.no_register)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for message in errors:
                print(message, file=sys.stderr)
        return 2
    try:
        run_, _outcomes = run_now(actor=None, scenario=scenario)
    except Exception:  # recorded on the run, in Chinese
        from ipfund.web.sandbox.models import ScenarioRun

        failed = ScenarioRun.objects.filter(scenario=scenario).first()
        print(failed.error if failed else "测算失败", file=sys.stderr)
        return 1
    results = run_.results
    if args.json:
        out = {"scenario": scenario.pk, "run": run_.pk, "policy": scenario.policy, "base_version": run_.base_version,
               "scenario_version": run_.scenario_version, **results}
        sys.stdout.buffer.write(orjson.dumps(out, option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    t = results["totals"]
    print(f"情景「{scenario.name}」（测算编号 {run_.pk}）：共 {t['count']} 件，金额变化 {t['changed']} 件")
    print(f"现行规则合计 {t['base']} 元，情景合计 {t['scenario']} 元，增减 {t['delta']} 元")
    for key, title in (("by_source", "按来源"), ("by_item", "按项目"), ("by_year", "按预算年度"),
                       ("by_kind", "按申报主体类型"), ("by_budget", "按预算")):
        _print_table(title, results[key])
    return 0
