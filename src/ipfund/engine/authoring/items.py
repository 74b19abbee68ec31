"""Items written as data (YAML) turned into the engine's vocabulary: facts, conditions, formulas,
keys, caps and top-ups. Nothing here knows any one policy; a gate such as "in the zone" or "SME"
is a condition the package declares on the applicant's facts.

Every mistake is an AuthoringError with a Chinese message naming the item and the field.
"""

from __future__ import annotations

from ..dates import add_years
from ..vocabulary import (
    KINDS,
    REASON_ORDER,
    AtMost,
    Amount,
    Cap,
    Condition,
    Fact,
    Fixed,
    Item,
    Rate,
    Residual,
    Table,
    Tiers,
    nothing_left,
    unless,
    when,
)


class AuthoringError(ValueError):
    """A package's data cannot be read as items; the message (Chinese) names where."""


FACT_TYPES = ("year", "money", "bool", "enum", "text", "date", "number", "uscc_list")
#: The applicant's own facts a condition may read (the calculator contract's applicant fields).
APPLICANT_FLAGS = ("in_zone", "sme")
FORMULAS = ("fixed", "table", "rate", "amount", "at_most", "residual", "tiers")
ITEM_KEYS = {
    "clause", "title", "source", "summary", "kinds", "kinds_by", "facts", "formula", "conditions",
    "key", "key_when", "cap", "top_up", "interpretations", "evidence",
}

MISSING_FIELD = "项目 {item}：缺少「{field}」"
BAD_FIELD = "项目 {item}：「{field}」{problem}"


def _need(spec: dict, item: str, field: str):
    """spec's value of the last part of a dotted field name (the whole name goes in the message)."""
    key = field.rsplit(".", 1)[-1]
    if key not in spec or spec[key] in (None, ""):
        raise AuthoringError(MISSING_FIELD.format(item=item, field=field))
    return spec[key]


def _bad(item: str, field: str, problem: str) -> AuthoringError:
    return AuthoringError(BAD_FIELD.format(item=item, field=field, problem=problem))


def _one_choice(spec, item: str, field: str) -> tuple[str, str]:
    """An {interpretation: option} mapping of exactly one entry."""
    if not isinstance(spec, dict) or len(spec) != 1:
        raise _bad(item, field, "应写成「解释编号: 选项」的一项")
    (iid, option), = spec.items()
    return str(iid), str(option)


def _facts(item: str, spec) -> tuple[Fact, ...]:
    if not isinstance(spec, dict) or not spec:
        raise _bad(item, "facts", "应为「事实名: {type, label}」的映射，至少一项")
    out = []
    for name, f in spec.items():
        where = f"facts.{name}"
        if not isinstance(f, dict):
            raise _bad(item, where, "应为 {type, label, …}")
        ftype = f.get("type")
        if ftype not in FACT_TYPES:
            raise _bad(item, where + ".type", f"应为 {'、'.join(FACT_TYPES)} 之一，现为 {ftype!r}")
        label = f.get("label")
        if not label:
            raise AuthoringError(MISSING_FIELD.format(item=item, field=where + ".label"))
        options = f.get("options") or {}
        if ftype == "enum" and (not isinstance(options, dict) or not options):
            raise _bad(item, where + ".options", "枚举事实须列出选项（代码: 中文名称）")
        options = {str(k): str(v) for k, v in options.items()}
        optional = bool(f.get("optional", False))
        default = f.get("default")
        if ftype == "enum" and default is not None:
            default = str(default)
        out.append(Fact(str(name), ftype, str(label), tuple(options), options or None, optional, default))
    return tuple(out)


def _fact_names(facts) -> set[str]:
    return {f.name for f in facts}


