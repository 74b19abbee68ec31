"""The shape of policy.yaml, checked before anything reads it: every key known, every value of
the type its reader expects, every problem a Chinese message naming the file and the line.

`policy check` reads a package through `check_folder` (checks.py): this walk first, so that a
misspelt key anywhere — a top-level `continue:` for `continues:`, a `lable:` of a fact, an
`amended:` of a parameter's version — fails naming it instead of being silently ignored, and a
value of the wrong shape is a message instead of a Python error further on.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

# ------------------------------------------------------------------------------------------
# Where a value is written: a path of keys and indexes → the line of policy.yaml.


class Lines:
    """Lines of the values of a YAML document by path (("items", "x", "facts", "y") → 212)."""

    def __init__(self, text: str, file: str = "policy.yaml", prefix: tuple = ()):
        self.file = file
        self.at: dict[tuple, int] = {}
        self.files: dict[tuple, str] = {}  # paths written in another file (items.yaml)
        self.prefix = prefix
        try:
            import yaml

            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except Exception:  # noqa: BLE001 - a document that does not parse has no lines to give
            node = None
        if node is not None:
            self._walk(node, prefix, set())

    def merge(self, other: "Lines") -> None:
        """Take the lines of another file (items.yaml, its paths under `other.prefix`)."""
        for path, line in other.at.items():
            self.at[path] = line
            self.files[path] = other.file

    def _walk(self, node, path: tuple, seen: set) -> None:
        import yaml

        if id(node) in seen:  # an alias: its lines are those of the anchor
            return
        seen = seen | {id(node)}
        self.at.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else None
                if key is None:
                    continue
                self.at[path + (key,)] = k.start_mark.line + 1
                self._walk_value(v, path + (key,), seen)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                self.at[path + (i,)] = v.start_mark.line + 1
                self._walk_value(v, path + (i,), seen)

    def _walk_value(self, node, path, seen):
        import yaml

        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            line = self.at[path]
            self._walk(node, path, seen)
            self.at[path] = line  # the key's line, not the first nested one

    def _found(self, path):
        path = tuple(path)
        while path:
            normal = tuple(str(p) if not isinstance(p, int) else p for p in path)
            for candidate in (path, normal):
                if candidate in self.at:
                    return candidate
            path = path[:-1]
        return () if () in self.at else None

    def line(self, path) -> int | None:
        """The line of the path, or of its nearest parent written in the file."""
        found = self._found(path)
        return None if found is None else self.at[found]

    def where(self, path) -> str:
        found = self._found(path)
        if found is None:
            return self.file
        return f"{self.files.get(found, self.file)} 第 {self.at[found]} 行"


def located(lines: Lines, path, message: str) -> str:
    return f"{lines.where(path)}：{message}"


# ------------------------------------------------------------------------------------------
# The shape: what each key holds.


@dataclass
class Shape:
    kind: str  # map | dict | list | str | scalar | bool | date | any | formula | money | …
    keys: dict = field(default_factory=dict)  # map: key → Shape
    required: tuple = ()
    of: "Shape | None" = None  # dict / list: the shape of each value
    label: str = ""  # what the value is, in the message
    either: tuple = ()  # one of these shapes


def MAP(keys: dict, required=(), label=""):
    return Shape("map", keys=keys, required=tuple(required), label=label)


def DICT(of, label=""):
    return Shape("dict", of=of, label=label)


def LIST(of, label=""):
    return Shape("list", of=of, label=label)


STR = Shape("str", label="文字")
SCALAR = Shape("scalar", label="文字或数字")
BOOL = Shape("bool", label="true 或 false")
DATE = Shape("date", label="YYYY-MM-DD 格式的日期")
ANY = Shape("any")
NAMES = LIST(SCALAR, "名称的列表")
CHOICE = DICT(SCALAR, "「解释编号: 选项」")

#: What a monetary clause's passage may say besides its text: the rules that use it
#: (`used_by`: items, parameters, interpretations) or why it decides no money (`reason`).
PASSAGE = MAP({"role": STR, "text": SCALAR, "used_by": NAMES, "reason": STR}, required=("text",), label="语句")
CLAUSE = MAP({"number": SCALAR, "title": SCALAR, "monetary": BOOL, "source": LIST(Shape("passage"))},
             required=("number", "title"), label="条款")
VERSION = MAP({"from": DATE, "value": ANY, "amended_by": SCALAR, "sentence": SCALAR}, required=("from", "value"),
              label="参数版本")
PARAMETER_KINDS = ("money", "money_table", "rate", "number", "date", "tiers")
PARAMETER = MAP({"clause": SCALAR, "title": SCALAR, "kind": STR, "unit": STR, "values": LIST(VERSION)},
                required=("kind", "values"), label="参数")
INTERPRETATION = MAP({
    "question": SCALAR, "clause": SCALAR, "default": SCALAR, "selectable": BOOL, "reason": SCALAR,
    "options": DICT(SCALAR, "「选项: 说明」"), "explicit": BOOL,
}, required=("question", "options", "default"), label="解释")
FACT = MAP({
    "type": STR, "label": SCALAR, "options": DICT(SCALAR, "「代码: 中文名称」"), "optional": BOOL, "default": ANY,
    "normal": STR, "positive": BOOL, "count_all_when": CHOICE, "read_as": DICT(ANY), "needless_when": DICT(ANY),
    "not_applicant": BOOL, "whole": BOOL, "from": ANY, "clause": SCALAR,
    # The columns of a `lines` fact (清单): items.py checks that only such a fact writes them.
    "category": MAP({"label": SCALAR, "options": DICT(SCALAR, "「类别代码: 中文名称」")}, required=("options",),
                    label="清单的类别栏目"),
    "count": MAP({"label": SCALAR, "unit": SCALAR}, label="清单的数量栏目"),
    "object": MAP({"label": SCALAR, "normal": STR}, required=("label", "normal"), label="清单的对象栏目"),
}, required=("type", "label"), label="事实")
FACTS = DICT(FACT, "「事实名: {type, label}」")
FORMULA_KEYS = {
    "fixed": SCALAR, "table": SCALAR, "rate": SCALAR, "amount": SCALAR, "at_most": SCALAR, "less": SCALAR,
    "residual": SCALAR, "tiers": SCALAR, "by": SCALAR, "of": Shape("formula_or_name"), "if_interpretation": CHOICE,
    "minus": NAMES, "cumulative_when": CHOICE, "per_unit": LIST(ANY), "max_units": SCALAR,
}
FORMULA = MAP(FORMULA_KEYS, label="算法")
TEST_KEYS = {
    "applicant": SCALAR, "applicant_kind": NAMES, "unless": SCALAR, "when": SCALAR, "nothing_left": BOOL,
    "fact": SCALAR, "missing": SCALAR, "all": LIST(Shape("test")), "equals": ANY, "not_equals": ANY, "below": SCALAR,
    "before": SCALAR, "minus_years": SCALAR, "years_to_event": SCALAR, "since": SCALAR, "exclusive_when": CHOICE,
    "agree": NAMES,
}
TEST = MAP(TEST_KEYS, label="检验")
CONDITION = MAP({**TEST_KEYS, "describe": SCALAR, "reason": STR, "if_interpretation": CHOICE,
                 "unless_interpretation": CHOICE}, required=("describe",), label="条件")
CAP = MAP({
    "param": SCALAR, "group": NAMES, "label": SCALAR, "by": SCALAR, "per_year_when": CHOICE,
    "group_when": LIST(MAP({"interpretation": CHOICE, "group": NAMES, "label": SCALAR})),
}, required=("param", "group", "label"), label="上限")
#: Stages (分期拨付): one installment of the award (engine/installments.py reads the values).
INSTALLMENT = MAP({"share": SCALAR, "amount": SCALAR, "when": SCALAR, "label": SCALAR, "failed": SCALAR,
                   "sentence": SCALAR}, required=("when", "sentence"), label="分期")
PROMISE = MAP({
    "text": SCALAR, "evidence": SCALAR, "years": SCALAR, "from": SCALAR, "from_by": SCALAR,
    "recovery": SCALAR, "recovery_by": SCALAR, "breaches": NAMES,
}, required=("text", "evidence", "years"), label="承诺")
ITEM = MAP({
    "clause": SCALAR, "title": SCALAR, "source": SCALAR, "summary": SCALAR, "kinds": NAMES,
    "kinds_by": MAP({"fact": SCALAR, "values": DICT(NAMES)}, required=("fact", "values")),
    "facts": FACTS, "formula": FORMULA, "conditions": LIST(CONDITION), "key": NAMES,
    "key_when": LIST(MAP({"interpretation": CHOICE, "key": NAMES}, required=("interpretation", "key"))),
    "cap": CAP, "top_up": Shape("top_up"), "top_up_by": NAMES, "interpretations": NAMES, "evidence": NAMES,
    "attributes": NAMES,
    "installments": LIST(INSTALLMENT, "分期的列表"),
    "promise": PROMISE,
}, required=("clause", "title", "source", "summary", "kinds", "facts", "formula"), label="项目")
VALIDITY_READINGS = ("end_one_day_later", "filed_within_validity", "start_one_day_later")
TOP = MAP({
    "id": SCALAR, "title": SCALAR, "document_number": SCALAR, "issuer": SCALAR, "administered_by": SCALAR,
    "issued_on": DATE, "source_file": SCALAR, "version": SCALAR,
    "clauses": LIST(CLAUSE), "parameters": DICT(PARAMETER), "interpretations": DICT(INTERPRETATION),
    "validity_readings": MAP({k: LIST(SCALAR) for k in VALIDITY_READINGS}, label="有效期读法"),
    "common_facts": FACTS, "items": DICT(ITEM), "evidence": DICT(NAMES), "applicant_kinds": DICT(SCALAR),
    "documents": LIST(MAP({"number": SCALAR, "title": SCALAR, "date": DATE, "source_file": SCALAR},
                          required=("number", "date", "source_file"), label="修订文件")),
    "continues": MAP({"policy": SCALAR, "items": DICT(SCALAR)}, label="延续"),
    # Declared by other parts of the format (caps spanning items, exclusive groups): their own
    # checks read them; here they are known keys.
    "caps": ANY, "exclusive_groups": ANY,
    # Applicant attributes and where each comes from (known.py, authoring/items.py read_attributes).
    "attributes": DICT(FACT, "「属性名: {type, label, from}」"),
    # After a round closes: a pro-rata cut over budget and quotas filled from a ranking
    # (engine/allocation.py reads the values; the keys are checked here, with their lines).
    "allocation": MAP({
        "pro_rata": MAP({"clause": SCALAR, "sentence": SCALAR, "over": STR, "remainder": ANY, "label": SCALAR},
                        required=("clause", "sentence", "over", "remainder"), label="按比例核减"),
        "quotas": DICT(MAP({"label": SCALAR, "clause": SCALAR, "sentence": SCALAR, "items": NAMES, "per": STR,
                            "count": ANY, "by": STR, "ties": STR},
                           required=("label", "clause", "sentence", "items", "per", "count", "by"), label="名额")),
    }, label="资金分配"),
}, required=("id", "title", "issued_on", "clauses", "parameters", "interpretations"), label="政策包")


def _type_word(value) -> str:
    if isinstance(value, dict):
        return "映射"
    if isinstance(value, list):
        return "列表"
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"数字 {value!r}"
    if isinstance(value, (_dt.date, _dt.datetime)):
        return f"日期 {value}"
    return f"文字 {str(value)[:40]!r}"


def shape_problems(data, lines: Lines) -> list[str]:
    """Every unknown key and every value of the wrong shape in policy.yaml, located."""
    out: list[str] = []
    if not isinstance(data, dict):
        return [located(lines, (), f"policy.yaml 应为映射（键: 值），现为{_type_word(data)}")]
    _walk(data, TOP, (), lines, out)
    if not out:
        out += _parameter_values(data, lines)
        out += _interpretation_defaults(data, lines)
    return out


def _name(path) -> str:
    parts = []
    for p in path:
        parts.append(f"[{p + 1}]" if isinstance(p, int) else ("." if parts else "") + str(p))
    return "".join(parts) or "（顶层）"


def _walk(value, shape: Shape, path: tuple, lines: Lines, out: list) -> None:
    def bad(problem: str):
        out.append(located(lines, path, f"「{_name(path)}」{problem}"))

    kind = shape.kind
    if kind == "any":
        return
    if kind == "map":
        if not isinstance(value, dict):
            return bad(f"应为{shape.label or '映射'}（键: 值），现为{_type_word(value)}")
        for key in value:
            if key not in shape.keys:
                known = "、".join(shape.keys)
                out.append(located(lines, path + (key,), f"未知的键「{key}」（在「{_name(path)}」中；可用：{known}）"))
        for key in shape.required:
            if value.get(key) in (None, ""):
                bad_at = located(lines, path, f"缺少「{_name(path + (key,))}」")
                out.append(bad_at)
        for key, v in value.items():
            if key in shape.keys and key not in shape.required:  # a missing required key is said above
                _walk(v, shape.keys[key], path + (key,), lines, out)
            elif key in shape.keys and value.get(key) not in (None, ""):
                _walk(v, shape.keys[key], path + (key,), lines, out)
        return
    if kind == "dict":
        if not isinstance(value, dict):
            return bad(f"应为{shape.label or '映射'}，现为{_type_word(value)}")
        for key, v in value.items():
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                out.append(located(lines, path, f"「{_name(path)}」的键 {key!r} 应为文字"))
            elif shape.of is not None:
                if v is None and shape.of.kind in ("map", "list", "dict"):
                    out.append(located(lines, path + (key,), f"「{_name(path + (key,))}」为空"))
                else:
                    _walk(v, shape.of, path + (key,), lines, out)
        return
    if kind == "list":
        if not isinstance(value, list):
            return bad(f"应为{shape.label or '列表'}，现为{_type_word(value)}")
        for i, v in enumerate(value):
            _walk(v, shape.of, path + (i,), lines, out)
        return
    if kind == "str":
        if not isinstance(value, str):
            bad(f"应为文字，现为{_type_word(value)}")
    elif kind == "scalar":
        if isinstance(value, (dict, list, bool)) or value is None:
            bad(f"应为文字或数字，现为{_type_word(value)}")
    elif kind == "bool":
        if not isinstance(value, bool):
            bad(f"应为 true 或 false，现为{_type_word(value)}")
    elif kind == "date":
        if not _is_date(value):
            bad(f"应为 YYYY-MM-DD 格式的日期，现为{_type_word(value)}")
    elif kind == "passage":
        if isinstance(value, dict):
            _walk(value, PASSAGE, path, lines, out)
        elif not isinstance(value, (str, int)) or isinstance(value, bool):
            bad(f"应为原文语句（文字）或 {{role, text}}，现为{_type_word(value)}")
    elif kind == "formula_or_name":
        if isinstance(value, dict):
            _walk(value, FORMULA, path, lines, out)
        elif not isinstance(value, str):
            bad(f"应为事实名或算法，现为{_type_word(value)}")
    elif kind == "test":
        if not isinstance(value, dict):
            bad(f"应为检验（映射），现为{_type_word(value)}")
        else:
            _walk(value, TEST, path, lines, out)
    elif kind == "top_up":
        if isinstance(value, dict):
            _walk(value, CHOICE, path, lines, out)
        elif not isinstance(value, bool):
            bad(f"应为 true/false 或「解释编号: 选项」，现为{_type_word(value)}")


def _is_date(value) -> bool:
    if isinstance(value, _dt.datetime):
        return False
    if isinstance(value, _dt.date):
        return True
    try:
        _dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def _is_money(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return False
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return False
    return d.is_finite() and d >= 0 and d == d.quantize(Decimal("0.01")) and d < 10**15


def _parameter_values(data: dict, lines: Lines) -> list[str]:
    """Each version's value has the shape its parameter's kind needs."""
    out = []
    for name, p in (data.get("parameters") or {}).items():
        kind = p.get("kind")
        where = ("parameters", name, "kind")
        if kind not in PARAMETER_KINDS:
            out.append(located(lines, where, f"参数 {name}：未知的类型 {kind!r}（可选：{'、'.join(PARAMETER_KINDS)}）"))
            continue
        if not p.get("values"):
            out.append(located(lines, ("parameters", name), f"参数 {name}：没有任何版本（values）"))
        for i, version in enumerate(p.get("values") or ()):
            problem = _value_problem(kind, version.get("value"))
            if problem:
                out.append(located(lines, ("parameters", name, "values", i, "value"), f"参数 {name} 第 {i + 1} 个版本的值{problem}"))
    return out


def _value_problem(kind: str, value) -> str | None:
    if kind == "money":
        return None if _is_money(value) else f"应为以元计的金额（如 \"10000\"），现为{_type_word(value)}"
    if kind == "money_table":
        if not isinstance(value, dict) or not value:
            return f"应为「取值: 金额」的映射，现为{_type_word(value)}"
        bad = [k for k, v in value.items() if not _is_money(v)]
        return f"中 {'、'.join(map(str, bad))} 的金额应为以元计的金额" if bad else None
    if kind == "rate":
        try:
            ok = not isinstance(value, bool) and isinstance(value, (str, int, float)) and 0 <= Decimal(str(value)) <= 1
        except InvalidOperation:
            ok = False
        return None if ok else f"应为 0 至 1 之间的比例（如 \"0.5\"），现为{_type_word(value)}"
    if kind == "number":
        return None if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else f"应为非负整数，现为{_type_word(value)}"
    if kind == "date":
        return None if _is_date(value) else f"应为 YYYY-MM-DD 格式的日期，现为{_type_word(value)}"
    # tiers
    if not isinstance(value, dict) or set(value) - {"inclusive", "tiers"} or not isinstance(value.get("inclusive"), bool):
        return "应为 {inclusive: true/false, tiers: [[门槛, 金额], …]}"
    tiers = value.get("tiers")
    if not isinstance(tiers, list) or not tiers:
        return "的 tiers 应为 [[门槛, 金额], …] 的列表"
    for t in tiers:
        if not isinstance(t, list) or len(t) != 2 or not _is_money(t[1]):
            return "的每个档次应为 [门槛, 金额]（金额以元计）"
        if isinstance(t[0], bool) or not (isinstance(t[0], int) and t[0] >= 0 or isinstance(t[0], str) and _is_money(t[0])):
            return "的档次门槛应为整数（家数、数量）或以元计的金额文字"
    return None


def _interpretation_defaults(data: dict, lines: Lines) -> list[str]:
    out = []
    for iid, i in (data.get("interpretations") or {}).items():
        if str(i.get("default")) not in {str(k) for k in i.get("options") or {}}:
            out.append(located(lines, ("interpretations", iid, "default"),
                               f"解释 {iid}：默认选项 {i.get('default')!r} 不在其选项中"))
    return out
