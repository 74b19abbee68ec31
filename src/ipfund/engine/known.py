"""Facts the platform knows: derived by arithmetic, read from the ledger, read from a register.

A fact of an item (or an applicant attribute the package declares at its top level) says where
its value comes from with `from:`

    declared                                   the applicant states it (the default)
    confirmed                                  the applicant states it; a reviewer confirms it
    {derive: {minus: [a, b], at_least: 0}}     arithmetic over the claim's facts and parameters:
    {derive: {plus: [a, b, …]}}                  minus, plus, times, divide (by a parameter that
    {derive: {times: [a, b]}}                    is never 0, or a fact that is `positive`),
    {derive: {divide: [a, b]}}                   share ({share: rate parameter, of: fact})
    {derive: {share: rate, of: fact}}
    {first: all} / {first: [item, …]}          true when the ledger holds no earlier award of the
                                                 applicant for these items ("首次")
    {last_year: {item: I, fact: F, year: Y}}   fact F of the applicant's award of item I whose
      (optional  otherwise: G)                   year fact Y is this claim's Y minus one; when there
                                                 is none, fact G the applicant declared (confirmed)
    {register: CODE}                           true when the applicant's credit code is in the
                                                 register CODE (a list the bureau imports) on the
                                                 claim's event date

The engine stays pure: the readings enter as inputs. Earlier awards come from the ledger lookup
(`earlier(applicants)`: the platform's ledger, or `AwardIndex` over the CLI's --history), and the
registers as `RegisterList` snapshots (the platform's current import of each list; the CLI's
--registers file). `resolve` fills each claim's known facts before the claims are read, so every
rule of the vocabulary reads them like any other fact; it notes for each claim where each value
came from, and the explanation says so (the register, its version and its import date).

An installment's review outcome would be one more source here: `{earlier_outcome: …}` read from
the same earlier claims (`Earlier` would carry the outcome).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Callable, Iterable, Mapping, Sequence

from .errors import BatchError

DECLARED, CONFIRMED, DERIVE, FIRST, LAST_YEAR, REGISTER = "declared", "confirmed", "derive", "first", "last_year", "register"
OPERATIONS = ("minus", "plus", "times", "divide", "share")
SOURCE_WORDS = {DECLARED: "申请人申报", CONFIRMED: "申请人申报，审核人员核对"}
TYPED = "此项由平台认定（{how}），申请人不填写"
NO_REGISTER = "项目 {item} 的事实「{label}」读取名单 {code}，但没有提供该名单（平台：导入该名单；命令行：--registers 文件）"


@dataclass(frozen=True)
class Derive:
    op: str  # minus | plus | times | divide | share
    operands: tuple[str, ...]  # fact or parameter names (share: (rate parameter, fact))
    at_least: Decimal | None = None


@dataclass(frozen=True)
class First:
    items: tuple[str, ...] | None  # ledger ids ("policy/item"); None: every item of the policy


@dataclass(frozen=True)
class LastYear:
    item: str  # ledger id of the earlier item
    item_title: str
    fact: str
    year: str  # the year fact (this claim's and the earlier claim's)
    otherwise: str | None = None  # a declared fact taken when the ledger has none
    fact_label: str = ""


@dataclass(frozen=True)
class FromRegister:
    code: str


@dataclass(frozen=True)
class Earlier:
    """An earlier award as the ledger knows it: what the platform may read back from it."""

    ledger_item: str  # "policy/item" (an item continuing another files under the first's)
    claim_id: str
    applicant: str
    event_date: dt.date
    facts: Mapping = field(default_factory=dict)
    amount: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class RegisterList:
    """One version of a list the bureau imports (失信名单, 高新技术企业名单): credit code → the
    periods it is listed (from, until; until None: still listed)."""

    code: str
    label: str
    version: str
    imported_on: dt.date | None
    entries: Mapping[str, tuple[tuple[dt.date | None, dt.date | None], ...]] = field(default_factory=dict)

    def holds(self, credit_code: str, day: dt.date) -> bool:
        for start, until in self.entries.get(credit_code.strip().upper(), ()):
            if (start is None or start <= day) and (until is None or day <= until):
                return True
        return False

    def words(self) -> str:
        if not self.version and self.imported_on is None:
            return f"{self.label}（尚未导入）"
        when = f"{self.imported_on.isoformat()} 导入" if self.imported_on else "导入日期不详"
        version = f"第 {self.version} 版，" if self.version else ""
        return f"{self.label}（{version}{when}）"

    @classmethod
    def from_data(cls, code: str, data: Mapping) -> "RegisterList":
        """A register as written in a --registers file or a golden case:
        {label, version, imported_on, entries: [{code, from, until}]}."""
        if not isinstance(data, Mapping):
            raise BatchError(f"名单 {code}：应为 {{label, version, imported_on, entries}}")
        entries: dict[str, list] = {}
        for i, e in enumerate(data.get("entries") or ()):
            if not isinstance(e, Mapping) or not isinstance(e.get("code"), str):
                raise BatchError(f"名单 {code} 第 {i + 1} 行：应写 code（统一社会信用代码）")
            entries.setdefault(e["code"].strip().upper(), []).append((_day(e.get("from"), code, i), _day(e.get("until"), code, i)))
        return cls(code, str(data.get("label") or code), str(data.get("version") or ""),
                   _day(data.get("imported_on"), code, -1), {k: tuple(v) for k, v in entries.items()})


def _day(value, code: str, i: int) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        where = f"第 {i + 1} 行" if i >= 0 else "imported_on"
        raise BatchError(f"名单 {code} {where}：日期应为 YYYY-MM-DD，现为 {value!r}") from None


def read_registers(data) -> dict[str, RegisterList]:
    """The registers of a --registers file (or a golden case): {code: {label, version, imported_on, entries}}."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise BatchError("名单文件应为「名单代码: {label, version, imported_on, entries}」的对象")
    return {str(k): RegisterList.from_data(str(k), v) for k, v in data.items()}