def _formula(item: str, spec, facts, field: str = "formula"):
    if not isinstance(spec, dict):
        raise _bad(item, field, f"应为 {'、'.join(FORMULAS)} 之一的映射")
    kinds = [k for k in FORMULAS if k in spec]
    if len(kinds) != 1:
        raise _bad(item, field, f"应恰好写一种算法（{'、'.join(FORMULAS)}），现为 {kinds or '无'}")
    kind = kinds[0]
    names = _fact_names(facts)

    def fact(key):
        name = _need(spec, item, f"{field}.{key}")
        if name not in names:
            raise _bad(item, f"{field}.{key}", f"引用的事实 {name!r} 未在 facts 中定义")
        return str(name)

    if kind == "fixed":
        return Fixed(str(spec["fixed"]))
    if kind == "table":
        return Table(str(spec["table"]), by=fact("by"))
    if kind == "rate":
        return Rate(str(spec["rate"]), of=fact("of"))
    if kind == "amount":
        name = str(spec["amount"])
        if name not in names:
            raise _bad(item, f"{field}.amount", f"引用的事实 {name!r} 未在 facts 中定义")
        return Amount(name)
    if kind == "at_most":
        return AtMost(_formula(item, _need(spec, item, f"{field}.of"), facts, f"{field}.of"), str(spec["at_most"]))
    if kind == "residual":
        name = str(spec["residual"])
        minus = spec.get("minus") or []
        for m in [name, *minus]:
            if m not in names:
                raise _bad(item, f"{field}.residual", f"引用的事实 {m!r} 未在 facts 中定义")
        return Residual(name, minus=tuple(str(m) for m in minus))
    # tiers
    of = fact("of")
    of_type = next(f.type for f in facts if f.name == of)
    if of_type not in ("money", "number", "uscc_list"):
        raise _bad(item, f"{field}.of", "档次只能按金额、数量或统一社会信用代码清单（家数）计")
    cumulative = _one_choice(spec["cumulative_when"], item, f"{field}.cumulative_when") if spec.get("cumulative_when") else None
    return Tiers(str(spec["tiers"]), of=of, of_money=of_type == "money", cumulative_when=cumulative)


def _applies_flag(flag: str):
    return lambda cols, P, interp, fen: ~getattr(cols, flag)


def _condition(item: str, i: int, spec, facts) -> Condition:
    where = f"conditions[{i + 1}]"
    if not isinstance(spec, dict):
        raise _bad(item, where, "应为映射")
    describe = str(_need(spec, item, where + ".describe"))
    reason = str(spec.get("reason", "condition_not_met"))
    if reason not in REASON_ORDER[:7]:
        raise _bad(item, where + ".reason", f"应为 {'、'.join(REASON_ORDER[:7])} 之一，现为 {reason!r}")
    names = _fact_names(facts)
    types = {f.name: f.type for f in facts}

    def fact(key, *allowed):
        name = str(spec[key])
        if name not in names:
            raise _bad(item, f"{where}.{key}", f"引用的事实 {name!r} 未在 facts 中定义")
        if allowed and types[name] not in allowed:
            raise _bad(item, f"{where}.{key}", f"事实 {name} 的类型应为 {'、'.join(allowed)}")
        return name

    only = _one_choice(spec["if_interpretation"], item, where + ".if_interpretation") if spec.get("if_interpretation") else None
    if "applicant" in spec:
        flag = str(spec["applicant"])
        if flag not in APPLICANT_FLAGS:
            raise _bad(item, where + ".applicant", f"应为申请人的 {'、'.join(APPLICANT_FLAGS)} 之一")
        cond = Condition(reason, describe, _applies_flag(flag))
    elif "unless" in spec:
        cond = unless(fact("unless", "bool"), describe, reason)
    elif "when" in spec:
        cond = when(fact("when", "bool"), describe, reason)
    elif spec.get("nothing_left"):
        cond = nothing_left(describe, reason)
    elif "fact" in spec:
        name = fact("fact")
        cond = _comparison(item, where, spec, name, types[name], describe, reason)
    else:
        raise _bad(item, where, "应写 applicant、unless、when、nothing_left 或 fact 之一")
    if only is not None:
        inner = cond.applies
        iid, option = only
        cond = Condition(reason, describe, lambda cols, P, interp, fen: inner(cols, P, interp, fen) & (interp.get(iid) == option))
    cond.params = tuple(condition_params(spec))  # read by `policy check`
    cond.interpretation = only
    return cond


