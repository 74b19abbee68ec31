"""An item's promise (承诺) declared in the policy format: read under the interpretations chosen,
its term by the civil code, and `policy check` refusing a promise not quoted from the text, a term
not said in it, a letter not among the evidence, a reading left to an unregistered interpretation."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from ipfund.engine import promise_end, promise_terms
from ipfund.engine.policy import load_policy
from ipfund.engine.authoring.checks import check_folder
from ipfund.engine.policy import load_policy_path

AGENCY = Path(__file__).resolve().parents[2] / "fixtures" / "promise_policies" / "fictional-agency-2026"


def test_the_2022_package_declares_the_three_year_promise_of_five_one_with_its_readings():
    terms = promise_terms(load_policy("zhaoqing-hitech-ip-2022"), "agency_establishment", dt.date(2023, 5, 1))
    assert terms is not None
    assert terms.text == "上述机构在申请资助时需提交在区内经营不少于3年的承诺书。"
    assert terms.evidence == "在区内经营不少于3年的承诺书"
    assert (terms.years, terms.start, terms.recovery) == (3, "payment", "all")
    assert terms.breaches == ("moved_out_of_zone", "deregistered", "other")
    assert terms.interpretations == ("A37=payment", "A38=all")
    other = promise_terms("zhaoqing-hitech-ip-2022", "agency_establishment", dt.date(2023, 5, 1),
                          {"A37": "approval", "A38": "proportional"})
    assert other is not None and (other.start, other.recovery) == ("approval", "proportional")
    assert promise_terms("zhaoqing-hitech-ip-2022", "service_revenue", dt.date(2023, 5, 1)) is None


def test_the_successor_says_five_years_and_recovers_all_by_its_text():
    policy = load_policy_path(AGENCY)
    terms = promise_terms(policy, "agency_settle", dt.date(2026, 5, 1))
    assert terms is not None and (terms.years, terms.recovery, terms.interpretations) == (5, "all", ("B1=payment",))
    assert "5年内不迁离本区" in terms.text and "追回已拨付资金" in terms.text


@pytest.mark.parametrize("start,years,end", [
    (dt.date(2023, 3, 15), 3, dt.date(2026, 3, 15)),
    (dt.date(2024, 2, 29), 3, dt.date(2027, 2, 28)),  # no 29 February: the last day of that month
    (dt.date(2026, 4, 1), 5, dt.date(2031, 4, 1)),
])
def test_a_term_ends_on_the_corresponding_day(start, years, end):
    assert promise_end(start, years) == end


def _broken(tmp_path, change) -> list[str]:
    folder = tmp_path / "pkg"
    shutil.copytree(AGENCY, folder)
    data = yaml.safe_load((folder / "policy.yaml").read_text(encoding="utf-8"))
    change(data)
    (folder / "policy.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    problems, _ = check_folder(folder)
    return problems


def test_the_fictional_successor_passes_check():
    problems, _ = check_folder(AGENCY)
    assert problems == []


def test_check_refuses_a_promise_not_quoted_from_the_text(tmp_path):
    def change(d):
        d["items"]["agency_settle"]["promise"]["text"] = "申请补助的机构须书面承诺6年内不迁离本区。"
    problems = _broken(tmp_path, change)
    assert any("承诺的语句不在原文中" in p for p in problems), problems


def test_check_refuses_a_term_the_text_does_not_say(tmp_path):
    def change(d):
        d["parameters"]["agency_settle.promise_years"]["values"][0]["value"] = 6
    problems = _broken(tmp_path, change)
    assert any("承诺期参数 agency_settle.promise_years 的年数不在承诺的语句中" in p for p in problems), problems


def test_check_refuses_a_letter_not_among_the_evidence(tmp_path):
    def change(d):
        d["items"]["agency_settle"]["promise"]["evidence"] = "承诺书"
    problems = _broken(tmp_path, change)
    assert any("「承诺书」不在本项目的证明材料清单" in p for p in problems), problems


def test_check_refuses_an_unknown_key_and_an_unregistered_reading(tmp_path):
    def typo(d):
        d["items"]["agency_settle"]["promise"]["term"] = 5
    assert any("term" in p for p in _broken(tmp_path, typo))

    def unregistered(d):
        d["items"]["agency_settle"]["promise"]["from_by"] = "B9"
    problems = _broken(tmp_path / "b", unregistered)
    assert any("解释 'B9' 未在解释登记" in p for p in problems), problems

    def both(d):
        d["items"]["agency_settle"]["promise"]["from"] = "payment"
    problems = _broken(tmp_path / "c", both)
    assert any("promise.from" in p for p in problems), problems


def test_check_refuses_an_unknown_breach(tmp_path):
    def change(d):
        d["items"]["agency_settle"]["promise"]["breaches"] = ["bankrupt"]
    problems = _broken(tmp_path, change)
    assert any("未知的违反承诺情形 'bankrupt'" in p for p in problems), problems
