"""`ipfund policy diff`: what changed between two packages (a policy and its successor) or two
versions of one (the values in force on two dates), item by item, in a policy officer's words.

Items are paired by the successor's `continues:` declaration, otherwise by id. For each pair the
parameters each formula and cap reads are compared as read on the given day (by default: the
latest version of each), in yuan and 万元, with the document that set each new value.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

from ..vocabulary import Amount, AtMost, Fixed, Rate, Residual, Table, Tiers


def money(fen: int) -> str:
    yuan = Decimal(fen) / 100
    if yuan >= 10000 and yuan % 100 == 0:
        return f"{(yuan / 10000).normalize():f} 万元"
    return f"{yuan.quantize(Decimal('0.01')) if yuan % 1 else int(yuan)} 元"


def _rate(r) -> str:
    return f"{(Decimal(r.numerator) / Decimal(r.denominator) * 100).normalize():f}%"


class _Reader:
    """One side of the comparison: a policy and the day (or the latest versions)."""

    def __init__(self, policy, day: _dt.date | None):
        self.policy, self.day = policy, day

    def version(self, name: str) -> int:
        par = self.policy.parameters[name]
        return par.period_one(self.day.toordinal()) if self.day else len(par.values) - 1

    def value(self, name: str):
        return self.policy.parameters[name].values[self.version(name)]

    def document(self, name: str) -> str:
        par = self.policy.parameters[name]
        amended = par.amended_by[self.version(name)] if par.amended_by else None
        return amended[0] if amended else self.policy.document_number

    def label(self) -> str:
        p = self.policy
        when = f"，{self.day.isoformat()} 施行的版本" if self.day else ""
        return f"《{p.title}》（{p.document_number}{when}）"


def _tiers_text(value, of_money: bool) -> str:
    inclusive, tiers = value
    word = "达到" if inclusive else "超过"
    unit = money if of_money else (lambda t: f"{t} 家")
    return "、".join(f"{word} {unit(t)} {money(a)}" for t, a in tiers)


def _table_changes(old, new, labels) -> list[str]:
    out = []
    for key in dict.fromkeys([*old, *new]):
        label = labels.get(key, key)
        if key not in old:
            out.append(f"新增「{label}」{money(new[key])}")
        elif key not in new:
            out.append(f"取消「{label}」（原 {money(old[key])}）")
        elif old[key] != new[key]:
            out.append(f"「{label}」{money(old[key])} → {money(new[key])}")
    return out


def _formula_changes(a: _Reader, b: _Reader, fa, fb, new_item) -> list[str] | None:
    """Changes between two formulas of the same form; None when their forms differ."""
    if type(fa) is not type(fb):
        return None
    if isinstance(fa, AtMost):
        inner = _formula_changes(a, b, fa.inner, fb.inner, new_item)
        if inner is None:
            return None
        va, vb = a.value(fa.param), b.value(fb.param)
        top = [f"每项最高 {money(va)} → {money(vb)}（{b.document(fb.param)}）"] if va != vb else []
        return inner + top
    if isinstance(fa, Table):
        labels = new_item.fact(fb.by).option_labels or {}
        changes = _table_changes(a.value(fa.param), b.value(fb.param), labels)
        return [f"金额：{'；'.join(changes)}（{b.document(fb.param)}）"] if changes else []
    if isinstance(fa, Rate):
        va, vb = a.value(fa.param), b.value(fb.param)
        return [f"比例 {_rate(va)} → {_rate(vb)}（{b.document(fb.param)}）"] if va != vb else []
    if isinstance(fa, Fixed):
        va, vb = a.value(fa.param), b.value(fb.param)
        return [f"金额 {money(va)} → {money(vb)}（{b.document(fb.param)}）"] if va != vb else []
    if isinstance(fa, Tiers):
        va, vb = a.value(fa.param), b.value(fb.param)
        if va == vb:
            return []
        notes = []
        if len(va[1]) != len(vb[1]):
            notes.append(f"由 {len(va[1])} 档改为 {len(vb[1])} 档")
        if va[0] != vb[0]:
            notes.append("“超过”（不含本数）改为“达到”（含本数）" if vb[0] else "“达到”（含本数）改为“超过”（不含本数）")
        return [
            f"档次：{_tiers_text(va, fa.of_money)} → {_tiers_text(vb, fb.of_money)}"
            + (f"（{'；'.join(notes)}）" if notes else "") + f"（{b.document(fb.param)}）"
        ]
    if isinstance(fa, (Residual, Amount)):
        return []
    return None


def _pair_changes(a: _Reader, b: _Reader, old, new) -> list[str]:
    out = []
    formula = _formula_changes(a, b, old.formula, new.formula, new)
    if formula is None:
        out.append(f"计算方法：{old.summary} → {new.summary}")
    else:
        out += formula
    if (old.cap is None) != (new.cap is None):
        out.append(f"上限：{'新增' if new.cap else '取消'}{(new.cap or old.cap).label}累计上限")
    elif old.cap is not None and not old.cap.by and not new.cap.by:
        va, vb = a.value(old.cap.param), b.value(new.cap.param)
        if va != vb:
            out.append(f"上限（{new.cap.label}）{money(va)} → {money(vb)}（{b.document(new.cap.param)}）")
    elif old.cap is not None:
        changes = _table_changes(a.value(old.cap.param), b.value(new.cap.param), {})
        if changes:
            out.append(f"上限（{new.cap.label}）：{'；'.join(changes)}")
    kinds = b.policy.kind_labels
    if set(old.kinds) != set(new.kinds):
        out.append(f"可申报：{'、'.join(kinds[k] for k in old.kinds)} → {'、'.join(kinds[k] for k in new.kinds)}")
    ga, gb = _gates(old), _gates(new)
    for reason in gb - ga:
        out.append(f"新增条件：{GATE_WORDS[reason]}")
    for reason in ga - gb:
        out.append(f"取消条件：{GATE_WORDS[reason]}")
    ca, cb = _conditions(old), _conditions(new)
    out += [f"新增条件：{c}" for c in cb if c not in ca]
    out += [f"取消条件：{c}" for c in ca if c not in cb]
    return out


GATE_WORDS = {"not_in_zone": "申请人须在区内", "not_sme": "申请人须为中小微企业"}


def _gates(item) -> set[str]:
    """The applicant gates of an item, as its conditions declare them."""
    return set(item.gates())


def _conditions(item) -> list[str]:
    """The other conditions, as described, without the ones the engine adds itself."""
    return [c.describe for c in item.conditions
            if c.reason not in GATE_WORDS and not c.describe.endswith("（该版本不予资助）")]


def diff_policies(old, new, *, old_day: _dt.date | None = None, new_day: _dt.date | None = None) -> list[str]:
    a, b = _Reader(old, old_day), _Reader(new, new_day)
    same = old.id == new.id
    lines = [f"{'同一政策的两个版本' if same else '两项政策'}比较：", f"  原：{a.label()}", f"  新：{b.label()}"]
    if new.predecessor_id == old.id:
        lines.append(f"  新政策声明延续原政策的 {len(new.continued)} 个项目：重复资助与累计上限跨两项政策合并计算。")
    va = [_dt.date.fromordinal(a.value(n)).isoformat() for n in ("validity.start", "validity.end")]
    vb = [_dt.date.fromordinal(b.value(n)).isoformat() for n in ("validity.start", "validity.end")]
    lines.append(f"  有效期：{va[0]} 至 {va[1]}" + (f" → {vb[0]} 至 {vb[1]}" if va != vb else "（未变）"))
    lines.append("")
    if new.predecessor_id == old.id:
        pairs = [(old.items[theirs], new.items[mine]) for mine, theirs in new.continued.items()
                 if mine in new.items and theirs in old.items]
    else:
        pairs = [(old.items[i], new.items[i]) for i in new.items if i in old.items]
    paired_old = {o.id for o, _ in pairs}
    paired_new = {n.id for _, n in pairs}
    word = "保留" if same else "延续"
    for o, n in pairs:
        changes = _pair_changes(a, b, o, n)
        where = o.clause if o.clause == n.clause else f"{o.clause} → {n.clause}"
        lines.append(f"{word}「{n.title}」（{where}）：" + ("金额与条件未变" if not changes else ""))
        lines += [f"    {c}" for c in changes]
    for n in new.items.values():
        if n.id not in paired_new:
            lines.append(f"新增「{n.title}」（{n.clause}）：{n.summary}")
    dropped = [o for o in old.items.values() if o.id not in paired_old]
    if dropped:
        lines.append(f"{'删除' if same else '未延续'}的项目（{len(dropped)} 项）：" + "、".join(f"「{o.title}」" for o in dropped))
    counts = f"{word} {len(pairs)} 项，新增 {len(new.items) - len(paired_new)} 项，{'删除' if same else '未延续'} {len(dropped)} 项"
    lines += ["", f"合计：{counts}。"]
    return lines
