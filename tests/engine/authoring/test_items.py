"""The vocabulary written as data: every formula, condition, key, cap and top-up of a YAML item
computes what the same piece in Python computes, through the batch and the bulk path; parameter
versions that change shape are read with the shape of the version in force."""

from __future__ import annotations

import json

import pytest
import yaml

from ipfund.engine import BatchError, evaluate_claims
from ipfund.engine.bulk import evaluate_lines
from ipfund.engine.policy import load_policy_path

SENTENCE = "对符合条件的申请人给予资助。"
#: What the text says of each parameter (`policy check` finds every value in its sentences).
RULES = ("资助1000元；金级300元、优秀级100元；按50%补助，每项最高100元，每年累计不超过150元；服务超过2家10元、3家20元；"
         "须满3年；2020年1月1日以后注册；甲地100元、乙地50元。本办法自2023年1月1日起施行，至2025年12月31日止。")
AMEND = "自2024年1月1日起，资助改为1500元，金额表增加铂金级900元、金级改为400元，取消优秀级，档次改为达到即可：1家5元、2家10元、3家20元。"
SOURCE = f"一、测试\n{SENTENCE}\n{RULES}\n"
ENT = {"id": "91441200MA00000159", "kind": "enterprise", "in_zone": True, "sme": True}
OUT = {"id": "91441200MA00000234", "kind": "enterprise", "in_zone": False, "sme": False}
PERSON = {"id": "441202198801011029", "kind": "person", "in_zone": True}
CLIENTS = ["91441200MA00000159", "91441200MA00000234", "91441200MA000004XN", "91441200MA0000111J"]


def _param(kind, *versions):
    return {"clause": "一", "title": "测试参数", "kind": kind, "values": list(versions)}


def _item(formula, facts, **more):
    return {"clause": "一", "title": "测试项目", "source": SENTENCE, "summary": "测试", "kinds": ["enterprise"],
            "facts": facts, "formula": formula, "evidence": ["证明材料"], **more}


MONEY = {"type": "money", "label": "金额"}
LEVEL = {"type": "enum", "label": "等级", "options": {"gold": "金级", "excellence": "优秀级", "platinum": "铂金级"}}

