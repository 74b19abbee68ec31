"""Budget: the amount a policy may commit in a year (round empty) or in one application round;
BudgetWaiver: an administrator's record that a policy has no budget in a year (不设预算);
BudgetCharge: money paid on an award and never coming back (a recovery written off, 核销),
charged to the budgets its grant counts against although the ledger took the award back."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class Budget(models.Model):
    policy = models.CharField(max_length=64)  # the policy package's id, as AwardEntry.policy holds it
    year = models.PositiveSmallIntegerField()
    # Empty: the policy's annual budget. Set: a budget of one round, checked besides the annual one.
    round = models.ForeignKey("rounds.ApplicationRound", null=True, blank=True, on_delete=models.PROTECT, related_name="budgets")
    amount = models.DecimalField(**MONEY)
    # The running total of what the budget carries (its grants less their reversals and
    # reductions): updated under this row's lock by every grant (budget_guard), revocation and
    # reduction (budget_release), so an approval never sums the ledger; `audit reconcile` holds it
    # against the ledger's sum (selectors.committed).
    committed = models.DecimalField(default=0, **MONEY)
    note = models.TextField(blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "policy", "round_id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "year"], condition=Q(round__isnull=True), name="budget_one_annual_per_policy_year"),
            models.UniqueConstraint(fields=["round"], condition=Q(round__isnull=False), name="budget_one_per_round"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_positive"),
        ]
        verbose_name = "资金预算"
        verbose_name_plural = "资金预算"


class BudgetWaiver(models.Model):
    """不设预算: a policy's approvals in ``year`` go on without a budget, because an administrator
    recorded so (with the reason). Without a budget or this record, approvals are refused."""

    policy = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField()
    note = models.TextField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "policy"]
        constraints = [models.UniqueConstraint(fields=["policy", "year"], name="budget_waiver_one_per_policy_year")]
        verbose_name = "不设预算记录"
        verbose_name_plural = "不设预算记录"


class BudgetCharge(models.Model):
    """Money spent and not recovered: a recovery (追回) of an award took it back in the ledger (the
    budget freed it, expecting the money back); when what is still owed is written off (核销), the
    money stays spent, so the budgets the award's grant counts against carry it again. Written
    once per write-off (`source`), never changed; `audit reconcile` holds them against the budgets'
    running totals (selectors.committed) and against the approved write-offs."""

    grant = models.ForeignKey("ledger.AwardEntry", on_delete=models.PROTECT, related_name="budget_charges")
    amount = models.DecimalField(**MONEY)
    reason = models.TextField()
    source = models.CharField(max_length=64, unique=True)  # e.g. "write_off:12"
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="budget_charge_positive")]
        verbose_name = "核销计入预算"
        verbose_name_plural = "核销计入预算"