def _comparison(item, where, spec, name, ftype, describe, reason) -> Condition:
    """A fact compared with a value or a parameter read at the event date."""
    if "equals" in spec:
        value = spec["equals"]
        value = str(value) if ftype in ("enum", "text") else value
        return Condition(reason, describe, lambda cols, P, interp, fen: cols.facts[name] == value)
    if "below" in spec:  # the fact is less than a number parameter
        param = str(spec["below"])
        return Condition(reason, describe, lambda cols, P, interp, fen: cols.facts[name] < P.number(param, cols.event))
    if "before" in spec:  # a date fact earlier than a date parameter
        param = str(spec["before"])
        return Condition(reason, describe, lambda cols, P, interp, fen: cols.facts[name] < P.date(param, cols.event))
    if "years_to_event" in spec:  # the event comes before the date fact plus a number of years
        param = str(spec["years_to_event"])
        if ftype != "date":
            raise _bad(item, where + ".fact", "years_to_event 只适用于日期事实")
        return Condition(
            reason, describe,
            lambda cols, P, interp, fen: cols.event < add_years(cols.facts[name], P.number(param, cols.event)),
        )
    raise _bad(item, where, "fact 条件须写 equals、below、before 或 years_to_event 之一")


def condition_params(spec: dict) -> list[str]:
    """The parameters a condition written as data reads (for `policy check`)."""
    return [str(spec[k]) for k in ("below", "before", "years_to_event") if k in spec]


def _fields(item: str, field: str, spec, facts) -> tuple[str, ...]:
    if not isinstance(spec, list) or not spec:
        raise _bad(item, field, "应为事实名（或 applicant）的列表")
    names = _fact_names(facts) | {"applicant"}
    for name in spec:
        if name not in names:
            raise _bad(item, field, f"引用的事实 {name!r} 未在 facts 中定义")
    return tuple(str(n) for n in spec)


def _cap(item: str, spec, facts) -> Cap:
    if not isinstance(spec, dict):
        raise _bad(item, "cap", "应为 {param, group, label}")
    by = spec.get("by")
    if by is not None and by not in _fact_names(facts):
        raise _bad(item, "cap.by", f"引用的事实 {by!r} 未在 facts 中定义")
    per_year = _one_choice(spec["per_year_when"], item, "cap.per_year_when") if spec.get("per_year_when") else None
    return Cap(
        str(_need(spec, item, "cap.param")),
        group=_fields(item, "cap.group", _need(spec, item, "cap.group"), facts),
        label=str(_need(spec, item, "cap.label")),
        by=str(by) if by else None,
        per_year_when=per_year,
    )


def _kinds(item: str, spec, field: str, allowed) -> tuple[str, ...]:
    if not isinstance(spec, list) or not spec:
        raise _bad(item, field, "应为申请人类型的列表")
    for k in spec:
        if k not in allowed:
            raise _bad(item, field, f"未知的申请人类型 {k!r}（可选：{'、'.join(allowed)}）")
    return tuple(str(k) for k in spec)


def _table_keys_by_version(parameters: dict, name: str) -> list[set[str]]:
    versions = ((parameters or {}).get(name) or {}).get("values") or []
    return [set(map(str, v.get("value") or {})) for v in versions if isinstance(v, dict) and isinstance(v.get("value"), dict)]


