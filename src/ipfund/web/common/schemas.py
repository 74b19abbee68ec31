"""Schemas of the API's bodies and answers (money as strings, never floats)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class FactOut(Schema):
    name: str
    type: str
    label: str
    options: list[str]
    optional: bool
    source: str = "declared"  # declared / confirmed (a reviewer confirms it) / platform (never typed)
    # A lines fact (type "lines", 清单): its columns — category {label, options}, count {label, unit},
    # object {label, normal} or null; each line of a claim is {"category", "count", "object"}.
    columns: dict | None = Field(default=None, description="清单事实的栏目（其他事实为 null）")


class PolicyOut(Schema):
    id: str = Field(description="政策编号")
    title: str = Field(description="政策名称")
    document_number: str = Field(description="文号")
    issuer: str = Field(description="发文机关")
    valid_from: dt.date = Field(description="有效期起（事件日期）")
    valid_until: dt.date = Field(description="有效期止（事件日期）")
    state: str = Field(description="in_force 现行 / not_yet 未生效 / expired 已失效")
    state_label: str = Field(description="状态（中文）")
    version: str = Field(description="政策包版本（申报记录其所依据的版本）")
    continues: str | None = Field(None, description="所延续的前序政策编号")


class ItemOut(Schema):
    policy: str = Field(description="所属政策编号")
    id: str
    clause: str
    title: str
    kinds: list[str]
    summary: str
    source: str
    facts: list[FactOut]
    evidence: list[str]


class EvidenceOut(Schema):
    id: int
    requirement: str
    original_name: str
    content_type: str
    size: int


class ClaimIn(Schema):
    policy: str | None = Field(None, description="政策编号；省略时取正在受理该项目的批次所属政策")
    item: str
    event_date: dt.date
    facts: dict[str, Any]
    submit: bool = False


class InstallmentOut(Schema):
    """One installment of an award paid in stages (分期拨付), as it stands."""

    number: int
    amount: str
    share: str
    condition: str  # approval, or the policy package's name of the condition
    condition_label: str  # 立项时 / 验收合格
    state: str  # due / waiting / paid / cancelled
    state_label: str  # 待拨付 / 待验收 / 已拨付 / 已取消
    paid_on: dt.date | None
    outcome_note: str


class ClaimOut(Schema):
    id: int
    policy: str
    policy_title: str
    policy_version: str
    item: str
    state: str
    state_label: str
    event_date: dt.date
    facts: dict[str, Any]
    engine_amount: str | None
    recommended_amount: str | None
    approved_amount: str | None
    review_comment: str
    decision_reason: str
    explanation: list[str]
    evidence: list[EvidenceOut]
    evidence_missing: list[str]
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    installments: list[InstallmentOut] = []  # 分期拨付: empty for an award paid at once


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


class NoticeEntryOut(Schema):
    recipient: str
    item_title: str
    citation: str
    amount: str


class NoticeOut(Schema):
    id: int
    title: str
    published_at: dt.datetime
    ends_at: dt.datetime
    state: str
    entries: list[NoticeEntryOut]
