"""The vocabulary rules are written in: facts, formulas, conditions, keys and caps.

A rule is a declaration built from these pieces. Each piece *computes* over columns (numpy
arrays, one element per claim: the same code serves one claim and a million) and, when the claims
are to be explained, *records* what it computed on the way (`rec`: a dict of per-claim arrays —
the amount before a maximum, the tiers reached, the units funded, a condition's anniversary); its
`explain` then says one claim's record in Chinese and computes nothing, so the arithmetic a
reviewer reads is the arithmetic that ran (the explanation is the computation's trace).
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .money import fen_to_yuan
from .trace import objects

# Static reasons, in the contract's order; duplicate and cap_reached come from the ledger pass.
REASON_ORDER = (
    "outside_validity",
    "not_in_zone",
    "applicant_kind",
    "not_sme",
    "condition_not_met",
    "funded_elsewhere",
    "below_threshold",
    "duplicate",
    "cap_reached",
)

KINDS = ("enterprise", "service_agency", "school", "university", "institution", "social_org", "person")
ORG = tuple(k for k in KINDS if k != "person")
ANY = KINDS

REASON_LABELS = {
    "outside_validity": "事件日期不在政策有效期内",
    "not_in_zone": "申请人不在高新区内",
    "applicant_kind": "申请人类型不符合本项目",
    "not_sme": "申请人不是中小微企业",
    "condition_not_met": "不满足本项目条件",
    "funded_elsewhere": "已获其他资金支持，不重复资助",
    "below_threshold": "未达到资助门槛",
    "duplicate": "同一事项已获资助（重复申报）",
    "cap_reached": "超过资助上限",
}


@dataclass(eq=False, repr=False)
class Fact:
    """One fact a claim must state. `type` is one of the contract's types.

    The type's own rules go with it: an identifier (`normal` set) is kept in its normal form, so
    duplicate keys and cap groups compare the thing and not its spelling; a money fact that is
    the base of a share or a payment (`positive`) must be more than 0; a year fact is no later
    than the year of the claim's event date; `needless_when` names the values of another fact for
    which this one is not needed and not part of any key (an organisation award has no work).
    """

    name: str
    type: str  # year | money | bool | enum | text | date | number | uscc_list | lines
    label: str
    options: tuple[str, ...] = ()
    option_labels: dict | None = None
    optional: bool = False
    default: object = None
    normal: str | None = None  # "identifier" | "patent_number": compared in a normal form
    positive: bool = False
    whole: bool = False  # a number that counts things (件、个): a whole number
    needless_when: tuple[str, frozenset] | None = None
    #: Readings of the value under an interpretation: {(interp, option): reading}; "count_all"
    #: (a list of codes counted as listed, not distinct).
    reads_when: dict = field(default_factory=dict)
    #: An option of an enum read as another under an interpretation: {value: (interp, {option: as})}.
    alias_when: dict = field(default_factory=dict)
    #: A list of codes that may not hold the applicant's own (a provider is not its own client).
    not_applicant: bool = False
    #: Where the value comes from (known.py): "declared", "confirmed" (a reviewer confirms it), or
    #: a source the platform reads (derived, the ledger, a register): the applicant never types it.
    source: object = "declared"
    #: A `lines` fact's columns (category, count, object): see `LineColumns`.
    columns: "LineColumns | None" = None

    def reads(self, interp, reading: str) -> bool:
        return any((interp or {}).get(i) == o for (i, o), r in self.reads_when.items() if r == reading)

    def alias(self, value, interp):
        rule = self.alias_when.get(value) if type(value) is str else None
        if rule is None:
            return value
        iid, by_option = rule
        return by_option.get((interp or {}).get(iid), value)

    def normal_form(self, value):
        """The value as keys and caps compare it (the value itself unless an identifier)."""
        if self.normal is None or type(value) is not str:
            return value
        return normal_identifier(value, self.normal == "patent_number")

    def normal_forms(self, values: list) -> list:
        """`normal_form` of each value of a column (of strings, for a fact with a normal form)."""
        return normal_identifiers(values, self.normal == "patent_number")


@dataclass(frozen=True)
class LineColumns:
    """The columns of a `lines` fact (清单：一件申报逐行填写的数量): each line a category (one of
    `options`, which the `per_unit` formula maps to unit amounts), a whole count (more than 0) and,
    where declared, the object it is about (a patent number), compared in its normal form. A claim
    holds at most `MAX_LINES` lines; the same object (or, without objects, the same category)
    may not stand twice under one category. The typed value is a tuple of (category, count,
    object or None) tuples, in the order written."""

    category_label: str
    options: dict  # category code → its name in the text
    count_label: str = "数量"
    count_unit: str = ""  # 个、件: said after the count in explanations
    object_label: str | None = None
    object_normal: str | None = None  # "identifier" | "patent_number" (how objects compare)

    def option_text(self, code: str) -> str:
        return str(self.options.get(code, code))


MAX_LINES = 200
MAX_LINE_COUNT = 10_000


def lines_text(fact: Fact, value) -> str:
    """A `lines` value as the facts step says it: how many lines (each is shown in the calculation)."""
    return f"{len(value)} 行（逐行见计算）"


_WHITESPACE = re.compile(r"\s+")


def normal_identifier(text: str, patent: bool = False) -> str:
    """An identifier's normal form (calculator contract v2): Unicode NFKC (full-width brackets
    and digits become half-width), every whitespace removed, upper case; a patent number also
    without a leading "ZL". "" when nothing is left."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = _WHITESPACE.sub("", text).upper()
    if patent and text.startswith("ZL"):
        text = text[2:]
    return text


