"""Annual statistics (年度统计): claims, approvals, amounts approved and paid in one year, by
policy and item, by applicant kind and by state — counted by the database, one row per group."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from ipfund.web.accounts.models import APPLICANT_KINDS
from ipfund.web.claims.models import Claim
from ipfund.web.claims.workflow import State
from ipfund.web.payments.models import Payment

from .awards import AWARDED
from .claim_rows import item_title, policy_title
from .xlsx import Column, Sheet, write_workbook

ZERO = Decimal("0.00")
GROUP_COLUMNS = [
    Column("申报数", 10),
    Column("审定通过数", 12),
    Column("审定金额（元）", 16, money=True),
    Column("拨付笔数", 10),
    Column("拨付金额（元）", 16, money=True),
]


def _grouped(year: int, *keys: str) -> dict[tuple, list]:
    """{group: [claims, approved, approved amount, payments, paid amount]} for claims submitted in
    ``year`` and payments made in ``year``."""
    out: dict[tuple, list] = defaultdict(lambda: [0, 0, ZERO, 0, ZERO])
    submitted = Claim.objects.filter(submitted_at__year=year)
    for row in submitted.values(*keys).annotate(n=Count("id")).order_by(*keys):
        out[tuple(row[k] for k in keys)][0] = row["n"]
    approved = submitted.filter(state__in=AWARDED).values(*keys).annotate(n=Count("id"), s=Sum("approved_amount"))
    for row in approved.order_by(*keys):
        group = out[tuple(row[k] for k in keys)]
        group[1], group[2] = row["n"], row["s"] or ZERO
    paid_keys = [f"claim__{k}" for k in keys]
    paid = Payment.objects.filter(paid_on__year=year).values(*paid_keys).annotate(n=Count("id"), s=Sum("amount"))
    for row in paid.order_by(*paid_keys):
        group = out[tuple(row[k] for k in paid_keys)]
        group[3], group[4] = row["n"], row["s"] or ZERO
    return dict(sorted(out.items(), key=lambda kv: tuple(str(k) for k in kv[0])))


def _with_total(rows: list[list], label_width: int) -> list[list]:
    totals = [sum(r[label_width + i] for r in rows) for i in range(5)]
    return rows + [["合计"] + [""] * (label_width - 1) + totals]


def export_statistics(job, path, progress) -> int:
    year = int(job.params["year"])
    by_item = [
        [policy_title(policy), item_title(policy, item), *v] for (policy, item), v in _grouped(year, "policy", "item").items()
    ]
    by_kind = [[APPLICANT_KINDS.get(kind, kind), *v] for (kind,), v in _grouped(year, "applicant__kind").items()]
    states = Claim.objects.filter(submitted_at__year=year).values("state").annotate(n=Count("id")).order_by("state")
    by_state = [[State(r["state"]).label, r["n"]] for r in states]
    sheets = [
        Sheet(f"{year}年按项目", [Column("政策", 40), Column("申报项目", 36), *GROUP_COLUMNS], _with_total(by_item, 2)),
        Sheet(f"{year}年按主体类型", [Column("申报主体类型", 20), *GROUP_COLUMNS], _with_total(by_kind, 1)),
        Sheet(f"{year}年按状态", [Column("状态", 24), Column("申报数", 10)], by_state),
    ]
    return write_workbook(path, sheets, progress)


def filename(params: dict) -> str:
    return f"{params.get('year')}年度统计.xlsx"