PACKAGE = {
    "id": "vocabulary-test",
    "title": "词汇测试政策（虚构·测试用）",
    "document_number": "测试〔2023〕1号",
    "issued_on": "2023-01-01",
    "documents": [{"number": "测试〔2023〕9号", "title": "修订", "date": "2023-12-01", "source_file": "amend.txt"}],
    "clauses": [{"number": "一", "title": "测试", "monetary": True, "source": [
        {"role": "heading", "text": "一、测试"}, SENTENCE,
        {"role": "money", "text": RULES, "used_by": ["fixed", "table", "rate", "top", "cap", "tiers", "min_years", "earliest",
                                                     "venue_table", "validity.start", "validity.end"]}]}],
    "parameters": {
        "validity.start": _param("date", {"from": "2023-01-01", "value": "2023-01-01"}),
        "validity.end": _param("date", {"from": "2023-01-01", "value": "2025-12-31"}),
        "fixed": _param("money", {"from": "2023-01-01", "value": "1000"},
                        {"from": "2024-01-01", "value": "1500", "amended_by": "测试〔2023〕9号", "sentence": AMEND}),
        "table": _param("money_table", {"from": "2023-01-01", "value": {"gold": "300", "excellence": "100"}},
                        {"from": "2024-01-01", "value": {"gold": "400", "platinum": "900"},
                         "amended_by": "测试〔2023〕9号", "sentence": AMEND}),
        "rate": _param("rate", {"from": "2023-01-01", "value": "0.5"}),
        "top": _param("money", {"from": "2023-01-01", "value": "100"}),
        "cap": _param("money", {"from": "2023-01-01", "value": "150"}),
        "cap_grouped": _param("money", {"from": "2023-01-01", "value": "150"}),
        "tiers": _param("tiers", {"from": "2023-01-01", "value": {"inclusive": False, "tiers": [[2, "10"], [3, "20"]]}},
                        {"from": "2024-01-01", "value": {"inclusive": True, "tiers": [[1, "5"], [2, "10"], [3, "20"]]},
                         "amended_by": "测试〔2023〕9号", "sentence": AMEND}),
        "min_years": _param("number", {"from": "2023-01-01", "value": 3}),
        "earliest": _param("date", {"from": "2023-01-01", "value": "2020-01-01"}),
        "venue_table": _param("money_table", {"from": "2023-01-01", "value": {"x": "100", "y": "50"}}),
    },
    "interpretations": {"X1": {"question": "问题？", "clause": "一", "default": "a", "selectable": True, "reason": "测试用的默认。",
                               "options": {"a": "甲", "b": "乙"}}},
    "items": {
        "fixed_item": _item({"fixed": "fixed"}, {"year": {"type": "year", "label": "年度"}}, key=["applicant", "year"],
                            key_when=[{"interpretation": {"X1": "b"}, "key": ["applicant"]}], interpretations=["X1"],
                            conditions=[{"applicant": "in_zone", "reason": "not_in_zone", "describe": "不在区内"}]),
        "table_item": _item({"table": "table", "by": "level"}, {"level": LEVEL}),
        "capped_rate": _item({"at_most": "top", "of": {"rate": "rate", "of": "cost"}}, {"cost": MONEY, "year": {"type": "year", "label": "年度"}},
                             cap={"param": "cap", "group": ["applicant", "year"], "label": "同一申请人同一年度"},
                             conditions=[{"applicant": "sme", "reason": "not_sme", "describe": "不是中小微企业"}]),
        "residual_item": _item({"residual": "cost", "minus": ["other"]}, {"cost": MONEY, "other": MONEY},
                               conditions=[{"nothing_left": True, "reason": "funded_elsewhere", "describe": "已全额补助"}]),
        "tiered_item": _item({"tiers": "tiers", "of": "clients", "cumulative_when": {"X1": "b"}},
                             {"clients": {"type": "uscc_list", "label": "服务对象", "count_all_when": {"X1": "b"}}},
                             top_up=True, interpretations=["X1"],
                             conditions=[{"nothing_left": True, "reason": "below_threshold", "describe": "未达最低档次"}]),
        "gated_item": _item({"amount": "cost"}, {
            "cost": MONEY, "done": {"type": "bool", "label": "已完成"}, "funded": {"type": "bool", "label": "已获资助"},
            "years": {"type": "number", "label": "年限"}, "since": {"type": "date", "label": "注册日"},
            "grade": {"type": "enum", "label": "类别", "options": {"x": "甲类", "y": "乙类"}}},
            kinds=["enterprise", "person"], kinds_by={"fact": "grade", "values": {"y": ["person"]}},
            conditions=[
                {"unless": "done", "describe": "未完成"},
                {"when": "funded", "reason": "funded_elsewhere", "describe": "已获其他资助"},
                {"fact": "years", "below": "min_years", "describe": "年限不足"},
                {"fact": "since", "before": "earliest", "describe": "注册过早"},
                {"fact": "since", "years_to_event": "min_years", "describe": "未满年限"},
                {"fact": "grade", "equals": "x", "if_interpretation": {"X1": "b"}, "describe": "按乙解释甲类不予资助"},
            ]),
        "readings_item": _item(
            {"less": "other", "if_interpretation": {"X1": "b"}, "of": {"at_most": "top", "of": {"rate": "rate", "of": "cost"}}},
            {"cost": MONEY, "other": {"type": "money", "label": "已获其他资金（元）", "optional": True, "default": 0},
             "funded": {"type": "bool", "label": "已获其他资助"}, "years": {"type": "number", "label": "年限"},
             "since": {"type": "date", "label": "注册日"}, "grade": {"type": "enum", "label": "类别", "options": {"x": "甲类", "y": "乙类"}}},
            kinds=["enterprise", "person"], interpretations=["X1"],
            conditions=[
                {"when": "funded", "unless_interpretation": {"X1": "b"}, "reason": "funded_elsewhere", "describe": "已获资助，不重复资助"},
                {"all": [{"when": "funded"}, {"nothing_left": True}], "if_interpretation": {"X1": "b"},
                 "reason": "funded_elsewhere", "describe": "其他资金已不少于本项资助，无差额可补"},
                {"all": [{"applicant_kind": ["person"]}, {"fact": "grade", "not_equals": "y"}], "describe": "个人只可申报乙类"},
                {"fact": "years", "below": "min_years", "exclusive_when": {"X1": "b"}, "describe": "年限不足"},
                {"fact": "since", "years_to_event": "min_years", "exclusive_when": {"X1": "b"}, "since": "注册",
                 "describe": "未满年限"},
                {"fact": "since", "before": "earliest", "minus_years": "min_years", "describe": "注册过早"},
            ]),
        "grouped_item": _item(
            {"fixed": "fixed"},
            {"level": {"type": "enum", "label": "奖项", "options": {"solo": "个人奖", "org": "组织奖"}},
             "work": {"type": "text", "label": "作品（组织奖不需要）", "needless_when": {"level": ["org"]}}},
            key=["applicant", "work", "event_year"], interpretations=["X1"],
            cap={"param": "cap_grouped", "group": ["applicant"], "label": "同一申请人",
                 "group_when": [{"interpretation": {"X1": "b"}, "group": ["applicant", "event_year"], "label": "同一申请人同一年度"}]}),
        "venue_item": _item(
            {"table": "venue_table", "by": "venue"},
            {"venue": {"type": "enum", "label": "地点", "options": {"x": "甲地", "y": "乙地", "z": "丙地"},
                       "read_as": {"z": {"interpretation": "X1", "as": {"a": "x", "b": "y"}}}},
             "level": {"type": "enum", "label": "等级", "options": {"low": "低", "high": "高"}}},
            top_up={"X1": "b"}, top_up_by=["applicant", "level"], interpretations=["X1"]),
    },
}


