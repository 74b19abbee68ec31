"""Explanations say which conditions of the item held and which did not."""

from __future__ import annotations

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

    from ipfund.engine import load_policy

    policy = load_policy("zhaoqing-hitech-ip-2022")
    described = [c.describe for item in policy.items.values() for c in item.conditions]
    assert described and not [d for d in described if re.search(r"\bA\d+=", d)]
