"""`ipfund policy check`: everything that would make a package disagree with itself or its text.

Every quoted sentence is verbatim in the text (line breaks and spaces of the layout removed);
every parameter and item cites a catalogued clause; every numbered clause of the text is
catalogued; every version of a parameter has the shape its kind and its users need, and every
version after the first carries the document that set it, whose sentence is verbatim in that
document's text. Messages are Chinese and name the thing that is wrong.
"""

from __future__ import annotations

import datetime as _dt

from ..errors import BatchError
from ..vocabulary import AtMost, Fixed, KINDS, REASON_ORDER, Less, Rate, Table, Tiers
from .scaffold import clause_numbers

#: parameter kinds each use needs
NEEDS = {Fixed: ("money",), AtMost: ("money",), Rate: ("rate",), Table: ("money_table",), Tiers: ("tiers",)}


def _squeeze(text: str) -> str:
    from ..policy import squeeze

    return squeeze(text)


def check_package(policy) -> list[str]:
    problems: list[str] = []
    text = _squeeze(policy.source_text)
    numbers = {c.number for c in policy.clauses}
    problems += _clauses(policy, text, numbers)
    problems += _parameters(policy, numbers)
    problems += _interpretations(policy, numbers)
    if not policy.items:
        problems.append("政策包还没有项目：在 policy.yaml 的 items 下写出每个可申报项目")
    for item in policy.items.values():
        problems += _item(policy, item, text, numbers)
    problems += _continues(policy)
    for needed in ("validity.start", "validity.end"):
        if needed not in policy.parameters:
            problems.append(f"缺少参数 {needed}（政策有效期）")
    return problems


def _clauses(policy, text, numbers) -> list[str]:
    out = []
    for c in policy.clauses:
        if not c.source:
            out.append(f"条款 {c.number}：没有引用原文语句")
        for s in c.source:
            if _squeeze(s) not in text:
                out.append(f"条款 {c.number}：语句不在原文中（须逐字引用）：{s}")
    for number in clause_numbers(policy.source_text):
        if number not in numbers:
            out.append(f"原文条款 {number} 未列入条款目录（clauses）")
    return out


def _parameters(policy, numbers) -> list[str]:
    out = []
    for name, p in policy.parameters.items():
        if not p.clause:
            out.append(f"参数 {name}：未注明所依据的条款（clause）")
        elif p.clause not in numbers:
            out.append(f"参数 {name}：所依据的条款 {p.clause!r} 不在条款目录中")
        if len(set(p.starts)) != len(p.starts):
            out.append(f"参数 {name}：有两个版本自同一日期起施行")
        for k, (start, value) in enumerate(zip(p.starts, p.values)):
            when = _dt.date.fromordinal(start).isoformat()
            out += [f"参数 {name} 自 {when} 起的版本：{m}" for m in _shape(p.kind, value)]
            amended = p.amended_by[k] if p.amended_by else None
            if k and amended is None:
                out.append(f"参数 {name} 自 {when} 起的版本：未注明修订文件（amended_by：文号）和语句（sentence）")
            if amended:
                out += [f"参数 {name} 自 {when} 起的版本：{m}" for m in _amendment(policy, amended, start)]
        out += _unit(policy, p)
    return out


