"""`ipfund policy show [ITEM]` and `ipfund policy check [--path DIR]`, run as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "src" / "ipfund" / "policies" / "zhaoqing_hitech_ip_2022"

ITEMS = {  # item: (clause, an amount as `policy show ITEM` should state it, in yuan or 万元)
    "contest_match": ("一（一）", "50%"),
    "ip_strong_enterprise": ("一（二）", "15"),
    "china_patent_award": ("一（二）", "30"),
    "guangdong_patent_award": ("一（二）", "15"),
    "guangdong_outstanding_inventor": ("一（二）", "2"),
    "song_qingling_award": ("一（三）", "5000"),
    "guangdong_youth_invention_award": ("一（三）", "3000"),
    "ip_education_school": ("一（三）", "5"),
    "ip_university": ("一（三）", "15"),
    "navigation_industry_procurement": ("二（二）", "30"),
    "navigation_enterprise": ("二（二）", "15"),
    "ip_operation_match": ("二（三）", "20"),
    "patent_alliance": ("二（四）", "20"),
    "patent_litigation": ("三", "10"),
    "custody_sme": ("四（一）", "50%"),
    "custody_provider": ("四（一）", "15"),
    "ipms_certification": ("四（二）", ""),
    "agency_establishment": ("五（一）", "10"),
    "service_revenue": ("五（一）", "3"),
    "patent_attorney": ("五（二）", "5000"),
    "ipms_auditor": ("五（二）", "5000"),
}
CLAUSES = ["一（一）", "一（二）", "一（三）", "二（一）", "二（二）", "二（三）", "二（四）", "三",
           "四（一）", "四（二）", "五（一）", "五（二）"]


def ipfund_cmd() -> str:
    here = Path(sys.executable).parent / "ipfund"
    found = str(here) if here.exists() else shutil.which("ipfund")
    if not found:
        pytest.fail("the console command `ipfund` is not installed (pip install -e .)")
    return found


def run(*args, timeout: float = 60):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([ipfund_cmd(), *map(str, args)], capture_output=True, timeout=timeout, env=env)


def out(proc) -> str:
    assert b"Traceback" not in proc.stderr, proc.stderr.decode("utf-8", "replace")[-2000:]
    return proc.stdout.decode("utf-8") + proc.stderr.decode("utf-8")


def no_ws(s: str) -> str:
    return "".join(s.split())


# --- policy show --------------------------------------------------------------------------


def test_policy_show_lists_every_clause_and_item():
    proc = run("policy", "show")
    text = out(proc)
    assert proc.returncode == 0
    assert "肇高管办〔2022〕2号" in text
    for item in ITEMS:
        assert item in text, f"item {item} missing from `policy show`"
    for clause in CLAUSES:
        assert clause in text, f"clause {clause} missing from `policy show`"
    assert "\x1b[" not in proc.stdout.decode("utf-8"), "plain text when piped"


@pytest.mark.parametrize("item", sorted(ITEMS))
def test_policy_show_item_in_full(item):
    clause, amount = ITEMS[item]
    proc = run("policy", "show", item)
    text = out(proc)
    assert proc.returncode == 0, text
    assert item in text and clause in text
    assert amount in text
    if item != "ipms_certification":  # the only item without a parameter (a difference)
        assert "2022-01-18" in text, "parameters show the date they took effect"


def test_policy_show_item_shows_facts_kinds_and_source_sentence():
    text = out(run("policy", "show", "patent_litigation"))
    for fact in ("case_number", "venue", "infringement_established", "judgment_effective"):
        assert fact in text
    assert "最终判定或裁定对方专利侵权行为成立的，分别每件给予10万元、2万元资助" in no_ws(text)
    assert "A7" in text, "the interpretation that applies to its cap"
    assert "300000" in text or "30 万" in text or "30万" in text


def test_policy_show_unknown_item_exits_2():
    proc = run("policy", "show", "no_such_item")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert "Traceback" not in err and "no_such_item" in err
    assert len([ln for ln in err.splitlines() if ln.strip()]) == 1


# --- policy check -------------------------------------------------------------------------


def test_policy_check_passes_on_the_shipped_package():
    proc = run("policy", "check")
    assert proc.returncode == 0, out(proc)


def test_policy_check_passes_on_an_unchanged_copy(tmp_path):
    copy = tmp_path / "pkg"
    shutil.copytree(PACKAGE, copy)
    proc = run("policy", "check", "--path", copy)
    assert proc.returncode == 0, out(proc)


def _broken_copy(tmp_path, filename, old, new, count=1):
    copy = tmp_path / "pkg"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    path = copy / filename
    s = path.read_text(encoding="utf-8")
    assert old in s, f"test setup: {old!r} not found in {filename}"
    path.write_text(s.replace(old, new, count), encoding="utf-8")
    return copy


def _check_fails(copy, *mentions):
    proc = run("policy", "check", "--path", copy)
    text = out(proc)
    assert proc.returncode != 0, f"policy check passed a broken package:\n{text}"
    for m in mentions:
        assert m in text, f"message does not name {m!r}:\n{text}"
    return text


def test_check_fails_when_a_quoted_sentence_is_not_in_the_source(tmp_path):
    copy = _broken_copy(tmp_path, "policy.yaml", "秘书处20万元工作经费补贴", "秘书处30万元工作经费补贴")
    _check_fails(copy, "二（四）", "30万元")


def test_check_fails_when_the_source_text_lost_a_sentence(tmp_path):
    copy = _broken_copy(tmp_path, "source.txt", "侵权是否成立以生效裁判文书为准。", "")
    _check_fails(copy, "侵权是否成立以生效裁判文书为准")


def test_check_fails_when_a_parameter_has_no_clause(tmp_path):
    old = "  patent_alliance.amount:\n    clause: 二（四）\n"
    copy = _broken_copy(tmp_path, "policy.yaml", old, "  patent_alliance.amount:\n")
    _check_fails(copy, "patent_alliance.amount")


def test_check_fails_when_a_parameter_cites_an_unknown_clause(tmp_path):
    old = "  patent_alliance.amount:\n    clause: 二（四）\n"
    copy = _broken_copy(tmp_path, "policy.yaml", old, "  patent_alliance.amount:\n    clause: 二（九）\n")
    _check_fails(copy, "patent_alliance.amount", "二（九）")


def test_check_fails_when_an_item_cites_an_unknown_clause(tmp_path):
    old = "  patent_alliance:\n    clause: 二（四）\n"
    copy = _broken_copy(tmp_path, "policy.yaml", old, "  patent_alliance:\n    clause: 二（九）\n")
    _check_fails(copy, "patent_alliance", "二（九）")


def test_check_fails_when_a_parameter_is_removed_that_a_rule_reads(tmp_path):
    old = ('  patent_alliance.amount:\n    clause: 二（四）\n    title: 专利联盟秘书处工作经费补贴\n    kind: money\n'
           '    unit: 万元\n    values: [{from: 2022-01-18, value: "200000"}]\n')
    copy = _broken_copy(tmp_path, "policy.yaml", old, "")
    _check_fails(copy, "patent_alliance.amount")


def test_check_fails_when_a_declared_unit_is_not_how_the_sentence_says_the_amount(tmp_path):
    """`unit: 万元` says the text quotes the amount in 万元: 250000 is not the sentence's 20万元."""
    old = '    title: 专利联盟秘书处工作经费补贴\n    kind: money\n    unit: 万元\n    values: [{from: 2022-01-18, value: "200000"}]\n'
    copy = _broken_copy(tmp_path, "policy.yaml", old, old.replace('"200000"', '"250000"'))
    _check_fails(copy, "patent_alliance.amount", "“25万”")
    copy = _broken_copy(tmp_path / "b", "policy.yaml", old, old.replace("万元", "元"))
    _check_fails(copy, "patent_alliance.amount", "“200000元”")
    copy = _broken_copy(tmp_path / "c", "policy.yaml", old, old.replace("万元", "万美元"))
    _check_fails(copy, "patent_alliance.amount", "未知的单位")


