"""`ipfund explain BATCH.json --id C`: one decision's explanation for a person, run as a user would.

The explanation must let a reviewer follow the decision: the clause and its sentence, the
parameters with their values, the arithmetic, each cap with what was already used, and the
interpretations relied on. Piped output is plain text (no terminal escape codes).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

POLICY = "zhaoqing-hitech-ip-2022"
ENT = {"id": "91441200MA00000159", "kind": "enterprise", "in_zone": True, "sme": False}
ENT2 = {"id": "91441200MA00000234", "kind": "enterprise", "in_zone": True, "sme": False}
SME = {"id": "91441200MA000004XN", "kind": "enterprise", "in_zone": True, "sme": True}
PERSON_ID = "441202198801011029"
PERSON = {"id": PERSON_ID, "kind": "person", "name": "王工", "in_zone": True}


def ipfund_cmd() -> str:
    here = Path(sys.executable).parent / "ipfund"
    found = str(here) if here.exists() else shutil.which("ipfund")
    if not found:
        pytest.fail("the console command `ipfund` is not installed (pip install -e .)")
    return found


def run(*args, input: bytes | str | None = None, timeout: float = 60):
    if isinstance(input, str):
        input = input.encode("utf-8")
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([ipfund_cmd(), *map(str, args)], input=input, capture_output=True,
                          timeout=timeout, env=env)


def text(proc) -> str:
    assert b"Traceback" not in proc.stderr, proc.stderr.decode("utf-8", "replace")[-2000:]
    return proc.stdout.decode("utf-8")


def no_ws(s: str) -> str:
    return "".join(s.split())


@pytest.fixture
def batch(tmp_path):
    claims = [
        {"id": "s1", "item": "custody_sme", "applicant": SME, "event_date": "2023-03-01",
         "facts": {"service_year": 2023, "actual_cost": "12000"}},
        {"id": "s2", "item": "custody_sme", "applicant": SME, "event_date": "2023-09-01",
         "facts": {"service_year": 2023, "actual_cost": "10000"}},
        {"id": "p1", "item": "china_patent_award", "applicant": ENT, "event_date": "2023-07-20",
         "facts": {"patent_number": "ZL201910000001.2", "level": "silver"}},
        {"id": "p2", "item": "china_patent_award", "applicant": ENT2, "event_date": "2023-07-20",
         "facts": {"patent_number": "ZL201910000001.2", "level": "silver"}},
        {"id": "bad", "item": "china_patent_award", "applicant": ENT, "event_date": "2023-07-20",
         "facts": {"patent_number": "ZL9", "level": "platinum"}},
        {"id": "old", "item": "china_patent_award", "applicant": ENT, "event_date": "2025-01-18",
         "facts": {"patent_number": "ZL8", "level": "gold"}},
    ] + [
        {"id": f"l{i}", "item": "patent_litigation", "applicant": ENT, "event_date": f"{2023 + (i == 3)}-0{i + 1}-01",
         "facts": {"case_number": f"F-{i}", "venue": "foreign", "infringement_established": True,
                   "judgment_effective": True}} for i in range(4)
    ] + [
        {"id": "inv1", "item": "guangdong_outstanding_inventor", "applicant": PERSON,
         "event_date": "2023-07-20", "facts": {"award_year": 2023}},
        {"id": "inv2", "item": "guangdong_outstanding_inventor", "applicant": PERSON,
         "event_date": "2023-08-20", "facts": {"award_year": 2023}},
    ]
    p = tmp_path / "batch.json"
    p.write_text(json.dumps({"policy": POLICY, "claims": claims}, ensure_ascii=False), encoding="utf-8")
    return p


def test_explain_shows_clause_sentence_parameters_and_amount(batch):
    proc = run("explain", batch, "--id", "p1")
    out = text(proc)
    assert proc.returncode == 0
    assert "一（二）" in out
    assert "对获得中国专利金奖、银奖、优秀奖的单位分别每项奖励30万元、20万元、15万元" in no_ws(out)
    assert "中国专利奖奖励（每项）（一（二），自 2022-01-18 起施行）" in out, "names the parameter it used, in words"
    assert "china_patent_award.amount" not in out, "no parameter ids for a person"
    assert "200000" in out, "shows the amount"
    assert "\x1b[" not in out, "plain text when piped"


def test_explain_shows_arithmetic_and_cap_usage(batch):
    out = text(run("explain", batch, "--id", "s2"))
    assert "四（一）" in out
    assert "10000" in out and "5000" in out, "the 50% step: 10000 × 50% = 5000"
    assert "50%" in out or "0.5" in out
    assert "6000" in out, "how much of the cap was already used"
    assert "4000" in out, "what is left / what is paid"
    assert "中小微企业托管补助每家每年上限" in out and "custody_sme.cap_per_year" not in out


def test_explain_names_the_interpretations_relied_on(batch):
    default = text(run("explain", batch, "--id", "l3"))
    assert "每个申请人、每个地域在政策有效期内累计封顶" in default, "the reading relied on, in words"
    assert "policy_life" not in default and "cap_reached" not in default and "上限" in default
    per_year = run("explain", batch, "--id", "l3", "--interpret", "A7=per_year")
    assert per_year.returncode == 0
    assert "每个自然年" in text(per_year) and "per_year" not in text(per_year)


def test_explain_duplicate_names_the_earlier_claim(batch):
    """The earlier claim is named as a person knows it — whose it was and its event date — and the
    key by its facts' labels; not by the claim's id (in the platform an internal one)."""
    out = text(run("explain", batch, "--id", "p2"))
    assert "✗ 同一事项（专利号 201910000001.2）此前已由91441200MA00000159申报并获资助（事件日期 2023-07-20），不重复资助" \
        in out, out
    assert "p1" not in out


def test_explain_outside_validity(batch):
    out = text(run("explain", batch, "--id", "old"))
    assert "2025-01-17" in out
    assert "outside_validity" in out or "有效期" in out


def test_explain_invalid_claim_names_the_field(batch):
    proc = run("explain", batch, "--id", "bad")
    assert proc.returncode == 0
    # by the label a person filled in, not the field path of the JSON
    assert "申报事实「奖项等级」" in text(proc) and "facts.level" not in text(proc)


def test_explain_reads_stdin_and_history(batch, tmp_path):
    hist = tmp_path / "h.json"
    hist.write_text(json.dumps({"policy": POLICY, "awarded": [
        {"id": "h1", "item": "custody_sme", "applicant": SME, "event_date": "2023-01-05",
         "facts": {"service_year": 2023, "actual_cost": "3000"}, "amount": "1500.00"}]}))
    proc = run("explain", "-", "--id", "s1", "--history", hist, input=batch.read_bytes())
    out = text(proc)
    assert proc.returncode == 0
    assert "1500" in out, "the history's use of the cap is shown"


def test_explain_unknown_id_exits_2(batch):
    proc = run("explain", batch, "--id", "no-such-claim")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert "Traceback" not in err and "no-such-claim" in err
    assert len([ln for ln in err.splitlines() if ln.strip()]) == 1


def test_explain_unusable_batch_exits_2(tmp_path):
    p = tmp_path / "b.json"
    p.write_text("{nope")
    proc = run("explain", p, "--id", "c1")
    assert proc.returncode == 2 and proc.stdout == b"" and b"Traceback" not in proc.stderr


def test_explain_does_not_print_a_full_resident_id_number(batch):
    """Architecture: resident ID numbers are masked on screen."""
    for cid in ("inv1", "inv2"):
        out = text(run("explain", batch, "--id", cid))
        assert PERSON_ID not in out, f"full resident ID number printed by explain --id {cid}"


def test_a_failed_one_year_condition_gives_the_anniversary_date(tmp_path):
    """四（五）「自在区注册之日起正常运营满1年」: the explanation says the day the year is full."""
    agency = {**ENT2, "kind": "service_agency"}
    claim = {"id": "new-agency", "item": "agency_establishment", "applicant": agency, "event_date": "2023-01-10",
             "facts": {"kind": "branch", "registered_on": "2022-03-01", "cnipa_approved": True, "commitment_3y": True}}
    p = tmp_path / "b.json"
    p.write_text(json.dumps({"policy": POLICY, "claims": [claim]}, ensure_ascii=False), "utf-8")
    proc = run("explain", p, "--id", "new-agency")
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 0, proc.stderr.decode("utf-8")
    assert "✗ 自在区注册之日起正常运营未满1年（2022-03-01 注册，满1年之日为 2023-03-01；事件日期 2023-01-10）" in out, out


def test_each_term_of_a_subtraction_is_named(tmp_path):
    """四（二）: 实际费用 − 市级补助 − 其他补助, each amount with its name."""
    claim = {"id": "ipms", "item": "ipms_certification", "applicant": ENT, "event_date": "2023-05-01",
             "facts": {"stage": "initial", "first_cycle": True, "city_applied": True, "actual_cost": "30000",
                       "city_subsidy": "10000", "other_subsidies": "2000"}}
    p = tmp_path / "b.json"
    p.write_text(json.dumps({"policy": POLICY, "claims": [claim]}, ensure_ascii=False), "utf-8")
    proc = run("explain", p, "--id", "ipms")
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 0, proc.stderr.decode("utf-8")
    assert "实际认证费用 30000.00 元 − 市级补助金额 10000.00 元 − 其他补助金额 2000.00 元 = 18000.00 元" in out, out


def test_explain_says_amounts_as_the_text_does_and_options_by_their_names(tmp_path, batch):
    """五（一）「收入超过100万元的…3万元」 and 一（二）「银奖…20万元」, as a 科员 reads them: the
    thresholds in 万元, the level by its name, never `[silver]` or a fen-exact 1000000.00."""
    agency = {**ENT2, "kind": "service_agency"}
    claim = {"id": "rev", "item": "service_revenue", "applicant": agency, "event_date": "2023-03-31",
             "facts": {"year": 2022, "ip_service_revenue": "2500000"}}
    p = tmp_path / "rev.json"
    p.write_text(json.dumps({"policy": POLICY, "claims": [claim]}, ensure_ascii=False), "utf-8")
    out = text(run("explain", p, "--id", "rev"))
    assert "超过100万元 → 3万元；超过200万元 → 6万元；超过500万元 → 15万元" in out, out
    assert "所达最高档次金额 6万元（60000.00 元）" in out and "1000000.00" not in out
    award = text(run("explain", batch, "--id", "p1"))
    assert "：银奖 20万元（200000.00 元）" in award, award
    assert "[silver]" not in award and "silver" not in award


def test_explain_names_a_cap_group_by_its_facts_not_their_codes(batch):
    """三「最高资助金额分别不超过30万元、10万元」: the group is 诉讼地 外国（地区）, not `foreign`."""
    out = text(run("explain", batch, "--id", "l3"))
    assert "同一申请人、同一诉讼地（申请人 91441200MA00000159；诉讼地 外国（地区））最高 30万元（300000.00 元）" in out, out
    assert "foreign" not in out


def test_explain_heads_a_claim_of_another_policy_with_its_own_item_title(tmp_path, monkeypatch):
    """The headline reads the batch's own policy: a successor's item is named by its title."""
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(Path(__file__).resolve().parents[1] / "fixtures" / "policies"))
    claim = {"id": "h", "item": "high_value_portfolio", "applicant": ENT, "event_date": "2025-06-01",
             "facts": {"project_id": "HV-1", "actual_cost": "100000", "accepted": True}}
    p = tmp_path / "b.json"
    p.write_text(json.dumps({"policy": "fictional-successor-2025", "claims": [claim]}, ensure_ascii=False), "utf-8")
    proc = run("explain", p, "--id", "h")
    out = text(proc)
    assert proc.returncode == 0, proc.stderr.decode("utf-8")
    assert out.startswith("申报 h（高价值专利组合培育资助，一（二））：资助 30000.00 元"), out
    assert "high_value_portfolio" not in out
