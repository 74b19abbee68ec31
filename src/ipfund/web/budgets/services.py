"""budget_set (an administrator sets a budget, audited), budget_waive (an administrator records
"不设预算" for a policy and year, audited) and budget_guard (inside an approval).

An approval needs a budget in force (the policy's annual budget of the year, or its round's) or
a 不设预算 record for the policy and year: an approval under no budget is never silent.

budget_guard runs in the approval's transaction, after the cap buckets are locked: it locks the
budget rows the award counts against (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE
transactions already hold the write lock), reads what they carry — each row's running total
`committed`, never a sum over the ledger — refuses an award that would take any of them past its
amount, and adds the award to each running total under that lock. budget_release takes a
revocation or a reduction back out of the same budgets (the grant's year and round), under the
same locks. Budget rows are always locked after the cap buckets and in primary-key order, so
approvals cannot deadlock. `audit reconcile` holds every running total against the ledger's sum.

A budget whose year (or round) a policy package declares to be allocated pro rata after the round
closes (`allocation: pro_rata`, 按同一比例核减) does not refuse an approval past its amount: its
running total goes over, and the bureau's allocation (web/allocation) cuts every award by one
ratio afterwards. Where the text says nothing, the guard refuses, as before.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ipfund.web.accounts import roles
from ipfund.web.audit.services import audit_record
from ipfund.web.audit.actions import AuditAction
from ipfund.web.rounds.models import ApplicationRound

from .models import Budget, BudgetCharge, BudgetWaiver
from .selectors import budgets_in_force, committed, policy_title

ONLY_ADMIN = "只有管理员可以设置资金预算。"
CHARGE_AMOUNT = "计入预算的金额应为大于零、最多两位小数的金额（元）。"
AMOUNT_INVALID = "预算金额应为大于零、最多两位小数的金额（元）。"
YEAR_INVALID = "预算年度应为 2000 至 2100 之间的年份。"
POLICY_UNKNOWN = "请选择政策。"
ROUND_OTHER_POLICY = "所选申报批次不属于该政策。"
BUDGET_EXCEEDED = (
    "审定后将超出{scope}：预算 {budget} 元，已审定 {committed} 元，剩余 {remaining} 元，本次 {amount} 元。"
    "请调整预算或暂缓审定。"
)
BUDGET_MISSING = (
    "《{title}》{year} 年度尚未设置资金预算，不能审定。"
    "请管理员在“资金预算”中设置预算，或记录该年度“不设预算”。"
)
WAIVER_NOTE_REQUIRED = "请填写不设预算的理由（如：据实列支，不设年度上限）。"
WAIVER_EXISTS = "该政策该年度已设置资金预算；如不再设预算，请先与财务核实。"
BUDGET_ALLOCATED = ("{scope}的资金分配已办理（按同一比例核减或确认无需核减），分配结果不再变动："
                    "此后的审定不再超出预算核减，只能使用预算余额（含追加的预算）。")
ANNUAL_SCOPE = "{year} 年度资金预算"
ROUND_SCOPE = "申报批次“{round}”的资金预算"


class BudgetMissing(ValidationError):
    """An approval refused because its policy and year have neither a budget nor 不设预算."""

    def __init__(self, message: str):
        super().__init__(message, code="budget_missing")
        self.reason = "budget_missing"


class BudgetExceeded(ValidationError):
    """An approval refused because a budget would be exceeded; ``code`` is "budget_exceeded"."""

    def __init__(self, message: str):
        super().__init__(message, code="budget_exceeded")
        self.reason = "budget_exceeded"


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": [AMOUNT_INVALID]}) from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e12"):
        raise ValidationError({"amount": [AMOUNT_INVALID]})
    return amount.quantize(Decimal("0.01"))


def _snapshot(budget: Budget) -> dict:
    return {"policy": budget.policy, "year": budget.year, "round": budget.round_id, "amount": budget.amount, "note": budget.note}


@transaction.atomic
def budget_set(*, actor, policy: str, year: int, amount, round: ApplicationRound | None = None, note: str = "") -> Budget:
    """Create or change the annual budget of (policy, year), or the budget of one round."""
    if not roles.has_role(actor, roles.ADMIN):
        raise PermissionDenied(ONLY_ADMIN)
    errors: dict[str, list[str]] = {}
    if not (policy or "").strip():
        errors["policy"] = [POLICY_UNKNOWN]
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = [YEAR_INVALID]
    try:
        amount = _amount(amount)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if round is not None and round.policy != policy:
        errors["round"] = [ROUND_OTHER_POLICY]
    if errors:
        raise ValidationError(errors)
    existing = Budget.objects.select_for_update()
    existing = existing.filter(round=round) if round is not None else existing.filter(policy=policy, year=year, round__isnull=True)
    budget = existing.first()
    before = _snapshot(budget) if budget else None
    if budget is None:
        budget = Budget(policy=policy, year=year, round=round)
        budget.committed = committed(budget)  # a budget set mid-year starts from what the ledger carries
    budget.amount, budget.note, budget.set_by, budget.year = amount, (note or "").strip(), actor, year
    try:
        with transaction.atomic():
            budget.save()
    except IntegrityError:  # set at the same instant by another administrator
        raise ValidationError({"year": ["该预算刚被其他管理员设置，请刷新后再试。"]}) from None
    audit_record(actor=actor, action=AuditAction.BUDGET_SET, obj=budget, before=before, after=_snapshot(budget))
    if round is None:  # an annual budget replaces a 不设预算 record of the same year
        for waiver in BudgetWaiver.objects.filter(policy=policy, year=year):
            audit_record(actor=actor, action=AuditAction.BUDGET_WAIVER_REPLACED, obj=waiver,
                         before={"policy": waiver.policy, "year": waiver.year, "note": waiver.note}, after={"budget": budget.pk})
            waiver.delete()
    return budget


@transaction.atomic
def budget_waive(*, actor, policy: str, year: int, note: str) -> BudgetWaiver:
    """Record that (policy, year) has no budget (不设预算), with the reason: approvals then go on."""
    if not roles.has_role(actor, roles.ADMIN):
        raise PermissionDenied(ONLY_ADMIN)
    errors: dict[str, list[str]] = {}
    if not (policy or "").strip():
        errors["policy"] = [POLICY_UNKNOWN]
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = [YEAR_INVALID]
    if not (note or "").strip():
        errors["note"] = [WAIVER_NOTE_REQUIRED]
    if not errors and Budget.objects.filter(policy=policy, year=year, round__isnull=True).exists():
        errors["year"] = [WAIVER_EXISTS]
    if errors:
        raise ValidationError(errors)
    waiver, created = BudgetWaiver.objects.select_for_update().get_or_create(
        policy=policy, year=year, defaults={"note": note.strip(), "set_by": actor}
    )
    before = None if created else {"note": waiver.note}
    if not created:
        waiver.note, waiver.set_by = note.strip(), actor
        waiver.save(update_fields=["note", "set_by"])
    audit_record(actor=actor, action=AuditAction.BUDGET_WAIVE, obj=waiver, before=before,
                 after={"policy": policy, "year": year, "note": waiver.note})
    return waiver


def budget_guard(*, policy: str, round_id: int | None, on: dt.date, amount: Decimal,
                 over_allowed: frozenset[str] = frozenset(), allocated: frozenset[int] = frozenset()) -> None:
    """Refuse (BudgetExceeded) an award of ``amount`` that would take a budget past its amount,
    else add it to the running total of every budget it counts against.

    ``over_allowed`` names the budgets ("year", "round") that a package allocates pro rata after
    the round closes: those carry the award even past their amount — except the budgets in
    ``allocated`` (ids of budgets already cut pro rata: their allocation is final, so an award
    after it must fit what is left). Call inside the approval's transaction, before the award is written."""
    ids = [b.pk for b in budgets_in_force(policy=policy, year=on.year, round_id=round_id)]
    if not ids:
        if not BudgetWaiver.objects.filter(policy=policy, year=on.year).exists():
            raise BudgetMissing(BUDGET_MISSING.format(title=policy_title(policy), year=on.year))
        return
    # Locked in primary-key order, the same in every approval; no join, so only budget rows are locked.
    locked = list(Budget.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    for budget in locked:
        used = budget.committed
        scope_kind = "round" if budget.round_id else "year"
        if used + amount > budget.amount and (scope_kind not in over_allowed or budget.pk in allocated):
            scope = ROUND_SCOPE.format(round=budget.round.name) if budget.round else ANNUAL_SCOPE.format(year=budget.year)
            raise BudgetExceeded(
                (BUDGET_ALLOCATED.format(scope=scope) if budget.pk in allocated else "") + BUDGET_EXCEEDED.format(
                    scope=scope, budget=budget.amount, committed=used, remaining=max(budget.amount - used, Decimal("0.00")), amount=amount
                )
            )
    Budget.objects.filter(pk__in=ids).update(committed=F("committed") + amount)


def budget_award_taken_back(sender, *, policy: str, round_id: int | None, approved_on: dt.date, amount: Decimal,
                            **kwargs) -> None:
    """Receiver of the ledger's award_taken_back (connected in BudgetsConfig.ready)."""
    budget_release(policy=policy, round_id=round_id, approved_on=approved_on, amount=amount)


def budget_release(*, policy: str, round_id: int | None, approved_on: dt.date, amount: Decimal) -> None:
    """Take ``amount`` (a revocation's or a reduction's, positive) out of the running totals of the
    budgets its grant counts against: the annual budget of the grant's approval year and its round's.
    Inside the caller's transaction, after the cap buckets (the same lock order as an approval)."""
    ids = [b.pk for b in budgets_in_force(policy=policy, year=approved_on.year, round_id=round_id)]
    if ids:
        list(Budget.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        Budget.objects.filter(pk__in=ids).update(committed=F("committed") - amount)


def budget_charge(*, actor, grant, round_id: int | None, amount: Decimal, reason: str, source: str) -> BudgetCharge:
    """Charge money spent and not recovered (a recovery written off) to the budgets the grant counts
    against — its approval year's and its round's — under their locks; never refused (the money is
    gone), audited. Inside the caller's transaction; once per `source`."""
    if not isinstance(amount, Decimal) or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": [CHARGE_AMOUNT]})
    ids = [b.pk for b in budgets_in_force(policy=grant.policy, year=timezone.localdate(grant.created_at).year, round_id=round_id)]
    locked = list(Budget.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    charge = BudgetCharge.objects.create(grant=grant, amount=amount, reason=reason, source=source, created_by=actor)
    Budget.objects.filter(pk__in=ids).update(committed=F("committed") + amount)
    audit_record(actor=actor, action=AuditAction.BUDGET_CHARGE, obj=charge,
                 before={"budgets": {b.pk: b.committed for b in locked}},
                 after={"grant": grant.pk, "claim": grant.claim_id, "amount": amount, "reason": reason, "source": source,
                        "budgets": {b.pk: b.committed + amount for b in locked}})
    return charge


def budget_recount(budgets=None) -> int:
    """Set running totals to the ledger's sums (after awards written outside the services, e.g. a
    benchmark's COPY); returns how many changed. Not for everyday use: reconcile reports a drift."""
    changed = 0
    with transaction.atomic():
        for budget in Budget.objects.select_for_update().filter(pk__in=[b.pk for b in budgets]) if budgets is not None \
                else Budget.objects.select_for_update().all():
            total = committed(budget)
            if total != budget.committed:
                Budget.objects.filter(pk=budget.pk).update(committed=total)
                changed += 1
    return changed
