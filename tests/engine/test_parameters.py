"""Rules read each parameter at the claim's event date: a value that changes from a date applies to
events from that date on, in the batch path, the bulk path and the explanation alike."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import ipfund.policies.zhaoqing_hitech_ip_2022 as package
from ipfund.engine.evaluation import Evaluator
from ipfund.engine.policy import load_policy_path

ORG = {"id": "91110108551385082Q", "kind": "enterprise", "in_zone": True, "sme": True}


@pytest.fixture(scope="module")
def amended(tmp_path_factory):
    """The policy with two amendments from 2024-01-01: the China gold award 350,000 yuan, the
    custody match 60% with a yearly cap of 12,000 yuan."""
    folder = tmp_path_factory.mktemp("policy") / "zhaoqing"
    shutil.copytree(Path(package.__file__).parent, folder, ignore=shutil.ignore_patterns("golden", "__pycache__"))
    data = yaml.safe_load((folder / "policy.yaml").read_text(encoding="utf-8"))
    params = data["parameters"]
    # Every version after the first cites the document that set it (`policy check` requires it).
    sentence = "自2024年1月1日起，中国专利金奖每项奖励35万元；中小微企业托管补助按实际发生费用的60%予以补助，每家企业每年不超过1.2万元。"
    (folder / "amendment.txt").write_text(f"测试修订〔2023〕1号\n{sentence}\n", encoding="utf-8")
    data["documents"] = [{"number": "测试修订〔2023〕1号", "title": "测试修订", "date": "2023-12-01",
                          "source_file": "amendment.txt"}]
    doc = {"amended_by": "测试修订〔2023〕1号", "sentence": sentence}
    params["china_patent_award.amount"]["values"].append(
        {"from": "2024-01-01", "value": {"gold": "350000", "silver": "200000", "excellence": "150000"}, **doc})
    params["custody_sme.rate"]["values"].append({"from": "2024-01-01", "value": "0.6", **doc})
    params["custody_sme.cap_per_year"]["values"].append({"from": "2024-01-01", "value": "12000", **doc})
    (folder / "policy.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    policy = load_policy_path(folder)
    from ipfund.engine import check_package
    from ipfund.engine.view import view_of

    assert check_package(view_of(policy)) == []
    return policy


def decide(policy, claims, explain=True):
    ev = Evaluator(policy)
    errors = ev.read_many(claims)
    return ev.decide(len(claims), errors, explain)


def patent(cid, date):
    return {"id": cid, "item": "china_patent_award", "applicant": ORG, "event_date": date,
            "facts": {"patent_number": f"ZL-{cid}", "level": "gold"}}


def custody(cid, date, year, cost):
    return {"id": cid, "item": "custody_sme", "applicant": ORG, "event_date": date,
            "facts": {"service_year": year, "actual_cost": cost}}


def test_amounts_follow_the_value_in_force_at_the_event_date(amended):
    before, on, after = decide(amended, [patent("a", "2023-12-31"), patent("b", "2024-01-01"), patent("c", "2024-06-30")])
    assert (before["amount"], on["amount"], after["amount"]) == ("300000.00", "350000.00", "350000.00")
    assert any("自 2024-01-01 起施行" in line and "350000.00" in line for line in on["explanation"])
    assert any("自 2022-01-18 起施行" in line and "300000.00" in line for line in before["explanation"])


def test_rates_and_caps_follow_the_event_date(amended):
    old_rate, new_rate = decide(amended, [custody("x", "2023-05-01", 2023, "1000.01"), custody("y", "2024-05-01", 2024, "1000.01")])
    assert old_rate["amount"] == "500.01"  # 50 %, half up
    assert new_rate["amount"] == "600.01"  # 60 % of 1000.01 = 600.006
    d1, d2 = decide(amended, [custody("p", "2024-02-01", 2024, "15000"), custody("q", "2024-03-01", 2024, "10000")])
    assert (d1["amount"], d1["capped"]) == ("9000.00", False)
    assert (d2["amount"], d2["capped"], d2["reasons"]) == ("3000.00", True, ["cap_reached"])  # 12,000 cap


def test_vectorised_and_one_by_one_paths_agree_across_the_change(amended):
    claims = [patent(f"p{i}", f"2023-12-{20 + i}") for i in range(5)] + [patent(f"q{i}", f"2024-01-0{1 + i}") for i in range(5)]
    claims += [custody(f"c{i}", "2023-12-31" if i % 2 else "2024-01-02", 2024, "3000") for i in range(8)]
    fast = decide(amended, claims, explain=False)
    careful = [{k: v for k, v in d.items() if k != "explanation"} for d in decide(amended, claims, explain=True)]
    assert fast == careful
