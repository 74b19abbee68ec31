"""Explanations: the steps of one decision, for a reviewer to read and check — a tree of steps
(trace.Step) rendered to Chinese (the contract's explanation) or English.

They name the clause and its sentence, each parameter used with its value and the date it took
effect, each step of the arithmetic, each cap with what was already used, the interpretations
relied on, and the conclusion.

The explanation is the computation's trace: it renders what the evaluation recorded for the claim
as it computed (trace.ClaimTrace: the validity bounds applied, each condition's outcome, the
formula's steps, the ledger's steps, the facts the platform filled, the installments planned),
with the policy's own text (clauses, sentences, labels, parameters' titles). Nothing here tests a
condition, computes a formula, a cap or a validity period: there is no second path that
recomputes (tests/engine/test_explanations_are_traces.py keeps it so).
"""

from __future__ import annotations

from .dates import iso
from .identifiers import mask_ric
from .money import fen_to_yuan
from .trace import ClaimTrace, Explanation, Step
from .vocabulary import REASON_LABELS, lines_text

REASON_LABELS_EN = {
    "outside_validity": "the event date is outside the policy's validity",
    "not_in_zone": "the applicant is not in the zone",
    "applicant_kind": "this kind of applicant may not claim the item",
    "not_sme": "the applicant is not a small, medium or micro enterprise",
    "condition_not_met": "a condition of the item is not met",
    "funded_elsewhere": "already funded elsewhere: not funded twice",
    "below_threshold": "below the item's threshold",
    "duplicate": "the same thing was already funded (duplicate)",
    "cap_reached": "over the item's cap",
}


_VALIDITY_SHOWN_ONCE = frozenset({"A10", "A26"})


def _key_text(key: tuple, fields: tuple[str, ...], item, row: dict) -> str:
    """A duplicate key or cap group as a person reads it: each part named by its fact's label, an
    option by the text's word ("诉讼地 中国内地", not `domestic`), the applicant by name."""
    parts = []
    for name, value in zip(fields, key[1:]):
        if name not in ("applicant", "event_year") and _needless(item.fact(name), row):
            continue  # stands for the applicant (an organisation award has no work): said once
        if name == "applicant":
            parts.append(f"申请人 {_who(value, row)}")
        elif name == "event_year":
            parts.append(f"事件日期所在年度 {value}")
        else:
            fact = item.fact(name)
            text = _fact_text(fact, value) if fact.type == "enum" else str(value)
            parts.append(f"{fact.label.split('（')[0]} {text}")
    return "；".join(parts)


def _label(fact) -> str:
    """A fact's label beside its value: a money fact's unit is said with the amount, not twice."""
    if fact.type != "money":
        return fact.label
    return fact.label.replace("（元）", "").replace("，元）", "）")


def _who(applicant: str, row: dict, name: str = "", kind: str | None = None) -> str:
    """An applicant as a person reads it: the name, else the identifier — a person's identity
    number never in full (explanations are shown and exported)."""
    if applicant == row["applicant"]:
        name, kind = name or row["name"], row["kind"]
    return name or (mask_ric(applicant) if kind == "person" else applicant)


def _holder_text(known: tuple | None, row: dict) -> str:
    """The earlier claim holding a key, as a person knows it: whose it was and its event date (as
    the ledger knew it when it found the key taken)."""
    if known is None:
        return "此前已获资助"
    applicant, name, kind, event = known
    who = "本申请人" if applicant == row["applicant"] else _who(applicant, row, name, kind)
    return f"此前已由{who}申报并获资助（事件日期 {iso(event)}）"


def explain_decision(t: ClaimTrace, decision: dict) -> list[str]:
    """The contract's explanation: the Chinese lines of the decision's steps."""
    return explanation_of(t, decision).render("zh")


