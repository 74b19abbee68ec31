"""Schemas of the API's bodies and answers (money as strings, never floats)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class FactOut(Schema):
    name: str
    type: str
    label: str
    options: list[str]
    optional: bool


class ItemOut(Schema):
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
    item: str
    event_date: dt.date
    facts: dict[str, Any]
    submit: bool = False


class ClaimOut(Schema):
    id: int
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
