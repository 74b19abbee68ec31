"""Allocation after a round closes: a pro-rata cut when the approved total exceeds the budget
(按同一比例核减), and quotas filled from a ranking (每年择优支持不超过5个).

A package declares them at its top level, each quoting its sentence:

    allocation:
      pro_rata:
        clause: 第十一条
        sentence: 年度审定资助总额超过当年资金预算的，各项资助按同一比例核减。
        over: year                 # year: the policy's annual budget; round: a round's budget
        remainder: largest_remainder   # or unallocated, or {interpretation: C3, options: {…}}
      quotas:
        navigation_best:
          label: 专利导航服务补助择优支持名额
          clause: 第十二条
          sentence: 专利导航服务补助每年择优支持不超过5个项目，按评审专家评分排序确定。
          items: [navigation]
          per: year                # year (the year of the round's closing) or round
          count: 5                 # must be written in the sentence (5, 五)
          by: panel_score          # panel_score (scores, higher first) or ranking (places, 1 first)
          ties: submitted_first    # the stated tie rule

The arithmetic is exact and in fen: ratio = budget ÷ approved total; each award becomes
floor(amount × ratio) to the fen; the remainder (budget − Σ cut amounts, fewer fen than awards)
is either given one fen at a time to the awards whose cut lost the largest fraction of a fen
(largest_remainder; equal fractions in the order given) or left unallocated. A ratio of 1 or
more cuts nothing. A quota's ranking averages the scores (or places) of several scorers exactly
(fractions, no rounding before comparing) and breaks ties by the stated rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Hashable, Sequence

from .shared import SharedError, _need, _unknown, rule_by_interpretation

YEAR, ROUND = "year", "round"
LARGEST_REMAINDER, UNALLOCATED = "largest_remainder", "unallocated"
PANEL_SCORE, RANKING = "panel_score", "ranking"
SUBMITTED_FIRST = "submitted_first"

OVER = {YEAR: "年度资金预算", ROUND: "申报批次资金预算"}
REMAINDERS = {
    LARGEST_REMAINDER: "核减后尾差（不足 1 分的部分合计）按各项舍去部分由大到小逐项补 0.01 元，直至分完",
    UNALLOCATED: "核减后尾差（不足 1 分的部分合计）不再分配，留在预算中",
}
BY = {PANEL_SCORE: "评审专家评分（多名专家取平均分，高者在前）", RANKING: "评审人员排序（多人取平均名次，小者在前）"}
TIES = {SUBMITTED_FIRST: "得分（名次）相同的，提交申报在先者在前"}

PRO_RATA_KEYS = {"clause", "sentence", "over", "remainder", "label"}
QUOTA_KEYS = {"label", "clause", "sentence", "items", "per", "count", "by", "ties"}
ALLOCATION_KEYS = {"pro_rata", "quotas"}

_CN_DIGITS = "零一二三四五六七八九十"


class AllocationError(SharedError):
    """An allocation declaration that cannot be read (the message, Chinese, names where)."""


@dataclass(frozen=True)
class ProRata:
    owner: str
    clause: str
    sentence: str
    over: str
    remainder: str | tuple  # a rule, or (interpretation id, {option: rule})
    label: str = "超出预算按同一比例核减"

    def remainder_under(self, interp: dict) -> str:
        if isinstance(self.remainder, str):
            return self.remainder
        iid, options = self.remainder
        return options.get(interp.get(iid), LARGEST_REMAINDER)


@dataclass(frozen=True)
class Quota:
    owner: str
    id: str
    label: str
    clause: str
    sentence: str
    items: tuple[str, ...]
    per: str
    count: int
    by: str
    ties: str = SUBMITTED_FIRST

    def covers(self, item: str) -> bool:
        return item in self.items


@dataclass(frozen=True)
class Allocation:
    pro_rata: ProRata | None = None
    quotas: tuple[Quota, ...] = ()

    def quota_for(self, item: str) -> Quota | None:
        return next((q for q in self.quotas if q.covers(item)), None)

    def __bool__(self) -> bool:
        return bool(self.pro_rata or self.quotas)


def _choice(value, known: dict, where: str) -> str:
    if value not in known:
        raise AllocationError(f"{where}：应为 {'、'.join(known)} 之一，现为 {value!r}")
    return str(value)


def read_allocation(owner: str, raw, own_items: dict, interpretations: dict) -> Allocation:
    """The `allocation:` of a package, checked against its items and interpretations."""
    if not raw:
        return Allocation()
    if not isinstance(raw, dict):
        raise AllocationError("allocation：应为映射 {pro_rata, quotas}")
    _unknown(raw, ALLOCATION_KEYS, "allocation")
    pro_rata = None
    if raw.get("pro_rata") is not None:
        where = "allocation.pro_rata"
        spec = raw["pro_rata"]
        if not isinstance(spec, dict):
            raise AllocationError(f"{where}：应为 {{clause, sentence, over, remainder}}")
        _unknown(spec, PRO_RATA_KEYS, where)
        remainder: Any = spec.get("remainder")
        if remainder is None:
            raise AllocationError(f"{where}：缺少「remainder」（尾差怎样处理：{'、'.join(REMAINDERS)}，原文未写明时写成解释）")
        if isinstance(remainder, dict):
            remainder = rule_by_interpretation(remainder, interpretations, REMAINDERS, f"{where}.remainder", every_option=True)
        else:
            remainder = _choice(remainder, REMAINDERS, f"{where}.remainder")
        pro_rata = ProRata(owner, str(_need(spec, "clause", where)), str(_need(spec, "sentence", where)),
                           _choice(_need(spec, "over", where), OVER, f"{where}.over"), remainder,
                           str(spec.get("label") or "超出预算按同一比例核减"))
    quotas = []
    raw_quotas = raw.get("quotas") or {}
    if not isinstance(raw_quotas, dict):
        raise AllocationError("allocation.quotas：应为「名额编号: 定义」的映射")
    covered: dict[str, str] = {}
    for qid, spec in raw_quotas.items():
        where = f"allocation.quotas.{qid}"
        if not isinstance(spec, dict):
            raise AllocationError(f"{where}：应为 {{label, clause, sentence, items, per, count, by, ties}}")
        _unknown(spec, QUOTA_KEYS, where)
        items = _need(spec, "items", where)
        if not isinstance(items, list) or not items:
            raise AllocationError(f"{where}.items：应为本政策项目编号的列表")
        for item in items:
            if str(item) not in own_items:
                raise AllocationError(f"{where}.items：项目 {item!r} 不是本政策的项目")
            if str(item) in covered:
                raise AllocationError(f"{where}.items：项目 {item} 已属于名额 {covered[str(item)]}，一个项目只能属于一个名额")
            covered[str(item)] = str(qid)
        count = spec.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise AllocationError(f"{where}.count：应为正整数（名额个数），现为 {count!r}")
        quotas.append(Quota(owner, str(qid), str(_need(spec, "label", where)), str(_need(spec, "clause", where)),
                            str(_need(spec, "sentence", where)), tuple(str(i) for i in items),
                            _choice(_need(spec, "per", where), OVER, f"{where}.per"), count,
                            _choice(_need(spec, "by", where), BY, f"{where}.by"),
                            _choice(spec.get("ties", SUBMITTED_FIRST), TIES, f"{where}.ties")))
    return Allocation(pro_rata, tuple(quotas))


def _chinese(n: int) -> str:
    if n <= 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n - 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def count_in_sentence(count: int, sentence: str) -> bool:
    """Whether the sentence writes this count (5个, 五个, 5家, 五名…), not another number."""
    return re.search(rf"(?<![0-9]){count}(?![0-9])|(?<![{_CN_DIGITS}]){_chinese(count)}(?![{_CN_DIGITS}])[个家项名件]", sentence) is not None


def sentence_problems(allocation: Allocation) -> list[tuple[tuple, str]]:
    """What the declarations say against their sentences: a pro-rata sentence speaks of a ratio
    (比例) and a budget or total; a quota's sentence writes its count and says 择优 or 名额."""
    out: list[tuple[tuple, str]] = []
    pr = allocation.pro_rata
    if pr is not None:
        if "比例" not in pr.sentence or not re.search(r"预算|总额|额度", pr.sentence):
            out.append((("allocation", "pro_rata", "sentence"),
                        f"按比例核减的语句应写明超出预算（或总额）时按比例核减：{pr.sentence}"))
    for q in allocation.quotas:
        if not count_in_sentence(q.count, q.sentence):
            out.append((("allocation", "quotas", q.id, "count"),
                        f"名额 {q.id} 的个数 {q.count} 不在其语句中：{q.sentence}"))
        if not re.search(r"择优|名额|不超过|限额", q.sentence):
            out.append((("allocation", "quotas", q.id, "sentence"),
                        f"名额 {q.id} 的语句没有写明择优或名额：{q.sentence}"))
        per_word = "每年|年度|当年" if q.per == YEAR else "每批|批次|每次"
        if not re.search(per_word, q.sentence):
            out.append((("allocation", "quotas", q.id, "per"),
                        f"名额 {q.id} 按{'年度' if q.per == YEAR else '申报批次'}计，语句中却没有写明：{q.sentence}"))
    return out