@pytest.fixture(scope="module")
def policy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vocabulary")
    (folder / "policy.yaml").write_text(yaml.safe_dump(PACKAGE, allow_unicode=True), "utf-8")
    (folder / "source.txt").write_text(SOURCE, "utf-8")
    (folder / "amend.txt").write_text(f"测试〔2023〕9号\n{AMEND}\n", "utf-8")
    return load_policy_path(folder)


def claim(cid, item, facts, day="2023-06-01", applicant=ENT):
    return {"id": cid, "item": item, "applicant": applicant, "event_date": day, "facts": facts}


def decide(policy, claims, history=None, interpret=None):
    whole = evaluate_claims(policy, claims, history=history, interpretations=interpret)["decisions"]
    lines = [json.dumps(c).encode() for c in claims]
    bulk = list(evaluate_lines(iter(lines), policy=policy, history=history, interpretations=interpret))
    strip = lambda d: {k: v for k, v in d.items() if k != "explanation"}  # noqa: E731
    assert [strip(d) for d in bulk] == [strip(d) for d in whole]
    return whole


def outcome(d):
    return d.get("amount"), d.get("reasons")


def test_the_package_checks_clean(policy):
    from ipfund.engine import check_package
    from ipfund.engine.view import view_of

    assert check_package(view_of(policy)) == []


def test_fixed_amount_is_read_at_the_event_date_and_cites_the_amendment(policy):
    a, b = decide(policy, [claim("a", "fixed_item", {"year": 2023}), claim("b", "fixed_item", {"year": 2024}, "2024-01-01")])
    assert outcome(a) == ("1000.00", []) and outcome(b) == ("1500.00", [])
    assert not any("测试〔2023〕9号" in line for line in a["explanation"])
    assert f"修订依据：测试〔2023〕9号「{AMEND}」" in b["explanation"]


