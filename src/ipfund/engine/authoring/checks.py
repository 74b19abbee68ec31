"""`ipfund policy check`: everything that would make a package disagree with itself or its text.

Every key of policy.yaml is known and every value has its shape (schema.py); every quoted
sentence is verbatim in the text (line breaks and spaces of the layout removed); every parameter
and item cites a catalogued clause; every numbered clause of the text is catalogued; every
sentence of a monetary clause is used by a rule or marked, with a reason, as deciding no money;
every parameter is read by some rule, and its values — amounts, rates, numbers, dates, the last
day of the validity — are the ones its sentences say; every version of a parameter has the shape
its kind and its users need, and every version after the first carries the document that set it,
whose sentence is verbatim in that document's text. A fact collected and never used is a warning.

Every problem is a Chinese message naming the file and the line (`policy.yaml 第 12 行：…`):
`check_folder` never raises, whatever the package holds.
"""

from __future__ import annotations

import datetime as _dt
import re

from ..errors import BatchError
from ..vocabulary import AtMost, Fixed, KINDS, REASON_ORDER, Less, Rate, Table, Tiers
from .scaffold import clause_numbers
from .schema import Lines, located, shape_problems

#: parameter kinds each use needs
NEEDS = {Fixed: ("money",), AtMost: ("money",), Rate: ("rate",), Table: ("money_table",), Tiers: ("tiers",)}

#: Passages that are no rule's business: a heading names its clause, the notice frames the text.
NO_RULE_ROLES = ("heading", "document")


def _squeeze(text: str) -> str:
    from ..policy import squeeze

    return squeeze(text)


def package_lines(policy) -> Lines:
    """Where each value of the package is written (policy.yaml, and items.yaml if the items are there)."""
    try:
        lines = Lines((policy.path / "policy.yaml").read_text(encoding="utf-8"))
        items = policy.path / "items.yaml"
        if items.is_file() and "items" not in lines.at.get((), {}) and ("items",) not in lines.at:
            lines.merge(Lines(items.read_text(encoding="utf-8"), "items.yaml", ("items",)))
    except (OSError, UnicodeDecodeError, TypeError, AttributeError):
        lines = Lines("")
    return lines


def check_package(policy, lines: Lines | None = None) -> list[str]:
    """Every problem of a loaded package, each naming its file and line."""
    lines = lines or package_lines(policy)
    shape = shape_problems(policy.data, lines)
    if shape:
        return shape
    found: list[tuple[tuple, str]] = []
    text = _squeeze(policy.source_text)
    numbers = {c.number for c in policy.clauses}
    found += _clauses(policy, text, numbers)
    found += _money_sentences(policy)
    found += [(("parameters", n), m) for n, m in _parameters(policy, numbers)]
    found += _unused_parameters(policy)
    found += _said(policy)
    found += _interpretations(policy, numbers)
    if not policy.items:
        found.append((("items",), "政策包还没有项目：在 policy.yaml 的 items 下写出每个可申报项目"))
    for item in policy.items.values():
        found += [(("items", item.id), m) for m in _item(policy, item, text, numbers)]
    found += [(("continues",), m) for m in _continues(policy)]
    found += _allocation(policy)
    if hasattr(policy, "_shared_cap_problems"):  # caps over several items, quantities (policy.py)
        for m in policy._shared_cap_problems():  # a quantity's parameter: at its item's formula
            quantity = re.match(r"项目 (\S+)：(?:单价参数|最多资助数量参数)", m)
            found.append((("items", quantity.group(1), "formula") if quantity else ("caps",), m))
    for needed in ("validity.start", "validity.end"):
        if needed not in policy.parameters:
            found.append((("parameters",), f"缺少参数 {needed}（政策有效期）"))
    out = []
    for path, message in found:
        if path and path[0] == "source.txt":
            out.append(f"{policy.data.get('source_file', 'source.txt')} 第 {_source_line(policy.source_text, path[1])} 行：{message}")
        else:
            out.append(located(lines, path, message))
    return out