def normal_identifiers(texts: list, patent: bool = False) -> list:
    """`normal_identifier` of each text of a list of strings. A column already in normal form —
    ASCII, upper case, no whitespace — is told at C speed and only the "ZL" prefixes come off."""
    joined = "".join(texts)
    if joined.isascii() and joined == joined.upper() and (not joined or joined.split() == [joined]):
        if not patent or "ZL" not in joined:
            return list(texts)
        return [t[2:] if t.startswith("ZL") else t for t in texts]
    return [normal_identifier(t, patent) for t in texts]


# ---------------------------------------------------------------------------------------------
# Formulas: compute(cols, P, interp, rec=None) -> (fen int64 array, cut bool array), recording its
# steps into `rec` when given one; explain(rec, row, P) -> (fen, lines): one claim's record said.
# Every array a record holds has one entry per claim (trace.one_claim takes a claim's entries).


class Formula:
    params: tuple[str, ...] = ()

    def compute(self, cols, P, interp, rec: dict | None = None):  # pragma: no cover - interface
        raise NotImplementedError

    def explain(self, rec: dict, row, P) -> tuple[int, list[str]]:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass(eq=False, repr=False)
class Table(Formula):
    """A fixed amount chosen by an enum fact (a level, a title, a venue)."""

    param: str
    by: str

    @property
    def params(self):
        return (self.param,)

    def compute(self, cols, P, interp, rec=None):
        fen = P.table_fen(self.param, cols.facts[self.by], cols.event)
        if rec is not None:
            rec["fen"] = fen
        return fen, np.zeros(cols.n, dtype=bool)

    def explain(self, rec, row, P):
        key, fen = row["facts"][self.by], rec["fen"]
        return fen, [f"{P.describe(self.param, row['event'])}：{_option(row, self.by, key)} {P.amount(self.param, fen)}"]


@dataclass(eq=False, repr=False)
class Fixed(Formula):
    """One fixed amount."""

    param: str

    @property
    def params(self):
        return (self.param,)

    def compute(self, cols, P, interp, rec=None):
        fen = P.money_fen(self.param, cols.event, cols.n)
        if rec is not None:
            rec["fen"] = fen
        return fen, np.zeros(cols.n, dtype=bool)

    def explain(self, rec, row, P):
        fen = rec["fen"]
        return fen, [f"{P.describe(self.param, row['event'])}：{P.amount(self.param, fen)}"]


@dataclass(eq=False, repr=False)
class Rate(Formula):
    """A share of a money fact, rounded to the fen half up."""

    param: str
    of: str

    @property
    def params(self):
        return (self.param,)

    def compute(self, cols, P, interp, rec=None):
        num, den = P.rate(self.param, cols.event)
        base = cols.facts[self.of]
        fen = (base * (2 * num) + den) // (2 * den)
        if rec is not None:  # the rate read at each event, and the exact share before rounding
            rates = [Fraction(int(a), int(b)) for a, b in zip(*(np.broadcast_to(x, (cols.n,)).tolist() for x in (num, den)))]
            rec["fen"], rec["rate"] = fen, objects(rates)
            rec["exact"] = objects([int(b) * r / 100 for b, r in zip(np.asarray(base).tolist(), rates)])
        return fen, np.zeros(cols.n, dtype=bool)

    def explain(self, rec, row, P):
        rate, base, fen, exact = rec["rate"], row["facts"][self.of], rec["fen"], rec["exact"]
        return fen, [
            f"{P.describe(self.param, row['event'])} = {float(rate) * 100:g}%",
            f"{fen_to_yuan(base)} 元 × {float(rate) * 100:g}% = {_exact_yuan(exact)} 元"
            f" → {fen_to_yuan(fen)} 元（四舍五入到分）",
        ]