def explanation_of(t: ClaimTrace, decision: dict) -> Explanation:
    """The steps of a decision, said from its trace (what the evaluation recorded for the claim)."""
    policy, P, interp = t.policy, t.policy.params, t.interp
    item = t.item
    row = dict(t.row)
    steps: list[Step] = []
    add = steps.append
    doc = policy.document_number
    add(Step("basis", f"依据 {doc}{item.clause}「{item.source}」", f"Basis: {doc} {item.clause}: “{item.source}”",
             clause=item.clause))
    add(Step("item", f"项目：{item.title}", f"Item: {item.title} ({item.id})", values=(("item", item.id),)))
    for amending, sentence in policy.amendments_in_force(item, row["event"]):
        add(Step("amendment", f"修订依据：{amending}「{sentence}」", f"Amended by: {amending}: “{sentence}”",
                 values=(("document", amending),)))
    if item.continues:
        continued = policy.continued_label(item)
        add(Step("continuation", f"延续：{continued}，重复资助与累计上限与之合并计算",
                 f"Continues: {continued}; duplicate funding and cumulative caps are counted together with it",
                 values=(("continues", str(item.continues)),)))
    who = _who(row["applicant"], row)
    kind_zh = policy.kind_labels.get(row["kind"], row["kind"])
    event = iso(row["event"])
    add(Step(
        "applicant",
        f"申请人：{who}（{kind_zh}）；{'在区内' if row['in_zone'] else '不在区内'}；事件日期 {event}",
        f"Applicant: {row['name'] or 'the applicant'} ({row['kind']}); {'in' if row['in_zone'] else 'not in'} the zone; "
        f"event date {event}",
        values=(("kind", row["kind"]), ("in_zone", str(row["in_zone"]).lower()), ("event_date", event)),
    ))
    start, end = t.validity
    reasons = set(decision["reasons"])
    validity = (("event_date", event), ("validity.start", iso(start)), ("validity.end", iso(end)))
    if "outside_validity" in reasons:
        source = _validity_source(policy)
        add(Step("validity", f"✗ 事件日期 {event} 不在政策有效期 {iso(start)} 至 {iso(end)} 内（{doc}{source}）",
                 f"✗ The event date {event} is outside the policy's validity {iso(start)} to {iso(end)} ({doc}{source})",
                 passed=False, parameters=("validity.start", "validity.end"), values=validity))
    gates = _gate_words(t.checked)
    if "not_in_zone" in reasons:
        add(Step("zone", "✗ " + gates.get("not_in_zone", REASON_LABELS["not_in_zone"]), "✗ " + REASON_LABELS_EN["not_in_zone"],
                 passed=False))
    if "applicant_kind" in reasons:
        add(Step("applicant_kind", f"✗ 申请人类型「{policy.kind_labels.get(row['kind'])}」不属于本项目可申报的类型",
                 f"✗ Applicants of kind {row['kind']} may not claim this item", passed=False,
                 values=(("kind", row["kind"]),)))
    if "not_sme" in reasons:
        add(Step("sme", "✗ " + gates.get("not_sme", REASON_LABELS["not_sme"] + "（本项目仅补助中小微企业）"),
                 "✗ " + REASON_LABELS_EN["not_sme"] + " (the item funds SMEs only)", passed=False))
    known_notes = t.known
    known_names = {n for n, _v, _t in known_notes} if known_notes else set()
    shown_facts = [f for f in item.facts if not _needless(f, row) and f.name not in known_names
                   and not _left_out(row["facts"][f.name])]
    fact_values = tuple((f.name, _declared_text(f, row, interp)) for f in shown_facts)
    facts_zh = "；".join(f"{_label(f)}={text}{'（须审核人员核对）' if f.source == 'confirmed' else ''}"
                        for f, (_, text) in zip(shown_facts, fact_values))
    facts_en = "; ".join(f"{name}={text}" for name, text in fact_values)
    add(Step("facts", f"申报事实：{facts_zh}", f"Facts: {facts_en}", values=fact_values))
    if known_notes:
        labels = {f.name: _label(f) for f in item.facts}
        add(Step("known", "平台认定的事实（不由申请人填写）：", "Facts the platform knows (not typed by the applicant):",
                 values=tuple((n, v) for n, v, _t in known_notes),
                 children=tuple(Step("known_fact", f"{labels.get(n, n)}={v}（{src}）", f"{n}={v} ({src})", values=((n, v),))
                                for n, v, src in known_notes)))
    failed = 0
    conditions = [c for c in t.checked if c.in_force and c.condition.reason not in _GATES]  # gates said above
    for checked in conditions:
        cond = checked.condition
        if checked.failed:
            failed += 1
            detail = f"（{cond.detail(row, checked.values)}）" if cond.detail is not None else ""
            add(Step("condition", f"✗ {cond.describe}{detail}",
                     f"✗ {cond.describe}: {REASON_LABELS_EN.get(cond.reason, cond.reason)}", passed=False,
                     values=(("reason", cond.reason),)))
    if conditions and not failed:
        n = len(conditions)
        add(Step("conditions", f"✓ 本项目的 {n} 项条件均已满足", f"✓ All {n} conditions of the item are met", passed=True))
    row["specs"] = {f.name: f for f in item.facts}  # a formula names its terms and options in words
    fen, arithmetic = item.formula.explain(t.formula, row, P)
    params = tuple(item.formula.params)
    # The arithmetic lines come from the formula that computed the amount: their text is the
    # formula's own (Chinese); their parameters and result are data.
    add(Step(
        "calculation", "计算：", "Calculation:", parameters=params, values=(("formula_amount", fen_to_yuan(fen)),),
        children=tuple(Step("arithmetic", s, s, parameters=params) for s in arithmetic),
    ))
    info = t.ledger
    if info:  # the ledger pass decided the claim (it passed the static pass)
        key_fields = t.key_fields
        if "holder" in info:
            key = _key_text(info["key"], key_fields, item, row)
            add(Step("duplicate_key", f"✗ 同一事项（{key}）{_holder_text(info.get('held_by'), row)}，不重复资助",
                     f"✗ The duplicate key ({key}) is held by {info['holder']}: the same thing is not funded twice",
                     passed=False, values=(("key", key), ("holder", str(info["holder"])))))
        elif "key" in info:
            key = _key_text(info["key"], key_fields, item, row)
            add(Step("duplicate_key", f"✓ 同一事项（{key}）此前未获资助", f"✓ The duplicate key ({key}) was not used before",
                     passed=True, values=(("key", key),)))
        if "paid_before" in info:
            left = info["left"]
            ent, paid, rest = fen_to_yuan(info["entitlement"]), fen_to_yuan(info["paid_before"]), fen_to_yuan(max(left, 0))
            add(Step(
                "top_up",
                f"补差：同一事项此前已获资助 {paid} 元，不重复资助，只补差额：应得 {ent} 元 − 已获 {paid} 元 = {rest} 元"
                + ("，无差额可补" if left <= 0 else ""),
                f"Top-up: entitlement {ent} yuan − already paid under this item {paid} yuan = {rest} yuan"
                + (", nothing left to pay" if left <= 0 else ""),
                passed=left > 0, values=(("entitlement", ent), ("paid_before", paid), ("left", rest)),
            ))
        for matter in info.get("matters", ()):
            add(_matter_step(policy, matter, row))
        if "cap" in info:  # the item's own cap, decided item by item
            add(_own_cap_step(P, item, interp, row, info, t.cap_fields))
        for cap in info.get("caps", ()):  # every cap of a claim under caps spanning items
            add(_own_cap_step(P, item, interp, row, cap, t.cap_fields) if cap["shared"] is None
                else _shared_cap_step(policy, row, cap))
    validity_ids = _validity_ids(policy)
    for rel in decision["interpretations"]:
        iid, option = rel.split("=", 1)
        interp_obj = policy.interpretations[iid]
        if (iid in _VALIDITY_SHOWN_ONCE or iid in validity_ids) and "outside_validity" not in reasons:
            continue  # the validity reading is said where it matters: when the claim is outside it
        meaning = interp_obj.options[option]
        add(Step("interpretation", f"按解释（{interp_obj.question}）：{meaning}", f"Interpretation {iid}={option}: {meaning}",
                 clause=interp_obj.clause, values=((iid, option),)))
    amount = decision["amount"]
    if decision["eligible"]:
        tail = "（已按上限核减）" if decision["capped"] else ""
        add(Step("conclusion", f"结论：资助 {amount} 元{tail}",
                 f"Conclusion: award {amount} yuan" + (" (cut to the cap)" if decision["capped"] else ""),
                 passed=True, values=(("amount", amount),)))
        if item.installments:
            add(installments_step(item, t.installments))
    else:
        why = "；".join(REASON_LABELS[x] for x in decision["reasons"])
        why_en = "; ".join(REASON_LABELS_EN[x] for x in decision["reasons"])
        add(Step("conclusion", f"结论：不予资助（{why}），金额 0.00 元", f"Conclusion: not awarded ({why_en}), amount 0.00 yuan",
                 passed=False, values=(("amount", amount),)))
    return Explanation(tuple(steps))


