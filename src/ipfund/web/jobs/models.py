"""Job: one export or batch of documents asked for by one person, its progress and its file."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Job(models.Model):
    QUEUED, RUNNING, DONE, FAILED, EXPIRED = "queued", "running", "done", "failed", "expired"
    # EXPIRED: done, and its file deleted after IPFUND_EXPORT_RETENTION_DAYS (jobs/retention.py).
    STATES = [(QUEUED, "排队中"), (RUNNING, "进行中"), (DONE, "已完成"), (FAILED, "失败"), (EXPIRED, "已过保留期")]

    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=STATES, default=QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    file = models.CharField(max_length=300, blank=True)  # relative to MEDIA_ROOT, served after a check
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Handed to the broker (or the embedded worker) at; empty while it could not be (broker down):
    # the housekeeping sends it then (jobs/leases.py).
    sent_at = models.DateTimeField(null=True, blank=True)
    # The worker running it holds a lease it renews while it works; once the lease has expired
    # (the worker died) another worker takes the job over and runs it again, at most
    # IPFUND_JOB_MAX_ATTEMPTS times in all.
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"

    @property
    def finished(self) -> bool:
        return self.state in (self.DONE, self.FAILED, self.EXPIRED)

    @property
    def kept_until(self):
        """When the finished file is deleted (None while there is no file)."""
        from .retention import job_kept_until

        return job_kept_until(self)

    @property
    def percent(self) -> int:
        if self.state in (self.DONE, self.EXPIRED):
            return 100
        if not self.total:
            return 0
        return min(99, self.done * 100 // self.total)