def test_a_gate_is_a_declared_condition(policy):
    (d,) = decide(policy, [claim("a", "fixed_item", {"year": 2023}, applicant=OUT)])
    assert outcome(d) == ("0.00", ["not_in_zone"])
    (d,) = decide(policy, [claim("a", "table_item", {"level": "gold"}, applicant=OUT)])
    assert outcome(d) == ("300.00", []), "an item that declares no zone gate pays outside the zone"


def test_key_and_key_when(policy):
    claims = [claim("a", "fixed_item", {"year": 2023}), claim("b", "fixed_item", {"year": 2023}),
              claim("c", "fixed_item", {"year": 2024}, "2024-06-01")]
    assert [outcome(d)[1] for d in decide(policy, claims)] == [[], ["duplicate"], []]
    assert [outcome(d)[1] for d in decide(policy, claims, interpret={"X1": "b"})] == [[], ["duplicate"], ["duplicate"]]


def test_table_keys_added_and_dropped_by_a_version(policy):
    days = ["2023-06-01", "2024-06-01"]
    got = {(lvl, day): outcome(d) for lvl in ("gold", "excellence", "platinum") for day in days
           for d in decide(policy, [claim("a", "table_item", {"level": lvl}, day)])}
    assert got[("gold", days[0])] == ("300.00", []) and got[("gold", days[1])] == ("400.00", [])
    assert got[("excellence", days[0])] == ("100.00", [])
    assert got[("excellence", days[1])] == ("0.00", ["condition_not_met"]), "a dropped key is not funded"
    assert got[("platinum", days[0])] == ("0.00", ["condition_not_met"]), "a key added later is not funded before"
    assert got[("platinum", days[1])] == ("900.00", [])


def test_rate_at_most_and_cap(policy):
    ds = decide(policy, [claim("a", "capped_rate", {"cost": "150", "year": 2023}),
                         claim("b", "capped_rate", {"cost": "500", "year": 2023}),
                         claim("c", "capped_rate", {"cost": "10", "year": 2024}, "2024-06-01"),
                         claim("d", "capped_rate", {"cost": "10", "year": 2024}, "2024-06-01", applicant=OUT)])
    assert [(d["amount"], d["capped"], d["reasons"]) for d in ds] == [
        ("75.00", False, []), ("75.00", True, ["cap_reached"]), ("5.00", False, []), ("0.00", False, ["not_sme"])
    ], "rate 50% at most 100 a claim; 150 a year; only the declared SME gate applies"


def test_residual_and_nothing_left(policy):
    a, b = decide(policy, [claim("a", "residual_item", {"cost": "100", "other": "30.5"}),
                           claim("b", "residual_item", {"cost": "100", "other": "130"})])
    assert outcome(a) == ("69.50", []) and outcome(b) == ("0.00", ["funded_elsewhere"])


def test_tiers_change_shape_by_version_and_top_up(policy):
    def at(day, n, interpret=None, history=None):
        (d,) = decide(policy, [claim("a", "tiered_item", {"clients": CLIENTS[:n]}, day)], history, interpret)
        return outcome(d)

    assert at("2023-06-01", 2) == ("0.00", ["below_threshold"]), "超过 2: two is not enough"
    assert at("2023-06-01", 3) == ("10.00", [])
    assert at("2024-06-01", 1) == ("5.00", []), "the added tier, 达到 1"
    assert at("2024-06-01", 2) == ("10.00", []), "达到 2 now pays"
    assert at("2024-06-01", 3, {"X1": "b"}) == ("35.00", []), "cumulative: 5 + 10 + 20"
    history = {"policy": "vocabulary-test", "awarded": [claim("h", "tiered_item", {"clients": CLIENTS[:3]}) | {"amount": "10.00"}]}
    assert at("2024-06-01", 3, history=history) == ("10.00", []), "topped up from 10 to 20"