def _allocation(policy) -> list[tuple[tuple, str]]:
    """The allocation's sentences: each quoted verbatim from its clause, and saying what it declares."""
    from ..allocation import sentence_problems

    allocation = getattr(policy, "allocation", None)
    if not allocation:
        return []
    clauses = {c.number: c for c in policy.clauses}
    declared = ([(("allocation", "pro_rata"), allocation.pro_rata)] if allocation.pro_rata else []) + \
        [(("allocation", "quotas", q.id), q) for q in allocation.quotas]
    out = []
    for path, rule in declared:
        clause = clauses.get(rule.clause)
        if clause is None:
            out.append((path + ("clause",), f"条款 {rule.clause} 不在条款目录中"))
        elif not any(_squeeze(rule.sentence) in _squeeze(s) for s in clause.source):
            out.append((path + ("sentence",), f"语句不是条款 {rule.clause} 的语句（须逐字引用）：{rule.sentence}"))
    return out + sentence_problems(allocation)


def check_folder(path) -> tuple[list[str], list[str]]:
    """(problems, warnings) of a package folder, each naming its file and line; never raises."""
    from pathlib import Path

    folder = Path(path)
    main = folder / "policy.yaml"
    try:
        raw = main.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [f"{folder}：没有 policy.yaml，不是政策包"], []
    except (OSError, UnicodeDecodeError) as exc:
        return [f"policy.yaml：无法读取（{_os_reason(exc)}）"], []
    data, problem = _parse(raw, "policy.yaml")
    if problem:
        return [problem], []
    lines = Lines(raw)
    if isinstance(data, dict) and "items" not in data and (folder / "items.yaml").is_file():
        try:
            items_raw = (folder / "items.yaml").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            return [f"items.yaml：无法读取（{_os_reason(exc)}）"], []
        items, problem = _parse(items_raw, "items.yaml")
        if problem:
            return [problem], []
        data = {**data, "items": items}
        lines.merge(Lines(items_raw, "items.yaml", ("items",)))
    shape = shape_problems(data, lines)
    if shape:
        return shape, []
    problem = _source_problem(folder, data, lines)
    if problem:
        return [problem], []
    try:
        policy = _load(folder)
    except Exception as exc:  # noqa: BLE001 - every problem is a message, never a traceback
        return [_load_problem(exc, lines)], []
    try:
        return check_package(policy, lines), unused_facts(policy, lines) + unkeyed_line_objects(policy, lines)
    except Exception as exc:  # noqa: BLE001
        return [f"policy.yaml：检查未能完成（{type(exc).__name__}：{exc}）；请按以上各项核对政策包"], []


def _os_reason(exc) -> str:
    return getattr(exc, "strerror", None) or "不是 UTF-8 文本"


def _parse(raw: str, file: str):
    import yaml

    try:
        return yaml.load(raw, Loader=yaml.SafeLoader), None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file} 第 {mark.line + 1} 行" if mark is not None else file
        what = getattr(exc, "problem", None) or "格式错误"
        return None, f"{where}：YAML 格式错误（{what}）"
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:  # a value YAML cannot build
        return None, f"{file}：YAML 格式错误（{exc}）"


def _source_problem(folder, data, lines) -> str | None:
    from ..policy import package_file

    name = data.get("source_file", "source.txt")
    try:
        package_file(folder, name).read_text(encoding="utf-8")
    except BatchError as exc:
        return located(lines, ("source_file",), str(exc))
    except (OSError, UnicodeDecodeError) as exc:
        return located(lines, ("source_file",), f"原文 {name!r} 无法读取（{_os_reason(exc)}）")
    return None


def _load(folder):
    from ..policy import _load_path

    return _load_path(folder)


_TOP_FIELD = re.compile(r"^(?P<path>(?:caps|exclusive_groups|allocation)(?:\.[^.：\s]+)*)：")
_ITEM_FIELD = re.compile(r"项目 (?P<item>[^：]+)：(?:缺少)?「(?P<field>[^」]+)」")


