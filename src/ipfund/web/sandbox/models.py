"""Scenario: a change to a policy (parameter values from a date, interpretation choices, a draft
package); ScenarioRun: one run of it, kept with its results (amounts as decimal strings)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Scenario(models.Model):
    """A change to one policy, as a budget officer wrote it. Never edited: a new idea is a new scenario."""

    name = models.CharField(max_length=100)
    policy = models.CharField(max_length=64)  # the installed policy the scenario changes (today's rules)
    # [{parameter, value, start (ISO date or null), key (a money table's entry, or null)}]
    overrides = models.JSONField(default=list, blank=True)
    interpretations = models.JSONField(default=dict, blank=True)  # interpretation id → option
    # A draft package (uploaded to the sandbox, never installed): its folder under MEDIA_ROOT.
    draft_folder = models.CharField(max_length=300, blank=True)
    draft_name = models.CharField(max_length=200, blank=True)  # the uploaded file's name
    draft_digest = models.CharField(max_length=100, blank=True)
    draft_title = models.CharField(max_length=300, blank=True)
    include_register = models.BooleanField(default=True)  # decide the register's potential claims too
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "沙盘情景"
        verbose_name_plural = "沙盘情景"

    def __str__(self) -> str:
        return self.name

    @property
    def policy_title(self) -> str:
        from ipfund.web.engine_door import policy_by_id

        policy = policy_by_id(self.policy)
        return policy.title if policy is not None else self.policy


class ScenarioRun(models.Model):
    """One run of a scenario: who asked, when, how it went, and what it found (kept for good)."""

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATES = [(QUEUED, "排队中"), (RUNNING, "测算中"), (DONE, "已完成"), (FAILED, "失败")]

    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="runs")
    job = models.OneToOneField("jobs.Job", null=True, blank=True, on_delete=models.PROTECT, related_name="sandbox_run")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=STATES, default=QUEUED)
    error = models.TextField(blank=True)
    base_version = models.CharField(max_length=120, blank=True)  # today's rules: the policy's version
    scenario_version = models.CharField(max_length=200, blank=True)
    # Totals by source, item, year, applicant kind and budget line; gainers and losers (results.py).
    results = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "沙盘测算"
        verbose_name_plural = "沙盘测算"

    @property
    def finished(self) -> bool:
        return self.state in (self.DONE, self.FAILED)