# ---------------------------------------------------------------------------------------------
# Declarations (read by authoring/items.py): `from:` of a fact.


class SourceError(ValueError):
    """A `from:` that cannot be read: (field, problem)."""


def read_source(spec, own: str):
    """`from:` of a fact → declared/confirmed (a word) or a source object (items not yet qualified)."""
    if spec in (None, DECLARED):
        return DECLARED
    if spec == CONFIRMED:
        return CONFIRMED
    if not isinstance(spec, dict) or len(spec) != 1:
        raise SourceError("from", "应为 declared、confirmed，或 derive、first、last_year、register 之一的映射")
    (kind, body), = spec.items()
    if kind == DERIVE:
        if not isinstance(body, dict):
            raise SourceError("from.derive", f"应写 {'、'.join(OPERATIONS)} 之一")
        ops = [o for o in OPERATIONS if o in body]
        extra = set(body) - set(OPERATIONS) - {"at_least", "of"}
        if len(ops) != 1 or extra:
            raise SourceError("from.derive", f"应恰好写一种运算（{'、'.join(OPERATIONS)}），可加 at_least")
        op = ops[0]
        if op == "share":
            if not body.get("of"):
                raise SourceError("from.derive.of", "share 须写 of: 事实名（按参数比例计的金额）")
            operands: tuple[str, ...] = (str(body["share"]), str(body["of"]))
        else:
            values = body[op]
            if not isinstance(values, list) or len(values) < 2 or (op in ("minus", "divide") and len(values) != 2):
                raise SourceError(f"from.derive.{op}", "应为事实名或参数名的列表（minus、divide 恰好两项）")
            operands = tuple(str(v) for v in values)
        floor = body.get("at_least")
        try:
            at_least = None if floor is None else Decimal(str(floor))
        except InvalidOperation:
            raise SourceError("from.derive.at_least", f"应为数字，现为 {floor!r}") from None
        return Derive(op, operands, at_least)
    if kind == FIRST:
        if body == "all":
            return First(None)
        if not isinstance(body, list) or not body:
            raise SourceError("from.first", "应为 all 或项目编号的列表")
        return First(tuple(str(i) for i in body))
    if kind == LAST_YEAR:
        if not isinstance(body, dict) or not {"item", "fact", "year"} <= set(body) or set(body) - {"item", "fact", "year", "otherwise"}:
            raise SourceError("from.last_year", "应为 {item: 项目, fact: 事实, year: 年度事实, otherwise: 申报的事实（可省略）}")
        return LastYear(str(body["item"]), "", str(body["fact"]), str(body["year"]),
                        str(body["otherwise"]) if body.get("otherwise") else None)
    if kind == REGISTER:
        if not isinstance(body, str) or not body:
            raise SourceError("from.register", "应为名单代码（如 dishonest）")
        return FromRegister(body)
    raise SourceError("from", f"未知的来源 {kind!r}（可用：declared、confirmed、derive、first、last_year、register）")