# ------------------------------------------------------------------------------------------
# The arithmetic: exact, in fen.

FEN = Decimal("0.01")


def _fen(amount: Decimal) -> int:
    q = Decimal(amount).quantize(FEN)
    if q != Decimal(amount):
        raise ValueError(f"金额 {amount} 不是以分为单位")
    return int(q * 100)


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(FEN)


@dataclass(frozen=True)
class CutLine:
    key: Hashable
    amount: Decimal  # approved (net) before the cut
    floor: Decimal  # floor(amount × ratio) to the fen
    extra: Decimal  # the fen given back by the remainder rule (0.00 or 0.01)
    lost_fraction: Fraction  # the part of a fen floor() dropped

    @property
    def after(self) -> Decimal:
        return self.floor + self.extra

    @property
    def cut(self) -> Decimal:
        return self.amount - self.after


@dataclass(frozen=True)
class ProRataPlan:
    budget: Decimal
    total: Decimal
    remainder_rule: str
    lines: tuple[CutLine, ...]

    @property
    def ratio(self) -> Fraction:
        return Fraction(_fen(self.budget), _fen(self.total)) if self.total else Fraction(1)

    @property
    def cuts(self) -> bool:
        return self.total > self.budget

    @property
    def ratio_text(self) -> str:
        """The ratio to six decimals (the computation uses it exactly)."""
        r = self.ratio
        return str((Decimal(r.numerator) / Decimal(r.denominator)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP))

    @property
    def after_total(self) -> Decimal:
        return sum((line.after for line in self.lines), Decimal("0.00"))

    @property
    def remainder(self) -> Decimal:
        """Fen of the budget not allocated after floor() (before the remainder rule)."""
        return self.budget - sum((line.floor for line in self.lines), Decimal("0.00")) if self.cuts else Decimal("0.00")

    @property
    def unallocated(self) -> Decimal:
        return (self.budget - self.after_total) if self.cuts else Decimal("0.00")


