"""Complaints about infringement and requests for rights assistance (三「加强知识产权举报投诉和维权
援助工作」): filed by anyone, anonymously if they wish; routed and followed by the bureau."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ipfund.web.filed import random_name


def evidence_path(instance: "Complaint", filename: str) -> str:
    return random_name("complaints", instance.evidence_content_type)


class Complaint(models.Model):
    REPORT, ASSISTANCE = "report", "assistance"
    KINDS = {REPORT: "侵权举报投诉", ASSISTANCE: "维权援助申请"}
    RIGHTS = {"patent": "专利", "trademark": "商标", "copyright": "著作权", "geo": "地理标志", "other": "其他"}
    RECEIVED, ACCEPTED, ROUTED, CLOSED, DECLINED = "received", "accepted", "routed", "closed", "declined"
    STATES = {RECEIVED: "待受理", ACCEPTED: "已受理", ROUTED: "已转办", CLOSED: "已办结", DECLINED: "不予受理"}
    ROUTES = {
        "city_enforcement": "市市场监督管理局（知识产权行政执法）",
        "court_mediation": "巡回法庭诉调对接（调解）",
        "assistance_agency": "知识产权维权援助机构",
    }

    reference = models.CharField(max_length=32, unique=True)  # 投诉编号
    lookup_hash = models.CharField(max_length=64)  # keyed hash of the 查询码 given once at filing
    kind = models.CharField(max_length=12, choices=list(KINDS.items()))
    right_type = models.CharField(max_length=12, choices=list(RIGHTS.items()))
    right_number = models.CharField(max_length=100, blank=True)  # 专利号、注册号…
    respondent = models.CharField(max_length=200, blank=True)  # 被投诉方
    description = models.TextField()
    name = models.CharField(max_length=100, blank=True)  # empty: anonymous
    contact = models.CharField(max_length=200, blank=True)
    evidence = models.FileField(upload_to=evidence_path, blank=True, max_length=300)
    evidence_content_type = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=12, choices=list(STATES.items()), default=RECEIVED)
    route = models.CharField(max_length=20, choices=list(ROUTES.items()), blank=True)
    route_to = models.CharField(max_length=200, blank=True)  # the office or agency by name
    claim = models.ForeignKey("claims.Claim", null=True, blank=True, on_delete=models.PROTECT, related_name="assistance_cases")
    filed_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    client_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = verbose_name_plural = "举报投诉与维权援助"

    def __str__(self) -> str:
        return self.reference

    @property
    def state_label(self) -> str:
        return self.STATES[self.state]

    @property
    def kind_label(self) -> str:
        return self.KINDS[self.kind]

    @property
    def right_label(self) -> str:
        return self.RIGHTS.get(self.right_type, "")

    @property
    def route_label(self) -> str:
        return self.ROUTES.get(self.route, "")

    @property
    def last_step(self) -> "ComplaintStep | None":
        return self.steps.order_by("-at", "-id").first()

    @property
    def anonymous(self) -> bool:
        return not self.name and not self.contact


class ComplaintStep(models.Model):
    """One status change with its notes: ``note`` stays inside the bureau, ``public_note`` is what
    the person who filed reads when they look the status up."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="steps")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=12, choices=list(Complaint.STATES.items()))
    route = models.CharField(max_length=20, blank=True)
    route_to = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    public_note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def state_label(self) -> str:
        return Complaint.STATES[self.state]

    @property
    def route_label(self) -> str:
        return Complaint.ROUTES.get(self.route, "")
