"""A successor policy continues items of its predecessor: 不重复资助 and caps hold across both —
the engine with the fictional successor of tests/fixtures beside the built-in 2022 policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipfund.engine import BatchError, evaluate_batch
from ipfund.engine.policy import load_policy

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policies"
OLD, NEW = "zhaoqing-hitech-ip-2022", "fictional-successor-2025"
ENT = {"id": "91441200MA00000159", "kind": "enterprise", "in_zone": True}
ENT2 = {"id": "91441200MA00000234", "kind": "enterprise", "in_zone": True}
SME = {"id": "91441200MA000004XN", "kind": "enterprise", "in_zone": True, "sme": True}


@pytest.fixture(autouse=True)
def _path(monkeypatch):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))


def patent(cid, applicant, day, number="ZL201910000001.2", item="china_patent_award", **more):
    return {"id": cid, "item": item, "applicant": applicant, "event_date": day,
            "facts": {"patent_number": number, "level": "gold"}, **more}


def custody(cid, day, year, cost, **more):
    return {"id": cid, "item": "custody_sme", "applicant": SME, "event_date": day,
            "facts": {"service_year": year, "actual_cost": cost}, **more}


def decide(claims, history):
    return [(d["amount"], d["reasons"]) for d in evaluate_batch({"policy": NEW, "claims": claims}, history=history)["decisions"]]


def test_the_successor_names_its_predecessor_and_shares_its_ledger_ids():
    new, old = load_policy(NEW), load_policy(OLD)
    assert [p.id for p in new.ancestors()] == [OLD]
    assert new.items["custody_sme"].ledger_id == old.items["custody_sme"].ledger_id
    assert new.items["high_value_portfolio"].ledger_id == f"{NEW}/high_value_portfolio"


def test_a_patent_rewarded_under_2022_is_a_duplicate_under_the_successor():
    history = {"policy": NEW, "awarded": [patent("h1", ENT, "2023-07-20", policy=OLD, amount="300000.00")]}
    assert decide([patent("c1", ENT2, "2025-03-01")], history) == [("0.00", ["duplicate"])]
    assert decide([patent("c1", ENT2, "2025-03-01", number="ZL201910000009.9")], history) == [("400000.00", [])]


def test_a_history_of_the_predecessor_as_a_whole_is_read_under_it():
    history = {"policy": OLD, "awarded": [patent("h1", ENT, "2023-07-20", amount="300000.00")]}
    assert decide([patent("c1", ENT2, "2025-03-01")], history) == [("0.00", ["duplicate"])]


def test_an_item_the_successor_does_not_continue_shares_nothing():
    history = {"policy": OLD, "awarded": [patent("h1", ENT, "2023-07-20", item="guangdong_patent_award", amount="150000.00")]}
    assert decide([patent("c1", ENT, "2025-03-01")], history) == [("400000.00", [])]


def test_a_cap_spanning_both_policies_counts_both():
    history = {"policy": NEW, "awarded": [custody("h1", "2024-12-20", 2024, "16000", policy=OLD, amount="8000.00"),
                                          custody("h2", "2025-02-01", 2024, "1000", amount="600.00")]}
    claims = [custody("c1", "2025-03-01", 2024, "20000"), custody("c2", "2025-03-01", 2025, "20000")]
    assert decide(claims, history) == [("6400.00", ["cap_reached"]), ("12000.00", [])]


def test_the_predecessor_alone_does_not_know_the_successor():
    history = {"policy": NEW, "awarded": []}
    with pytest.raises(BatchError, match="已发放记录属于政策"):
        evaluate_batch({"policy": OLD, "claims": []}, history=history)


def test_an_award_under_an_unrelated_policy_is_refused():
    history = {"policy": NEW, "awarded": [custody("h1", "2024-12-20", 2024, "16000", policy="other-2020", amount="8000.00")]}
    with pytest.raises(BatchError, match="other-2020"):
        decide([], history)


def test_a_history_award_of_the_predecessor_is_checked_under_its_own_items():
    bad = custody("h1", "2024-12-20", 2024, "16000", policy=OLD, amount="8000.00")
    bad["facts"] = {"service_year": 2024}
    with pytest.raises(BatchError, match="已发放记录第 0 项无效：facts.actual_cost"):
        decide([], {"policy": NEW, "awarded": [bad]})


def test_a_successor_whose_predecessor_is_not_installed_is_refused(tmp_path, monkeypatch):
    import shutil

    pkg = tmp_path / "orphan"
    shutil.copytree(FIXTURES / NEW, pkg)
    text = (pkg / "policy.yaml").read_text("utf-8").replace("policy: zhaoqing-hitech-ip-2022", "policy: missing-2019")
    (pkg / "policy.yaml").write_text(text.replace(f"id: {NEW}", "id: orphan-2025"), "utf-8")
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(pkg))
    with pytest.raises(BatchError, match="延续的前序政策 missing-2019 未安装"):
        load_policy("orphan-2025")