def qualify_sources(policy) -> None:
    """Name the items a ledger source reads by their ledger ids (an item continuing another files
    under the first's), once the policy knows them; an item or fact that is not there is an error."""
    from dataclasses import replace

    from .errors import AuthoringError

    def ledger_id(item, name: str, where: str):
        target = policy.items.get(name)
        if target is None:
            raise AuthoringError(f"项目 {item.id}：「{where}」引用的项目 {name!r} 不是本政策的项目")
        return target

    for item in policy.items.values():
        for f in item.facts:
            s, where = f.source, f"facts.{f.name}.from"
            if isinstance(s, First) and s.items is not None:
                f.source = First(tuple(ledger_id(item, n, where + ".first").ledger_id for n in s.items))
            elif isinstance(s, LastYear):
                target = ledger_id(item, s.item, where + ".last_year.item")
                other = next((g for g in target.facts if g.name == s.fact), None)
                if other is None or other.type not in ("money", "number"):
                    raise AuthoringError(f"项目 {item.id}：「{where}.last_year.fact」项目 {s.item} 没有数量或金额事实 {s.fact!r}")
                if not any(g.name == s.year and g.type == "year" for g in target.facts):
                    raise AuthoringError(f"项目 {item.id}：「{where}.last_year.year」项目 {s.item} 没有年度事实 {s.year!r}")
                f.source = replace(s, item=target.ledger_id, item_title=target.title, fact_label=other.label)


def known(fact) -> bool:
    """Whether the platform fills this fact (the applicant never types it)."""
    return not isinstance(getattr(fact, "source", DECLARED), str)


def needs(source) -> tuple[str, ...]:
    """The names (facts or parameters) a source reads from the claim."""
    if isinstance(source, Derive):
        return source.operands
    if isinstance(source, LastYear):
        return (source.year,) + ((source.otherwise,) if source.otherwise else ())
    return ()


def order(facts, item: str) -> list:
    """The item's known facts in an order where each comes after the facts it reads; a cycle is
    an error naming it."""
    by_name = {f.name: f for f in facts}
    done: dict[str, None] = {}
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in done or name not in by_name or not known(by_name[name]):
            return
        if name in visiting:
            cycle = visiting[visiting.index(name):] + [name]
            raise SourceError(f"facts.{name}.from", f"派生事实循环引用：{' → '.join(cycle)}")
        visiting.append(name)
        for n in needs(by_name[name].source):
            visit(n)
        visiting.pop()
        done[name] = None

    for f in facts:
        visit(f.name)
    return [by_name[n] for n in done]


# ---------------------------------------------------------------------------------------------
# Resolution: the claims with their known facts filled, and where each value came from.


def uses_known(policy) -> bool:
    return any(known(f) for item in policy.items.values() for f in item.facts)


def registers_used(policy) -> list[str]:
    policy = getattr(policy, "_policy", None) or policy  # a read model: the policy it was built from
    return sorted({f.source.code for item in policy.items.values() for f in item.facts if isinstance(f.source, FromRegister)})


def confirmed_facts(item) -> list:
    """The facts of an item a reviewer must confirm (declared by the applicant, `from: confirmed`)."""
    return [f for f in item.facts if getattr(f, "source", DECLARED) == CONFIRMED]


