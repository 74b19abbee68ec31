"""ProRataCut (one per budget: a budget is cut at most once) and its lines; QuotaScore (a
scorer's score or place for a claim), QuotaFill (one per quota and period) and its places."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class ProRataCut(models.Model):
    budget = models.OneToOneField("budgets.Budget", on_delete=models.PROTECT, related_name="pro_rata_cut")
    policy = models.CharField(max_length=64)
    budget_amount = models.DecimalField(**MONEY)
    approved_total = models.DecimalField(**MONEY)
    after_total = models.DecimalField(**MONEY)
    ratio = models.CharField(max_length=20)  # budget ÷ approved total to six decimals (computed exactly)
    remainder_rule = models.CharField(max_length=32)
    unallocated = models.DecimalField(**MONEY)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "按比例核减"
        verbose_name_plural = "按比例核减"


class ProRataLine(models.Model):
    cut = models.ForeignKey(ProRataCut, on_delete=models.PROTECT, related_name="lines")
    claim = models.OneToOneField("claims.Claim", on_delete=models.PROTECT, related_name="pro_rata_line")
    before = models.DecimalField(**MONEY)
    after = models.DecimalField(**MONEY)
    extra = models.DecimalField(**MONEY)  # the fen the remainder rule gave back (0.00 or 0.01)
    explanation = models.TextField()
    entry = models.ForeignKey("ledger.AwardEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]

    @property
    def cut_amount(self):
        return self.before - self.after


class QuotaScore(models.Model):
    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="quota_scores")
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=7, decimal_places=2)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["claim", "scorer"], name="quota_score_one_per_scorer")]


class QuotaFill(models.Model):
    policy = models.CharField(max_length=64)
    quota = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField(null=True, blank=True)  # per year
    round = models.ForeignKey("rounds.ApplicationRound", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveSmallIntegerField()
    filled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["policy", "quota", "year"], condition=Q(round__isnull=True), name="quota_fill_once_a_year"),
            models.UniqueConstraint(fields=["policy", "quota", "round"], condition=Q(round__isnull=False), name="quota_fill_once_a_round"),
        ]


class QuotaPlace(models.Model):
    fill = models.ForeignKey(QuotaFill, on_delete=models.PROTECT, related_name="places")
    claim = models.OneToOneField("claims.Claim", on_delete=models.PROTECT, related_name="quota_place")
    place = models.PositiveIntegerField()
    average = models.CharField(max_length=20)
    selected = models.BooleanField()

    class Meta:
        ordering = ["place"]