@dataclass(eq=False, repr=False)
class Amount(Formula):
    """A money fact taken as it is (e.g. the contract amount of a procurement)."""

    of: str

    def compute(self, cols, P, interp, rec=None):
        fen = cols.facts[self.of].copy()
        if rec is not None:
            rec["fen"] = fen
        return fen, np.zeros(cols.n, dtype=bool)

    def explain(self, rec, row, P):
        fen = rec["fen"]
        return fen, [f"{_labelled(row)(self.of)} {fen_to_yuan(fen)} 元"]


@dataclass(eq=False, repr=False)
class AtMost(Formula):
    """A per-claim maximum (每项最高): cuts the inner amount, and says it did."""

    inner: Formula
    param: str

    @property
    def params(self):
        return self.inner.params + (self.param,)

    def compute(self, cols, P, interp, rec=None):
        inner = None if rec is None else rec.setdefault("inner", {})
        fen, cut = self.inner.compute(cols, P, interp, inner)
        top = P.money_fen(self.param, cols.event, cols.n)
        over = fen > top
        out = np.where(over, top, fen)
        if rec is not None:
            rec["top"], rec["over"], rec["fen"] = top, over, out
        return out, cut | over

    def explain(self, rec, row, P):
        fen, lines = self.inner.explain(rec["inner"], row, P)
        top = rec["top"]
        if rec["over"]:
            lines.append(
                f"{P.describe(self.param, row['event'])}：{P.amount(self.param, top)}；"
                f"{fen_to_yuan(fen)} 元超过上限，按 {fen_to_yuan(top)} 元计"
            )
            return rec["fen"], lines
        lines.append(f"{P.describe(self.param, row['event'])}：{P.amount(self.param, top)}，未超过")
        return rec["fen"], lines


@dataclass(eq=False, repr=False)
class PerUnit(Formula):
    """Quantities (按件、按个): Σ unit amount × count over the claim's lines — one number fact per
    category ("国内发明专利 3 件，美日欧发明专利 2 件") — with at most `max_units` units funded per
    claim (每件最多资助3个国家), the dearer units first (the most the text allows, whatever the order
    the lines are written in)."""

    lines: tuple[tuple[str, str], ...]  # (count fact, unit money parameter)
    max_units: str | None = None  # a number parameter

    @property
    def params(self):
        return tuple(u for _, u in self.lines) + ((self.max_units,) if self.max_units else ())

    def compute(self, cols, P, interp, rec=None):
        n = cols.n
        counts = np.stack([np.asarray(cols.facts[c], dtype=np.int64) for c, _ in self.lines], axis=1)
        units = np.stack([np.broadcast_to(np.asarray(P.money_fen(u, cols.event, n), dtype=np.int64), (n,))
                          for _, u in self.lines], axis=1)
        cut = np.zeros(n, dtype=bool)
        declared = counts
        order = None
        if self.max_units:
            order = np.argsort(-units, axis=1, kind="stable")
            counts = declared = np.take_along_axis(counts, order, axis=1)
            units = np.take_along_axis(units, order, axis=1)
            room = np.broadcast_to(np.asarray(P.number(self.max_units, cols.event), dtype=np.int64), (n,))
            before = np.cumsum(counts, axis=1) - counts
            funded = np.clip(room[:, None] - before, 0, counts)
            total = counts.sum(axis=1)
            cut = funded.sum(axis=1) < total
            counts = funded
        amounts = counts * units
        fen = amounts.sum(axis=1)
        if rec is not None:  # each line as funded (the dearer units first under a maximum), and the sum
            rec.update(order=np.broadcast_to(np.arange(len(self.lines)), (n, len(self.lines))) if order is None else order,
                       declared=declared, funded=counts, units=units, amounts=amounts, fen=fen)
            if self.max_units:
                rec.update(room=room, total=total, over=total > room)
        return fen, cut

    def explain(self, rec, row, P):
        name = _labelled(row)
        event = row["event"]
        out = []
        if self.max_units:
            room, total = rec["room"], rec["total"]
            out.append(f"{P.describe(self.max_units, event)}：{room}；申报共 {total}"
                       + (f"，超过部分不予资助，按单价从高到低取 {room}" if rec["over"] else "，未超过"))
        for k, j in enumerate(rec["order"]):
            (fact, param), count, funded = self.lines[j], rec["declared"][k], rec["funded"][k]
            shown = f"{funded}（申报 {count}）" if funded != count else f"{count}"
            out.append(f"{name(fact)} {shown} × {P.describe(param, event)} {fen_to_yuan(rec['units'][k])} 元"
                       f" = {fen_to_yuan(rec['amounts'][k])} 元")
        out.append(f"合计 {fen_to_yuan(rec['fen'])} 元")
        return rec["fen"], out


