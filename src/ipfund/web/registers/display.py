"""A register row as a person reads it: each field under its template column name, options by
their names (金奖, not gold), yes/no in words."""

from __future__ import annotations

from ipfund.web.accounts.models import APPLICANT_KINDS

from .services import fields_of


def _shown(f, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if f is not None and f.type == "kind":
        return APPLICANT_KINDS.get(value, value)
    if f is not None and f.options:
        return dict(f.options).get(value, value)
    return str(value)


def row_fields(row) -> list[tuple[str, str]]:
    register = row.version.register
    try:
        fields = {f.id: f for f in fields_of(register.kind, register.item)}
    except ValueError:  # the item is no longer installed: show the codes' values as read
        fields = {}
    data = dict(row.data)
    facts = data.pop("facts", {}) or {}
    order = {key: n for n, key in enumerate([*fields, "in_zone"])}  # the template's order (jsonb keeps none)
    out = []
    for key, value in sorted([*data.items(), *facts.items()], key=lambda kv: order.get(kv[0], len(order))):
        f = fields.get(key)
        if key == "in_zone":
            out.append(("在区内（按注册地址）", _shown(None, value)))
            continue
        out.append((f.label if f else key, _shown(f, value)))
    return out