def _load_problem(exc, lines: Lines) -> str:
    """A package that does not load: the loader's message, at the line of what it names."""
    message = str(exc.args[0]) if getattr(exc, "args", None) and isinstance(exc.args[0], str) else str(exc)
    m = _ITEM_FIELD.search(message)
    if m:
        path = ["items", m.group("item")]
        for part in re.split(r"\.", m.group("field").split("、")[0]):
            name, *indexes = re.split(r"\[", part)
            path.append(name)
            path += [int(i.rstrip("]")) - 1 for i in indexes if i.rstrip("]").isdigit()]
        return located(lines, tuple(path), message)
    top = _TOP_FIELD.match(message)
    if top:
        return located(lines, tuple(top.group("path").split(".")), message)
    from ..items import AuthoringError

    if isinstance(exc, (AuthoringError, BatchError)):
        return located(lines, ("items",) if isinstance(exc, AuthoringError) else (), message)
    return located(lines, (), f"政策包无法读取（{type(exc).__name__}：{message}）")


def _source_line(source_text: str, sentence: str) -> int:
    """The line of the source text where a (squeezed) sentence begins."""
    squeezed, line_of = [], []
    line = 1
    for ch in source_text:
        if ch == "\n":
            line += 1
        if not ch.isspace():
            squeezed.append(ch)
            line_of.append(line)
    at = "".join(squeezed).find(_squeeze(sentence))
    return line_of[at] if at >= 0 and line_of else 1


def _clauses(policy, text, numbers) -> list[tuple[tuple, str]]:
    from ..policy import ROLE_LABELS, uncatalogued

    out = []
    for i, c in enumerate(policy.clauses):
        if not c.source:
            out.append((("clauses", i), f"条款 {c.number}：没有引用原文语句"))
        for j, s in enumerate(c.source):
            if _squeeze(s) not in text:
                out.append((("clauses", i, "source", j), f"条款 {c.number}：语句不在原文中（须逐字引用）：{s}"))
        for j, role in enumerate(c.roles):
            if role not in ROLE_LABELS:
                out.append((("clauses", i, "source", j, "role"),
                            f"条款 {c.number}：未知的语句作用 {role!r}（可选：{'、'.join(ROLE_LABELS)}）"))
    for number in clause_numbers(policy.source_text):
        if number not in numbers:
            out.append((("clauses",), f"原文条款 {number} 未列入条款目录（clauses）"))
    for sentence in uncatalogued(policy.source_text, [s for c in policy.clauses for s in c.source]):
        out.append((("source.txt", sentence), f"原文语句不属于任何条款：{sentence}"))
    return out


_AMOUNT = re.compile(r"\d+(?:\.\d+)?(?:万?元|%)")


