"""Rules spanning items through the CLI, as a policy officer and a script use them: the fictional
county fund (tests/fixtures/policies/fictional-county-fund-2026) with a yearly total over every
item and 就高不重复 by the same contract; `policy check` refusing a cap shared the wrong way."""

from __future__ import annotations

import json
import shutil

import yaml

from tests.cli.test_policy_packages import FIXTURES, run, text

COUNTY = FIXTURES / "fictional-county-fund-2026"
A = {"id": "91441200MA00000159", "kind": "enterprise", "in_zone": True, "name": "甲公司"}


def _batch(tmp_path, claims):
    path = tmp_path / "batch.json"
    path.write_text(json.dumps({"policy": "fictional-county-fund-2026", "claims": claims}, ensure_ascii=False), "utf-8")
    return path


CLAIMS = [
    {"id": "c1", "item": "ip_title", "applicant": A, "event_date": "2026-02-01", "facts": {"title_level": "demonstration"}},
    {"id": "c2", "item": "invention_grant", "applicant": A, "event_date": "2026-03-01",
     "facts": {"patent_number": "ZL202610000001.2"}},
    {"id": "c3", "item": "navigation", "applicant": A, "event_date": "2026-04-01",
     "facts": {"contract_no": "N-001", "contract_amount": "200000"}},
    {"id": "c4", "item": "custody", "applicant": A, "event_date": "2026-04-02",
     "facts": {"contract_no": "N-002", "contract_amount": "10000"}},
]


def test_evaluate_applies_the_yearly_total_across_items(tmp_path):
    proc = run("evaluate", _batch(tmp_path, CLAIMS))
    assert proc.returncode == 0
    got = {d["id"]: (d["amount"], d["reasons"]) for d in json.loads(text(proc))["decisions"]}
    assert got == {"c1": ("100000.00", []), "c2": ("5000.00", []), "c3": ("45000.00", ["cap_reached"]),
                   "c4": ("0.00", ["cap_reached"])}


def test_history_of_earlier_awards_counts_under_the_total(tmp_path):
    history = tmp_path / "history.json"
    history.write_text(json.dumps({"policy": "fictional-county-fund-2026", "awarded": [
        {**CLAIMS[0], "amount": "100000.00"}, {**CLAIMS[2], "amount": "45000.00"}]}, ensure_ascii=False), "utf-8")
    proc = run("evaluate", _batch(tmp_path, [CLAIMS[1], CLAIMS[3]]), "--history", history)
    got = {d["id"]: d["amount"] for d in json.loads(text(proc))["decisions"]}
    assert got == {"c2": "5000.00", "c4": "0.00"}


def test_explain_names_every_cap_and_the_matter(tmp_path):
    claims = CLAIMS[:3] + [{"id": "c5", "item": "custody", "applicant": A, "event_date": "2026-04-03",
                            "facts": {"contract_no": "N-001", "contract_amount": "200000"}}]
    out = text(run("explain", _batch(tmp_path, claims), "--id", "c5"))
    assert "就高不重复（第九条，同一服务合同）" in out and "此前已获资助 45000.00 元" in out
    assert "同一企业每年享受本办法各项资助总额" in out and "此前各项目合计已用 150000.00 元" in out
    assert "结论：不予资助（超过资助上限）" in out


def test_check_refuses_a_cap_parameter_shared_by_items_without_a_declared_cap(tmp_path):
    pkg = tmp_path / "pkg"
    shutil.copytree(COUNTY, pkg)
    data = yaml.safe_load((pkg / "policy.yaml").read_text("utf-8"))
    data["items"]["navigation"]["cap"] = {"param": "custody.cap_per_year", "group": ["applicant", "event_year"],
                                          "label": "同一企业、同一年度"}
    (pkg / "policy.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    proc = run("policy", "check", pkg)
    assert proc.returncode == 1
    assert "参数 custody.cap_per_year 是项目 custody、navigation 各自的上限，但没有声明跨项目的上限" in text(proc)


def test_a_misspelt_cap_declaration_is_named_in_chinese(tmp_path):
    pkg = tmp_path / "pkg"
    shutil.copytree(COUNTY, pkg)
    data = yaml.safe_load((pkg / "policy.yaml").read_text("utf-8"))
    data["caps"]["yearly_total"]["itmes"] = data["caps"]["yearly_total"].pop("items")
    data["exclusive_groups"]["same_contract"]["items"] = {"custody": "contract_no", "navigation": "no_such_fact"}
    (pkg / "policy.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    proc = run("policy", "check", pkg)
    assert proc.returncode != 0
    assert "caps.yearly_total：未知的字段 'itmes'" in text(proc) + proc.stderr.decode()


def _district(tmp_path, facts, name="batch.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"policy": "fictional-district-intl-2026", "claims": [
        {"id": "c1", "item": "foreign_patent", "applicant": A, "event_date": "2026-04-01", "facts": facts}]},
        ensure_ascii=False), "utf-8")
    return path


