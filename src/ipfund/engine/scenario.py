"""A policy with some parameter values changed: what the policy sandbox (政策沙盘) decides under.

`with_parameters(policy, overrides)` is a pure function: it returns a new, derived `Policy` whose
named parameters take the given values from a date on (every earlier value kept, every later one
replaced), or on every date when the override names none; the policy it was given is left as it
was. Each value is checked against its parameter's kind before anything is built, and a value of
the wrong type is a `BatchError` whose Chinese message names the parameter (and, for a table, the
key). The derived policy keeps the policy's id (its awards, keys and caps are the same ledger's)
and has a version of its own, so that no decision taken under it passes for one of the policy.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from .errors import BatchError
from .policy import Policy

UNKNOWN_PARAMETER = "政策 {policy} 没有参数 {name}（可用的参数：{known}）"
UNKNOWN_KEY = "参数 {name}（{title}）没有档次或类别 {key}（可用：{known}）"
KEY_NOT_TABLE = "参数 {name}（{title}）不是按类别列出的金额表，不能只改其中的 {key}"
BAD_MONEY = "参数 {name}（{title}）的值应为金额（元，不为负数，最多两位小数），现为 {value!r}"
BAD_RATE = "参数 {name}（{title}）的值应为 0 到 1 之间的比例（如 0.5 或 50%），现为 {value!r}"
BAD_NUMBER = "参数 {name}（{title}）的值应为不为负数的整数，现为 {value!r}"
BAD_DATE = "参数 {name}（{title}）的值应为 YYYY-MM-DD 格式的日期，现为 {value!r}"
BAD_TABLE = "参数 {name}（{title}）的值应为「类别: 金额」的对照表，现为 {value!r}"
BAD_TIERS = "参数 {name}（{title}）的值应为档次表 {{inclusive: true/false, tiers: [[门槛, 金额], …]}}，现为 {value!r}"
BAD_START = "参数 {name}（{title}）的施行日期应为 YYYY-MM-DD 格式的日期，现为 {value!r}"

_MONEY = re.compile(r"\d+(\.\d{1,2})?\Z")


@dataclass(frozen=True)
class Override:
    """A parameter's new value (as policy.yaml writes values: amounts in yuan as text), from `start`
    on (None: on every date). `key` changes one entry of a money table and leaves the others."""

    parameter: str
    value: Any
    start: dt.date | None = None
    key: str | None = None

    def as_dict(self) -> dict:
        return {"parameter": self.parameter, "value": self.value,
                "start": None if self.start is None else self.start.isoformat(), "key": self.key}


def _money(value, where: dict) -> str:
    text = str(value).strip().replace(",", "") if isinstance(value, (str, int, Decimal)) and not isinstance(value, bool) else None
    if text is None or not _MONEY.match(text):
        raise BatchError(BAD_MONEY.format(value=value, **where))
    return text


def _rate(value, where: dict) -> str:
    text = str(value).strip() if isinstance(value, (str, int, Decimal)) and not isinstance(value, bool) else ""
    percent = text.endswith("%")
    try:
        d = Decimal(text[:-1] if percent else text)
    except InvalidOperation:
        raise BatchError(BAD_RATE.format(value=value, **where)) from None
    if percent:
        d = d / 100
    if not d.is_finite() or not 0 <= d <= 1:
        raise BatchError(BAD_RATE.format(value=value, **where))
    return str(d)


def _number(value, where: dict) -> int:
    if isinstance(value, bool):
        raise BatchError(BAD_NUMBER.format(value=value, **where))
    if isinstance(value, int):
        n = value
    elif isinstance(value, str) and value.strip().isdigit():
        n = int(value.strip())
    else:
        raise BatchError(BAD_NUMBER.format(value=value, **where))
    if n < 0:
        raise BatchError(BAD_NUMBER.format(value=value, **where))
    return n


def _date(value, where: dict, message: str = BAD_DATE) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise BatchError(message.format(value=value, **where)) from None


def _table(value, where: dict) -> dict:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise BatchError(BAD_TABLE.format(value=value, **where)) from None
    if not isinstance(value, dict) or not value:
        raise BatchError(BAD_TABLE.format(value=value, **where))
    return {str(k): _money(v, {**where, "title": f"{where['title']}·{k}"}) for k, v in value.items()}


def _tiers(value, where: dict) -> dict:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise BatchError(BAD_TIERS.format(value=value, **where)) from None
    if not isinstance(value, dict) or not isinstance(value.get("inclusive"), bool) or not isinstance(value.get("tiers"), list):
        raise BatchError(BAD_TIERS.format(value=value, **where))
    tiers = []
    for pair in value["tiers"]:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise BatchError(BAD_TIERS.format(value=value, **where))
        threshold = pair[0] if isinstance(pair[0], int) and not isinstance(pair[0], bool) else _money(pair[0], where)
        tiers.append([threshold, _money(pair[1], where)])
    return {"inclusive": value["inclusive"], "tiers": tiers}


def _checked(kind: str, value, where: dict):
    """The value as policy.yaml would write it for a parameter of this kind (BatchError if it is not one)."""
    if kind == "money":
        return _money(value, where)
    if kind == "rate":
        return _rate(value, where)
    if kind == "number":
        return _number(value, where)
    if kind == "date":
        return _date(value, where)
    if kind == "money_table":
        return _table(value, where)
    if kind == "tiers":
        return _tiers(value, where)
    raise BatchError(f"参数 {where['name']}（{where['title']}）的类型 {kind} 不能在沙盘中修改")


def _values(raw: dict, override: Override, where: dict) -> list[dict]:
    """The parameter's dated values (policy.yaml's `values`) with the override applied."""
    values = sorted(copy.deepcopy(raw["values"]), key=lambda v: _date(v["from"], where, BAD_START))
    start = override.start or _date(values[0]["from"], where, BAD_START)
    before = [v for v in values if _date(v["from"], where, BAD_START) < start]
    if override.key is not None:
        if raw["kind"] != "money_table":
            raise BatchError(KEY_NOT_TABLE.format(key=override.key, **where))
        in_force = next((v for v in reversed(values) if _date(v["from"], where, BAD_START) <= start), values[0])
        keys = {k for v in values for k in v["value"]}
        if override.key not in keys:
            raise BatchError(UNKNOWN_KEY.format(key=override.key, known="、".join(sorted(keys)), **where))
        value: Any = {**{str(k): v for k, v in in_force["value"].items()},
                      override.key: _money(override.value, {**where, "title": f"{where['title']}·{override.key}"})}
    else:
        value = _checked(raw["kind"], override.value, where)
    return [*before, {"from": start, "value": value}]


def with_parameters(policy: Policy, overrides: Iterable[Override], *, label: str = "") -> Policy:
    """A new policy: `policy` with the overrides' values (applied in order), checked; `policy` unchanged."""
    from .authoring import build_items

    overrides = list(overrides)
    if not overrides:
        return policy
    data = copy.deepcopy(policy.data)
    parameters = data["parameters"]
    for o in overrides:
        raw = parameters.get(o.parameter)
        if raw is None:
            raise BatchError(UNKNOWN_PARAMETER.format(policy=policy.id, name=o.parameter, known="、".join(parameters)))
        where = {"name": o.parameter, "title": raw.get("title", o.parameter)}
        if o.start is not None and not isinstance(o.start, dt.date):
            raise BatchError(BAD_START.format(value=o.start, **where))
        raw["values"] = _values(raw, o, where)
    digest = hashlib.sha256(json.dumps([o.as_dict() for o in overrides], sort_keys=True, default=str,
                                       ensure_ascii=False).encode()).hexdigest()[:8]
    data["version"] = f"{policy.version}+沙盘{'·' + label if label else ''}:{digest}"
    try:
        return Policy(data, policy.source_text, build_items(data), policy.path)
    except BatchError:
        raise
    except (TypeError, ValueError, KeyError) as exc:  # a value the policy's own reading refuses
        raise BatchError(f"情景参数无法用于政策 {policy.id}：{exc}") from None


def parameter_value(policy: Policy, name: str, on: dt.date):
    """The value of a parameter in force on a day, as policy.yaml writes it (for showing a scenario
    beside the policy it changes); None for a parameter the policy does not have."""
    raw = policy.data["parameters"].get(name)
    if raw is None:
        return None
    found = None
    for v in sorted(raw["values"], key=lambda v: str(v["from"])):
        if dt.date.fromisoformat(str(v["from"])) <= on:
            found = v["value"]
    return found


__all__ = ["Override", "parameter_value", "with_parameters"]