def test_conditions_on_facts_parameters_and_interpretations(policy):
    good = {"cost": "50", "done": True, "funded": False, "years": 3, "since": "2020-06-01", "grade": "x"}
    cases = {
        "ok": ({}, []),
        "undone": ({"done": False}, ["condition_not_met"]),
        "funded": ({"funded": True}, ["funded_elsewhere"]),
        "short": ({"years": 2.5}, ["condition_not_met"]),
        "early": ({"since": "2019-12-31"}, ["condition_not_met"]),
        "recent": ({"since": "2021-06-02"}, ["condition_not_met"]),
    }
    claims = [claim(k, "gated_item", {**good, **change}) for k, (change, _) in cases.items()]
    assert [d["reasons"] for d in decide(policy, claims)] == [r for _, r in cases.values()]
    (d,) = decide(policy, [claim("a", "gated_item", good)], interpret={"X1": "b"})
    assert d["reasons"] == ["condition_not_met"]


def test_kinds_by_a_fact(policy):
    good = {"cost": "50", "done": True, "funded": False, "years": 3, "since": "2020-06-01", "grade": "y"}
    a, b = decide(policy, [claim("a", "gated_item", good), claim("b", "gated_item", good, applicant=PERSON)])
    assert a["reasons"] == ["applicant_kind"] and b["reasons"] == []


