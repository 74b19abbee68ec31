"""Explanations say which conditions of the item held and which did not."""

from __future__ import annotations

import re

import pytest

from ipfund.engine import evaluate_batch

PERSON = {"id": "11010519491231002X", "kind": "person", "name": "李明", "in_zone": True}


def lawsuit(cid, effective):
    return {"id": cid, "item": "patent_litigation", "applicant": PERSON, "event_date": "2024-06-30",
            "facts": {"case_number": f"(2024)粤73民初{cid}号", "venue": "domestic",
                      "infringement_established": True, "judgment_effective": effective}}


def test_conditions_met_and_not_met_are_both_said():
    ok, pending = evaluate_batch({"policy": "zhaoqing-hitech-ip-2022",
                                  "claims": [lawsuit("1", True), lawsuit("2", False)]})["decisions"]
    assert "✓ 本项目的 2 项条件均已满足" in ok["explanation"]
    assert not any(line.startswith("✗") for line in ok["explanation"])
    assert any(line.startswith("✗") and "生效裁判文书" in line for line in pending["explanation"])
    assert not any("条件均已满足" in line for line in pending["explanation"])
    assert not any("11010519491231002X" in line for line in ok["explanation"] + pending["explanation"])


def test_no_condition_of_the_2022_package_names_an_interpretation_by_its_code():
    """A failed condition is said to a person in words: never "A3=not_covered" (the codes stay in
    the decision's `interpretations`)."""
    import re

    from ipfund.engine.policy import load_policy

    policy = load_policy("zhaoqing-hitech-ip-2022")
    described = [c.describe for item in policy.items.values() for c in item.conditions]
    assert described and not [d for d in described if re.search(r"\bA\d+=", d)]


# --- official Chinese: amounts as the text says them, options by their words, no codes ---------

ORG = {"id": "91441200MA00000159", "kind": "enterprise", "name": "星湖电子有限公司", "in_zone": True, "sme": True}
AGENCY = {"id": "91441200MA0000058N", "kind": "service_agency", "in_zone": True}


def _explained(*claims, interpretations=None):
    decisions = evaluate_batch({"policy": "zhaoqing-hitech-ip-2022", "claims": list(claims)},
                               interpretations=interpretations)["decisions"]
    return decisions, ["\n".join(d["explanation"]) for d in decisions]


def test_thresholds_and_amounts_are_said_in_wan_yuan_where_the_text_says_wan_yuan():
    """五（一）「当年知识产权服务费收入超过100万元的，给予一次性奖励3万元」: the tiers as the text says
    them, the amount paid in 元 with its 万元 beside it; the machine's amount unchanged."""
    (d,), (text,) = _explained({"id": "r1", "item": "service_revenue", "applicant": AGENCY, "event_date": "2023-03-31",
                                "facts": {"year": 2022, "ip_service_revenue": "1500000"}})
    assert d["amount"] == "30000.00"
    assert "超过100万元 → 3万元；超过200万元 → 6万元；超过500万元 → 15万元" in text, text
    assert "所达最高档次金额 3万元（30000.00 元）" in text
    assert "1000000.00" not in text, "a threshold the text writes 100万元 is not turned into fen-exact yuan"


def test_a_cap_in_wan_yuan_is_said_as_the_text_says_it():
    """四（一）「每家企业每年不超过1万元」."""
    _, (text,) = _explained({"id": "s1", "item": "custody_sme", "applicant": ORG, "event_date": "2023-03-01",
                             "facts": {"service_year": 2023, "actual_cost": "30000"}})
    assert "最高 1万元（10000.00 元）；此前已用 0.00 元，剩余 10000.00 元；本次申请 15000.00 元" in text, text


def test_amounts_the_text_says_in_yuan_stay_in_yuan():
    """一（三）「分别资助5000元、3000元…」: no 万元 where the text has none."""
    kid = {"id": "441202201003151005", "kind": "person", "name": "张小明", "in_zone": True}
    _, (text,) = _explained({"id": "k1", "item": "song_qingling_award", "applicant": kid, "event_date": "2023-07-20",
                             "facts": {"level": "gold", "award_year": 2023, "work": "智能书包"}})
    assert "：金奖 5000.00 元" in text and "万元（" not in text


def test_a_table_names_the_option_by_its_label_not_its_key():
    """The amount chosen by a level is said with the level's name (银奖), never `[silver]`; a key or
    cap group by its facts' labels and options (诉讼地 中国内地), never `domestic`."""
    (p, c), (award, case) = _explained(
        {"id": "p1", "item": "china_patent_award", "applicant": ORG, "event_date": "2023-07-20",
         "facts": {"patent_number": "ZL201910000001.2", "level": "silver"}},
        lawsuit("9", True))
    assert p["amount"] == "200000.00" and c["amount"] == "20000.00"
    assert "中国专利奖奖励（每项）（一（二），自 2022-01-18 起施行）：银奖 20万元（200000.00 元）" in award, award
    assert "[silver]" not in award and "silver" not in award
    assert "同一申请人、同一诉讼地（申请人 李明；诉讼地 中国内地）最高 10万元（100000.00 元）" in case, case
    assert "domestic" not in case