def earlier_of_awards(policy, awards: Iterable, *, load: Callable) -> list[Earlier]:
    """The awards of a history (contract dicts) as earlier awards the platform could read back;
    `load(policy_id)` reads the policy of an award of another policy (the caller's `load_policy`:
    this module is read by the policy loader, so it does not import it)."""
    load_policy = load
    out = []
    policies = {policy.id: policy}
    for a in awards:
        if type(a) is not dict or type(a.get("applicant")) is not dict:
            continue
        pid = a.get("policy", policy.id)
        if pid not in policies:
            try:
                policies[pid] = load_policy(pid)
            except BatchError:
                continue
        item = policies[pid].items.get(a.get("item"))
        if item is None:
            continue
        try:
            event = dt.date.fromisoformat(str(a.get("event_date")))
            amount = Decimal(str(a.get("amount")))
        except (ValueError, InvalidOperation):
            continue
        out.append(Earlier(item.ledger_id, str(a.get("id")), str(a["applicant"].get("id", "")).strip().upper(), event,
                           dict(a.get("facts") or {}), amount))
    return out


def by_applicant(earlier: Iterable[Earlier]) -> Callable[[Sequence[str]], Mapping[str, list[Earlier]]]:
    grouped: dict[str, list[Earlier]] = {}
    for e in earlier:
        grouped.setdefault(e.applicant, []).append(e)
    return lambda applicants: {a.upper(): grouped[a.upper()] for a in applicants if a.upper() in grouped}


@dataclass
class Resolved:
    claims: list
    refused: dict = field(default_factory=dict)  # position → the contract's error object
    notes: dict = field(default_factory=dict)  # claim id → ((fact name, value text, source text), …)


def _number(value):
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def _param_value(policy, name: str, event: int) -> Decimal:
    par = policy.parameters[name]
    v = par.at(event)
    if par.kind == "money":
        return Decimal(v) / 100
    if par.kind == "rate":
        return Decimal(v.numerator) / Decimal(v.denominator)
    return Decimal(v)


def resolve(policy, claims: list, *, earlier: Callable[[Sequence[str]], Mapping[str, list]] | None = None,
            registers: Mapping[str, RegisterList] | None = None) -> Resolved:
    """The claims (contract dicts) with the known facts of their items filled in order of need.

    A claim stating a known fact itself is refused (the field named): the platform knows it.
    Raises BatchError when a claim needs a register that is not given."""
    items = {i.id: (i, order(i.facts, i.id)) for i in policy.items.values() if any(known(f) for f in i.facts)}
    out = Resolved(list(claims))
    if not items:
        return out
    registers = registers or {}
    wanted = [c for c in claims if type(c) is dict and c.get("item") in items]
    applicants = sorted({str(c["applicant"].get("id", "")).strip() for c in wanted if type(c.get("applicant")) is dict})
    found = (earlier or (lambda _a: {}))(applicants) if applicants and _reads_ledger(items) else {}
    history = {str(k).upper(): v for k, v in found.items()}
    for p, c in enumerate(claims):
        if type(c) is not dict or c.get("item") not in items or type(c.get("facts")) is not dict:
            continue
        item, ordered = items[c["item"]]
        typed = next((f for f in ordered if f.name in c["facts"]), None)
        if typed is not None:
            out.refused[p] = {"id": c.get("id"), "error": {"code": "invalid_input", "field": f"facts.{typed.name}",
                                                            "message": TYPED.format(how=_how(typed))}}
            continue
        applicant = c["applicant"] if type(c.get("applicant")) is dict else {}
        who = str(applicant.get("id", "")).strip().upper()
        try:
            event = dt.date.fromisoformat(str(c.get("event_date")))
        except ValueError:
            continue  # the reader names the field
        facts = dict(c["facts"])
        notes = []
        for f in ordered:
            value, text = _value(policy, item, f, facts, who, event, history.get(who, ()), registers)
            if value is not None:  # none known: left out, as an optional fact (a `missing` condition reads it)
                facts[f.name] = value
            notes.append((f.name, _shown(f, value), text))
        out.claims[p] = {**c, "facts": facts}
        out.notes[str(c.get("id"))] = tuple(notes)
    return out


def _reads_ledger(items) -> bool:
    return any(isinstance(f.source, (First, LastYear)) for _, ordered in items.values() for f in ordered)


def _how(fact) -> str:
    s = fact.source
    return {Derive: "由其他事实计算", First: "读取台账", LastYear: "读取台账中的上年申报", FromRegister: "读取名单"}[type(s)]


def _shown(fact, value) -> str:
    if value is None:
        return "（无）"
    if isinstance(value, bool):
        return "是" if value else "否"
    return f"{value} 元" if fact.type == "money" else str(value)


