"""The analysis-review register (二（一）「重大经济科技活动知识产权分析评议」): one Activity per
major economic or technology activity the bureau reviews, with its assignment, report and conclusion."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ipfund.web.filed import random_name

MONEY = {"max_digits": 16, "decimal_places": 2}


def report_path(instance: "Activity", filename: str) -> str:
    return random_name("analysis", instance.report_content_type)


class Activity(models.Model):
    REGISTERED, ASSIGNED, REPORTED, CONCLUDED = "registered", "assigned", "reported", "concluded"
    STATES = {REGISTERED: "待分派", ASSIGNED: "评议中", REPORTED: "报告待验收", CONCLUDED: "已办结"}
    KINDS = {
        "project_intro": "重大项目引进",
        "merger": "企业并购重组",
        "tech_trade": "技术进出口与技术合作",
        "planning": "产业规划与政策制定",
        "talent": "高层次人才引进",
        "other": "其他重大经济科技活动",
    }
    CONCLUSIONS = {
        "no_risk": "未发现重大知识产权风险",
        "manageable": "存在风险，采取措施后可控",
        "high_risk": "存在较高知识产权风险",
    }

    reference = models.CharField(max_length=32, unique=True)  # 评议编号
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=list(KINDS.items()))
    parties = models.TextField()  # 涉及主体, one a line
    amount = models.DecimalField(null=True, blank=True, **MONEY)  # 涉及金额（元）
    department = models.CharField(max_length=200)  # 提请部门
    description = models.TextField(blank=True)
    due_on = models.DateField()  # 办结期限
    state = models.CharField(max_length=12, choices=list(STATES.items()), default=REGISTERED)
    analyst = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("accounts.ApplicantProfile", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    contract_ref = models.CharField(max_length=100, blank=True)  # 政府购买服务合同编号
    assigned_at = models.DateTimeField(null=True, blank=True)
    report = models.FileField(upload_to=report_path, blank=True, max_length=300)
    report_content_type = models.CharField(max_length=64, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    conclusion = models.CharField(max_length=16, choices=list(CONCLUSIONS.items()), blank=True)
    findings = models.TextField(blank=True)  # 评议意见
    recommendation = models.TextField(blank=True)  # 对决策的建议
    concluded_at = models.DateTimeField(null=True, blank=True)
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reminded_on = models.DateField(null=True, blank=True)  # the last day a deadline reminder went out
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "分析评议活动"

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def state_label(self) -> str:
        return self.STATES[self.state]

    @property
    def kind_label(self) -> str:
        return self.KINDS.get(self.kind, "")

    @property
    def conclusion_label(self) -> str:
        return self.CONCLUSIONS.get(self.conclusion, "")

    @property
    def open(self) -> bool:
        return self.state in (self.REGISTERED, self.ASSIGNED, self.REPORTED)
