"""Items written as data (YAML) turned into the engine's vocabulary: facts, conditions, formulas,
keys, caps and top-ups. Nothing here knows any one policy; a gate such as "in the zone" or "SME"
is a condition the package declares on the applicant's facts.

Every mistake is an AuthoringError with a Chinese message naming the item and the field.
"""

from __future__ import annotations

import numpy as np

from .money import fen_to_yuan
from .dates import add_years, iso
from .known import DECLARED, Derive, First, FromRegister, LastYear, SourceError, order, read_source
from .installments import InstallmentError, read_stages
from .vocabulary import (
    KINDS,
    REASON_ORDER,
    AtMost,
    Amount,
    Cap,
    Condition,
    Fact,
    Fixed,
    BREACHES,
    PROMISE_RECOVERIES,
    PROMISE_STARTS,
    Item,
    Less,
    Promise,
    LineColumns,
    PerLine,
    PerUnit,
    Rate,
    Residual,
    Table,
    Tiers,
    nothing_left,
    unless,
    when,
)


from .errors import AuthoringError  # noqa: E402,F401 - defined beside the engine's other errors (known.py raises it too)


FACT_TYPES = ("year", "money", "bool", "enum", "text", "date", "number", "uscc_list", "lines")
#: The applicant's own facts a condition may read (the calculator contract's applicant fields).
APPLICANT_FLAGS = ("in_zone", "sme")
FORMULAS = ("fixed", "table", "rate", "amount", "at_most", "less", "residual", "tiers", "per_unit")
ITEM_KEYS = {
    "clause", "title", "source", "summary", "kinds", "kinds_by", "facts", "formula", "conditions",
    "key", "key_when", "cap", "top_up", "top_up_by", "interpretations", "evidence", "attributes", "installments", "promise",
}
#: A key, top-up or cap group may also name the calendar year of the claim's event date.
EVENT_YEAR = "event_year"

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


def _choices(spec, item: str, field: str) -> tuple[tuple[str, str], ...]:
    """An {interpretation: option, …} mapping of one or more entries, all of which must hold."""
    if not isinstance(spec, dict) or not spec:
        raise _bad(item, field, "应写成「解释编号: 选项」（一项或多项，同时成立时适用）")
    return tuple((str(iid), str(option)) for iid, option in spec.items())


# How a text fact is compared in keys (contract v2): "identifier" (case, project, alliance
# numbers: full/half-width brackets and spaces ignored), "patent_number" (also without "ZL").
FACT_NORMAL_FORMS = ("identifier", "patent_number")


def _facts(item: str, spec) -> tuple[Fact, ...]:
    if not isinstance(spec, dict) or not spec:
        raise _bad(item, "facts", "应为「事实名: {type, label}」的映射，至少一项")
    out: list[Fact] = []
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
        normal = f.get("normal")
        if normal is not None and (ftype != "text" or normal not in FACT_NORMAL_FORMS):
            raise _bad(item, where + ".normal", f"仅文本事实可写，应为 {'、'.join(FACT_NORMAL_FORMS)} 之一，现为 {normal!r}")
        positive = bool(f.get("positive", False))
        if positive and ftype != "money":
            raise _bad(item, where + ".positive", "仅金额事实可写（作为计算基数的金额不得为 0）")
        whole = bool(f.get("whole", False))
        if whole and ftype != "number":
            raise _bad(item, where + ".whole", "仅数量事实（number）可写（件数、个数为整数）")
        try:
            source = read_source(f.get("from"), str(name))
        except SourceError as exc:
            raise _bad(item, f"{where}.{exc.args[0]}", exc.args[1]) from None
        if not isinstance(source, str):
            optional = True  # the platform fills it; an earlier award read back may lack it
            if isinstance(source, (First, FromRegister)) and ftype != "bool":
                raise _bad(item, where + ".type", "「首次」与名单的事实应为 bool（是否）")
            if isinstance(source, Derive) and ftype not in ("money", "number"):
                raise _bad(item, where + ".type", "派生事实应为 money 或 number")
        columns = None
        if ftype == "lines":
            columns = _line_columns(item, where, f, optional, source)
        else:
            for column in ("category", "count", "object"):
                if column in f:
                    raise _bad(item, f"{where}.{column}", "仅清单事实（type: lines）可写：清单的栏目")
        fact = Fact(str(name), ftype, str(label), tuple(options), options or None, optional, default, normal=normal,
                    positive=positive, whole=whole, source=source, columns=columns)
        if f.get("count_all_when"):
            if ftype != "uscc_list":
                raise _bad(item, where + ".count_all_when", "仅统一社会信用代码清单可写（按所列份数计，不去重）")
            fact.reads_when = {_one_choice(f["count_all_when"], item, where + ".count_all_when"): "count_all"}
        if f.get("not_applicant"):
            if ftype != "uscc_list":
                raise _bad(item, where + ".not_applicant", "仅统一社会信用代码清单可写（清单不得包含申请人自己）")
            fact.not_applicant = True
        if f.get("read_as"):
            fact.alias_when = _read_as(item, where + ".read_as", f["read_as"], options)
        if f.get("needless_when"):
            fact.needless_when = _needless_when(item, where + ".needless_when", f["needless_when"], out)
            fact.optional, fact.default = True, None
        out.append(fact)
    return tuple(out)