def installments_step(item, planned: tuple) -> Step:
    """Stages (分期拨付): how the award is paid, installment by installment (as the evaluation
    planned them), and on which condition."""
    from .installments import plan_sentence

    sentence = item.installments[0].sentence
    children = tuple(Step(
        "installment", f"第 {p.number} 期：{p.amount:.2f} 元（{p.share}）——{p.label}{'后' if p.conditional else ''}拨付"
        + (f"；{p.failed_label}的，本期及以后各期不予拨付" if p.conditional else ""),
        f"Installment {p.number}: {p.amount:.2f} yuan ({p.share}), paid " + ("once the award is final" if not p.conditional
                                                                         else f"when {p.when} is confirmed"),
        values=(("amount", f"{p.amount:.2f}"), ("when", p.when)),
    ) for p in planned)
    return Step("installments", f"{plan_sentence(planned)}（「{sentence}」；各期按比例四舍五入到分，末期取余额）",
                f"Paid in {len(planned)} installments", clause=item.clause,
                values=(("installments", str(len(planned))),), children=children)


def _own_cap_step(P, item, interp, row: dict, info: dict, group_fields: tuple) -> Step:
    room = info["room"]
    group = _key_text(info["group"], group_fields, item, row)
    cap, used, rest, asked = (fen_to_yuan(info["cap"]), fen_to_yuan(info["used_before"]),
                              fen_to_yuan(max(room, 0)), fen_to_yuan(info["asked"]))
    return Step(
        "cap",
        f"上限：{P.describe(item.cap.param, row['event'])}，{item.cap.group_label(interp)}"
        f"（{group}）最高 {P.amount(item.cap.param, info['cap'])}；此前已用 {used} 元，剩余 {rest} 元；"
        f"本次申请 {asked} 元",
        f"Cap: parameter {item.cap.param}, group ({group}) at most {cap} yuan; used before {used} yuan, "
        f"left {rest} yuan; asked {asked} yuan",
        passed=not info["cut"], parameters=(item.cap.param,),
        values=(("group", group), ("cap", cap), ("used_before", used), ("left", rest), ("asked", asked)),
    )