def test_an_earlier_award_holding_the_key_is_named_by_applicant_and_date_not_by_its_id():
    """As the platform asks (its claims are `claim-<pk>`, the ledger's awards the history): the
    reviewer reads whose award it was and when; the holder's id stays in the step's values."""
    from decimal import Decimal

    from ipfund.engine import Applicant, Award, Claim, decide

    owner = Applicant(id=ORG["id"], kind="enterprise", in_zone=True, sme=True, name=ORG["name"])
    other = Applicant(id="91441200MA00000234", kind="enterprise", in_zone=True, sme=False, name="鼎湖新材料有限公司")
    paid = Claim(id="claim-17", item="china_patent_award", applicant=owner, event_date="2023-07-20",
                 facts={"patent_number": "ZL201910000001.2", "level": "gold"})
    again = Claim(id="claim-18", item="china_patent_award", applicant=other, event_date="2023-08-01",
                  facts={"patent_number": "201910000001.2", "level": "gold"})
    (d,) = decide("zhaoqing-hitech-ip-2022", [again], history=[Award(paid, Decimal("300000"))])
    assert d.reasons == ("duplicate",)
    text = "\n".join(d.explanation.render("zh"))
    assert "✗ 同一事项（专利号 201910000001.2）此前已由星湖电子有限公司申报并获资助（事件日期 2023-07-20），不重复资助" in text, text
    assert "claim-17" not in text
    (step,) = d.explanation.find("duplicate_key")
    assert dict(step.values)["holder"] == "claim-17", "the machine's record keeps the holder's id"


# A code a person should never meet: an ascii identifier with an underscore (cap_reached,
# custody_sme.rate), a lower-case ascii word (domestic, gold, silver, top50), an interpretation
# by its code (A7=per_year).
CODE = re.compile(r"[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]*|[a-z]{3,}|\b[a-z]+\d+\b|\bA\d+=")


def _golden_explanations(policy):
    """(case name, claim ids of the case, the claim's own text facts, explanation line) of every
    decision of every golden case of a package."""
    import copy

    from ipfund.engine import evaluate_claims
    from ipfund.engine.authoring.golden import load_cases
    from ipfund.engine.errors import BatchError

    for _, case in load_cases(policy.path):
        claims = case.get("claims") or []
        history = {"policy": policy.id, "awarded": copy.deepcopy(case["history"])} if "history" in case else None
        interp = {str(k): str(v) for k, v in case["interpret"].items()} if "interpret" in case else None
        try:
            result = evaluate_claims(policy, copy.deepcopy(claims), history=history, interpretations=interp,
                                     registers=case.get("registers"))
        except BatchError:
            continue  # a case about an unusable batch has no explanation
        ids = {c.get("id") for c in claims + (case.get("history") or []) if isinstance(c, dict)}
        ids = {i for i in ids if isinstance(i, str)}
        own = {c.get("id"): [v for v in c["facts"].values() if isinstance(v, str)]
               for c in claims if isinstance(c, dict) and isinstance(c.get("facts"), dict)}
        for d in result["decisions"]:
            for line in d.get("explanation", ()):
                yield case["name"], ids, own.get(d.get("id"), []), line


@pytest.mark.parametrize("package", ["zhaoqing-hitech-ip-2022", "fictional-successor-2025", "fictional-growth-2026"])
def test_no_explanation_of_any_golden_case_shows_a_code(package, monkeypatch):
    """Every explanation of every golden case, as a 科员 reads it: no reason codes, option keys,
    fact or parameter ids, interpretation codes or claim ids (they stay in the machine output)."""
    from pathlib import Path

    from ipfund.engine.policy import load_policy

    monkeypatch.setenv("IPFUND_POLICY_PATH", str(Path(__file__).resolve().parents[1] / "fixtures" / "policies"))
    policy = load_policy(package)
    found, lines = [], 0
    for name, ids, own, line in _golden_explanations(policy):
        lines += 1
        said = line
        for value in own:  # what the applicant typed is theirs to write (a case number, a title)
            said = said.replace(value, "").replace(value.upper(), "")
        codes = CODE.findall(said)
        codes += [i for i in ids if re.search(rf"(?<![A-Za-z0-9]){re.escape(i)}(?![A-Za-z0-9])", said)]
        if codes:
            found.append(f"{name}: {codes} in {line}")
    assert lines > 200, "the golden cases were walked"
    assert not found, "\n".join(found[:20])