def test_a_misspelled_fact_is_refused_naming_item_and_field(tmp_path):
    data = json.loads(json.dumps(PACKAGE))
    data["items"]["residual_item"]["formula"]["minus"] = ["others"]
    (tmp_path / "policy.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    (tmp_path / "source.txt").write_text(SENTENCE, "utf-8")
    with pytest.raises(BatchError, match="项目 residual_item：「formula.residual」引用的事实 'others' 未在 facts 中定义"):
        load_policy_path(tmp_path)


READINGS = {"cost": "150", "other": "30", "funded": True, "years": 4, "since": "2020-05-01", "grade": "x"}


def test_less_and_a_condition_of_all_of_its_tests_by_reading(policy):
    """50% of 150 (at most 100); under X1=b less what was paid elsewhere, else funded elsewhere is refused."""
    funded = claim("a", "readings_item", READINGS, "2023-06-01")
    more = claim("b", "readings_item", {**READINGS, "other": "100"}, "2023-06-01")
    unfunded = claim("c", "readings_item", {**READINGS, "funded": False, "other": "0"}, "2023-06-01")
    assert [outcome(d) for d in decide(policy, [funded, more, unfunded])] == [
        ("0.00", ["funded_elsewhere"]), ("0.00", ["funded_elsewhere"]), ("75.00", [])]
    a, b, c = decide(policy, [funded, more, unfunded], interpret={"X1": "b"})
    assert [outcome(d) for d in (a, b, c)] == [("45.00", []), ("0.00", ["funded_elsewhere"]), ("75.00", [])]
    assert "其他资金已不少于本项资助，无差额可补" in "\n".join(b["explanation"])


def test_a_condition_of_another_reading_is_neither_run_nor_counted(policy):
    for reading in ("a", "b"):
        (d,) = decide(policy, [claim("a", "readings_item", {**READINGS, "funded": False}, "2023-06-02")],
                      interpret={"X1": reading})
        assert "✓ 本项目的 5 项条件均已满足" in d["explanation"], d["explanation"]


def test_applicant_kind_and_not_equals_together(policy):
    ok = {**READINGS, "funded": False}
    ds = decide(policy, [claim("a", "readings_item", ok, applicant=PERSON), claim("b", "readings_item", {**ok, "grade": "y"}, applicant=PERSON),
                         claim("c", "readings_item", ok)])
    assert [d["reasons"] for d in ds] == [["condition_not_met"], [], []]


def test_exclusive_when_the_number_itself_is_not_enough(policy):
    """以上 includes the number itself (3 years, the third anniversary) unless X1=b says otherwise."""
    on_the_day = claim("a", "readings_item", {**READINGS, "funded": False, "years": 3, "since": "2020-06-01"}, "2023-06-01")
    (d,) = decide(policy, [on_the_day])
    assert d["reasons"] == []
    (d,) = decide(policy, [on_the_day], interpret={"X1": "b"})
    assert d["reasons"] == ["condition_not_met"]
    assert "✗ 年限不足" in d["explanation"]
    assert "✗ 未满年限（2020-06-01 注册，满3年之日为 2023-06-01；事件日期 2023-06-01）" in d["explanation"]


def test_before_a_date_parameter_less_years(policy):
    """earliest 2020-01-01 less min_years (3): registered on 2017-01-01 or later."""
    ok = {**READINGS, "funded": False}
    ds = decide(policy, [claim("a", "readings_item", {**ok, "since": "2016-12-31"}), claim("b", "readings_item", {**ok, "since": "2017-01-01"})])
    assert [d["reasons"] for d in ds] == [["condition_not_met"], []]


def test_needless_fact_event_year_key_and_cap_group_by_reading(policy):
    claims = [claim("a", "grouped_item", {"level": "solo", "work": "甲"}, "2023-06-01"),
              claim("b", "grouped_item", {"level": "solo", "work": "甲"}, "2023-09-01"),
              claim("c", "grouped_item", {"level": "solo", "work": "甲"}, "2024-06-01"),
              claim("d", "grouped_item", {"level": "org"}, "2025-03-01"),
              claim("e", "grouped_item", {"level": "org", "work": "任意"}, "2025-04-01")]
    assert [(d["amount"], d["reasons"]) for d in decide(policy, claims)] == [
        ("150.00", ["cap_reached"]), ("0.00", ["duplicate"]), ("0.00", ["cap_reached"]),
        ("0.00", ["cap_reached"]), ("0.00", ["cap_reached"])], "one key per work and event year (a refused claim holds none); one cap per applicant"
    assert [(d["amount"], d["reasons"]) for d in decide(policy, claims, interpret={"X1": "b"})] == [
        ("150.00", ["cap_reached"]), ("0.00", ["duplicate"]), ("150.00", ["cap_reached"]),
        ("150.00", ["cap_reached"]), ("0.00", ["duplicate"])], "under X1=b the cap is per applicant and event year"


def test_an_option_read_as_another_and_a_top_up_by_facts(policy):
    claims = [claim("a", "venue_item", {"venue": "z", "level": "low"}), claim("b", "venue_item", {"venue": "x", "level": "low"}),
              claim("c", "venue_item", {"venue": "x", "level": "high"})]
    assert [d["amount"] for d in decide(policy, claims)] == ["100.00", "100.00", "100.00"], "丙地 read as 甲地"
    assert [d["amount"] for d in decide(policy, claims, interpret={"X1": "b"})] == ["50.00", "50.00", "100.00"], (
        "丙地 read as 乙地; topped up to 甲地 by applicant and level")


def test_a_list_counted_as_listed_under_a_reading(policy):
    listed = claim("a", "tiered_item", {"clients": [CLIENTS[0], CLIENTS[0], CLIENTS[1]]})
    (d,) = decide(policy, [listed])
    assert outcome(d) == ("0.00", ["below_threshold"]), "two distinct clients: not more than 2"
    (d,) = decide(policy, [listed], interpret={"X1": "b"})
    assert outcome(d) == ("10.00", []), "three listed"


def test_common_facts_are_taken_by_every_item(tmp_path):
    data = json.loads(json.dumps(PACKAGE))
    data["common_facts"] = {"filed_on": {"type": "date", "label": "申报日期（可选）", "optional": True}}
    (tmp_path / "policy.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    (tmp_path / "source.txt").write_text(SOURCE, "utf-8")
    (tmp_path / "amend.txt").write_text(f"测试〔2023〕9号\n{AMEND}\n", "utf-8")
    policy = load_policy_path(tmp_path)
    assert all(item.facts[-1].name == "filed_on" for item in policy.items.values())
    (d,) = decide(policy, [claim("a", "fixed_item", {"year": 2023, "filed_on": "2023-07-01"})])
    assert outcome(d) == ("1000.00", [])
    data["items"]["fixed_item"]["facts"]["filed_on"] = {"type": "date", "label": "申报日"}
    (tmp_path / "policy.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(BatchError, match="项目 fixed_item：「facts.filed_on」与 common_facts 中的事实同名"):
        load_policy_path(tmp_path)
