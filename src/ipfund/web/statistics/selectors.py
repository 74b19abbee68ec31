"""The statistics dashboard's figures, read from the ledger, the payments and the claims.

Committed (已审定) is the ledger's net amount (grants less reversals and reductions), dated by
approval: a reversal or a reduction counts in its grant's year and month. It is read from the
ledger's totals, kept by the database as each entry is written (ledger/totals.py): a few rows,
not every award. Paid (已拨付) is dated by the day paid. Every figure is Decimal; labels come from the policy package of the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from ipfund.web.accounts.models import APPLICANT_KINDS
from ipfund.web.budgets.selectors import budget_statuses, policy_title
from ipfund.web.claims.state_counts import state_counts
from ipfund.web.claims.workflow import State
from ipfund.web.ledger.models import AwardTotal
from ipfund.web.payments.models import Payment
from ipfund.web.budgets.models import Budget, BudgetWaiver
from ipfund.web.engine_door import known_policies, policy_by_id

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    policy: str | None = None
    round_id: int | None = None


@dataclass
class Row:
    key: str
    label: str
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    count: int = 0
    note: str = ""


@dataclass
class Dashboard:
    filters: Filters
    by_year: list[Row] = field(default_factory=list)
    by_month: list[Row] = field(default_factory=list)
    by_policy: list[Row] = field(default_factory=list)
    by_clause: list[Row] = field(default_factory=list)
    by_item: list[Row] = field(default_factory=list)
    by_kind: list[Row] = field(default_factory=list)
    states: list[Row] = field(default_factory=list)
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    payments: int = 0
    average_days_to_payment: Decimal | None = None
    budgets: list = field(default_factory=list)

    def chart_data(self) -> dict:
        """What the page's charts draw (json_script): labels and amounts as text, never floats."""
        def series(rows):
            return {"labels": [r.label for r in rows], "committed": [str(r.committed) for r in rows], "paid": [str(r.paid) for r in rows]}

        return {
            "month": series(self.by_month),
            "year": series(self.by_year),
            "item": series(self.by_item),
            "kind": series(self.by_kind),
            "states": {"labels": [r.label for r in self.states], "counts": [r.count for r in self.states]},
            "budgets": [
                {"label": budget_scope(s.budget), "amount": str(s.budget.amount), "committed": str(s.committed), "paid": str(s.paid)}
                for s in self.budgets
            ],
        }


def budget_scope(budget) -> str:
    return f"申报批次“{budget.round.name}”" if budget.round_id else f"{budget.year} 年度"


def budget_label(budget) -> str:
    return f"{policy_title(budget.policy)} · {budget_scope(budget)}"


def _scoped(queryset, f: Filters, *, policy: str, round_: str, year: str | None):
    """Narrow a queryset to the filters; the field names say where each filter lives on its rows."""
    if f.policy:
        queryset = queryset.filter(**{policy: f.policy})
    if f.round_id is not None:
        queryset = queryset.filter(**{round_: f.round_id})
    if year and f.year is not None:
        queryset = queryset.filter(**{year: f.year})
    return queryset


def _entries(f: Filters, *, with_year: bool = True):
    """The ledger's totals (ledger/totals.py) within the filters."""
    return _scoped(AwardTotal.objects.all(), f, policy="policy", round_="round_key", year="year" if with_year else None)


def _payments(f: Filters, *, with_year: bool = True):
    return _scoped(Payment.objects.all(), f, policy="claim__policy", round_="claim__round_id", year="paid_on__year" if with_year else None)


def _grouped(entries, payments, entry_key: str, payment_key: str, label, order=None) -> list[Row]:
    rows: dict = {}
    for r in entries.values(entry_key).annotate(fen=Sum("fen"), n=Sum("grants")).order_by(entry_key):
        row = rows.setdefault(r[entry_key], Row(str(r[entry_key]), label(r[entry_key])))
        row.committed, row.count = row.committed + Decimal(r["fen"]).scaleb(-2), row.count + r["n"]
    for r in payments.values(payment_key).annotate(s=Sum("amount")).order_by(payment_key):
        row = rows.setdefault(r[payment_key], Row(str(r[payment_key]), label(r[payment_key])))
        row.paid += r["s"]
    keys = sorted(rows, key=order) if order else sorted(rows, key=str)
    return [rows[k] for k in keys]


