"""ApplicationRound (申报批次: open/close time, items covered) and InterpretationChoice."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApplicationRound(models.Model):
    policy = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    items = models.JSONField(default=list)  # item ids of the policy this round accepts
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="round_closes_after_opening"),
        ]
        verbose_name = "申报批次"
        verbose_name_plural = "申报批次"

    def __str__(self) -> str:
        return self.name

    def is_open(self, at) -> bool:
        return self.opens_at <= at < self.closes_at

    def covers(self, item: str) -> bool:
        return item in (self.items or [])


class InterpretationChoice(models.Model):
    """From ``effective_from`` on, interpretation ``interpretation`` of ``policy`` reads ``option``."""

    policy = models.CharField(max_length=64)
    interpretation = models.CharField(max_length=16)
    option = models.CharField(max_length=64)
    effective_from = models.DateField()
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["policy", "interpretation", "-effective_from", "-id"]
        verbose_name = "政策解释选择"
        verbose_name_plural = "政策解释选择"