def pro_rata(budget: Decimal, awards: Sequence[tuple[Hashable, Decimal]], remainder: str) -> ProRataPlan:
    """Each award cut by one ratio (budget ÷ total) to the fen; see the module's docstring."""
    if remainder not in REMAINDERS:
        raise ValueError(f"unknown remainder rule {remainder!r}")
    budget_fen = _fen(budget)
    fens = [(key, _fen(amount)) for key, amount in awards]
    total_fen = sum(f for _, f in fens)
    if total_fen <= budget_fen or not fens:
        lines = tuple(CutLine(k, _yuan(f), _yuan(f), Decimal("0.00"), Fraction(0)) for k, f in fens)
        return ProRataPlan(_yuan(budget_fen), _yuan(total_fen), remainder, lines)
    floors = [(key, f, (f * budget_fen) // total_fen, Fraction((f * budget_fen) % total_fen, total_fen)) for key, f in fens]
    left = budget_fen - sum(fl for _, _, fl, _ in floors)
    extra = [0] * len(floors)
    if remainder == LARGEST_REMAINDER:
        order = sorted(range(len(floors)), key=lambda i: (-floors[i][3], i))
        for i in order[:left]:
            extra[i] = 1
    lines = tuple(CutLine(key, _yuan(f), _yuan(fl), _yuan(extra[i]), frac)
                  for i, (key, f, fl, frac) in enumerate(floors))
    return ProRataPlan(_yuan(budget_fen), _yuan(total_fen), remainder, lines)


@dataclass(frozen=True)
class Ranked:
    key: Hashable
    average: Fraction
    scores: tuple[Decimal, ...]
    place: int

    @property
    def average_text(self) -> str:
        return str((Decimal(self.average.numerator) / Decimal(self.average.denominator)).quantize(FEN, rounding=ROUND_HALF_UP))


def rank(entries: Sequence[tuple[Hashable, Sequence[Decimal], Any]], by: str, ties: str = SUBMITTED_FIRST) -> list[Ranked]:
    """Order claims by their scorers' average: (key, scores, tie value — e.g. the submission time)
    each; every entry needs at least one score. Places are 1, 2, 3… with ties broken by the rule."""
    if by not in BY or ties not in TIES:
        raise ValueError("unknown ranking")
    averaged = []
    for key, scores, tie in entries:
        if not scores:
            raise ValueError(f"{key!r} has no score")
        avg = sum((Fraction(Decimal(s)) for s in scores), Fraction(0)) / len(scores)
        averaged.append((key, avg, tuple(Decimal(s) for s in scores), tie))
    sign = -1 if by == PANEL_SCORE else 1
    averaged.sort(key=lambda e: (sign * e[1], e[3]))
    return [Ranked(key, avg, scores, place) for place, (key, avg, scores, _tie) in enumerate(averaged, start=1)]
