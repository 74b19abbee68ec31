"""A package retired from the 政策库: kept in the store (claims decided under it still read it), but
no longer offered — no new round, no new claim under it. Recorded here, never by editing the package."""

from django.conf import settings
from django.db import models


class RetiredPackage(models.Model):
    policy_id = models.CharField("政策编号", max_length=100, unique=True)
    retired_at = models.DateTimeField("停用时间")
    retired_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="停用人")
    reason = models.CharField("停用理由", max_length=500)

    class Meta:
        verbose_name = "停用的政策包"
        verbose_name_plural = "停用的政策包"