def _unit(policy, par) -> list[str]:
    """A declared `unit` (元 or 万元) is how the text quotes the parameter's amounts: each amount of
    each version must be written so in the sentences that set it (the clause's, or an amending
    document's sentence, or an earlier one) — "1万" for 10000 in 万元, "5000元" in 元."""
    import re

    from ..money import UNITS, in_unit

    declared = (policy.data.get("parameters") or {}).get(par.name, {}).get("unit")
    if declared is None:
        return []
    if declared not in UNITS:
        return [f"参数 {par.name}：未知的单位 {declared!r}（可选：{'、'.join(UNITS)}）"]
    if par.kind not in ("money", "money_table", "tiers"):
        return [f"参数 {par.name}：类型为 {par.kind}，不是金额，不应注明单位（unit）"]
    clause = policy.clause(par.clause)
    own = "".join(_squeeze(s) for s in clause.source) if clause is not None else ""
    raw = (policy.data.get("parameters") or {}).get(par.name, {}).get("values") or []
    out, text = [], own
    for k, value in enumerate(par.values):
        # An amendment may restate only what it changes: the rest is still said where it was.
        amended = par.amended_by[k] if par.amended_by else None
        text = _squeeze(amended[1]) + "\n" + text if amended else text
        if par.kind == "money":
            amounts = [value]
        elif par.kind == "money_table":
            amounts = list(value.values())
        else:  # tiers: the amounts, and the thresholds written as money (strings)
            tiers = ((raw[k].get("value") or {}).get("tiers") or []) if k < len(raw) else []
            money_thresholds = all(isinstance(t[0], str) for t in tiers if t)
            amounts = [a for _, a in value[1]] + ([t for t, _ in value[1]] if money_thresholds else [])
        word = "万" if declared == "万元" else "元"
        for fen in dict.fromkeys(amounts):
            said = in_unit(fen, declared) + word
            if not re.search(r"(?<![\d.])" + re.escape(said), text):
                when = _dt.date.fromordinal(par.starts[k]).isoformat()
                out.append(f"参数 {par.name} 自 {when} 起的版本：单位注明为{declared}，但所依据的语句中没有“{said}”"
                           f"（{in_unit(fen, '元')} 元）")
    return out


def _shape(kind: str, value) -> list[str]:
    if kind == "tiers":
        _inclusive, tiers = value
        thresholds = [t for t, _ in tiers]
        out = []
        if not tiers:
            out.append("档次为空")
        if thresholds != sorted(set(thresholds)):
            out.append("档次门槛应由低到高且不重复")
        if [a for _, a in tiers] != sorted(a for _, a in tiers):
            out.append("档次金额应随门槛升高而不减少")
        return out
    if kind == "money_table" and not value:
        return ["金额表为空"]
    if kind == "rate" and not 0 <= value <= 1:
        return ["比例应在 0 至 1 之间"]
    return []


def _amendment(policy, amended, start) -> list[str]:
    number, sentence = amended
    doc = policy.documents.get(number)
    if doc is None:
        return [f"修订文件 {number} 未列入 documents"]
    out = []
    if not sentence:
        out.append(f"未引用修订文件 {number} 的语句（sentence）")
    from ..policy import package_file

    try:
        doc_text = package_file(policy.path, doc.get("source_file", "")).read_text(encoding="utf-8")
    except (OSError, BatchError):
        return out + [f"修订文件 {number} 的原文 {doc.get('source_file')!r} 无法读取"]
    if sentence and _squeeze(sentence) not in _squeeze(doc_text):
        out.append(f"语句不在修订文件 {number} 的原文中（须逐字引用）：{sentence}")
    doc_date = _dt.date.fromisoformat(str(doc.get("date")))
    if start < doc_date.toordinal():
        out.append(f"施行日期早于修订文件 {number} 的发布日期 {doc_date.isoformat()}")
    return out


def _interpretations(policy, numbers) -> list[str]:
    out = []
    for iid, i in policy.interpretations.items():
        if i.default not in i.options:
            out.append(f"解释 {iid}：默认选项 {i.default!r} 不在其选项中")
        if i.clause and i.clause not in numbers:
            out.append(f"解释 {iid}：所依据的条款 {i.clause!r} 不在条款目录中")
    return out


def _formulas(formula):
    yield formula
    if isinstance(formula, (AtMost, Less)):
        yield from _formulas(formula.inner)