def test_quantities_are_summed_by_line_at_most_three_countries(tmp_path):
    proc = run("explain", _district(tmp_path, {"patent_number": "CN1", "major_count": 2, "other_count": 2}), "--id", "c1")
    out = text(proc)
    assert "资助 70000.00 元" in out
    assert "其他国家或地区授权数 1（申报 2）" in out and "合计 70000.00 元" in out
    assert "授权数（个）=2；" in out  # as declared, not 2.0


def test_a_count_with_a_fraction_is_refused_naming_the_field_in_batch_and_bulk(tmp_path):
    facts = {"patent_number": "CN1", "major_count": 2.5, "other_count": 0}
    batch = json.loads(text(run("evaluate", _district(tmp_path, facts))))["decisions"][0]
    assert batch["error"] == {"code": "invalid_input", "field": "facts.major_count", "message": "应为整数（件数、个数不能有小数）"}
    line = {"id": "c1", "item": "foreign_patent", "applicant": A, "event_date": "2026-04-01", "facts": facts}
    jsonl = tmp_path / "claims.jsonl"
    jsonl.write_text(json.dumps(line, ensure_ascii=False) + "\n", "utf-8")
    bulk = json.loads(text(run("evaluate", "--jsonl", jsonl, "--policy", "fictional-district-intl-2026")))
    assert bulk["error"]["field"] == "facts.major_count"


def _county_with(tmp_path, change):
    pkg = tmp_path / "pkg"
    shutil.rmtree(pkg, ignore_errors=True)
    shutil.copytree(COUNTY, pkg)
    data = yaml.safe_load((pkg / "policy.yaml").read_text("utf-8"))
    change(data["allocation"])
    (pkg / "policy.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return run("policy", "check", pkg)


def _line_of(tmp_path, needle: str) -> int:
    lines = (tmp_path / "pkg" / "policy.yaml").read_text("utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


def test_the_county_fund_declares_its_allocation_and_passes_check():
    proc = run("policy", "check", COUNTY)
    assert proc.returncode == 0, text(proc)


def test_a_quota_count_not_written_in_its_sentence_fails_at_its_line(tmp_path):
    proc = _county_with(tmp_path, lambda a: a["quotas"]["excellent_case_best"].update(count=6))
    assert proc.returncode == 1
    line = _line_of(tmp_path, "count: 6")
    assert f"policy.yaml 第 {line} 行：名额 excellent_case_best 的个数 6 不在其语句中" in text(proc)


def test_an_unknown_allocation_key_fails_naming_it(tmp_path):
    proc = _county_with(tmp_path, lambda a: a["pro_rata"].update(ratio="0.8"))
    assert proc.returncode != 0
    assert f"policy.yaml 第 {_line_of(tmp_path, 'ratio:')} 行：未知的键「ratio」" in text(proc)


def test_a_sentence_not_in_its_clause_and_a_bad_rule_are_named(tmp_path):
    proc = _county_with(tmp_path, lambda a: a["pro_rata"].update(sentence="超出预算的，按同一比例核减。"))
    assert proc.returncode == 1
    assert "语句不是条款 第十二条 的语句（须逐字引用）：超出预算的，按同一比例核减。" in text(proc)
    proc = _county_with(tmp_path, lambda a: a["quotas"]["excellent_case_best"].update(by="first_come"))
    assert proc.returncode != 0
    out = text(proc) + proc.stderr.decode()
    assert "allocation.quotas.excellent_case_best.by：应为 panel_score、ranking 之一，现为 'first_come'" in out
    assert f"policy.yaml 第 {_line_of(tmp_path, 'by: first_come')} 行" in out