@dataclass(eq=False, repr=False)
class PerLine(Formula):
    """Quantities written as lines of one `lines` fact (清单): Σ unit amount × count, the unit
    chosen by each line's category. `max_units` (每件最多资助3个国家或地区) applies to each object
    the lines name (each patent), or to the whole claim where the lines name no object; within
    it the dearer units are funded first, whatever the order the lines are written in."""

    fact: str
    units: tuple[tuple[str, str], ...]  # (category, unit money parameter)
    max_units: str | None = None  # a number parameter

    @property
    def params(self):
        return tuple(u for _, u in self.units) + ((self.max_units,) if self.max_units else ())

    def funded(self, lines, unit_of: dict, room) -> list[int]:
        """How many units of each line are funded: all, or at most `room` per object."""
        out = [count for _, count, _ in lines]
        if room is None:
            return out
        groups: dict = {}
        for i, (_, _, obj) in enumerate(lines):
            groups.setdefault(obj, []).append(i)
        for rows in groups.values():
            left = room
            for i in sorted(rows, key=lambda i: -unit_of[lines[i][0]]):  # stable: ties keep their order
                out[i] = max(0, min(out[i], left))
                left -= out[i]
        return out

    def _at(self, P, event: int):
        unit_of = {c: P.money_fen_one(u, event) for c, u in self.units}
        room = int(P.value_one(self.max_units, event)) if self.max_units else None
        return unit_of, room

    def compute(self, cols, P, interp, rec=None):
        n = cols.n
        fen = np.zeros(n, dtype=np.int64)
        cut = np.zeros(n, dtype=bool)
        col = cols.facts[self.fact]
        at = {}
        if rec is not None:  # each claim's units, maximum and lines as funded, as computed
            units, rooms, funds, amounts = (np.empty(n, dtype=object) for _ in range(4))
        for j in range(n):
            event = int(cols.event[j])
            if event not in at:
                at[event] = self._at(P, event)
            unit_of, room = at[event]
            lines = col[j]
            funded = self.funded(lines, unit_of, room)
            each = [f * unit_of[c] for f, (c, _, _) in zip(funded, lines)]
            fen[j] = sum(each)
            cut[j] = sum(funded) < sum(count for _, count, _ in lines)
            if rec is not None:
                units[j], rooms[j], funds[j], amounts[j] = unit_of, room, funded, each
        if rec is not None:
            rec.update(fen=fen, unit_of=units, room=rooms, funded=funds, amounts=amounts)
        return fen, cut

    def explain(self, rec, row, P):
        return lines_step(self, rec, row, P)