BUDGET_SET = "{year} 年度预算 {amount} 元"
BUDGET_WAIVED = "{year} 年度不设预算（{note}）"
BUDGET_NONE = "{year} 年度未设预算：审定将被拒绝"


def _policy_rows(f: Filters, rows: list[Row]) -> list[Row]:
    """Every installed policy, with or without awards, each with its budget of the year shown."""
    year = f.year or timezone.localdate().year
    by_key = {r.key: r for r in rows}
    for policy in known_policies():
        if f.policy and policy.id != f.policy:
            continue
        by_key.setdefault(policy.id, Row(policy.id, policy.title))
    budgets = {b.policy: b for b in Budget.objects.filter(year=year, round__isnull=True)}
    waived = {w.policy: w for w in BudgetWaiver.objects.filter(year=year)}
    for key, row in by_key.items():
        if key in budgets:
            row.note = BUDGET_SET.format(year=year, amount=f"{budgets[key].amount:,.2f}")
        elif key in waived:
            row.note = BUDGET_WAIVED.format(year=year, note=waived[key].note)
        else:
            row.note = BUDGET_NONE.format(year=year)
    return list(by_key.values())


def _item_label(policy_id_of_item):
    def label(item: str) -> str:
        policy = policy_by_id(policy_id_of_item.get(item, ""))
        spec = policy.items.get(item) if policy else None
        return spec.title if spec else item

    return label


def dashboard(filters: Filters) -> Dashboard:
    f = filters
    entries, payments = _entries(f), _payments(f)
    board = Dashboard(filters=f)

    board.by_year = _grouped(
        _entries(f, with_year=False), _payments(f, with_year=False).annotate(year=ExtractYear("paid_on")),
        "year", "year", lambda y: f"{y} 年",
    )
    months = {m: Row(str(m), f"{m} 月") for m in range(1, 13)}
    for row in _grouped(entries, payments.annotate(m=ExtractMonth("paid_on")), "month", "m", str):
        months[int(row.key)].committed, months[int(row.key)].paid, months[int(row.key)].count = row.committed, row.paid, row.count
    board.by_month = list(months.values())
    board.by_policy = _policy_rows(f, _grouped(entries, payments, "policy", "claim__policy", policy_title))

    policy_of_item = dict(entries.values_list("item", "policy").distinct())
    policy_of_item.update(dict(payments.values_list("claim__item", "claim__policy").distinct()))
    board.by_item = _grouped(entries, payments, "item", "claim__item", _item_label(policy_of_item))
    clauses: dict[str, Row] = {}
    for row in board.by_item:
        policy = policy_by_id(policy_of_item.get(row.key, ""))
        spec = policy.items.get(row.key) if policy else None
        number = spec.clause if spec else "—"
        clause = policy.clause(number) if policy and spec else None
        merged = clauses.setdefault(number, Row(number, f"{number} {clause.title}" if clause else number))
        merged.committed, merged.paid, merged.count = merged.committed + row.committed, merged.paid + row.paid, merged.count + row.count
    board.by_clause = list(clauses.values())
    kinds = list(APPLICANT_KINDS)
    board.by_kind = _grouped(
        entries, payments, "applicant_kind", "claim__applicant__kind", lambda k: APPLICANT_KINDS.get(k, k),
        order=lambda k: kinds.index(k) if k in kinds else len(kinds),
    )

    # Kept by the database in each claim's transaction (claims/state_counts.py): a few rows, not
    # a count over every claim.
    counts = state_counts(policy=f.policy or None, round_id=f.round_id, year=f.year)
    board.states = [Row(s.value, s.label, count=counts[s.value]) for s in State if counts.get(s.value)]

    board.committed = sum((r.committed for r in board.by_item), start=ZERO)
    board.paid = sum((r.paid for r in board.by_item), start=ZERO)
    days, n = 0, 0
    for paid_on, submitted_at in payments.values_list("paid_on", "claim__submitted_at").iterator(chunk_size=5000):
        if submitted_at is not None:
            days += (paid_on - timezone.localtime(submitted_at).date()).days
            n += 1
    board.payments = n
    board.average_days_to_payment = (Decimal(days) / n).quantize(Decimal("0.1")) if n else None
    board.budgets = budget_statuses(year=f.year, policy=f.policy, round_id=f.round_id)
    return board


def years_with_data() -> list[int]:
    years = set(AwardTotal.objects.values_list("year", flat=True).distinct())
    years |= {d.year for d in Payment.objects.dates("paid_on", "year")}
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)