def _scope_text(parts: tuple, scope: tuple, row: dict) -> str:
    out = []
    for name, value in zip(parts, scope):
        if name == "applicant":
            out.append(f"申请人 {_who(value, row)}")
        elif name == "event_year":
            out.append(f"事件日期所在年度 {value}")
        else:
            out.append(f"{name} {value}")
    return "；".join(out)


def _shared_cap_step(policy, row: dict, info: dict) -> Step:
    """A cap declared once over several items (and policies): what every award under it used."""
    cap = info["shared"]
    owner = policy if cap.owner == policy.id else _installed(cap.owner)
    P = owner.params
    bucket = info["group"]
    parts = cap.parts_for(f"{policy.id}/{row['item']}")
    scope = _scope_text(tuple(_fact_label(policy, row, p) for p in parts), bucket[1:], row)
    room = info["room"]
    limit, used, rest, asked = (fen_to_yuan(info["cap"]), fen_to_yuan(info["used_before"]),
                                fen_to_yuan(max(room, 0)), fen_to_yuan(info["asked"]))
    where = f"{owner.document_number}{cap.clause}" if cap.owner != policy.id else cap.clause
    cut = info["cut"]
    return Step(
        "shared_cap",
        f"{'✗ ' if cut else ''}上限：{cap.label}（{where}{'' if cap.owner == policy.id else '，' + P.describe(cap.param, row['event'])}），"
        f"{scope} 最高 {P.amount(cap.param, info['cap'])}；此前各项目合计已用 {used} 元，剩余 {rest} 元；"
        f"本次申请 {asked} 元" + ("，按此上限核减" if cut else ""),
        f"Cap across items: {cap.label} ({cap.owner} {cap.clause}), ({scope}) at most {limit} yuan; used before by every "
        f"item under it {used} yuan, left {rest} yuan; asked {asked} yuan",
        passed=not cut, clause=cap.clause, parameters=(cap.param,),
        values=(("cap_id", cap.head), ("scope", scope), ("cap", limit), ("used_before", used), ("left", rest),
                ("asked", asked)),
    )


