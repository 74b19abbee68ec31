"""Pydantic's validation errors (English, by location) turned into Chinese messages by field."""

from __future__ import annotations

MESSAGES = {
    "missing": "缺少此字段。",
    "string_type": "应为字符串。",
    "int_type": "应为整数。",
    "int_parsing": "应为整数。",
    "bool_type": "应为 true 或 false。",
    "bool_parsing": "应为 true 或 false。",
    "dict_type": "应为对象。",
    "list_type": "应为数组。",
    "date_type": "应为 YYYY-MM-DD 格式的日期。",
    "date_parsing": "应为 YYYY-MM-DD 格式的日期。",
    "date_from_datetime_parsing": "应为 YYYY-MM-DD 格式的日期。",
    "date_from_datetime_inexact": "应为 YYYY-MM-DD 格式的日期。",
    "json_invalid": "请求内容不是有效的 JSON。",
    "model_attributes_type": "应为对象。",
    "string_too_long": "内容过长。",
    "greater_than_equal": "数值过小。",
    "less_than_equal": "数值过大。",
}
FALLBACK = "内容不符合接口格式。"
SOURCES = {"body", "query", "path", "header", "form", "file", "cookie"}


def _field(loc) -> str:
    parts = [str(p) for p in loc if str(p) not in SOURCES]
    # ninja puts the parameter's own name first for a body model (``body.item``); drop it
    if len(parts) > 1 and parts[0] in {"body", "batch", "payload"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def schema_errors(errors: list[dict]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for error in errors:
        field = _field(error.get("loc", ()))
        message = f"{field}：{MESSAGES.get(error.get('type', ''), FALLBACK)}"
        out.setdefault(field, []).append(message)
    return out or {"body": [FALLBACK]}