def build_item(item_id: str, spec: dict, kinds_allowed=KINDS, parameters: dict | None = None) -> Item:
    """One item written as data → an Item of the engine's vocabulary (`parameters`: the package's,
    to see whether a version of a table drops one of the item's options)."""
    if not isinstance(spec, dict):
        raise AuthoringError(f"项目 {item_id}：应为映射")
    unknown = set(spec) - ITEM_KEYS
    if unknown:
        raise _bad(item_id, "、".join(sorted(map(str, unknown))), f"不是项目的字段（可用：{'、'.join(sorted(ITEM_KEYS))}）")
    facts = _facts(item_id, _need(spec, item_id, "facts"))
    formula = _formula(item_id, _need(spec, item_id, "formula"), facts)
    conditions = [_condition(item_id, i, c, facts) for i, c in enumerate(spec.get("conditions") or [])]
    table = spec["formula"].get("table")
    by = spec["formula"].get("by")
    options = set(next((f.options for f in facts if f.name == by), ()))
    if table and any(options - keys for keys in _table_keys_by_version(parameters, str(table))):
        # A version of the table lacks an option: claims of it at that version's dates are not funded.
        label = next(f.label for f in facts if f.name == by)
        conditions.append(Condition(
            "condition_not_met", f"{label}不在事件日期施行的金额表中（该版本不予资助）",
            lambda cols, P, interp, fen, _t=str(table), _by=by: ~P.table_has(_t, cols.facts[_by], cols.event),
        ))
    kinds_by = None
    if spec.get("kinds_by"):
        kb = spec["kinds_by"]
        if not isinstance(kb, dict) or kb.get("fact") not in _fact_names(facts) or not isinstance(kb.get("values"), dict):
            raise _bad(item_id, "kinds_by", "应为 {fact: 事实名, values: {取值: [申请人类型…]}}")
        kinds_by = (str(kb["fact"]), {str(v): _kinds(item_id, k, "kinds_by.values", kinds_allowed) for v, k in kb["values"].items()})
    key_when = {}
    for i, kw in enumerate(spec.get("key_when") or []):
        where = f"key_when[{i + 1}]"
        if not isinstance(kw, dict):
            raise _bad(item_id, where, "应为 {interpretation: {编号: 选项}, key: [...]}")
        key_when[_one_choice(kw.get("interpretation"), item_id, where + ".interpretation")] = _fields(
            item_id, where + ".key", kw.get("key"), facts)
    top_up = spec.get("top_up", False)
    if isinstance(top_up, dict):
        top_up = _one_choice(top_up, item_id, "top_up")
    elif not isinstance(top_up, bool):
        raise _bad(item_id, "top_up", "应为 true/false 或「解释编号: 选项」")
    evidence = spec.get("evidence") or []
    if not isinstance(evidence, list):
        raise _bad(item_id, "evidence", "应为证明材料名称的列表")
    return Item(
        id=str(item_id),
        clause=str(_need(spec, item_id, "clause")),
        title=str(_need(spec, item_id, "title")),
        source=str(_need(spec, item_id, "source")),
        kinds=_kinds(item_id, _need(spec, item_id, "kinds"), "kinds", kinds_allowed),
        facts=facts,
        formula=formula,
        summary=str(_need(spec, item_id, "summary")),
        conditions=tuple(conditions),
        key=_fields(item_id, "key", spec["key"], facts) if spec.get("key") else None,
        key_when=key_when,
        cap=_cap(item_id, spec["cap"], facts) if spec.get("cap") else None,
        top_up_when=top_up,
        kinds_by=kinds_by,
        zone_exempt=True,  # no gate is assumed: the package declares its own
        requires_sme=False,
        interpretations=tuple(str(i) for i in spec.get("interpretations") or ()),
        evidence=tuple(str(e) for e in evidence),
        declared_gates=True,
    )


def build_items(data: dict) -> tuple[Item, ...]:
    """The items of a package written as data (`items:` of policy.yaml or items.yaml)."""
    items = data.get("items")
    if items is None or items == {}:
        return ()  # `policy check` says so: a package without items is only a start
    if not isinstance(items, dict):
        raise AuthoringError("policy.yaml 的 items（或 items.yaml）应为「项目编号: 定义」的映射")
    kinds = tuple(data.get("applicant_kinds") or KINDS)
    for k in kinds:
        if k not in KINDS:
            raise AuthoringError(f"applicant_kinds：未知的申请人类型 {k!r}（计算合同可用：{'、'.join(KINDS)}）")
    return tuple(build_item(str(iid), spec, kinds, data.get("parameters")) for iid, spec in items.items())