def _money_sentences(policy) -> list[tuple[tuple, str]]:
    """Every sentence of a monetary clause is used by a rule — an item quoting it, or the items,
    parameters and interpretations it names (`used_by`) — or says why it decides no money
    (`reason`); a heading or the notice is no rule's business. A clause marked as deciding no
    money holds no amount."""
    from ..policy import ROLE_LABELS

    raw_clauses = policy.data.get("clauses") or []
    names = {**{i: ("项目", it.clause, ()) for i, it in policy.items.items()},
             **{n: ("参数", p.clause, ()) for n, p in policy.parameters.items()},
             # an interpretation may span clauses: its question names the others ("四（一）…与五（一）…")
             **{n: ("解释", x.clause, tuple(c.number for c in policy.clauses if c.number in str(x.question)))
                for n, x in policy.interpretations.items()},
             # caps over several items and exclusive groups (就高不重复) are rules of their clause
             **{c.id: ("合计上限", c.clause, ()) for c in getattr(policy, "caps", ())},
             **{g.id: ("就高不重复组", g.clause, ()) for g in getattr(policy, "exclusive_groups", ())},
             # where a fact the platform knows, or an applicant attribute, comes from is said by a clause
             **_sourced_names(policy),
             # allocation after the round: the pro-rata cut and each quota
             **({"pro_rata": ("按比例核减", policy.allocation.pro_rata.clause, ())}
                if getattr(policy, "allocation", None) and policy.allocation.pro_rata else {}),
             **{q.id: ("名额", q.clause, ()) for q in getattr(getattr(policy, "allocation", None), "quotas", ())}}
    quoted = [(_squeeze(it.source), it.id) for it in policy.items.values()]
    # an item's installments (分期拨付) use the sentences they quote
    quoted += [(_squeeze(st.sentence), it.id) for it in policy.items.values() for st in getattr(it, "installments", ())]
    out = []
    for i, c in enumerate(policy.clauses):
        raw = raw_clauses[i].get("source") or [] if i < len(raw_clauses) else []
        for j, (role, passage) in enumerate(c.passages):
            spec = raw[j] if j < len(raw) and isinstance(raw[j], dict) else {}
            where = ("clauses", i, "source", j)
            short = passage if len(passage) <= 40 else passage[:40] + "…"
            if not c.monetary:
                if role not in NO_RULE_ROLES and _AMOUNT.search(_squeeze(passage)):
                    out.append((where, f"条款 {c.number} 注明不定金额（monetary: false），语句却写有金额：{short}"))
                continue
            used = [it for q, it in quoted if q and (q in _squeeze(passage) or _squeeze(passage) in q)]
            for name in spec.get("used_by") or ():
                what = names.get(str(name))
                if what is None:
                    out.append((where + ("used_by",), f"条款 {c.number}：used_by 中的 {name!r} 不是本政策包的项目、参数、解释、合计上限或就高不重复组"))
                elif what[1] != c.number and c.number not in what[2]:
                    out.append((where + ("used_by",), f"条款 {c.number}：used_by 中的{what[0]} {name} 所依据的是条款 {what[1]}，不是本条款"))
                else:
                    used.append(str(name))
            if role in NO_RULE_ROLES:
                continue
            if role == "money" and not used:
                out.append((where, f"条款 {c.number}：资金语句没有规则使用：{short}（写出引用它的项目，或以 used_by 注明使用它的"
                                   f"项目、参数、解释；不定金额的语句请改为其他作用并以 reason 注明理由）"))
            elif role == "money" and spec.get("reason"):
                out.append((where + ("reason",), f"条款 {c.number}：资金语句却注明了不定金额的理由：{short}（请改为其他作用）"))
            elif role != "money" and not used and not spec.get("reason"):
                out.append((where, f"条款 {c.number}：{ROLE_LABELS.get(role, role)}语句既没有规则使用，也未注明不定金额的理由"
                                   f"（reason）：{short}"))
    return out


def _sourced_names(policy) -> dict:
    """`项目.事实` of the facts and the applicant attributes that name the clause saying where their
    value comes from (`clause:`): a sentence such as "上年授权量以…为准" is used by them."""
    out = {}
    items = policy.data.get("items") or {}
    for iid, spec in items.items() if isinstance(items, dict) else ():
        for name, f in ((spec or {}).get("facts") or {}).items() if isinstance(spec, dict) else ():
            if isinstance(f, dict) and f.get("clause"):
                out[f"{iid}.{name}"] = ("事实", str(f["clause"]), ())
    attributes = policy.data.get("attributes") or {}
    for name, a in attributes.items() if isinstance(attributes, dict) else ():
        if isinstance(a, dict) and a.get("clause"):
            out[str(name)] = ("申请人属性", str(a["clause"]), ())
    return out


def _parameters(policy, numbers) -> list[tuple[str, str]]:
    out: list = []
    for name, p in policy.parameters.items():
        out += [(name, m) for m in _parameter(policy, name, p, numbers)]
    return out


def _parameter(policy, name, p, numbers) -> list[str]:
    out = []
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