def _line_columns(item: str, where: str, f: dict, optional: bool, source) -> LineColumns:
    """The columns of a `lines` fact: {category: {label, options}, count: {label, unit}, object:
    {label, normal}} (object optional)."""
    if optional or f.get("default") is not None:
        raise _bad(item, where + ".optional", "清单事实不能是可选的（申报须至少填写一行）")
    if not isinstance(source, str) or source != "declared":
        raise _bad(item, where + ".from", "清单事实只能由申请人申报（不能由平台认定或由审核人员核对）")
    for key in ("options", "normal", "positive", "whole", "read_as", "needless_when", "count_all_when", "not_applicant"):
        if f.get(key):
            raise _bad(item, f"{where}.{key}", "清单事实不写此项：类别写在 category.options 下，对象的比较方式写在 object.normal 下")
    cat = f.get("category")
    if not isinstance(cat, dict) or not isinstance(cat.get("options"), dict) or not cat["options"]:
        raise _bad(item, where + ".category", "应为 {label: 栏目名称, options: {类别代码: 中文名称}}（至少一个类别）")
    count = f.get("count") if f.get("count") is not None else {}
    if not isinstance(count, dict):
        raise _bad(item, where + ".count", "应为 {label: 栏目名称, unit: 量词（个、件）}")
    obj = f.get("object")
    if obj is not None:
        if not isinstance(obj, dict) or not obj.get("label"):
            raise _bad(item, where + ".object", "应为 {label: 栏目名称, normal: identifier 或 patent_number}")
        if obj.get("normal") not in FACT_NORMAL_FORMS:
            raise _bad(item, where + ".object.normal",
                       f"应写明对象的比较方式：{'、'.join(FACT_NORMAL_FORMS)} 之一，现为 {obj.get('normal')!r}")
    return LineColumns(
        category_label=str(cat.get("label") or "类别"),
        options={str(k): str(v) for k, v in cat["options"].items()},
        count_label=str(count.get("label") or "数量"),
        count_unit=str(count.get("unit") or ""),
        object_label=str(obj["label"]) if obj is not None else None,
        object_normal=str(obj["normal"]) if obj is not None else None,
    )


