"""Explanations: the steps of one decision in Chinese, for a reviewer to read and check.

They name the clause and its sentence, each parameter used with its value and the date it took
effect, each step of the arithmetic, each cap with what was already used, the interpretations
relied on, and the conclusion.
"""

from __future__ import annotations

from .dates import iso
from .identifiers import mask_ric
from .money import fen_to_yuan
from .vocabulary import REASON_LABELS


_VALIDITY_SHOWN_ONCE = frozenset({"A10", "A26"})


def _key_text(key: tuple, row: dict) -> str:
    # A person's identity number never appears in full: explanations are shown and exported.
    hide = row["applicant"] if row["kind"] == "person" else None
    return "、".join(mask_ric(v) if v == hide else str(v) for v in key[1:])


def explain_decision(ev, r, i: int, decision: dict) -> list[str]:
    policy, P, interp = ev.policy, ev.P, ev.interp
    cols, item = r.cols, r.cols.item
    row = cols.row(i)
    lines = [
        f"依据 {policy.document_number}{item.clause}「{item.source}」",
        f"项目：{item.title}",
    ]
    lines += [f"修订依据：{doc}「{sentence}」" for doc, sentence in policy.amendments_in_force(item, cols.event[i])]
    if item.continues:
        lines.append(f"延续：{policy.continued_label(item)}，重复资助与累计上限与之合并计算")
    who = row["name"] or "申请人"
    lines.append(
        f"申请人：{who}（{policy.kind_labels.get(row['kind'], row['kind'])}）；"
        f"{'在区内' if row['in_zone'] else '不在区内'}；事件日期 {iso(row['event'])}"
    )
    start, end = P.value_one("validity.start", row["event"]), P.value_one("validity.end", row["event"]) + ev.end_shift
    reasons = set(decision["reasons"])
    if "outside_validity" in reasons:
        lines.append(f"✗ 事件日期 {iso(row['event'])} 不在政策有效期 {iso(start)} 至 {iso(end)} 内（{policy.document_number}{_validity_source(policy)}）")
    if item.zone_exempt and not item.declared_gates:
        lines.append("✓ 本项目承接单位为区主管部门委托的全国品牌机构，不要求在区内注册")
    elif "not_in_zone" in reasons:
        lines.append("✗ " + REASON_LABELS["not_in_zone"])
    if "applicant_kind" in reasons:
        lines.append(f"✗ 申请人类型「{policy.kind_labels.get(row['kind'])}」不属于本项目可申报的类型")
    if "not_sme" in reasons:
        lines.append("✗ " + REASON_LABELS["not_sme"] + "（本项目仅补助中小微企业）")
    facts = "；".join(f"{f.label}={_fact_text(f, row['facts'][f.name])}" for f in item.facts if not _needless(f, row))
    lines.append(f"申报事实：{facts}")
    failed = 0
    conditions = [c for c in item.conditions if c.in_force(interp)]
    for cond in conditions:
        m = cond.applies(_OneRow(cols, i), P, interp, _one(r.fen[i]))
        if bool(_first(m)):
            failed += 1
            lines.append(f"✗ {cond.describe}")
    if conditions and not failed:
        lines.append(f"✓ 本项目的 {len(conditions)} 项条件均已满足")
    fen, steps = item.formula.explain(row, P, interp)
    lines.append("计算：")
    lines.extend("  " + s for s in steps)
    info = r.info.get(i, {})
    if not r.flags[i]:
        if "holder" in info:
            lines.append(f"✗ 重复键（{_key_text(info['key'], row)}）已由 {info['holder']} 使用：同一事项不重复资助")
        elif "key" in info:
            lines.append(f"✓ 重复键（{_key_text(info['key'], row)}）此前未被使用")
        if "paid_before" in info:
            left = info["entitlement"] - info["paid_before"]
            lines.append(
                f"补差：应得 {fen_to_yuan(info['entitlement'])} 元 − 本项目已获 {fen_to_yuan(info['paid_before'])} 元"
                f" = {fen_to_yuan(max(left, 0))} 元" + ("，无差额可补" if left <= 0 else "")
            )
        if "cap" in info:
            room = info["cap"] - info["used_before"]
            lines.append(
                f"上限：{P.describe(item.cap.param, row['event'])}，{item.cap.group_label(interp)}"
                f"（{_key_text(info['group'], row)}）最高 {fen_to_yuan(info['cap'])} 元；此前已用 {fen_to_yuan(info['used_before'])} 元，"
                f"剩余 {fen_to_yuan(max(room, 0))} 元；本次申请 {fen_to_yuan(info['asked'])} 元"
            )
    for rel in decision["interpretations"]:
        iid, option = rel.split("=", 1)
        interp_obj = policy.interpretations[iid]
        if iid in _VALIDITY_SHOWN_ONCE and "outside_validity" not in reasons:
            continue  # the validity reading is said where it matters: when the claim is outside it
        lines.append(f"按解释（{interp_obj.question}）：{interp_obj.options[option]}")
    if decision["eligible"]:
        tail = "（已按上限核减）" if decision["capped"] else ""
        lines.append(f"结论：资助 {decision['amount']} 元{tail}")
    else:
        why = "；".join(REASON_LABELS[x] for x in decision["reasons"])
        lines.append(f"结论：不予资助（{why}），金额 0.00 元")
    return lines


def _validity_source(policy) -> str:
    """The clause and sentence that set the policy's term (the package's own words, not ours)."""
    clause = policy.clause(policy.parameters["validity.end"].clause)
    if clause is None:
        return ""
    sentence = next((s for s in clause.source if "有效期" in s), clause.source[0] if clause.source else "")
    return f"{clause.number}「{sentence}」" if sentence else clause.number


def _needless(fact, row) -> bool:
    """A fact this claim does not need (a work title of an organisation award), or an optional
    date left out."""
    if fact.needless_when is not None:
        other, values = fact.needless_when
        return row["facts"].get(other) in values
    return fact.type == "date" and fact.optional and not row["facts"].get(fact.name)


def _fact_text(fact, value) -> str:
    if fact.type == "money":
        return f"{fen_to_yuan(value)} 元"
    if fact.type == "bool":
        return "是" if value else "否"
    if fact.type == "enum":
        return f"{(fact.option_labels or {}).get(value, value)}"
    if fact.type == "date":
        return iso(value)
    if fact.type == "uscc_list":
        return f"{value} 家（去重）"
    return str(value)


class _OneRow:
    """Column view of a single claim, so a condition can be asked about that claim alone."""

    def __init__(self, cols, i):
        self.n = 1
        self.event = cols.event[i : i + 1]
        self.kind = cols.kind[i : i + 1]
        self.in_zone = cols.in_zone[i : i + 1]
        self.sme = cols.sme[i : i + 1]
        self.applicant = cols.applicant[i : i + 1]
        self.facts = {k: v[i : i + 1] for k, v in cols.facts.items()}


def _one(x):
    import numpy as np

    return np.asarray([x])


def _first(m):
    import numpy as np

    return np.asarray(m).reshape(-1)[0]