def _fact_label(policy, row: dict, name: str) -> str:
    if name in ("applicant", "event_year"):
        return name
    spec = row.get("specs", {}).get(name)
    return spec.label.split("（")[0] if spec is not None else name


def _matter_step(policy, info: dict, row: dict) -> Step:
    """就高不重复: what the same matter was already paid under the group's items."""
    grp = info["group"]
    before, ent = info["paid_before"], info["entitlement"]
    fact = grp.matter[f"{policy.id}/{row['item']}"]
    value = info["matter"][1]
    matter = f"申请人 {_who(value, row)}" if fact == "applicant" else f"{_fact_label(policy, row, fact)} {value}"
    paid, own = fen_to_yuan(before), fen_to_yuan(ent)
    where = grp.clause if grp.owner == policy.id else f"{_installed(grp.owner).document_number}{grp.clause}"
    if before <= 0:
        zh = f"✓ 就高不重复（{where}，{grp.label}）：同一事项（{matter}）此前未获资助"
        passed = True
    elif info["rule"] == "first":
        zh = f"✗ 就高不重复（{where}，{grp.label}）：同一事项（{matter}）此前已获资助 {paid} 元，按解释只支持先获资助的一项，本次不予支持"
        passed = False
    else:
        left = info["left"]
        rest = fen_to_yuan(max(left, 0))
        zh = (f"{'✓' if left > 0 else '✗'} 就高不重复（{where}，{grp.label}）：同一事项（{matter}）此前已获资助 {paid} 元，"
              f"按就高原则只补差额：应得 {own} 元 − 已获 {paid} 元 = {rest} 元" + ("" if left > 0 else "，无差额可补"))
        passed = left > 0
    return Step("exclusive_group", zh, f"Exclusive group {grp.head}: matter ({matter}) paid before {paid} yuan; "
                f"entitlement {own} yuan; rule {info['rule']}", passed=passed, clause=grp.clause,
                values=(("group", grp.head), ("matter", matter), ("paid_before", paid), ("entitlement", own),
                        ("rule", info["rule"])))


def _installed(policy_id: str):
    from .policy import load_policy

    return load_policy(policy_id)


_GATES = ("not_in_zone", "not_sme")


