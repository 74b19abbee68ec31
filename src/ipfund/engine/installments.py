"""Stages (分期拨付): an award paid in installments, as an item of a package declares it.

    installments:
      - {share: "50%", when: approval, sentence: …立项时拨付50%…}
      - {share: "50%", when: acceptance, label: 验收合格, failed: 验收不合格, sentence: …}

Each installment is a share of the award (`share`, a percentage or a fraction) or a fixed amount
(`amount`, yuan, as a string); the last one takes what is left, so the installments always add up
to the award exactly and never above it. Shares are rounded half up to the fen (分); the last
installment takes the remainder. When every installment is a share the shares add up to 100%; when
one is a fixed amount the last is written `share: rest` (剩余).

`when: approval` is paid once the award is final (立项、审定后); any other `when` is a condition
named by the package, with its Chinese `label` (what a reviewer confirms, e.g. 验收合格) and, when it
fails, its `failed` label (default「未{label}」): the installment waits until a reviewer records the
outcome and is cancelled, with every later one, when it fails.

The whole award is the grant: it counts against caps and budgets at approval; a cancelled
installment is taken back then (the platform's ledger reduction). Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

APPROVAL = "approval"
REST = "rest"
APPROVAL_LABEL = "审定（立项）后"

#: Cents of a yuan.
FEN = Decimal("0.01")


class InstallmentError(ValueError):
    """An installments declaration that cannot be read; the message (Chinese) names the field
    as `installments[n].field` (the item is added by the reader)."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"「{field}」{problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class Stage:
    """One installment as declared: a share (fraction of 1), a fixed amount (yuan) or the rest."""

    number: int
    when: str  # "approval" or the package's name of the condition
    label: str  # Chinese: 审定（立项）后 / 验收合格
    failed_label: str  # Chinese: 验收不合格 ("" for approval)
    sentence: str
    share: Decimal | None = None
    amount: Decimal | None = None
    rest: bool = False

    @property
    def conditional(self) -> bool:
        return self.when != APPROVAL

    def describe(self) -> str:
        if self.rest:
            return "剩余部分"
        if self.amount is not None:
            return f"{self.amount:.2f} 元"
        return f"{_percent(self.share)}"


@dataclass(frozen=True)
class Planned:
    """One installment of a given award: its amount (yuan, to the fen) and when it is paid."""

    number: int
    amount: Decimal
    when: str
    label: str
    failed_label: str
    share: str  # as declared, for people: 50% / 10000.00 元 / 剩余部分

    @property
    def conditional(self) -> bool:
        return self.when != APPROVAL

    def as_record(self) -> dict:
        return {"number": self.number, "amount": f"{self.amount:.2f}", "when": self.when, "label": self.label,
                "failed_label": self.failed_label, "share": self.share}

    @classmethod
    def from_record(cls, data) -> "Planned":
        return cls(int(data["number"]), Decimal(data["amount"]), str(data["when"]), str(data.get("label", "")),
                   str(data.get("failed_label", "")), str(data.get("share", "")))


def _percent(share: Decimal | None) -> str:
    if share is None:
        return ""
    text = f"{(share * 100).normalize():f}"
    return f"{text}%"


def _share(value, field: str) -> Decimal:
    text = str(value).strip()
    try:
        if text.endswith("%") or text.endswith("％"):
            share = Decimal(text[:-1]) / 100
        else:
            share = Decimal(text)
    except InvalidOperation:
        raise InstallmentError(field, f"应为百分比（如 \"50%\"）或 0 至 1 的比例，现为 {value!r}") from None
    if not share.is_finite() or share <= 0 or share > 1:
        raise InstallmentError(field, f"应大于 0、不超过 100%，现为 {value!r}")
    return share


def _amount(value, field: str) -> Decimal:
    if not isinstance(value, str):
        raise InstallmentError(field, f"金额应写成以元计的字符串（如 \"20000\"），现为 {value!r}")
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        raise InstallmentError(field, f"应为以元计的金额，现为 {value!r}") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(FEN):
        raise InstallmentError(field, f"应为大于零、以分为单位的金额，现为 {value!r}")
    return amount


STAGE_KEYS = ("share", "amount", "when", "label", "failed", "sentence")


def read_stages(spec) -> tuple[Stage, ...]:
    """The `installments:` list of an item → its stages; every mistake an InstallmentError."""
    if not isinstance(spec, list) or len(spec) < 2:
        raise InstallmentError("installments", "应为至少两期的列表：每期 {share 或 amount, when, sentence}")
    stages: list[Stage] = []
    conditions: set[str] = set()
    for i, raw in enumerate(spec):
        where = f"installments[{i + 1}]"
        if not isinstance(raw, dict):
            raise InstallmentError(where, "应为 {share 或 amount, when, sentence}")
        unknown = sorted(set(map(str, raw)) - set(STAGE_KEYS))
        if unknown:
            raise InstallmentError(f"{where}.{unknown[0]}", f"不是分期的字段（可用：{'、'.join(STAGE_KEYS)}）")
        last = i == len(spec) - 1
        has_share, has_amount = raw.get("share") not in (None, ""), raw.get("amount") not in (None, "")
        if has_share == has_amount:
            raise InstallmentError(where, "须写 share（比例）或 amount（固定金额）之一")
        share = amount = None
        rest = False
        if has_share and str(raw["share"]).strip() in (REST, "剩余"):
            if not last:
                raise InstallmentError(f"{where}.share", "只有最后一期可写 rest（剩余部分）")
            rest = True
        elif has_share:
            share = _share(raw["share"], f"{where}.share")
        else:
            if last:
                raise InstallmentError(f"{where}.amount", "最后一期取剩余部分，应写 share（比例或 rest），不写固定金额")
            amount = _amount(raw["amount"], f"{where}.amount")
        when = str(raw.get("when") or "").strip()
        if not when:
            raise InstallmentError(f"{where}.when", "缺少拨付条件：approval（审定后）或条件名称")
        label = str(raw.get("label") or "").strip()
        failed = str(raw.get("failed") or "").strip()
        if when == APPROVAL:
            if failed:
                raise InstallmentError(f"{where}.failed", "审定后拨付的一期没有不满足的情形，不写 failed")
            label = label or APPROVAL_LABEL
        else:
            if not label:
                raise InstallmentError(f"{where}.label", f"条件 {when!r} 须写中文名称（如 验收合格）")
            if when in conditions:
                raise InstallmentError(f"{where}.when", f"条件 {when!r} 已用于前面的一期：每个条件只决定一期")
            conditions.add(when)
            failed = failed or f"未{label}"
        if stages and stages[-1].conditional and when == APPROVAL:
            raise InstallmentError(f"{where}.when", "审定后拨付的一期不能排在有条件的一期之后")
        sentence = str(raw.get("sentence") or "").strip()
        if not sentence:
            raise InstallmentError(f"{where}.sentence", "缺少所依据的原文语句（逐字引用）")
        stages.append(Stage(i + 1, when, label, failed, sentence, share, amount, rest))
    shares = [s.share for s in stages if s.share is not None]
    if any(s.amount is not None for s in stages):
        if not stages[-1].rest:
            raise InstallmentError(f"installments[{len(stages)}].share", "有固定金额的一期时，最后一期应写 rest（剩余部分）")
        if sum(shares, Decimal(0)) >= 1:
            raise InstallmentError("installments", "各期比例合计应小于 100%（还有固定金额的一期）")
    elif not stages[-1].rest and sum(shares, Decimal(0)) != 1:
        total = _percent(sum(shares, Decimal(0)))
        raise InstallmentError("installments", f"各期比例合计应为 100%，现为 {total}")
    elif stages[-1].rest and sum(shares, Decimal(0)) >= 1:
        raise InstallmentError("installments", "最后一期为剩余部分时，前面各期比例合计应小于 100%")
    return tuple(stages)


def plan(stages: tuple[Stage, ...], award: Decimal) -> tuple[Planned, ...]:
    """The installments of an award: each share rounded half up to the fen, each fixed amount as
    written (at most what is left), the last one the remainder. Never above the award; an
    installment left with nothing is not planned."""
    award = Decimal(award).quantize(FEN)
    left = award
    out: list[Planned] = []
    for s in stages:
        if s is stages[-1]:
            amount = left
        elif s.amount is not None:
            amount = min(s.amount, left)
        else:
            amount = min((award * s.share).quantize(FEN, rounding=ROUND_HALF_UP), left)  # type: ignore[operator]
        left -= amount
        if amount > 0:
            out.append(Planned(len(out) + 1, amount, s.when, s.label, s.failed_label, s.describe()))
    return tuple(out)


def plan_sentence(planned: tuple[Planned, ...]) -> str:
    """The plan in one Chinese sentence: 分 2 期拨付：第 1 期 15000.00 元（50%，审定（立项）后）；…"""
    parts = [f"第 {p.number} 期 {p.amount:.2f} 元（{p.share}，{p.label}{'后' if p.conditional else ''}拨付）"
             for p in planned]
    return f"分 {len(planned)} 期拨付：" + "；".join(parts) + "。"


__all__ = ["APPROVAL", "InstallmentError", "Planned", "Stage", "plan", "plan_sentence", "read_stages"]
