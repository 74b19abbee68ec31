"""The sandbox run as a background job: the run carried out (services.run_execute) and its Excel
workbook written — totals by source, item, year, applicant kind and budget line, the applicants who
gain or lose most, and every claim with both amounts. Amounts are numbers (exact decimals), every
text a text cell that cannot execute (exports.cells.neutral_text, through the sheet writer)."""

from __future__ import annotations

from decimal import Decimal

from ipfund.web.exports.xlsx import Column, Sheet, write_workbook

from .models import ScenarioRun
from .results import SOURCE_LABELS, Outcome
from .services import describe, run_execute

AMOUNTS = [Column("现行规则金额（元）", 18, money=True), Column("情景金额（元）", 18, money=True),
           Column("增减（元）", 16, money=True)]


def _table(title: str, label: str, rows: list[dict], total: dict | None = None) -> Sheet:
    body = [[r["label"], r["count"], r["changed"], r["base"], r["scenario"], r["delta"]] for r in rows]
    if total is not None:
        body.append(["合计", total["count"], total["changed"], total["base"], total["scenario"], total["delta"]])
    return Sheet(title, [Column(label, 40), Column("件数", 10), Column("金额变化件数", 14), *AMOUNTS], body)


def _people(title: str, rows: list[dict]) -> Sheet:
    return Sheet(title, [Column("申请人", 36), Column("主体类型", 18), Column("件数", 8), *AMOUNTS],
                 [[r["name"], r["kind"], r["count"], r["base"], r["scenario"], r["delta"]] for r in rows])


def workbook_sheets(run: ScenarioRun, outcomes: list[Outcome], item_labels: dict[str, str],
                    kind_labels: dict[str, str]) -> list[Sheet]:
    res, s = run.results, run.scenario
    t = res["totals"]
    words = describe(s)
    summary = [
        ["情景名称", s.name],
        ["政策", words["policy_title"]],
        ["参数调整", "；".join(f"{c['title']}：{c['value']}（{c['when']}）" for c in words["changes"]) or "无"],
        ["解释选择", "；".join(f"{o['question']}：{o['option']}" for o in words["options"]) or "无"],
        ["政策包草案", words["draft"] or "无"],
        ["测算件数", t["count"]],
        ["金额变化件数", t["changed"]],
        ["现行规则合计（元）", Decimal(t["base"])],
        ["情景合计（元）", Decimal(t["scenario"])],
        ["增减（元）", Decimal(t["delta"])],
    ]
    budgets = [[r["label"], r["budget"], r["count"], r["base"], r["scenario"], r["delta"], r["remaining"]]
               for r in res["by_budget"]]
    detail = ([SOURCE_LABELS[o.case.source], o.case.ref, o.case.name, kind_labels.get(o.case.kind, o.case.kind),
               item_labels.get(o.case.item, o.case.item), o.case.year, o.base, o.scenario, o.delta] for o in outcomes)
    return [
        Sheet("汇总", [Column("项目", 22), Column("内容", 60)], summary),
        _table("按来源", "来源", res["by_source"], t),
        _table("按项目", "申报项目", res["by_item"], t),
        _table("按年度", "预算年度", res["by_year"], t),
        _table("按主体类型", "申报主体类型", res["by_kind"], t),
        Sheet("按预算", [Column("预算", 30), Column("预算金额（元）", 18, money=True), Column("件数", 8), *AMOUNTS,
                        Column("情景下预算余额（元）", 20, money=True)], budgets),
        _people("增加最多的申请人", res["gainers"]),
        _people("减少最多的申请人", res["losers"]),
        Sheet("明细", [Column("来源", 26), Column("编号", 30), Column("申请人", 36), Column("主体类型", 16),
                      Column("申报项目", 36), Column("预算年度", 10), *AMOUNTS], detail, total=len(outcomes)),
    ]


def export_run(job, path, progress) -> int:
    from ipfund.web.engine_door import policy_by_id

    run = ScenarioRun.objects.select_related("scenario").get(pk=int(job.params["run"]), job=job)
    outcomes = run_execute(run, progress)
    policy = policy_by_id(run.scenario.policy)
    items = {r["key"]: r["label"] for r in run.results["by_item"]}
    kinds = dict(policy.kind_labels) if policy is not None else {}
    return write_workbook(path, workbook_sheets(run, outcomes, items, kinds), progress)


def filename(params: dict) -> str:
    return f"政策沙盘测算-{params.get('run', '')}.xlsx"