def test_check_fails_on_unreadable_policy_yaml(tmp_path):
    copy = _broken_copy(tmp_path, "policy.yaml", "clauses:", "clauses: [unclosed")
    text = _check_fails(copy)
    assert "policy.yaml" in text


def test_check_on_a_missing_directory_fails_cleanly(tmp_path):
    proc = run("policy", "check", "--path", tmp_path / "nowhere")
    assert proc.returncode != 0
    assert b"Traceback" not in proc.stderr


# --- the whole text catalogued --------------------------------------------------------------


def test_check_fails_when_the_catalogue_misses_a_sentence_of_the_text(tmp_path):
    # The list of custody services (what "相关服务" means in 四（一）) removed from the catalogue.
    passage = ("      - {role: definition, text: 鼓励中小微企业委托知识产权服务机构进行专利信息分析、专利申请流程服务、"
               "制度建设、专利运营、专利维权、战略规划、品牌宣传和建设、人才培养等事务进行托管，提升中小微企业知识产权综合能力和水平。"
               ", used_by: [custody_sme]}\n")
    copy = _broken_copy(tmp_path, "policy.yaml", passage, "")
    text = _check_fails(copy, "不属于任何条款")
    assert "鼓励中小微企业委托知识产权服务机构进行专利信息分析" in text
    assert "source.txt 第 " in text  # the sentence's line in the text


def test_check_fails_when_the_catalogue_misses_the_footer(tmp_path):
    copy = _broken_copy(tmp_path, "policy.yaml", "      - {role: document, text: 公开方式：主动公开}\n", "")
    _check_fails(copy, "公开方式：主动公开")


def test_policy_show_shows_the_non_monetary_clauses():
    text = out(run("policy", "show"))
    for clause in ("印发通知", "序言", "二（一）", "实施期限", "公开与印发"):
        assert clause in text
    # goals, scope, definitions and procedure, each named by its role
    assert "［定义］鼓励中小微企业委托知识产权服务机构进行专利信息分析" in text
    assert "［适用范围］对提供知识产权代理、咨询、检索" in text
    assert "［程序］侵权是否成立以生效裁判文书为准。" in text
    assert "［目标］聚焦园区重点产业" in text
