"""Alliance review (二（四）「对经主管部门组织评审通过的专利联盟…」): the alliance's application, the
bureau's panel with conflict-of-interest declarations and scores, and the chair's decision."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from ipfund.web.filed import random_name

# Each member scores four criteria, 25 points each (100 in all).
CRITERIA = {
    "score_organisation": "组建规范性（章程、成员、秘书处）",
    "score_operation": "运行机制与工作基础",
    "score_patents": "专利协同运用与保护",
    "score_industry": "对区内产业的带动作用",
}
# The same criteria as the panel's table heads them.
CRITERIA_SHORT = {"score_organisation": "组建规范", "score_operation": "运行机制", "score_patents": "专利运用",
                  "score_industry": "产业带动"}
CRITERION_MAX = 25


def charter_path(instance: "AllianceApplication", filename: str) -> str:
    return random_name("alliances", instance.charter_content_type)


def decision_path(instance: "AllianceApplication", filename: str) -> str:
    return random_name("alliances", instance.decision_document_content_type)


class AllianceApplication(models.Model):
    SUBMITTED, PANEL, PASSED, FAILED = "submitted", "panel", "passed", "failed"
    STATES = {SUBMITTED: "待组织评审", PANEL: "评审中", PASSED: "评审通过", FAILED: "评审未通过"}

    reference = models.CharField(max_length=32, unique=True)  # 联盟编号, the key of the 20万 claim
    applicant = models.ForeignKey("accounts.ApplicantProfile", on_delete=models.PROTECT, related_name="alliance_applications")
    alliance_name = models.CharField(max_length=200)
    industry = models.CharField(max_length=200)  # 产业领域
    members = models.TextField()  # 成员单位, one a line
    description = models.TextField()
    charter = models.FileField(upload_to=charter_path, max_length=300)
    charter_content_type = models.CharField(max_length=64)
    state = models.CharField(max_length=12, choices=list(STATES.items()), default=SUBMITTED)
    submitted_at = models.DateTimeField(auto_now_add=True)
    panel_formed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    panel_formed_at = models.DateTimeField(null=True, blank=True)
    mean_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    decision_number = models.CharField(max_length=100, blank=True)  # 评审结论文件文号
    decision_document = models.FileField(upload_to=decision_path, blank=True, max_length=300)
    decision_document_content_type = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = verbose_name_plural = "专利联盟评审"

    def __str__(self) -> str:
        return f"{self.reference} {self.alliance_name}"

    @property
    def state_label(self) -> str:
        return self.STATES[self.state]


class PanelMember(models.Model):
    """One expert of the panel: the declaration comes first; a declared conflict recuses them."""

    PENDING, CLEAR, CONFLICT = "pending", "clear", "conflict"
    DECLARATIONS = {PENDING: "未声明", CLEAR: "声明无利益冲突", CONFLICT: "声明存在利益冲突（回避）"}

    application = models.ForeignKey(AllianceApplication, on_delete=models.PROTECT, related_name="panel")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_chair = models.BooleanField(default=False)
    declaration = models.CharField(max_length=10, choices=list(DECLARATIONS.items()), default=PENDING)
    declaration_note = models.CharField(max_length=500, blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    score_organisation = models.PositiveSmallIntegerField(null=True, blank=True)
    score_operation = models.PositiveSmallIntegerField(null=True, blank=True)
    score_patents = models.PositiveSmallIntegerField(null=True, blank=True)
    score_industry = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_chair", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "user"], name="alliance_panel_member_once")]

    @property
    def declaration_label(self) -> str:
        return self.DECLARATIONS[self.declaration]

    @property
    def total(self) -> int | None:
        if self.scored_at is None:
            return None
        return sum(getattr(self, f) for f in CRITERIA)

    @property
    def scores(self) -> list[tuple[str, int | None]]:
        return [(label, getattr(self, f)) for f, label in CRITERIA.items()]


def mean_of(totals: list[int]) -> Decimal:
    return (Decimal(sum(totals)) / Decimal(len(totals))).quantize(Decimal("0.01"))
