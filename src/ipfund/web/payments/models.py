"""Payment (one per award: a unique claim) and PaymentFailure (each failed attempt)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

MONEY = {"max_digits": 14, "decimal_places": 2}


class Payment(models.Model):
    claim = models.OneToOneField("claims.Claim", on_delete=models.PROTECT, related_name="payment")
    amount = models.DecimalField(**MONEY)
    paid_on = models.DateField()
    reference = models.CharField(max_length=100)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive")]
        verbose_name = "拨付记录"
        verbose_name_plural = "拨付记录"


class PaymentFailure(models.Model):
    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="payment_failures")
    reason = models.TextField()
    failed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]