def _interpretations(policy, numbers) -> list[tuple[tuple, str]]:
    out = []
    for iid, i in policy.interpretations.items():
        where = ("interpretations", iid)
        if i.default not in i.options:
            out.append((where + ("default",), f"解释 {iid}：默认选项 {i.default!r} 不在其选项中"))
        if i.clause and i.clause not in numbers:
            out.append((where + ("clause",), f"解释 {iid}：所依据的条款 {i.clause!r} 不在条款目录中"))
        if not i.reason:
            out.append((where, f"解释 {iid}：未说明默认选项的理由"))
        if len(i.options) < 2 and not i.explicit:
            out.append((where, f"解释 {iid}：只有一个选项（文本明确时注明 explicit）"))
    for name, reading in (policy.data.get("validity_readings") or {}).items():
        iid, option = (list(reading) + [None, None])[:2]
        interp = policy.interpretations.get(str(iid))
        if interp is None or str(option) not in interp.options:
            out.append((("validity_readings", name), f"有效期读法 {name}：{iid}={option} 不是登记的解释选项"))
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
    elif not clause.monetary:
        out.append(f"{where}：所依据的条款 {item.clause} 注明不定金额（monetary: false），项目却依据它给予资助")
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
    out += _installments(item, clause, text)
    if item.promise is not None:
        out += _promise(policy, item, text, where)
    return out


def _promise(policy, item, text, where) -> list[str]:
    """An item's promise: its text verbatim from the policy, its term a number parameter said in
    that text, each interpretation it leaves to registered with the options its reading needs."""
    from ..vocabulary import PROMISE_RECOVERIES, PROMISE_STARTS

    promise, out = item.promise, []
    said = _squeeze(promise.text)
    if said not in text:
        out.append(f"{where}：承诺的语句不在原文中（须逐字引用）：{promise.text}")
    par = policy.parameters.get(promise.years)
    if par is None:
        out.append(f"{where}：承诺期参数 {promise.years!r} 未定义")
    elif par.kind != "number":
        out.append(f"{where}：承诺期参数 {promise.years} 的类型应为 number（年数）")
    elif not all(_number_said(int(v), said) for v in par.values):
        out.append(f"{where}：承诺期参数 {promise.years} 的年数不在承诺的语句中：{promise.text}")
    for iid, options, what in ((promise.start_by, PROMISE_STARTS, "承诺期起算日"),
                               (promise.recovery_by, PROMISE_RECOVERIES, "追回金额")):
        if iid is None:
            continue
        interp = policy.interpretations.get(iid)
        if interp is None:
            out.append(f"{where}：{what}所依据的解释 {iid!r} 未在解释登记（interpretations）中")
        elif not set(interp.options) <= set(options):
            out.append(f"{where}：解释 {iid} 的选项应为 {'、'.join(options)} 之中（{what}）")
    return out


def _installments(item, clause, text) -> list[str]:
    """Each installment quotes a sentence of the item's own clause verbatim, and that sentence says
    its share (“50%”) or its amount."""
    out = []
    for st in getattr(item, "installments", ()):
        where = f"项目 {item.id}：「installments[{st.number}].sentence」"
        said = _squeeze(st.sentence)
        if said not in text:
            out.append(f"{where}语句不在原文中（须逐字引用）：{st.sentence}")
        elif clause is not None and not any(said in _squeeze(s) for s in clause.source):
            out.append(f"{where}不是条款 {item.clause} 的语句：{st.sentence}")
        elif st.share is not None and not _share_said(st.share, said):
            out.append(f"项目 {item.id}：「installments[{st.number}].share」{st.describe()} 不是所引语句中的比例：{st.sentence}")
        elif st.amount is not None and not _money_said(int(st.amount * 100), said):
            out.append(f"项目 {item.id}：「installments[{st.number}].amount」{st.amount:.2f} 元不是所引语句中的金额：{st.sentence}")
    return out


def _share_said(share, text: str) -> bool:
    percent = share * 100
    words = {f"{percent.normalize():f}%", f"{percent.normalize():f}％"}
    if percent == percent.to_integral_value():
        words |= {f"百分之{w}" for w in _chinese(int(percent))}
    return any(w in text for w in words)


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


