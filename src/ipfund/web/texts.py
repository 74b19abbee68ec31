"""Free texts typed into the bureau's registers: stripped, NUL removed (PostgreSQL text holds none),
required ones present, each within its limit; errors name the field, in Chinese."""

from __future__ import annotations

REQUIRED = "请填写{label}。"
TOO_LONG = "{label}不能超过 {limit} 个字。"


def texts_check(fields: dict[str, tuple[str, str, bool]], limits: dict[str, int], errors: dict) -> dict[str, str]:
    """``fields``: name → (label, value, required). Adds each problem to ``errors``; returns the clean texts."""
    clean = {}
    for name, (label, value, needed) in fields.items():
        value = (value or "").replace("\x00", "").strip()
        if needed and not value:
            errors[name] = [REQUIRED.format(label=label)]
        elif len(value) > limits[name]:
            errors[name] = [TOO_LONG.format(label=label, limit=limits[name])]
        clean[name] = value
    return clean