def lines_step(formula: PerLine, rec: dict, row, P) -> tuple[int, list[str]]:
    """The calculation of a claim's lines, one sentence per line ("第1行 ZL… 美国、日本、欧洲专利局
    2 个 × 3万元 = 6万元"), from what the formula recorded as it computed (units, maximum, funded)."""
    event = row["event"]
    lines = row["facts"][formula.fact]
    spec = (row.get("specs") or {}).get(formula.fact)
    columns = spec.columns if spec is not None and spec.columns is not None else LineColumns("类别", {})
    unit_param = dict(formula.units)
    unit_of, room, funded, amounts = rec["unit_of"], rec["room"], rec["funded"], rec["amounts"]
    out = []
    if room is not None:
        each = f"每个{columns.object_label.split('（')[0]}分别计" if columns.object_label else "本申报合计"
        out.append(f"{P.describe(formula.max_units, event)}：{room}（{each}，超过时按单价从高到低取）")
    word = f" {columns.count_unit}" if columns.count_unit else ""
    for k, ((cat, count, obj), got, amount) in enumerate(zip(lines, funded, amounts), 1):
        param = unit_param[cat]
        unit = unit_of[cat]
        shown = f"{got}{word}（申报 {count}，超过最多资助数量）" if got != count else f"{count}{word}"
        about = f" {obj}" if obj else ""
        out.append(f"第{k}行{about} {columns.option_text(cat)} {shown} × {P.in_text(param, unit)}"
                   f" = {P.in_text(param, amount)}")
    out.append(f"合计 {fen_to_yuan(rec['fen'])} 元")
    return rec["fen"], out


@dataclass(eq=False, repr=False)
class Less(Formula):
    """The inner amount less a money fact (what was paid elsewhere for the same thing), never
    below 0: only the difference is paid — always, or (`when`) under one interpretation."""

    inner: Formula
    minus: str
    #: (interp, option), or several such pairs that must all hold
    when: tuple | None = None

    @property
    def params(self):
        return self.inner.params

    def _applies(self, interp) -> bool:
        if self.when is None:
            return True
        pairs = self.when if isinstance(self.when[0], tuple) else (self.when,)
        return all(interp.get(i) == o for i, o in pairs)

    def compute(self, cols, P, interp, rec=None):
        inner = None if rec is None else rec.setdefault("inner", {})
        fen, cut = self.inner.compute(cols, P, interp, inner)
        applies = self._applies(interp)
        if applies:
            fen = np.maximum(fen - cols.facts[self.minus], 0)
        if rec is not None:
            rec["applies"], rec["fen"] = applies, fen
        return fen, cut

    def explain(self, rec, row, P):
        fen, lines = self.inner.explain(rec["inner"], row, P)
        if not rec["applies"]:
            return fen, lines
        other = row["facts"][self.minus]
        left = rec["fen"]
        lines.append(f"{fen_to_yuan(fen)} 元 − {_labelled(row)(self.minus)} {fen_to_yuan(other)} 元 = {fen_to_yuan(left)} 元（只补差额）")
        return left, lines


def _labelled(row):
    """A fact's label as an explanation says it ("实际发生费用", without its unit "（元）"): each
    term of a subtraction is named. The explanation puts the item's facts on the row."""
    specs = row.get("specs") or {}
    return lambda name: specs[name].label.split("（")[0] if name in specs else name


def _option(row, fact: str, value) -> str:
    """An option of an enum fact as the text names it ("银奖", not `silver`)."""
    spec = (row.get("specs") or {}).get(fact)
    return str((spec.option_labels or {}).get(value, value)) if spec is not None else str(value)


@dataclass(eq=False, repr=False)
class Residual(Formula):
    """What is left of a cost after other subsidies: max(0, cost − the others)."""

    of: str
    minus: tuple[str, ...]

    def compute(self, cols, P, interp, rec=None):
        fen = cols.facts[self.of].copy()
        for name in self.minus:
            fen = fen - cols.facts[name]
        out = np.maximum(fen, 0)
        if rec is not None:  # the difference, and whether it fell short of 0
            rec["difference"], rec["short"], rec["fen"] = fen, fen < 0, out
        return out, np.zeros(cols.n, dtype=bool)

    def explain(self, rec, row, P):
        f = row["facts"]
        named = _labelled(row)
        parts = " − ".join(f"{named(m)} {fen_to_yuan(f[m])} 元" for m in self.minus)
        return rec["fen"], [
            f"{named(self.of)} {fen_to_yuan(f[self.of])} 元 − {parts} = {fen_to_yuan(rec['difference'])} 元"
            + ("，不足部分按 0 计" if rec["short"] else "")
        ]