# ------------------------------------------------------------------------------------------
# Every parameter read by a rule; its values the ones its sentences say.


def _read_parameters(policy) -> set[str]:
    from ..policy import _item_params

    names = {"validity.start", "validity.end"}
    for item in policy.items.values():
        names |= set(_item_params(item))
        names |= {n for c in item.conditions for n in getattr(c, "params", ())}
        if item.promise is not None:
            names.add(item.promise.years)
    caps = policy.data.get("caps") or ()
    for cap in caps.values() if isinstance(caps, dict) else caps:
        if isinstance(cap, dict) and isinstance(cap.get("limit"), str):
            names.add(cap["limit"])
    return names


def _unused_parameters(policy) -> list[tuple[tuple, str]]:
    read = _read_parameters(policy)
    return [(("parameters", name), f"参数 {name}：没有任何规则读取（项目的算法、上限或条件）；删去它，或写出使用它的规则")
            for name in policy.parameters if name not in read]


_NUMERALS = "零一二三四五六七八九"


def _chinese(n: int) -> list[str]:
    """How a Chinese text may write a small whole number: 3 → 三, 2 → 二 or 两, 15 → 十五, 20 → 二十."""
    if not 0 < n < 100:
        return []
    tens, ones = divmod(n, 10)
    word = (("" if tens == 1 else _NUMERALS[tens]) + "十" if tens else "") + (_NUMERALS[ones] if ones else "")
    return [word, "两"] if n == 2 else [word]


def _number_said(n: int, text: str) -> bool:
    if re.search(r"(?<![\d.])" + re.escape(str(n)) + r"(?![\d.])", text):
        return True
    return any(re.search(r"(?<![一二三四五六七八九十两])" + w + r"(?![一二三四五六七八九十])", text) for w in _chinese(n))


def _money_said(fen: int, text: str) -> bool:
    from ..money import in_unit

    return any(re.search(r"(?<![\d.])" + re.escape(in_unit(fen, unit) + word), text)
               for unit, word in (("元", "元"), ("万元", "万")))


_DIGITS = "〇一二三四五六七八九"


def _small(n: int) -> str:
    """1–31 in Chinese numerals, as dates write them (十五, 二十一, 三十)."""
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")) + ("" if ones == 0 else _DIGITS[ones])


def _date_said(ordinal: int, text: str) -> bool:
    """Whether the text writes the day, in Arabic or in Chinese numerals (二〇二六年三月十五日)."""
    d = _dt.date.fromordinal(ordinal)
    chinese = "".join(_DIGITS[int(c)] for c in str(d.year)) + f"年{_small(d.month)}月{_small(d.day)}日"
    return any(form in text for form in (f"{d.year}年{d.month}月{d.day}日", d.isoformat(), chinese,
                                          chinese.replace("〇", "零")))


_TERM = re.compile(r"有效期([一两二三四五六七八九十\d]+)年")


_TERM_MONTHS = re.compile(r"有效期(?:为)?([一两二三四五六七八九十\d]+)个月")


def _term_months(text: str) -> int | None:
    m = _TERM_MONTHS.search(text)
    if not m:
        return None
    word = m.group(1)
    return int(word) if word.isdigit() else _chinese_number(word)


def _chinese_number(word: str) -> int | None:
    digits = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"两": 2}
    if "十" in word:
        tens, _, ones = word.partition("十")
        return (digits.get(tens, 1) if tens else 1) * 10 + (digits.get(ones, 0) if ones else 0)
    return digits.get(word)


def _term_years(text: str) -> int | None:
    m = _TERM.search(text)
    if not m:
        return None
    word = m.group(1)
    if word.isdigit():
        return int(word)
    for n in range(1, 100):
        if word in _chinese(n):
            return n
    return None


