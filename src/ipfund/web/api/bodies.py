"""Checks of API bodies the OpenAPI schema cannot express, each refusal naming its field in Chinese.

A body can match the schema and still be unusable (``"interpretations": [1]``, an idempotency key
longer than the column that keeps it); these checks turn each such body into a 4xx that says which
field is wrong, before anything reaches the engine or the database.
"""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_MAX = 100
IDEMPOTENCY_INVALID = "Idempotency-Key 应为 1 至 100 个可见 ASCII 字符。"
IDEMPOTENCY_REUSED = "该 Idempotency-Key 已用于内容不同的请求；请为新的申报使用新的 Idempotency-Key。"
BATCH_POLICY = "policy 应为政策编号（字符串）。"
BATCH_CLAIMS = "claims 应为申报数组。"
BATCH_HISTORY = "history 应为对象，其 awarded 为已获资助记录的数组。"
BATCH_INTERPRETATIONS = "interpretations 应为对象：解释编号 → 选项（均为字符串），例如 {\"A7\": \"per_year\"}。"
BATCH_UNUSABLE = "该批次无法计算，请核对批次格式（见 errors.batch）。"


def idempotency_key_check(key: str | None) -> str | None:
    if key is None:
        return None
    if not 1 <= len(key) <= IDEMPOTENCY_MAX or not all(33 <= ord(ch) <= 126 for ch in key):
        raise ValidationError({IDEMPOTENCY_HEADER: [IDEMPOTENCY_INVALID]})
    return key


def body_digest(body: dict) -> str:
    """The SHA-256 of the body in one canonical JSON spelling (keys sorted), bound to its key."""
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def evaluate_body_check(batch: dict) -> tuple[dict, dict | None, dict | None]:
    """The batch without ``history`` and ``interpretations``, and those two, once each has the
    shape the calculator contract gives it."""
    errors: dict[str, list[str]] = {}
    if "policy" in batch and not isinstance(batch["policy"], str):
        errors["policy"] = [BATCH_POLICY]
    if not isinstance(batch.get("claims"), list):
        errors["claims"] = [BATCH_CLAIMS]
    history = batch.get("history")
    if history is not None and not (isinstance(history, dict) and isinstance(history.get("awarded"), list)):
        errors["history"] = [BATCH_HISTORY]
    interpretations = batch.get("interpretations")
    if interpretations is not None and not (
        isinstance(interpretations, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in interpretations.items())
    ):
        errors["interpretations"] = [BATCH_INTERPRETATIONS]
    if errors:
        raise ValidationError(errors)
    body = {k: v for k, v in batch.items() if k not in {"history", "interpretations"}}
    return body, history, interpretations
