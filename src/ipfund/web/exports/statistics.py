"""Annual statistics (年度统计): the dashboard's own figures for one year (statistics.selectors),
one sheet for each of its tables — totals, months, policies, clauses, items, applicant kinds,
states and budgets — so the export and the dashboard never disagree."""

from __future__ import annotations

from decimal import Decimal

from ipfund.web.statistics.selectors import Filters, budget_label, dashboard

from .xlsx import DAYS_FORMAT, PERCENT_FORMAT, Column, Figure, Sheet, write_workbook

AMOUNTS = [Column("件数", 10), Column("已审定金额（元）", 18, money=True), Column("已拨付金额（元）", 18, money=True)]


def _table(title: str, label: str, rows) -> Sheet:
    return Sheet(title, [Column(label, 40), *AMOUNTS], [[r.label, r.count, r.committed, r.paid] for r in rows])


def export_statistics(job, path, progress) -> int:
    year = int(job.params["year"])
    board = dashboard(Filters(year=year, policy=job.params.get("policy") or None))
    days = board.average_days_to_payment
    summary: list[list] = [
        ["统计年度", f"{year} 年"],
        ["已审定金额（元）", Figure(board.committed)],
        ["已拨付金额（元）", Figure(board.paid)],
        ["拨付笔数", board.payments],
        ["提交至拨付平均天数", Figure(days, DAYS_FORMAT) if days is not None else "—"],
    ]
    budgets = [
        [budget_label(s.budget), s.budget.amount, s.committed, s.paid, s.remaining, Figure(s.percent / Decimal(100), PERCENT_FORMAT), s.warning]
        for s in board.budgets
    ]
    sheets = [
        Sheet("汇总", [Column("项目", 22), Column("内容", 20)], summary),
        _table("按月份", "月份", board.by_month),
        _table("按政策", "政策", board.by_policy),
        _table("按条款", "条款", board.by_clause),
        _table("按项目", "申报项目", board.by_item),
        _table("按主体类型", "申报主体类型", board.by_kind),
        Sheet("按状态", [Column("状态", 24), Column("件数", 10)], [[r.label, r.count] for r in board.states]),
        Sheet(
            "预算执行",
            [Column("预算", 40), Column("预算金额（元）", 16, money=True), Column("已审定（元）", 16, money=True),
             Column("已拨付（元）", 16, money=True), Column("剩余（元）", 16, money=True), Column("使用率", 10), Column("预警", 28)],
            budgets,
        ),
    ]
    return write_workbook(path, sheets, progress)


def filename(params: dict) -> str:
    return f"{params.get('year')}年度统计.xlsx"