def _gate_words(checked) -> dict[str, str]:
    """The package's own words for the applicant gates it declares as conditions (in the zone,
    SME): said once, in the gate's step, and not again among the item's other conditions — the
    words of the gate that refused this claim where several share a reason (a person in the zone
    by a reading of the text), as the static pass recorded each gate's outcome."""
    out: dict[str, str] = {}
    first: dict[str, bool] = {}  # reason → whether its first gate in force refused the claim
    for c in checked:
        reason = c.condition.reason
        if reason in _GATES and c.in_force:
            if reason in out and c.failed and not first[reason]:
                out[reason] = c.condition.describe
            out.setdefault(reason, c.condition.describe)
            first.setdefault(reason, c.failed)
    return out


#: A claim's fields as a person names them (an invalid claim's error says which one is wrong).
FIELD_WORDS = {
    "id": "申报编号", "item": "资助项目", "applicant": "申请人", "applicant.id": "申请人证件号码（统一社会信用代码或身份证号码）",
    "applicant.kind": "申请人类型", "applicant.in_zone": "申请人是否在区内", "applicant.sme": "是否中小微企业",
    "applicant.name": "申请人名称", "event_date": "事件日期", "facts": "申报事实", "claim": "申报",
}


def field_words(policy, item_id, field: str) -> str:
    """An error's field as a person reads it: a fact by its label (「实际发生费用」), never `facts.actual_cost`."""
    import re

    if field in FIELD_WORDS:
        return FIELD_WORDS[field]
    m = re.match(r"facts\.([^.\[]+)", field or "")
    item = policy.items.get(item_id) if isinstance(item_id, str) else None
    if m and item is not None:
        try:
            return f"申报事实「{_label(item.fact(m.group(1))).split('（')[0]}」"
        except KeyError:
            return f"申报事实「{m.group(1)}」"
    return FIELD_WORDS.get((field or "").split(".")[0], "申报")


#: The validity interpretations of a policy's data (by its identity: the data read with it).
_VALIDITY_IDS: dict[int, tuple[object, frozenset[str]]] = {}


def _validity_ids(policy) -> frozenset[str]:
    """The interpretations of the validity period (policy.yaml `validity_readings`), read once per
    policy's data."""
    data = policy.data
    found = _VALIDITY_IDS.get(id(data))
    if found is None or found[0] is not data:
        found = _VALIDITY_IDS[id(data)] = (data, frozenset(str(r[0]) for r in (data.get("validity_readings") or {}).values() if r))
    return found[1]


def _validity_source(policy) -> str:
    """The clause and sentence that set the policy's term (the package's own words, not ours)."""
    clause = policy.clause(policy.parameters["validity.end"].clause)
    if clause is None:
        return ""
    sentence = next((s for s in clause.source if "有效期" in s), clause.source[0] if clause.source else "")
    return f"{clause.number}「{sentence}」" if sentence else clause.number


def _needless(fact, row) -> bool:
    """A fact this claim does not need (a work title of an organisation award), or an optional
    fact left out (a date, a text or an option the applicant did not give)."""
    if fact.needless_when is not None:
        other, values = fact.needless_when
        return row["facts"].get(other) in values
    if fact.optional and row["facts"].get(fact.name) is None:
        return True
    return fact.type == "date" and fact.optional and not row["facts"].get(fact.name)


def _left_out(value) -> bool:
    """An optional fact the claim does not state (no default): None, or NaN in a number column."""
    return value is None or (isinstance(value, float) and value != value)


def _declared_text(fact, row: dict, interp) -> str:
    """A fact as the applicant declared it; where the rules read it otherwise (an option read as
    another, a list counted), what they read is said beside it, in words."""
    value = row["facts"][fact.name]
    declared = row.get("declared", {}).get(fact.name, value)
    if declared != value:
        return f"{_fact_text(fact, declared)}（按{_fact_text(fact, value)}计）"
    if fact.type == "uscc_list":
        how = "按所列份数计" if fact.reads(interp, "count_all") else "按统一社会信用代码去重"
        return f"{value} 家（{how}）"
    return _fact_text(fact, value)


def _fact_text(fact, value) -> str:
    if fact.type == "lines":
        return lines_text(fact, value)
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
    if fact.type == "number" and float(value).is_integer():
        return str(int(value))
    return str(value)

