"""What a budget has committed and paid, and how close it is to its limit (预警 at 80% and 100%).

A budget year is the year an award was approved (written to the ledger): a grant counts in the
year of its approval, and its reversal (a revocation) takes it back out of that same year. A
round's budget counts every award of the round's claims. Paid is what was paid of those awards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ipfund.web.ledger.models import AwardEntry
from ipfund.web.payments.models import Payment

from ipfund.web.engine_door import policy_by_id

from .models import Budget, BudgetCharge, BudgetWaiver

ZERO = Decimal("0.00")
WARN_RATIO = Decimal("0.8")

LEVEL_OK, LEVEL_WARNING, LEVEL_EXHAUSTED = "ok", "warning", "exhausted"
LEVEL_TEXT = {
    LEVEL_OK: "",
    LEVEL_WARNING: "预警：已使用预算的 80% 以上",
    LEVEL_EXHAUSTED: "预警：预算已全部用完",
}


def _sum(queryset, field: str) -> Decimal:
    total = queryset.aggregate(s=Coalesce(Sum(field), Value(ZERO), output_field=DecimalField(max_digits=16, decimal_places=2)))["s"]
    return Decimal(total).quantize(Decimal("0.01"))


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of `year` and of the next, in the platform's time zone."""
    zone = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=zone), dt.datetime(year + 1, 1, 1, tzinfo=zone)


def _grants_of(budget: Budget):
    """The grants a budget carries: of its round's claims, or of its policy approved in its year
    (a range on the index (policy, created_at): only that year's grants are read, not the ledger)."""
    grants = AwardEntry.objects.filter(policy=budget.policy, kind=AwardEntry.GRANT)
    if budget.round_id is not None:
        return grants.filter(claim__round_id=budget.round_id)
    start, end = _year_bounds(budget.year)
    return grants.filter(created_at__gte=start, created_at__lt=end)


def _reversals_of(budget: Budget):
    """The reversals of those grants: a reversal counts where its grant does (approved_at). Read
    from the policy's reversals (a small partial index), each joined to its grant."""
    reversals = AwardEntry.objects.filter(policy=budget.policy, kind=AwardEntry.REVERSAL)
    if budget.round_id is not None:
        return reversals.filter(claim__round_id=budget.round_id)
    start, end = _year_bounds(budget.year)
    return reversals.filter(reverses__created_at__gte=start, reverses__created_at__lt=end)


def _reductions_of(budget: Budget):
    """The reductions of those grants (pro-rata cuts, cancelled installments, recoveries in
    proportion), counted where their grant is, like reversals (ledger/0005's partial index)."""
    reductions = AwardEntry.objects.filter(policy=budget.policy, kind=AwardEntry.REDUCTION)
    if budget.round_id is not None:
        return reductions.filter(claim__round_id=budget.round_id)
    start, end = _year_bounds(budget.year)
    return reductions.filter(reduces__created_at__gte=start, reduces__created_at__lt=end)


def committed(budget: Budget) -> Decimal:
    """The net amount of the awards this budget carries: its grants less their reversals and
    reductions, each sum read through an index (ledger/0004, 0005), never the whole ledger; plus
    what was recovered of them on paper and then written off (the money stayed spent)."""
    return (_sum(_grants_of(budget), "amount") + _sum(_reversals_of(budget), "amount")
            + _sum(_reductions_of(budget), "amount") + _sum(_charges_of(budget), "amount"))


def _charges_of(budget: Budget):
    """Money written off (核销) after a recovery, charged where its grant counts (BudgetCharge)."""
    return BudgetCharge.objects.filter(grant__in=_grants_of(budget).values("pk"))


def paid(budget: Budget) -> Decimal:
    grants = _grants_of(budget)
    return _sum(Payment.objects.filter(claim__in=grants.values("claim")), "amount")


@dataclass(frozen=True)
class BudgetStatus:
    budget: Budget
    committed: Decimal

    @cached_property
    def paid(self) -> Decimal:
        """What was paid of the budget's awards (read when shown: a warning does not show it)."""
        return paid(self.budget)

    @property
    def remaining(self) -> Decimal:
        return self.budget.amount - self.committed

    @property
    def percent(self) -> Decimal:
        return (self.committed * 100 / self.budget.amount).quantize(Decimal("0.1"))

    @property
    def level(self) -> str:
        if self.committed >= self.budget.amount:
            return LEVEL_EXHAUSTED
        if self.committed >= self.budget.amount * WARN_RATIO:
            return LEVEL_WARNING
        return LEVEL_OK

    @property
    def warning(self) -> str:
        return LEVEL_TEXT[self.level]


def budget_status(budget: Budget) -> BudgetStatus:
    """The budget's running total (``Budget.committed``: what an approval checks, kept by the
    services under the budget's lock; ``audit reconcile`` holds it to the ledger's sum) and, when
    asked, what was paid. Summing the ledger here read every award of a round on each statistics view and
    each approval queue page (0.1–0.7 s with 100,000–500,000 awards)."""
    return BudgetStatus(budget, budget.committed)


def budgets_in_force(*, policy: str, year: int, round_id: int | None = None) -> list[Budget]:
    """The budgets an approval of this policy, year and round counts against: annual, then the round's."""
    condition = Q(round__isnull=True, year=year)
    if round_id is not None:
        condition |= Q(round_id=round_id)
    return list(Budget.objects.filter(condition, policy=policy).select_related("round").order_by("round_id"))


def budget_statuses(*, year: int | None = None, policy: str | None = None, round_id: int | None = None) -> list[BudgetStatus]:
    budgets = Budget.objects.select_related("round")
    if year is not None:
        budgets = budgets.filter(year=year)
    if policy:
        budgets = budgets.filter(policy=policy)
    if round_id is not None:
        budgets = budgets.filter(Q(round__isnull=True) | Q(round_id=round_id))
    return [budget_status(b) for b in budgets.order_by("-year", "policy", "round_id")]


def budget_warnings(*, policy: str, on: dt.date, round_id: int | None = None) -> list[BudgetStatus]:
    """The budgets an approval today would count against that are at 80% or more."""
    statuses = [budget_status(b) for b in budgets_in_force(policy=policy, year=on.year, round_id=round_id)]
    return [s for s in statuses if s.level != LEVEL_OK]


def policy_title(policy_id: str) -> str:
    policy = policy_by_id(policy_id)
    return policy.title if policy else policy_id


def waivers(*, year: int | None = None, policy: str | None = None) -> list[BudgetWaiver]:
    found = BudgetWaiver.objects.select_related("set_by")
    if year is not None:
        found = found.filter(year=year)
    if policy:
        found = found.filter(policy=policy)
    return list(found)