def _item(policy, item, text, numbers) -> list[str]:
    from ..policy import _item_params

    out, where = [], f"项目 {item.id}"
    clause = policy.clause(item.clause)
    source = _squeeze(item.source)
    if clause is None:
        out.append(f"{where}：所依据的条款 {item.clause!r} 不在条款目录中")
    elif source not in text:
        out.append(f"{where}：引用的语句不在原文中（须逐字引用）：{item.source}")
    elif not any(source in _squeeze(s) or _squeeze(s) in source for s in clause.source):
        out.append(f"{where}：引用的语句不是条款 {item.clause} 的语句")
    names = list(_item_params(item)) + [n for c in item.conditions for n in getattr(c, "params", ())]
    for name in names:
        if name not in policy.parameters:
            out.append(f"{where}：读取的参数 {name!r} 未定义")
    for f in _formulas(item.formula):
        kinds = NEEDS.get(type(f))
        param = getattr(f, "param", None)
        par = policy.parameters.get(param) if param else None
        if par is None or kinds is None:
            continue
        if par.kind not in kinds:
            out.append(f"{where}：参数 {param} 的类型为 {par.kind}，本算法需要 {'、'.join(kinds)}")
        elif isinstance(f, Table):
            out += _table_keys(where, item, f, par)
        elif isinstance(f, Tiers):
            out += _tier_units(policy, where, f, par)
    if item.cap is not None and item.cap.param in policy.parameters:
        want = "money_table" if item.cap.by else "money"
        if policy.parameters[item.cap.param].kind != want:
            out.append(f"{where}：上限参数 {item.cap.param} 的类型应为 {want}")
    relied = set(item.interpretations)
    relied |= {c.interpretation[0] for c in item.conditions if getattr(c, "interpretation", None)}
    for iid in sorted(relied):
        if iid not in policy.interpretations:
            out.append(f"{where}：解释 {iid!r} 未在解释登记（interpretations）中")
    for k in item.kinds:
        if k not in KINDS:
            out.append(f"{where}：未知的申请人类型 {k!r}")
    for cond in item.conditions:
        if cond.reason not in REASON_ORDER:
            out.append(f"{where}：未知的原因 {cond.reason!r}")
    if not item.evidence:
        out.append(f"{where}：没有证明材料清单（evidence）")
    return out


def _table_keys(where, item, formula, par) -> list[str]:
    fact = item.fact(formula.by)
    # An option read as another under an interpretation (fact.alias_when) takes that one's amount.
    options = set(fact.options) - set(fact.alias_when)
    out = []
    for start, value in zip(par.starts, par.values):
        extra = set(value) - options
        if extra:
            when = _dt.date.fromordinal(start).isoformat()
            out.append(f"{where}：参数 {par.name} 自 {when} 起的版本有事实 {formula.by} 没有的取值 {'、'.join(sorted(extra))}")
    never = options - {k for v in par.values for k in v}
    if never:
        out.append(f"{where}：事实 {formula.by} 的取值 {'、'.join(sorted(never))} 在参数 {par.name} 的任何版本中都没有金额")
    return out


def _tier_units(policy, where, formula, par) -> list[str]:
    """Money thresholds are written as yuan strings, counts as integers: a count written where money
    is meant (or the reverse) would compare fen with a number of enterprises, silently."""
    raw = (policy.data.get("parameters") or {}).get(par.name, {}).get("values") or []
    want, word = (str, "以元计的字符串（如 \"1000000\"）") if formula.of_money else (int, "整数（家数、数量）")
    for version in raw:
        tiers = ((version.get("value") or {}).get("tiers") or []) if isinstance(version, dict) else []
        if any(type(t[0]) is not want for t in tiers if isinstance(t, (list, tuple)) and t):
            return [f"{where}：参数 {par.name} 自 {version.get('from')} 起的版本，档次门槛应写成{word}"]
    return []


def _continues(policy) -> list[str]:
    if not policy.predecessor_id:
        return []
    try:
        pred = policy.predecessor()
    except BatchError as exc:
        return [str(exc)]
    out = []
    for mine, theirs in policy.continued.items():
        item, old = policy.items.get(mine), pred.items.get(theirs)
        if item is None:
            out.append(f"延续：本政策没有项目 {mine}")
            continue
        if old is None:
            out.append(f"延续：前序政策 {pred.id} 没有项目 {theirs}")
            continue
        if item.key != old.key:
            out.append(f"延续项目 {mine}：重复键 {item.key} 与 {pred.id} 的 {theirs} 的 {old.key} 不同，无法跨政策判断重复")
        if (item.cap is None) != (old.cap is None) or (item.cap and item.cap.group != old.cap.group):
            out.append(f"延续项目 {mine}：上限分组与 {pred.id} 的 {theirs} 不同，无法跨政策累计")
        for name in set(item.key or ()) | set(item.cap.group if item.cap else ()):
            if name != "applicant" and name in {f.name for f in old.facts} and item.fact(name).type != old.fact(name).type:
                out.append(f"延续项目 {mine}：事实 {name} 的类型与 {pred.id} 的 {theirs} 不同")
    for item in policy.items.values():
        if item.id in pred.items and item.id not in policy.continued:
            out.append(f"项目 {item.id}：与前序政策 {pred.id} 的项目同名却未声明延续（continues.items）；请改名或声明延续")
    return out