@dataclass(eq=False, repr=False)
class Tiers(Formula):
    """Amounts by thresholds of a count or a sum; the highest tier reached, or (when an
    interpretation says so) every tier reached added up."""

    param: str
    of: str
    of_money: bool = False
    cumulative_when: tuple[str, str] | None = None

    @property
    def params(self):
        return (self.param,)

    def _cumulative(self, interp):
        return self.cumulative_when is not None and interp.get(self.cumulative_when[0]) == self.cumulative_when[1]

    def compute(self, cols, P, interp, rec=None):
        cumulative = self._cumulative(interp)
        fen = P.tier_amounts(self.param, cols.facts[self.of], cols.event, cumulative, rec)
        if rec is not None:
            rec["cumulative"], rec["fen"] = cumulative, fen
        return fen, np.zeros(cols.n, dtype=bool)

    def explain(self, rec, row, P):
        inclusive, tiers = rec["table"]
        value = row["facts"][self.of]
        shown = fen_to_yuan(value) + " 元" if self.of_money else f"{value} 家"
        cumulative, fen = rec["cumulative"], rec["fen"]
        hit = [tier for tier, reached in zip(tiers, rec["reached"]) if reached]

        def said(fen):  # as the text says it: 超过100万元 → 3万元
            return P.in_text(self.param, fen)

        t_text = "；".join(
            f"{'达到' if inclusive else '超过'}{said(t) if self.of_money else f'{t}家'} → {said(a)}" for t, a in tiers
        )
        lines = [f"{P.describe(self.param, row['event'])}：{t_text}", f"实际：{shown}"]
        if not hit:
            lines.append("未达到最低档次")
        elif cumulative:
            lines.append("所达各档次合计：" + " + ".join(said(a) for _, a in hit) + f" = {P.amount(self.param, fen)}")
        else:
            lines.append(f"所达最高档次金额 {P.amount(self.param, fen)}")
        return fen, lines



def _exact_yuan(value) -> str:
    """A Fraction of yuan in decimals, exactly when six places suffice (then "…" marks the rest)."""
    scaled, rest = divmod(value.numerator * 10**6, value.denominator)
    text = f"{scaled // 10**6}.{scaled % 10**6:06d}".rstrip("0").rstrip(".")
    return text + ("…" if rest else "")


# ---------------------------------------------------------------------------------------------
# Conditions: a reason and the claims it applies to.


@dataclass(eq=False, repr=False)
class Condition:
    """`applies(cols, P, interp, fen)` is a bool mask of the claims the reason applies to."""

    reason: str
    describe: str
    applies: Callable
    only_when: tuple[str, str] | None = None  # a condition of one reading of the text only
    not_when: tuple[str, str] | None = None  # … or of every reading but one
    #: What a person needs to know when the condition fails, from the claim's own values and what
    #: the test recorded for it: ``detail(row, values) -> str`` (e.g. the date a one-year condition is met).
    detail: Callable | None = None
    #: The test that records its steps: ``traced(cols, P, interp, fen) -> (mask, values)``, values
    #: a dict of per-claim arrays (the anniversary a years test compared with) or None; `applies`
    #: is then its mask.
    traced: Callable | None = None

    def trace(self, cols, P, interp, fen):
        """(mask, values): the test's mask and what it computed on the way (None: nothing to say)."""
        if self.traced is None:
            return self.applies(cols, P, interp, fen), None
        return self.traced(cols, P, interp, fen)

    def in_force(self, interp) -> bool:
        if self.only_when is not None and interp.get(self.only_when[0]) != self.only_when[1]:
            return False
        return not (self.not_when is not None and interp.get(self.not_when[0]) == self.not_when[1])


def unless(fact: str, describe: str, reason: str = "condition_not_met") -> Condition:
    """The reason applies where a boolean fact is false."""
    return Condition(reason, describe, lambda cols, P, interp, fen: ~cols.facts[fact])


def when(fact: str, describe: str, reason: str) -> Condition:
    """The reason applies where a boolean fact is true."""
    return Condition(reason, describe, lambda cols, P, interp, fen: cols.facts[fact])


def nothing_left(describe: str, reason: str) -> Condition:
    """The reason applies where the formula gives nothing."""
    return Condition(reason, describe, lambda cols, P, interp, fen: fen == 0)


# ---------------------------------------------------------------------------------------------
# The item: one claimable thing of the policy.