def _version_texts(policy, par) -> list[str]:
    """For each version of a parameter, the text that says it: its clause's sentences and the
    amending sentences in force up to that version (an amendment may restate only what it changes)."""
    clause = policy.clause(par.clause)
    # a heading's numbering ("（二）") says no value
    text = "".join(_squeeze(s) for r, s in clause.passages if r != "heading") if clause is not None else ""
    out = []
    for k in range(len(par.values)):
        amended = par.amended_by[k] if par.amended_by else None
        if amended:
            text = _squeeze(amended[1]) + "\n" + text
        out.append(text)
    return out


def _said(policy) -> list[tuple[tuple, str]]:
    """Rates, numbers, counts, amounts without a declared unit and dates are the ones the text
    says: "50%" in the clause of a rate of 0.5, "3年" or "三年" for a number 3, "10家" for a
    count threshold, the last day of the validity from "有效期三年" and the day the text took effect."""
    from ..money import fen_to_yuan

    whole = _squeeze(policy.source_text) + "".join(_squeeze(a[1]) for p in policy.parameters.values()
                                                  for a in (p.amended_by or ()) if a)
    start = policy.parameters.get("validity.start")
    out = []
    for name, par in policy.parameters.items():
        declared = ((policy.data.get("parameters") or {}).get(name) or {}).get("unit")
        for k, (text, value) in enumerate(zip(_version_texts(policy, par), par.values)):
            where = ("parameters", name, "values", k, "value")
            when = _dt.date.fromordinal(par.starts[k]).isoformat()
            head = f"参数 {name} 自 {when} 起的版本"
            if par.kind == "rate":
                pct = value * 100
                shown = str(pct.numerator) if pct.denominator == 1 else format(float(pct), "g")
                if not re.search(r"(?<![\d.])" + re.escape(shown) + "%", text):
                    out.append((where, f"{head}：比例 {shown}% 不在所依据的语句中"))
            elif par.kind == "number":
                if not _number_said(int(value), text):
                    out.append((where, f"{head}：数值 {value} 不在所依据的语句中"))
            elif par.kind == "tiers":
                raw = ((policy.data.get("parameters") or {}).get(name) or {}).get("values") or []
                tiers = ((raw[k].get("value") or {}).get("tiers") or []) if k < len(raw) else []
                counts = not all(isinstance(t[0], str) for t in tiers if t)
                for threshold, amount in value[1]:
                    if counts and not _number_said(threshold, text):
                        out.append((where, f"{head}：档次门槛 {threshold} 不在所依据的语句中"))
                    if not counts and declared is None and not _money_said(threshold, text):
                        out.append((where, f"{head}：档次门槛 {fen_to_yuan(threshold)} 元不在所依据的语句中"))
                    if declared is None and not _money_said(amount, text):
                        out.append((where, f"{head}：金额 {fen_to_yuan(amount)} 元不在所依据的语句中"))
            elif par.kind in ("money", "money_table") and declared is None:
                for fen in ([value] if par.kind == "money" else list(value.values())):
                    if not _money_said(fen, text):
                        out.append((where, f"{head}：金额 {fen_to_yuan(fen)} 元不在所依据的语句中（写作“…元”或“…万元”）"))
            elif par.kind == "date":
                out += [(where, f"{head}：{m}") for m in _date_problems(policy, name, par, k, value, text, whole, start)]
    return out


def _date_problems(policy, name, par, k, value, text, whole, start) -> list[str]:
    from ..dates import _add_years_one

    day = _dt.date.fromordinal(value).isoformat()
    if name == "validity.end":
        years = _term_years(text)
        months = _term_months(text)
        if months is not None and start is not None and years is None:
            from .scaffold import end_of_term

            first = _dt.date.fromordinal(start.at(par.starts[k]))
            due_day = end_of_term(first, months=months)
            if due_day.toordinal() != value:
                return [f"有效期最后一日应为 {due_day.isoformat()}（自 {first.isoformat()} 起“有效期{months}个月”），现为 {day}"]
            return []
        if years is not None and start is not None:
            first = start.at(par.starts[k])
            due = _add_years_one(first, years) - 1
            if due != value:
                return [f"有效期最后一日应为 {_dt.date.fromordinal(due).isoformat()}（自 "
                        f"{_dt.date.fromordinal(first).isoformat()} 起“有效期{years}年”，届满之日的前一日），现为 {day}"]
            return []
    if _date_said(value, whole):
        return []
    if name != "validity.start" and start is not None and value == start.at(par.starts[k]):
        return []  # the day the text took effect, as validity.start says it
    return [f"日期 {day} 不在原文中，也不是政策施行日"]


