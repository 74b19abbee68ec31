"""The 2022 text read once more, through the CLI: each new reading is selectable with
`--interpret`, listed by `policy show`, and explained in words — a fact as the applicant declared
it (an option read as another is said beside it), no field paths, no 重复键, no option codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ENT = {"id": "91441200MA00000159", "kind": "enterprise", "in_zone": True, "sme": False, "name": "肇庆甲公司"}
PROV = {"id": "91441200MA0000066H", "kind": "service_agency", "in_zone": True, "name": "肇庆乙知识产权服务公司"}
PERSON = {"id": "441202198801011029", "kind": "person", "in_zone": True, "name": "王工"}
CLIENTS = ["91441200MA0001018R", "91441200MA0001026L", "91441200MA0001034F", "91441200MA0001042A", "91441200MA00010505",
           "91441200MA00010692", "91441200MA0001077W", "91441200MA0001085P", "91441200MA0001093J", "91441200MA00011068"]
SUIT = {"infringement_established": True, "judgment_effective": True}


def run(*args, input_text: str | None = None):
    exe = Path(sys.executable).parent / "ipfund"
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.run([str(exe if exe.exists() else shutil.which("ipfund")), *map(str, args)],
                          input=input_text.encode() if input_text else None, capture_output=True, timeout=120, env=env)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode("utf-8", "replace")[-2000:]
    return proc


def claim(cid, item, applicant, day, facts):
    return {"id": cid, "item": item, "applicant": applicant, "event_date": day, "facts": facts}


CLAIMS = [
    claim("hk", "patent_litigation", ENT, "2023-05-01", {"case_number": "(2023)港高院1号", "venue": "hk_macao_taiwan", **SUIT}),
    claim("appeal", "patent_litigation", ENT, "2023-09-01",
          {"case_number": "(2023)粤民终9号", "first_instance_case": "(2023)粤73民初1号", "venue": "domestic", **SUIT}),
    claim("first", "patent_litigation", ENT, "2023-03-01",
          {"case_number": "(2023)粤73民初1号", "first_instance_case": "(2023)粤73民初1号", "venue": "domestic", **SUIT}),
    claim("clients", "custody_provider", PROV, "2023-06-01", {"sme_clients": CLIENTS + CLIENTS[:1]}),
    claim("nav", "navigation_enterprise", ENT, "2023-07-20", {"project_id": "NE-1", "actual_cost": "400000", "accepted": True,
                                                               "higher_level_funded": True, "higher_level_amount": "30000"}),
    claim("nav2", "navigation_enterprise", ENT, "2023-07-20", {"project_id": "NE-2", "actual_cost": "100000", "accepted": True,
                                                                "higher_level_funded": False, "higher_level_amount": "30000"}),
    claim("worker", "patent_attorney", PERSON, "2023-03-01",
          {"passed_exam": True, "employed_in_zone": True, "contract_years": 3, "zone_tie": "work_or_study"}),
    claim("rev", "service_revenue", PROV, "2022-03-01", {"year": 2021, "ip_service_revenue": "1500000"}),
]


@pytest.fixture
def batch(tmp_path):
    path = tmp_path / "batch.json"
    path.write_text(json.dumps({"policy": "zhaoqing-hitech-ip-2022", "claims": CLAIMS}, ensure_ascii=False), "utf-8")
    return path


def decisions(batch, *interpret) -> dict:
    args = [a for i in interpret for a in ("--interpret", i)]
    proc = run("evaluate", batch, *args)
    assert proc.returncode == 0, proc.stderr.decode()
    return {d["id"]: d for d in json.loads(proc.stdout)["decisions"]}


def test_defaults_decide_as_before_and_name_the_readings(batch):
    d = decisions(batch)
    assert d["hk"]["amount"] == "100000.00"  # A25: 港澳台 at the foreign rate
    assert d["appeal"]["amount"] == "20000.00" and d["first"]["amount"] == "20000.00"  # A30: each case number
    assert "A30=per_case_number" in d["appeal"]["interpretations"]
    assert d["nav"]["reasons"] == ["funded_elsewhere"]  # A22 excluded
    assert d["nav2"]["reasons"] == ["condition_not_met"]  # contradictory facts
    assert d["worker"]["amount"] == "5000.00" and "A29=any_tie" in d["worker"]["interpretations"]
    assert d["rev"]["amount"] == "30000.00" and "A34=any_year" in d["rev"]["interpretations"]
    assert "A28=signed_on" in d["rev"]["interpretations"]


def test_each_reading_is_selectable_on_the_command_line(batch):
    d = decisions(batch, "A30=per_dispute", "A29=household_or_residence", "A34=from_validity_year",
                  "A22=difference", "A36=deduct_then_cap")
    assert d["appeal"]["amount"] == "20000.00"  # decided first, in batch order
    assert d["first"]["reasons"] == ["duplicate"]  # the same dispute
    assert d["worker"]["reasons"] == ["not_in_zone"]
    assert d["rev"]["reasons"] == ["condition_not_met"]
    assert d["nav"]["amount"] == "150000.00" and d["nav"]["capped"] is True


def test_a_provider_listing_itself_is_invalid_input_naming_the_field(tmp_path):
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"policy": "zhaoqing-hitech-ip-2022", "claims": [claim("x", "custody_provider", PROV, "2023-06-01",
                                                   {"sme_clients": [PROV["id"], *CLIENTS]})]}), "utf-8")
    d = decisions(path)["x"]
    assert d["error"]["field"] == "facts.sme_clients"
    assert "第 1 个统一社会信用代码是申请人自己" in d["error"]["message"]


def explain(batch, cid, *interpret) -> str:
    args = [a for i in interpret for a in ("--interpret", i)]
    proc = run("explain", batch, "--id", cid, *args)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout.decode()


def test_an_explanation_shows_the_fact_as_declared(batch):
    text = explain(batch, "hk")
    assert "诉讼地=香港、澳门、台湾地区（按外国（地区）计）" in text
    text = explain(batch, "clients")
    assert "11 家" not in text and "10 家（按统一社会信用代码去重）" in text
    assert "11 家（按所列份数计）" in explain(batch, "clients", "A8=per_contract")


@pytest.mark.parametrize("cid,interpret", [
    ("hk", []), ("appeal", ["A30=per_dispute"]), ("first", ["A30=per_dispute"]), ("clients", ["A32=once_final"]),
    ("nav", ["A22=difference", "A36=deduct_then_cap"]), ("nav2", []), ("worker", ["A29=household_or_residence"]),
    ("rev", ["A34=from_validity_year", "A33=once_per_tier"]),
])
def test_explanations_have_no_field_paths_codes_or_key_jargon(batch, cid, interpret):
    text = explain(batch, cid, *interpret)
    for bad in ("facts.", "重复键", "hk_macao_taiwan", "work_or_study", "per_dispute", "per_case_number", "deduct_then_cap",
                "once_final", "once_per_tier", "from_validity_year", "household_or_residence", "zone_tie", "higher_level",
                "first_instance", "None", "A22", "A6"):
        assert bad not in text, (bad, text)


def test_a_person_refused_by_a_reading_of_in_the_zone_is_told_that_reading(batch):
    text = explain(batch, "worker", "A29=household_or_residence")
    assert "✗ 按本区采用的解释，个人须户籍或常住在区内" in text
    assert "✗ 申请人不在高新区内" not in text


def test_the_interpretations_and_the_reasons_are_listed_by_policy_show():
    out = run("policy", "show", "patent_litigation").stdout.decode()
    for iid in ("A24", "A29", "A30", "A31"):
        assert iid in out
    assert "重复键" not in out.split("相关解释")[1]


def test_an_invalid_claim_is_explained_by_the_label_of_its_field(tmp_path):
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"policy": "zhaoqing-hitech-ip-2022", "claims": [
        claim("self", "custody_provider", PROV, "2023-06-01", {"sme_clients": [PROV["id"], *CLIENTS]}),
        claim("zero", "custody_sme", {**ENT, "sme": True}, "2023-06-01", {"service_year": 2023, "actual_cost": "0"}),
        claim("who", "custody_sme", {**ENT, "id": "91441200MA00000150"}, "2023-06-01", {"service_year": 2023, "actual_cost": "10"}),
    ]}), "utf-8")
    self_text = run("explain", path, "--id", "self").stdout.decode()
    assert "申报事实「已服务的区内中小微企业」：所列第 1 个统一社会信用代码是申请人自己" in self_text
    assert "申报事实「实际发生费用」：金额应大于 0" in run("explain", path, "--id", "zero").stdout.decode()
    who = run("explain", path, "--id", "who").stdout.decode()
    assert "申请人证件号码" in who
    for text in (self_text, who):
        assert "facts." not in text and "applicant.id" not in text