def _lines_misused(item: str, spec: dict, facts) -> None:
    """A `lines` fact is read only by `per_unit`: a key, a cap group, a top-up, a condition or a
    derivation naming it is refused (the ledger keeps one key per claim, not one per line)."""
    lines = {f.name for f in facts if f.type == "lines"}
    if not lines:
        return

    def names(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for k, v in value.items():
                yield from names(k)
                yield from names(v)
        elif isinstance(value, list):
            for v in value:
                yield from names(v)

    cap = spec["cap"] if isinstance(spec.get("cap"), dict) else {}
    for field, value in (("key", spec.get("key")), ("key_when", spec.get("key_when")), ("cap.group", cap.get("group")),
                         ("cap.by", cap.get("by")), ("cap.group_when", cap.get("group_when")),
                         ("top_up_by", spec.get("top_up_by")), ("kinds_by", spec.get("kinds_by"))):
        for name in names(value):
            if name in lines:
                raise _bad(item, field, f"不能使用清单事实 {name}：重复资助判断与上限分组目前每件申报只有一个键，"
                                        "不能按清单的每一行分别计（见 docs/policy-packages.md「现在还写不出来的」）")
    for i, cond in enumerate(spec.get("conditions") or []):
        if isinstance(cond, dict):
            for name in names({k: v for k, v in cond.items() if k != "describe"}):
                if name in lines:
                    raise _bad(item, f"conditions[{i + 1}]", f"不能检验清单事实 {name}（清单只由 per_unit 读取；"
                                                          "“未申报任何一行”由输入校验拒绝，金额为 0 写 {nothing_left: true}）")
    own: dict = spec["facts"] if isinstance(spec.get("facts"), dict) else {}
    for fname, fspec in own.items():
        if isinstance(fspec, dict) and fspec.get("from") is not None:
            for name in names(fspec["from"]):
                if name in lines:
                    raise _bad(item, f"facts.{fname}.from", f"派生事实不能引用清单事实 {name}")


def _read_as(item: str, where: str, spec, options: dict) -> dict:
    """{option: {interpretation: ID, as: {reading: other option}}}: an option of an enum read as
    another one under an interpretation (its amount, cap and keys are the other one's)."""
    if not options or not isinstance(spec, dict):
        raise _bad(item, where, "仅枚举事实可写：{选项: {interpretation: 解释编号, as: {解释选项: 视同的选项}}}")
    out = {}
    for value, rule in spec.items():
        if str(value) not in options or not isinstance(rule, dict) or not isinstance(rule.get("as"), dict):
            raise _bad(item, where, f"{value!r} 应为本事实的选项，写 {{interpretation: 解释编号, as: {{解释选项: 视同的选项}}}}")
        for other in rule["as"].values():
            if str(other) not in options:
                raise _bad(item, where, f"视同的选项 {other!r} 不是本事实的选项")
        out[str(value)] = (str(_need(rule, item, where + ".interpretation")), {str(k): str(v) for k, v in rule["as"].items()})
    return out


def _needless_when(item: str, where: str, spec, before) -> tuple[str, frozenset]:
    """{fact: [values…]}: the fact is not needed (and no part of the key: the applicant stands for
    it) when an enum fact written before it has one of these values."""
    if not isinstance(spec, dict) or len(spec) != 1:
        raise _bad(item, where, "应写成「事实名: [取值…]」的一项")
    (other, values), = spec.items()
    known = {f.name: f for f in before}
    if other not in known or known[other].type != "enum":
        raise _bad(item, where, f"应引用写在本事实之前的枚举事实，现为 {other!r}")
    values = values if isinstance(values, list) else [values]
    for v in values:
        if str(v) not in known[other].options:
            raise _bad(item, where, f"{v!r} 不是事实 {other} 的选项")
    return str(other), frozenset(map(str, values))


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
    lines_facts = {f.name for f in facts if f.type == "lines"}
    if kind != "per_unit":
        for key, value in spec.items():
            if isinstance(value, str) and value in lines_facts:
                raise _bad(item, f"{field}.{key}", f"清单事实 {value} 只能由 per_unit 读取（每行 {{count: {value}, category: 类别, unit: 单价参数}}）")

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
    if kind == "less":  # another formula less a money fact (what was paid elsewhere), never below 0
        name = str(spec["less"])
        if name not in names or next(f.type for f in facts if f.name == name) != "money":
            raise _bad(item, f"{field}.less", f"应引用 facts 中的金额事实，现为 {name!r}")
        when_ = _choices(spec["if_interpretation"], item, f"{field}.if_interpretation") if spec.get("if_interpretation") else None
        return Less(_formula(item, _need(spec, item, f"{field}.of"), facts, f"{field}.of"), name, when=when_)
    if kind == "per_unit":  # Σ unit × count over the claim's lines, at most max_units units per claim
        lines = spec["per_unit"]
        if not isinstance(lines, list) or not lines:
            raise _bad(item, f"{field}.per_unit", "应为列表：每行 {count: 数量事实, unit: 单价参数}")
        of_lines = {str(line.get("count")) for line in lines if isinstance(line, dict)} & {
            f.name for f in facts if f.type == "lines"}
        if of_lines:
            return _per_line(item, field, spec, facts, lines, of_lines)
        out = []
        for i, line in enumerate(lines):
            where = f"{field}.per_unit[{i + 1}]"
            if not isinstance(line, dict) or set(line) != {"count", "unit"}:
                raise _bad(item, where, "应为 {count: 数量事实, unit: 单价参数}")
            count = str(line["count"])
            spec_fact = next((f for f in facts if f.name == count), None)
            if spec_fact is None or spec_fact.type != "number" or not spec_fact.whole:
                raise _bad(item, f"{where}.count", f"应引用 facts 中的整数数量事实（number，whole: true），现为 {count!r}")
            out.append((count, str(line["unit"])))
        return PerUnit(tuple(out), max_units=str(spec["max_units"]) if spec.get("max_units") else None)
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


def _per_line(item: str, field: str, spec: dict, facts, lines: list, of_lines: set) -> PerLine:
    """per_unit over a `lines` fact: one row {count: 清单事实, category: 类别, unit: 单价参数} per
    category of the fact, every category once, no count facts mixed in."""
    if len(of_lines) > 1 or any(not isinstance(line, dict) or str(line.get("count")) not in of_lines for line in lines):
        raise _bad(item, f"{field}.per_unit", "按清单计算时每行都应引用同一个清单事实：{count: 清单事实, category: 类别, unit: 单价参数}，"
                                              "不能与数量事实混写")
    name = next(iter(of_lines))
    fact_ = next(f for f in facts if f.name == name)
    assert fact_.columns is not None
    out, seen = [], set()
    for i, line in enumerate(lines):
        where = f"{field}.per_unit[{i + 1}]"
        if set(line) != {"count", "category", "unit"}:
            raise _bad(item, where, "应为 {count: 清单事实, category: 类别, unit: 单价参数}")
        cat = str(line["category"])
        if cat not in fact_.columns.options:
            raise _bad(item, f"{where}.category", f"{cat!r} 不是清单事实 {name} 的类别（可用：{'、'.join(fact_.columns.options)}）")
        if cat in seen:
            raise _bad(item, f"{where}.category", f"类别 {cat} 已有单价（每个类别只写一行）")
        seen.add(cat)
        out.append((cat, str(line["unit"])))
    missing = [c for c in fact_.columns.options if c not in seen]
    if missing:
        raise _bad(item, f"{field}.per_unit", f"清单事实 {name} 的类别 {'、'.join(missing)} 没有单价：每个类别写一行")
    return PerLine(name, tuple(out), max_units=str(spec["max_units"]) if spec.get("max_units") else None)


def _lines_used_only_by_per_unit(item: str, formula, facts) -> None:
    """A `lines` fact must be the one a per_unit formula reads (it means nothing elsewhere)."""
    read = set()
    stack = [formula]
    while stack:
        f = stack.pop()
        stack += [f.inner] if hasattr(f, "inner") else []
        if isinstance(f, PerLine):
            read.add(f.fact)
    for f in facts:
        if f.type == "lines" and f.name not in read:
            raise _bad(item, f"facts.{f.name}", "清单事实须由本项目的 per_unit 算法读取："
                                                "{per_unit: [{count: " + f.name + ", category: 类别, unit: 单价参数}, …]}")


CONDITION_TESTS = ("applicant", "applicant_kind", "unless", "when", "nothing_left", "fact", "missing", "all", "agree")


def _applies_flag(flag: str):
    return lambda cols, P, interp, fen: ~getattr(cols, flag)


def _condition(item: str, i: int, spec, facts, kinds_allowed=KINDS) -> Condition:
    where = f"conditions[{i + 1}]"
    if not isinstance(spec, dict):
        raise _bad(item, where, "应为映射")
    describe = str(_need(spec, item, where + ".describe"))
    reason = str(spec.get("reason", "condition_not_met"))
    if reason not in REASON_ORDER[:7]:
        raise _bad(item, where + ".reason", f"应为 {'、'.join(REASON_ORDER[:7])} 之一，现为 {reason!r}")
    test, params, detail = _test(item, where, spec, facts, kinds_allowed)
    only = _one_choice(spec["if_interpretation"], item, where + ".if_interpretation") if spec.get("if_interpretation") else None
    but = (_one_choice(spec["unless_interpretation"], item, where + ".unless_interpretation")
           if spec.get("unless_interpretation") else None)
    if only is not None and but is not None:
        raise _bad(item, where, "if_interpretation 与 unless_interpretation 只能写其一")
    traced = test.trace if isinstance(test, _Recording) else None
    if only is not None or but is not None:
        iid, option = only or but  # type: ignore[misc]  # (one of them is set: checked above)

        def applies(cols, P, interp, fen):  # the test is not even run under another reading
            if (interp.get(iid) == option) == (only is not None):
                return test(cols, P, interp, fen)
            return np.zeros(cols.n, dtype=bool)

        if traced is not None:
            inner = traced

            def traced(cols, P, interp, fen):  # the same, recording what the test compared
                if (interp.get(iid) == option) == (only is not None):
                    return inner(cols, P, interp, fen)
                return np.zeros(cols.n, dtype=bool), None

            applies = _Recording(traced)
    else:
        applies = test
    cond = Condition(reason, describe, applies, only_when=only, not_when=but, detail=detail, traced=traced)
    cond.params = tuple(params)  # type: ignore[attr-defined]  # read by `policy check`
    cond.interpretation = only or but  # type: ignore[attr-defined]
    return cond


class _Recording:
    """A test that records what it compared: called, its mask; `trace(…)`, (mask, values) with
    values a dict of per-claim arrays (what the condition's detail says when it fails)."""

    __slots__ = ("trace",)

    def __init__(self, trace):
        self.trace = trace

    def __call__(self, cols, P, interp, fen):
        return self.trace(cols, P, interp, fen)[0]


def _test(item: str, where: str, spec: dict, facts, kinds_allowed):
    """(applies, parameters read, detail) of one test of a condition; `all: [tests…]` applies
    where every one of them does."""
    names = _fact_names(facts)
    types = {f.name: f.type for f in facts}
    present = [k for k in CONDITION_TESTS if k in spec and not (k == "nothing_left" and not spec[k])]
    if len(present) != 1:
        raise _bad(item, where, f"应恰好写 {'、'.join(CONDITION_TESTS)} 之一，现为 {present or '无'}")
    kind = present[0]

    def fact(key, *allowed):
        name = str(spec[key])
        if name not in names:
            raise _bad(item, f"{where}.{key}", f"引用的事实 {name!r} 未在 facts 中定义")
        if allowed and types[name] not in allowed:
            raise _bad(item, f"{where}.{key}", f"事实 {name} 的类型应为 {'、'.join(allowed)}")
        return name

    if kind == "applicant":
        flag = str(spec["applicant"])
        if flag not in APPLICANT_FLAGS:
            raise _bad(item, where + ".applicant", f"应为申请人的 {'、'.join(APPLICANT_FLAGS)} 之一")
        return _applies_flag(flag), [], None
    if kind == "applicant_kind":  # the applicant is of one of these kinds
        kinds = _kinds(item, spec["applicant_kind"], where + ".applicant_kind", kinds_allowed)
        def of_kind(cols, P, interp, fen):
            m = cols.kind == kinds[0]
            for k in kinds[1:]:
                m = m | (cols.kind == k)
            return m

        return of_kind, [], None
    if kind == "unless":
        return unless(fact("unless", "bool"), "").applies, [], None
    if kind == "when":
        return when(fact("when", "bool"), "", "").applies, [], None
    if kind == "nothing_left":
        return nothing_left("", "").applies, [], None
    if kind == "missing":  # an optional fact left out (a reading of the text needs it)
        name = fact("missing")
        if not next(f for f in facts if f.name == name).optional:
            raise _bad(item, f"{where}.missing", f"事实 {name} 不是可选事实（optional），不会缺少")

        def left_out(cols, P, interp, fen):
            return np.fromiter((v is None or v == "" for v in cols.facts[name]), dtype=bool, count=cols.n)

        return left_out, [], None
    if kind == "agree":  # two facts (declared, or one the platform derives) that must agree
        pair = spec["agree"]
        if not isinstance(pair, list) or len(pair) != 2 or any(str(n) not in names for n in pair):
            raise _bad(item, where + ".agree", f"应为两个事实名的列表（事实须在 facts 中定义），现为 {pair!r}")
        a, b = (str(n) for n in pair)
        if types[a] != types[b]:
            raise _bad(item, where + ".agree", f"事实 {a}（{types[a]}）与 {b}（{types[b]}）类型不同，无法比较")

        def differ(cols, P, interp, fen):
            return np.asarray(cols.facts[a] != cols.facts[b], dtype=bool)

        return differ, [], _disagreement(a, b, facts)
    if kind == "all":
        parts = spec["all"]
        if not isinstance(parts, list) or len(parts) < 2:
            raise _bad(item, where + ".all", "应为至少两项检验的列表（同时成立时适用）")
        tests = [_test(item, f"{where}.all[{j + 1}]", part if isinstance(part, dict) else {}, facts, kinds_allowed)
                 for j, part in enumerate(parts)]

        said = next((j for j, (_, _, d) in enumerate(tests) if d is not None), None)

        def every(cols, P, interp, fen):
            m = tests[0][0](cols, P, interp, fen)
            for t, _, _ in tests[1:]:
                m = m & t(cols, P, interp, fen)
            return m

        def every_traced(cols, P, interp, fen):  # the values of the test whose detail is said
            values = None
            m = None
            for j, (t, _, _) in enumerate(tests):
                if isinstance(t, _Recording):
                    part, recorded = t.trace(cols, P, interp, fen)
                    values = recorded if j == said else values
                else:
                    part = t(cols, P, interp, fen)
                m = part if m is None else m & part
            return m, values

        recording = said is not None and isinstance(tests[said][0], _Recording)
        return ((_Recording(every_traced) if recording else every), [n for _, ps, _ in tests for n in ps],
                tests[said][2] if said is not None else None)
    name = fact("fact")
    return _comparison(item, where, spec, name, types[name], facts)


def _disagreement(a: str, b: str, facts):
    labels = {f.name: f for f in facts}

    def detail(row, values) -> str:
        def said(name):
            v = row["facts"][name]
            return fen_to_yuan(v) + " 元" if labels[name].type == "money" and isinstance(v, (int, np.integer)) else str(v)
        return f"{labels[a].label.split('（')[0]} {said(a)}，{labels[b].label.split('（')[0]} {said(b)}"

    return detail


def _exclusive(item, where, spec):
    """`exclusive_when: {解释: 选项}`: under that reading a number "以上" does not include itself."""
    if not spec.get("exclusive_when"):
        return lambda interp: False
    iid, option = _one_choice(spec["exclusive_when"], item, where + ".exclusive_when")
    return lambda interp: interp.get(iid) == option


def _comparison(item, where, spec, name, ftype, facts):
    """A fact compared with a value or a parameter read at the event date: (applies, params, detail)."""
    exclusive = _exclusive(item, where, spec)
    if "equals" in spec or "not_equals" in spec:
        key = "equals" if "equals" in spec else "not_equals"
        value = spec[key]
        value = str(value) if ftype in ("enum", "text") else value
        if key == "equals":
            return (lambda cols, P, interp, fen: cols.facts[name] == value), [], None
        return (lambda cols, P, interp, fen: cols.facts[name] != value), [], None
    if "below" in spec:  # the fact is less than a number parameter ("以上" includes the number itself)
        param = str(spec["below"])

        def below(cols, P, interp, fen):
            least = P.number(param, cols.event)
            return cols.facts[name] <= least if exclusive(interp) else cols.facts[name] < least

        return below, [param], None
    if "before" in spec:  # a date fact earlier than a date parameter (less some years of another)
        param = str(spec["before"])
        years = str(spec["minus_years"]) if spec.get("minus_years") else None
        if ftype != "date":
            raise _bad(item, where + ".fact", "before 只适用于日期事实")

        def before(cols, P, interp, fen):
            day = P.date(param, cols.event)
            if years is not None:
                day = add_years(np.broadcast_to(day, (cols.n,)), -np.asarray(P.number(years, cols.event)))
            return cols.facts[name] < day

        return before, [param] + ([years] if years else []), None
    if "years_to_event" in spec:  # the event comes before the date fact plus a number of years
        param = str(spec["years_to_event"])
        if ftype != "date":
            raise _bad(item, where + ".fact", "years_to_event 只适用于日期事实")

        def short(cols, P, interp, fen):  # recording the years read and the day they are complete
            years = P.number(param, cols.event)
            due = add_years(cols.facts[name], years)
            return (cols.event <= due if exclusive(interp) else cols.event < due), {"years": years, "due": due}

        since = str(spec["since"]) if spec.get("since") else None
        label = next(f.label for f in facts if f.name == name).split("（")[0]
        return _Recording(short), [param], _anniversary(name, label, since)
    raise _bad(item, where, "fact 条件须写 equals、not_equals、below、before 或 years_to_event 之一")


def _anniversary(name: str, label: str, since: str | None):
    """The day the years are complete, beside the event date: a person sees when the claim could
    succeed (《民法典》: a 29 February start completes on 28 February) — as the test computed it
    (`values`: the years read and that day). The date is said by the word for what happened on it
    (`since`: "2022-03-01 注册"), or by the fact's label."""
    def detail(row, values) -> str:
        years, due = int(values["years"]), int(values["due"])
        start = int(row["facts"][name])
        began = f"{iso(start)} {since}" if since else f"{label} {iso(start)}"
        return f"{began}，满{years}年之日为 {iso(due)}；事件日期 {iso(row['event'])}"

    return detail


def condition_params(spec: dict) -> list[str]:
    """The parameters a condition written as data reads (for `policy check`)."""
    own = [str(spec[k]) for k in ("below", "before", "minus_years", "years_to_event") if spec.get(k)]
    return own + [n for part in spec.get("all") or () if isinstance(part, dict) for n in condition_params(part)]


def _fields(item: str, field: str, spec, facts) -> tuple[str, ...]:
    if not isinstance(spec, list) or not spec:
        raise _bad(item, field, "应为事实名（或 applicant、event_year）的列表")
    names = _fact_names(facts) | {"applicant", EVENT_YEAR}
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
    group_when = {}
    for i, gw in enumerate(spec.get("group_when") or []):
        where = f"cap.group_when[{i + 1}]"
        if not isinstance(gw, dict):
            raise _bad(item, where, "应为 {interpretation: {编号: 选项}, group: [...], label: 分组说明}")
        group_when[_one_choice(gw.get("interpretation"), item, where + ".interpretation")] = (
            _fields(item, where + ".group", gw.get("group"), facts), str(_need(gw, item, where + ".label")))
    return Cap(
        str(_need(spec, item, "cap.param")),
        group=_fields(item, "cap.group", _need(spec, item, "cap.group"), facts),
        label=str(_need(spec, item, "cap.label")),
        by=str(by) if by else None,
        per_year_when=per_year,
        group_when=group_when,
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


def build_item(item_id: str, spec: dict, kinds_allowed=KINDS, parameters: dict | None = None,
               common_facts: dict | None = None, attributes: dict | None = None) -> Item:
    """One item written as data → an Item of the engine's vocabulary (`parameters`: the package's,
    to see whether a version of a table drops one of the item's options; `common_facts`: the
    facts every item of the package takes after its own)."""
    if not isinstance(spec, dict):
        raise AuthoringError(f"项目 {item_id}：应为映射")
    unknown = set(spec) - ITEM_KEYS
    if unknown:
        raise _bad(item_id, "、".join(sorted(map(str, unknown))), f"不是项目的字段（可用：{'、'.join(sorted(ITEM_KEYS))}）")
    own = _need(spec, item_id, "facts")
    if common_facts and isinstance(own, dict):
        for name in set(own) & set(common_facts):
            raise _bad(item_id, f"facts.{name}", "与 common_facts 中的事实同名")
        own = {**own, **common_facts}
    if spec.get("attributes") and isinstance(own, dict):
        own = {**own, **_attributes(item_id, spec["attributes"], attributes or {}, own)}
    facts = _facts(item_id, own)
    _lines_misused(item_id, spec, facts)
    _check_sources(item_id, facts, parameters or {})
    formula = _formula(item_id, _need(spec, item_id, "formula"), facts)
    _lines_used_only_by_per_unit(item_id, formula, facts)
    conditions = [_condition(item_id, i, c, facts, kinds_allowed) for i, c in enumerate(spec.get("conditions") or [])]
    table = spec["formula"].get("table")
    by = spec["formula"].get("by")
    by_fact = next((f for f in facts if f.name == by), None)
    # An option read as another (read_as) takes that one's amount: it needs no entry of its own.
    options = set(by_fact.options) - set(by_fact.alias_when) if by_fact is not None else set()
    if table and parameters is not None and any(options - keys for keys in _table_keys_by_version(parameters, str(table))):
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
    top_up_by = _fields(item_id, "top_up_by", spec["top_up_by"], facts) if spec.get("top_up_by") else ("applicant",)
    _keys_declared(item_id, facts, spec)
    evidence = spec.get("evidence") or []
    if not isinstance(evidence, list):
        raise _bad(item_id, "evidence", "应为证明材料名称的列表")
    stages: tuple = ()
    if spec.get("installments") is not None:
        try:
            stages = read_stages(spec["installments"])
        except InstallmentError as exc:
            raise _bad(item_id, exc.field, exc.problem) from None
    promise = _promise(item_id, spec["promise"], evidence) if spec.get("promise") else None
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
        top_up_by=top_up_by,
        kinds_by=kinds_by,
        zone_exempt=True,  # no gate is assumed: the package declares its own
        requires_sme=False,
        interpretations=tuple(str(i) for i in spec.get("interpretations") or ()),
        evidence=tuple(str(e) for e in evidence),
        installments=stages,
        promise=promise,
    )


ATTRIBUTE_SOURCES = "declared（申请人申报）、confirmed（申请人申报，审核人员核对）或 {register: 名单代码}"


def read_attributes(raw) -> dict:
    """The applicant attributes a package declares (`attributes:`): each a fact written once, with
    where its value comes from, which every item using it takes among its facts."""
    if not raw:
        return {}
    if not isinstance(raw, dict):
        raise AuthoringError("attributes：应为「属性名: {type, label, from}」的映射")
    for name, spec in raw.items():
        if not isinstance(spec, dict):
            raise AuthoringError(f"attributes.{name}：应为 {{type, label, from}}")
        if "from" not in spec:
            raise AuthoringError(f"attributes.{name}：申请人属性须写明来源 from：{ATTRIBUTE_SOURCES}")
        source = spec["from"]
        if source not in ("declared", "confirmed") and not (isinstance(source, dict) and set(source) == {"register"}):
            raise AuthoringError(f"attributes.{name}.from：应为 {ATTRIBUTE_SOURCES}，现为 {source!r}")
    return raw


def _attributes(item: str, names, declared: dict, own: dict) -> dict:
    if not isinstance(names, list) or not names:
        raise _bad(item, "attributes", "应为申请人属性名的列表（属性在顶层 attributes 中声明）")
    out = {}
    for name in names:
        if name not in declared:
            raise _bad(item, "attributes", f"申请人属性 {name!r} 未在顶层 attributes 中声明")
        if name in own:
            raise _bad(item, f"facts.{name}", "与申请人属性同名")
        out[str(name)] = declared[name]
    return out


def _check_sources(item: str, facts, parameters: dict) -> None:
    """The facts the platform knows read facts and parameters that exist, never divide by what may
    be 0, and do not read each other in a circle."""
    by_name = {f.name: f for f in facts}

    def param_kind(name):
        p = parameters.get(name)
        return (p or {}).get("kind") if isinstance(p, dict) else None

    for f in facts:
        s, where = f.source, f"facts.{f.name}.from"
        if isinstance(s, Derive):
            for k, name in enumerate(s.operands):
                if name in by_name:
                    if by_name[name].type not in ("money", "number", "year"):
                        raise _bad(item, f"{where}.derive", f"事实 {name} 不是数量或金额，不能参与计算")
                elif param_kind(name) not in ("money", "number", "rate"):
                    raise _bad(item, f"{where}.derive", f"{name!r} 既不是本项目的事实，也不是金额、数量或比例参数")
                if s.op == "share" and k == 0 and param_kind(name) != "rate":
                    raise _bad(item, f"{where}.derive.share", f"应为比例参数（rate），现为 {name!r}")
            if s.op == "divide":
                divisor = s.operands[1]
                if divisor in by_name:
                    if not by_name[divisor].positive:
                        raise _bad(item, f"{where}.derive.divide", f"除数 {divisor} 可能为 0：应为不为 0 的参数，或写明 positive: true 的金额事实")
                elif any(str(v.get("value")).strip() in ("0", "0.0", "0.00") for v in (parameters[divisor].get("values") or ())
                         if isinstance(v, dict)):
                    raise _bad(item, f"{where}.derive.divide", f"除数参数 {divisor} 有取值为 0 的版本")
        elif isinstance(s, LastYear):
            if s.year not in by_name or by_name[s.year].type != "year":
                raise _bad(item, f"{where}.last_year.year", f"应为本项目的年度事实（year），现为 {s.year!r}")
            if s.otherwise is not None:
                other = by_name.get(s.otherwise)
                if other is None or other.source not in (DECLARED, "confirmed"):
                    raise _bad(item, f"{where}.last_year.otherwise", f"应为申请人申报的事实，现为 {s.otherwise!r}")
    try:
        order(facts, item)
    except SourceError as exc:
        raise _bad(item, exc.args[0], exc.args[1]) from None


def _keys_declared(item: str, facts, spec: dict) -> None:
    """A duplicate key, cap group or top-up is built of facts the claim states: the ledger files
    an award under it before and without the platform's readings."""
    platform = {f.name for f in facts if not isinstance(f.source, str)}
    if not platform:
        return
    cap: dict = spec["cap"] if isinstance(spec.get("cap"), dict) else {}
    for field, names in (("key", spec.get("key")), ("cap.group", cap.get("group")), ("top_up_by", spec.get("top_up_by"))):
        for name in names or ():
            if name in platform:
                raise _bad(item, field, f"不能使用平台认定的事实 {name}（重复资助判断与上限分组只用申请人申报的事实）")


def _promise(item_id: str, spec, evidence) -> Promise:
    """An item's promise: `{text, evidence, years, from | from_by, recovery | recovery_by, breaches}`."""
    if not isinstance(spec, dict):
        raise _bad(item_id, "promise", "应为 {text, evidence, years, from 或 from_by, recovery 或 recovery_by, breaches}")
    for field in ("text", "evidence", "years"):
        _need(spec, item_id, f"promise.{field}")
    if str(spec["evidence"]) not in [str(e) for e in evidence]:
        raise _bad(item_id, "promise.evidence", f"「{spec['evidence']}」不在本项目的证明材料清单（evidence）中：签署的承诺书须作为证明材料提交")
    fixed = {"from": PROMISE_STARTS, "recovery": PROMISE_RECOVERIES}
    chosen: dict[str, str | None] = {}
    for name, options in fixed.items():
        value, by = spec.get(name), spec.get(f"{name}_by")
        if (value is None) == (by is None):
            raise _bad(item_id, f"promise.{name}", f"应写 {name}（{'、'.join(options)}）或 {name}_by（解释编号，文本未写明时）之一")
        if value is not None and str(value) not in options:
            raise _bad(item_id, f"promise.{name}", f"应为 {'、'.join(f'{k}（{v}）' for k, v in options.items())} 之一")
        chosen[name], chosen[f"{name}_by"] = (None if value is None else str(value)), (None if by is None else str(by))
    breaches = tuple(str(b) for b in spec.get("breaches") or BREACHES)
    for b in breaches:
        if b not in BREACHES:
            raise _bad(item_id, "promise.breaches", f"未知的违反承诺情形 {b!r}（可用：{'、'.join(f'{k}（{v}）' for k, v in BREACHES.items())}）")
    return Promise(text=str(spec["text"]), evidence=str(spec["evidence"]), years=str(spec["years"]),
                   start=chosen["from"], start_by=chosen["from_by"], recovery=chosen["recovery"],
                   recovery_by=chosen["recovery_by"], breaches=breaches)


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
    common = data.get("common_facts") or {}
    if not isinstance(common, dict):
        raise AuthoringError("policy.yaml 的 common_facts 应为「事实名: {type, label}」的映射（每个项目都有的事实）")
    attributes = read_attributes(data.get("attributes"))
    return tuple(build_item(str(iid), spec, kinds, data.get("parameters"), common, attributes) for iid, spec in items.items())