# ------------------------------------------------------------------------------------------
# Facts collected and never used: a warning (a form field a person fills for nothing).


def _strings(value) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values()), {k for k in value if isinstance(k, str)})
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return set()


def _shared_facts(policy, item_id: str) -> set[str]:
    """The facts a cap over several items or an exclusive group reads of one item's claims."""
    q = f"{policy.id}/{item_id}"
    out: set[str] = set()
    for cap in getattr(policy, "caps", ()):
        if q in cap.items:
            out |= {p for p in cap.parts_for(q)}
    for grp in getattr(policy, "exclusive_groups", ()):
        if q in grp.matter:
            out.add(grp.matter[q])
    return out


def _read_by_sources(facts: dict, used: set) -> set[str]:
    """The facts that facts the platform derives read (`from: {derive: …}`, `last_year.year`,
    `otherwise`), when those facts are used in turn."""
    out: set[str] = set()
    grew = True
    while grew:
        grew = False
        for name, f in facts.items():
            if name in used | out and isinstance(f, dict) and isinstance(f.get("from"), dict):
                new = _strings(f["from"]) - out
                if new:
                    out |= new
                    grew = True
    return out


def unkeyed_line_objects(policy, lines: Lines) -> list[str]:
    """A hint for each `lines` fact whose lines name objects (专利号): the ledger keeps one
    duplicate key per claim, so the same object in two claims is not found by the engine — a
    reviewer must check it (docs/policy-packages.md, 6a, what the format cannot express yet)."""
    out = []
    for iid, item in policy.items.items():
        for f in item.facts:
            if f.type == "lines" and f.columns is not None and f.columns.object_label is not None:
                out.append(located(lines, ("items", iid, "facts", f.name, "object"),
                                   f"提示：项目 {iid} 的清单事实 {f.name} 逐行写明{f.columns.object_label}，但重复资助判断目前每件申报"
                                   f"只有一个键：同一{f.columns.object_label}在两件申报中的重复资助不由引擎发现，须审核人员核对"
                                   f"（同一申报内的重复行按输入错误退回）"))
    return out


def unused_facts(policy, lines: Lines | None = None) -> list[str]:
    lines = lines or package_lines(policy)
    items = policy.data.get("items") or {}
    common = policy.data.get("common_facts") or {}
    readings = {str(r[2]) for r in (policy.data.get("validity_readings") or {}).values() if isinstance(r, list) and len(r) > 2}
    out, common_used = [], set(readings)
    for iid, spec in items.items():
        if not isinstance(spec, dict):
            continue
        rules = {k: v for k, v in spec.items() if k in ("formula", "conditions", "key", "key_when", "cap", "top_up_by", "kinds_by")}
        used = _strings(rules) | readings | _shared_facts(policy, iid)
        facts = spec.get("facts") or {}
        used |= _read_by_sources(facts, used)
        for f in facts.values():
            if isinstance(f, dict) and isinstance(f.get("needless_when"), dict):
                used |= {str(k) for k in f["needless_when"]}
        common_used |= used
        for name in facts:
            if name not in used:
                out.append(located(lines, ("items", iid, "facts", name),
                                   f"提示：项目 {iid} 的事实 {name} 已收集，但没有规则使用它（算法、条件、重复资助判断、上限）"))
    for name in common:
        if name not in common_used:
            out.append(located(lines, ("common_facts", name), f"提示：共同事实 {name} 已收集，但没有规则使用它"))
    return out