@dataclass(eq=False, repr=False)
class Cap:
    """A sum the awards of a group of claims may not exceed (per project, applicant, year…).

    `group` names facts (or "applicant"); `by` picks the cap from a table parameter by a fact;
    `per_year_when` adds the calendar year of the event date to the group under an interpretation.
    """

    param: str
    group: tuple[str, ...]
    label: str
    by: str | None = None
    per_year_when: tuple[str, str] | None = None
    group_when: dict = field(default_factory=dict)  # {(interp, option): (group fields, label)}

    def group_fields(self, interp) -> tuple[str, ...]:
        for (iid, option), (fields, _label) in self.group_when.items():
            if interp.get(iid) == option:
                return fields
        return self.group

    def group_label(self, interp) -> str:
        for (iid, option), (_fields, label) in self.group_when.items():
            if interp.get(iid) == option:
                return label
        return self.label


#: What breaks a promise (承诺) an item's claim carries: the enterprise moved its registration out of
#: the zone, was deregistered, or anything else staff record with evidence.
BREACHES = {"moved_out_of_zone": "迁离本区", "deregistered": "注销登记", "other": "其他违反承诺的情形"}
#: Where a promise's term starts, and how much is recovered when it is broken.
PROMISE_STARTS = {"payment": "资助资金拨付之日", "approval": "资助审定之日"}
PROMISE_RECOVERIES = {"all": "追回已拨付的全部资助", "proportional": "按承诺期未履行的天数占承诺期天数的比例追回"}


@dataclass(frozen=True)
class Promise:
    """A promise an applicant signs to get an item's money (五（一）「在区内经营不少于3年的承诺书」):
    its text quoted from the policy, the evidence that is the signed letter, its term in years (a
    number parameter), when the term starts and how much is recovered on a breach — each either
    fixed by the text or an interpretation whose options are named as PROMISE_STARTS /
    PROMISE_RECOVERIES — and what breaks it."""

    text: str
    evidence: str
    years: str  # a number parameter
    start: str | None = None  # fixed: payment / approval
    start_by: str | None = None  # or an interpretation whose options are payment / approval
    recovery: str | None = None  # fixed: all / proportional
    recovery_by: str | None = None  # or an interpretation whose options are all / proportional
    breaches: tuple[str, ...] = tuple(BREACHES)


@dataclass(eq=False, repr=False)
class Item:
    id: str
    clause: str
    title: str
    source: str  # the sentence of the policy text the item rests on (verbatim, spaces removed)
    kinds: tuple[str, ...]
    facts: tuple[Fact, ...]
    formula: Formula
    summary: str
    conditions: tuple[Condition, ...] = ()
    key: tuple[str, ...] | None = None  # duplicate key fields ("applicant" or fact names)
    key_when: dict = field(default_factory=dict)  # {(interp, option): key fields}
    cap: Cap | None = None
    top_up_when: tuple[str, str] | bool = False  # pays entitlement minus what was paid already
    top_up_by: tuple[str, ...] = ("applicant",)  # … by this applicant (for this edition, …)
    kinds_by: tuple[str, dict] | None = None  # (fact, {value: kinds}) overrides `kinds`
    # Built-in gates of the removed Python rules: an item written as data declares its gates as
    # conditions, so these are always True and False (evaluation's static pass still reads them;
    # its two branches on them never run and go with issue 20's rewrite of that pass).
    zone_exempt: bool = False
    requires_sme: bool = False
    interpretations: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    # Stages (分期拨付): the installments the award is paid in (installments.py); empty: paid at once.
    installments: tuple = ()
    promise: Promise | None = None  # a promise (承诺) the claim carries, recovered when broken
    # The item of a predecessor policy this one continues ("policy-id/item-id"), if any; its
    # duplicate keys, top-ups and caps are shared with that item (不重复资助 across policies).
    continues: str | None = None
    # The ledger's name for the item: "policy-id/item-id" of the first item of its line (set by
    # the Policy that loads it).
    ledger_id: str = ""

    def key_fields(self, interp) -> tuple[str, ...] | None:
        for (iid, option), fields in self.key_when.items():
            if interp.get(iid) == option:
                return fields
        return self.key

    def tops_up(self, interp) -> bool:
        if isinstance(self.top_up_when, tuple):
            return interp.get(self.top_up_when[0]) == self.top_up_when[1]
        return bool(self.top_up_when)

    def gates(self) -> frozenset[str]:
        """The applicant gates of the item ("not_in_zone", "not_sme"), as its conditions declare them
        (an item is written as data: no gate is built in)."""
        return frozenset(c.reason for c in self.conditions if c.reason in ("not_in_zone", "not_sme"))

    def fact(self, name) -> Fact:
        for f in self.facts:
            if f.name == name:
                return f
        raise KeyError(name)
