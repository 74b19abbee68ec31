"""`ipfund policy show`: a package and its items as lines of text for the person writing or checking it
(the parameters, conditions, keys and caps an item decides by — what the read model leaves inside the engine)."""

from __future__ import annotations

from ..policy import ROLE_LABELS
from ..vocabulary import REASON_LABELS


def _kinds(policy, item) -> str:
    text = "、".join(policy.kind_labels[k] for k in item.kinds)
    if item.kinds_by:
        fact, by_value = item.kinds_by
        for value, kinds in by_value.items():
            text += f"（{fact}={value} 时：{'、'.join(policy.kind_labels[k] for k in kinds)}）"
    return text


def overview(policy) -> list[str]:
    lines = [f"{policy.title}（{policy.document_number}，{policy.issued_on.isoformat()} 发布，政策编号 {policy.id}）", ""]
    for clause in policy.clauses:
        items = [i for i in policy.items.values() if i.clause == clause.number]
        lines.append(f"{clause.number}  {clause.title}" + ("" if clause.monetary else "  ［非资金条款］"))
        for item in items:
            lines.append(f"    {item.id:<34} {item.title}：{item.summary}")
        for role, passage in clause.passages:  # what is not money: goals, scope, definitions, procedure
            if role not in ("money", "heading"):
                lines.append(f"    ［{ROLE_LABELS.get(role, role)}］{passage}")
    lines += ["", "解释（--interpret 编号=选项 可选择）："]
    for i in policy.interpretations.values():
        mark = "可选" if i.selectable else "文本明确" if i.explicit else "固定"
        lines.append(f"  {i.id}（{i.clause}）[{mark}] {i.question}")
        for option, text in i.options.items():
            lines.append(f"      {'● ' if option == i.default else '○ '}{option}：{text}" + ("（默认）" if option == i.default else ""))
        if i.reason:
            lines.append(f"      默认理由：{i.reason}")
    lines += ["", "`ipfund policy show 项目编号` 显示一个项目的全部内容。"]
    return lines


def item_text(policy, item) -> list[str]:
    P = policy.params
    lines = [
        f"{item.title}（{item.id}）",
        f"条款：{item.clause}  「{item.source}」",
        f"金额：{item.summary}",
        f"可申报：{_kinds(policy, item)}",
    ]
    if item.continues:
        lines.append(f"延续：{policy.continued_label(item)}（重复资助与累计上限合并计算）")
    lines.append("申报事实（facts）：")
    for f in item.facts:
        opts = f"：{', '.join(f'{k}={v}' for k, v in (f.option_labels or {}).items())}" if f.options else ""
        if f.columns is not None:  # a lines fact: each line's columns
            c = f.columns
            opts = (f"：每行 category（{c.category_label}：{', '.join(f'{k}={v}' for k, v in c.options.items())}）、"
                    f"count（{c.count_label}{f'，{c.count_unit}' if c.count_unit else ''}）"
                    + (f"、object（{c.object_label}）" if c.object_label else ""))
        opt = ("" if "可选" in f.label else "（可选）" if f.default is None else f"（可选，默认 {f.default}）") if f.optional else ""
        lines.append(f"  {f.name:<26} {f.type:<9} {f.label}{opt}{opts}")
    lines.append(
        f"有效期：事件日期在 {P.show('validity.start')[0].split('：')[1]} 至 {P.show('validity.end')[0].split('：')[1]}（含）"
        f"（validity.start / validity.end，{policy.parameters['validity.end'].clause}）"
    )
    lines.append("参数（按事件日期取值）：")
    names = list(item.formula.params) + ([item.cap.param] if item.cap else [])
    for name in names:
        par = policy.parameters[name]
        for v in P.show(name):
            lines.append(f"  {name}（{par.title}，{par.clause}）{v}")
    if item.conditions:
        lines.append("条件：")
        for c in item.conditions:
            lines.append(f"  {c.describe} → {c.reason}（{REASON_LABELS[c.reason]}）")
    key = item.key
    if key:
        lines.append(f"重复键：{' + '.join(key)}" + "".join(f"；{i}={o} 时 {' + '.join(k)}" for (i, o), k in item.key_when.items()))
    if item.top_up_when:
        lines.append("补差：应得金额减去本项目已获资助" + (f"（{item.top_up_when[0]}={item.top_up_when[1]} 时）" if isinstance(item.top_up_when, tuple) else ""))
    if item.cap:
        lines.append(f"上限：{item.cap.label}累计不超过 {item.cap.param}" + (f"（按 {item.cap.by} 取值）" if item.cap.by else ""))
    if item.interpretations:
        lines.append("相关解释：")
        for iid in item.interpretations:
            i = policy.interpretations[iid]
            lines.append(f"  {iid} {i.question} 默认 {i.default}：{i.options[i.default]}")
    lines.append("须提交的证明材料：" + "；".join(item.evidence))
    return lines