def _value(policy, item, fact, facts: dict, who: str, event: dt.date, earlier, registers):
    s = fact.source
    if isinstance(s, Derive):
        return _derive(policy, item, fact, s, facts, event)
    if isinstance(s, First):
        scope = set(s.items) if s.items is not None else {i.ledger_id for i in policy.items.values()}
        before = [e for e in earlier if e.ledger_item in scope and e.amount > 0]
        if not before:
            return True, "台账中本申请人此前没有获得" + _scope_words(policy, s) + "，为首次"
        first = min(before, key=lambda e: e.event_date)
        title = _title(policy, first.ledger_item)
        return False, f"台账中本申请人此前已获{title}资助（事件日期 {first.event_date.isoformat()}），不是首次"
    if isinstance(s, LastYear):
        year = _number(facts.get(s.year))
        if year is not None:
            target = int(year) - 1
            found = [e for e in earlier if e.ledger_item == s.item and _number(e.facts.get(s.year)) == target
                     and e.facts.get(s.fact) is not None]
            if found:
                e = max(found, key=lambda e: e.event_date)
                value = _typed(fact, _number(e.facts[s.fact]))
                return value, f"台账：本申请人 {target} 年度「{s.item_title or s.item}」已获资助的申报中的「{s.fact_label or s.fact}」"
            if s.otherwise and facts.get(s.otherwise) not in (None, ""):
                value = _typed(fact, _number(facts[s.otherwise]))
                return value, f"台账中没有本申请人 {target} 年度的申报，按申请人申报的「{_label_of(item, s.otherwise)}」计，审核人员核对"
            return fact.default, f"台账中没有本申请人 {target} 年度的申报" + ("，申请人也未申报" if s.otherwise else "")
        return fact.default, "年度未填写，无法读取上年申报"
    # a register
    reg = registers.get(s.code)
    if reg is None:
        raise BatchError(NO_REGISTER.format(item=item.id, label=fact.label, code=s.code))
    listed = reg.holds(who, event)
    return listed, f"{reg.words()}：事件日期 {event.isoformat()} {'在名单中' if listed else '不在名单中'}"


def _label_of(item, name: str) -> str:
    return next((f.label for f in item.facts if f.name == name), name)


def _title(policy, ledger_item: str) -> str:
    for i in policy.items.values():
        if i.ledger_id == ledger_item:
            return f"「{i.title}」"
    return f"「{ledger_item}」"


def _scope_words(policy, s: First) -> str:
    if s.items is None:
        return "本政策的任何资助"
    return "、".join(_title(policy, i) for i in s.items) + "资助"


def _typed(fact, value: Decimal | None):
    if value is None:
        return fact.default
    if fact.type == "money":
        return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"
    if fact.type in ("number", "year"):
        return int(value) if value == value.to_integral_value() else f"{value}"
    return value


def _derive(policy, item, fact, s: Derive, facts: dict, event: dt.date):
    ordinal = event.toordinal()
    names = {f.name for f in item.facts}
    values = []
    words = []
    for name in s.operands:
        if name in names:
            v = _number(facts.get(name))
            words.append(_label_of(item, name).split("（")[0])
        else:
            v = _param_value(policy, name, ordinal)
            words.append(policy.parameters[name].title)
        if v is None:
            return fact.default, f"无法计算（{words[-1]} 未知）" + (f"，按 {fact.default} 计" if fact.default is not None else "")
        values.append(v)
    if s.op == "minus":
        result, sign = values[0] - values[1], " − "
    elif s.op == "plus":
        result, sign = sum(values, Decimal(0)), " + "
    elif s.op == "times":
        result = values[0]
        for v in values[1:]:
            result *= v
        sign = " × "
    elif s.op == "divide":
        result, sign = values[0] / values[1], " ÷ "
    else:  # share: rate × fact
        result, sign = values[0] * values[1], " × "
    shown = sign.join(f"{w} {v.normalize():f}" for w, v in zip(words, values))
    if s.at_least is not None and result < s.at_least:
        value = _typed(fact, s.at_least)
        return value, f"{shown} = {result.normalize():f}，不足 {s.at_least} 按 {value} 计"
    value = _typed(fact, result)
    return value, f"{shown} = {value}"
