"""Policy packages through the CLI, as a policy officer uses it: `ipfund policy list|new|check|test|
diff`, and `ipfund evaluate` finding a package on IPFUND_POLICY_PATH — with the fictional
successor package of tests/fixtures (written only as data) beside the built-in 2022 policy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "policies"
SUCCESSOR = FIXTURES / "fictional-successor-2025"
BUILTIN = REPO / "src" / "ipfund" / "policies" / "zhaoqing_hitech_ip_2022"

SME = {"id": "91441200MA000004XN", "kind": "enterprise", "in_zone": True, "sme": True}
AGENCY = {"id": "91441200MA0000058N", "kind": "service_agency", "in_zone": True}


def run(*args, path: str | None = str(FIXTURES), store: Path | None = None, timeout: float = 60):
    exe = Path(sys.executable).parent / "ipfund"
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    env.pop("IPFUND_POLICY_PATH", None)
    env.pop("IPFUND_POLICY_STORE", None)
    if path is not None:
        env["IPFUND_POLICY_PATH"] = path
    if store is not None:
        env["IPFUND_POLICY_STORE"] = str(store)
    proc = subprocess.run([str(exe if exe.exists() else shutil.which("ipfund")), *map(str, args)],
                          capture_output=True, timeout=timeout, env=env)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode("utf-8", "replace")[-2000:]
    return proc


def text(proc) -> str:
    return proc.stdout.decode("utf-8") + proc.stderr.decode("utf-8")


def copy_of(tmp_path, package=SUCCESSOR) -> Path:
    dest = tmp_path / package.name
    shutil.copytree(package, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def edit(path: Path, old: str, new: str) -> None:
    s = path.read_text(encoding="utf-8")
    assert old in s, f"test setup: {old!r} not in {path.name}"
    path.write_text(s.replace(old, new, 1), encoding="utf-8")


# --- policy list: built-in and IPFUND_POLICY_PATH ------------------------------------------


def test_list_shows_both_packages_with_number_versions_validity_and_state():
    proc = run("policy", "list", "--on", "2025-06-01")
    assert proc.returncode == 0, text(proc)
    out = text(proc)
    for expected in ("肇高管办〔2022〕2号", "虚构高管办〔2025〕1号", "（虚构·测试用）", "2022-01-18 至 2025-01-17",
                     "2025-01-18 至 2027-01-17", "2025-12-01 虚构高管办〔2025〕9号", "延续：肇高管办〔2022〕2号 的 3 个项目"):
        assert expected in out, out
    blocks = out.split("\n\n")
    assert "状态：已失效" in next(b for b in blocks if "肇高管办〔2022〕2号" in b and "虚构" not in b)
    assert "状态：现行" in next(b for b in blocks if "虚构高管办〔2025〕1号" in b)


@pytest.mark.parametrize("day,old,new", [("2023-01-01", "现行", "未生效"), ("2028-01-01", "已失效", "已失效")])
def test_list_state_depends_on_the_day(day, old, new):
    blocks = text(run("policy", "list", "--on", day)).split("\n\n")
    assert f"状态：{old}" in next(b for b in blocks if "zhaoqing-hitech-ip-2022" in b)
    assert f"状态：{new}" in next(b for b in blocks if "fictional-successor-2025" in b)


def test_list_without_the_path_shows_only_the_builtin_package():
    out = text(run("policy", "list", path=None))
    assert "肇高管办〔2022〕2号" in out and "虚构" not in out


def test_list_rejects_a_bad_date_in_chinese():
    proc = run("policy", "list", "--on", "2025-13-01")
    assert proc.returncode == 2 and "--on 应为 YYYY-MM-DD" in text(proc)


def test_a_path_entry_without_packages_is_reported(tmp_path):
    proc = run("policy", "list", path=os.pathsep.join([str(FIXTURES), str(tmp_path), str(tmp_path / "gone")]))
    assert proc.returncode == 0 and "fictional-successor-2025" in text(proc)
    assert f"{tmp_path} 不是政策包" in text(proc) and f"IPFUND_POLICY_PATH 中的目录 {tmp_path / 'gone'} 不存在" in text(proc)


def test_a_folder_may_not_install_an_id_twice(tmp_path):
    twin = copy_of(tmp_path)
    proc = run("policy", "list", path=os.pathsep.join([str(FIXTURES), str(twin)]))
    assert proc.returncode == 0
    assert "政策编号 fictional-successor-2025 已由" in text(proc)


def test_the_policy_store_is_searched_besides_the_path(tmp_path):
    store = tmp_path / "store"
    copy_of(store)
    (store / ".incoming-x").mkdir()  # a package being installed is not one yet
    proc = run("policy", "list", "--on", "2025-06-01", path=None, store=store)
    assert proc.returncode == 0 and "虚构高管办〔2025〕1号" in text(proc) and "不是政策包" not in text(proc)
    assert run("policy", "list", path=None, store=tmp_path / "not-yet").returncode == 0  # no store yet: nothing in it
    proc = run("policy", "list", path=str(FIXTURES), store=store)
    assert "政策编号 fictional-successor-2025 已由" in text(proc)  # the path's package comes first


def test_a_package_may_not_read_a_file_outside_its_folder(tmp_path):
    package = copy_of(tmp_path)
    edit(package / "policy.yaml", "source_file: source.txt", "source_file: ../../outside.txt")
    (tmp_path.parent / "outside.txt").write_text("一、秘密。", encoding="utf-8")
    proc = run("policy", "check", package)
    assert proc.returncode != 0 and "不在政策包文件夹中" in text(proc) and "秘密" not in text(proc)


# --- evaluate with a package found on the path --------------------------------------------


def _evaluate(tmp_path, claims, history=None, path=str(FIXTURES)):
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps({"policy": "fictional-successor-2025", "claims": claims}, ensure_ascii=False), "utf-8")
    args = ["evaluate", batch]
    if history is not None:
        (tmp_path / "history.json").write_text(json.dumps(history, ensure_ascii=False), "utf-8")
        args += ["--history", tmp_path / "history.json"]
    return run(*args, path=path)


def test_evaluate_decides_a_claim_of_the_package_on_the_path(tmp_path):
    claim = {"id": "c1", "item": "custody_sme", "applicant": SME, "event_date": "2025-04-01",
             "facts": {"service_year": 2025, "actual_cost": "10000"}}
    proc = _evaluate(tmp_path, [claim])
    assert proc.returncode == 0, text(proc)
    (d,) = json.loads(proc.stdout)["decisions"]
    assert (d["amount"], d["citation"]) == ("6000.00", "二（一）")


def test_evaluate_without_the_path_names_the_unknown_policy(tmp_path):
    proc = _evaluate(tmp_path, [], path=None)
    assert proc.returncode == 2 and b"fictional-successor-2025" in proc.stderr and not proc.stdout


def test_a_cap_spanning_both_policies_counts_an_award_of_2022(tmp_path):
    claim = {"id": "c1", "item": "custody_sme", "applicant": SME, "event_date": "2025-03-01",
             "facts": {"service_year": 2024, "actual_cost": "20000"}}
    history = {"policy": "zhaoqing-hitech-ip-2022", "awarded": [
        {"id": "h1", "item": "custody_sme", "applicant": SME, "event_date": "2024-12-20", "amount": "10000.00",
         "facts": {"service_year": 2024, "actual_cost": "20000"}}]}
    (d,) = json.loads(_evaluate(tmp_path, [claim], history).stdout)["decisions"]
    assert (d["amount"], d["reasons"]) == ("5000.00", ["cap_reached"])
    expl = "\n".join(d["explanation"])
    assert "此前已用 10000.00 元" in expl and "延续：肇高管办〔2022〕2号「中小微企业知识产权托管补助」" in expl


def test_the_bulk_path_reads_the_package_on_the_path_too(tmp_path):
    lines = tmp_path / "claims.jsonl"
    claims = [{"id": f"c{year}", "item": "service_revenue", "applicant": AGENCY, "event_date": "2026-03-01",
               "facts": {"year": year, "ip_service_revenue": "500000"}} for year in (2024, 2025)]
    lines.write_text("".join(json.dumps(c) + "\n" for c in claims), "utf-8")
    history = tmp_path / "history.json"
    history.write_text(json.dumps({"policy": "zhaoqing-hitech-ip-2022", "awarded": [
        {"id": "h1", "item": "service_revenue", "applicant": AGENCY, "event_date": "2025-01-10", "amount": "30000.00",
         "facts": {"year": 2024, "ip_service_revenue": "1500000"}}]}), "utf-8")
    for workers in ("1", "2"):
        proc = run("evaluate", "--jsonl", lines, "--policy", "fictional-successor-2025", "--workers", workers,
                   "--history", history)
        assert proc.returncode == 0, text(proc)
        got = [json.loads(line) for line in proc.stdout.splitlines()]
        assert [(d["amount"], d["reasons"]) for d in got] == [("0.00", ["duplicate"]), ("20000.00", [])]


def test_explanation_quotes_the_amending_sentence_in_force(tmp_path):
    def explained(day):
        claim = {"id": "c1", "item": "service_revenue", "applicant": AGENCY, "event_date": day,
                 "facts": {"year": 2025, "ip_service_revenue": "3000000"}}
        (d,) = json.loads(_evaluate(tmp_path, [claim]).stdout)["decisions"]
        return d["amount"], "\n".join(d["explanation"])

    amount, before = explained("2025-12-31")
    assert amount == "40000.00" and "虚构高管办〔2025〕9号" not in before and "超过300万元 → 10万元" in before
    amount, after = explained("2026-01-01")
    assert amount == "100000.00"
    assert "修订依据：虚构高管办〔2025〕9号「自2026年1月1日起，当年知识产权服务费收入达到50万元" in after
    assert "达到300万元 → 10万元" in after, "the amounts as the amending sentence says them (unit: 万元)"
    assert "所达最高档次金额 10万元（100000.00 元）" in after


def test_explanation_outside_validity_quotes_the_packages_own_term(tmp_path):
    claim = {"id": "c1", "item": "custody_sme", "applicant": SME, "event_date": "2027-01-18",
             "facts": {"service_year": 2026, "actual_cost": "10000"}}
    (d,) = json.loads(_evaluate(tmp_path, [claim]).stdout)["decisions"]
    assert d["reasons"] == ["outside_validity"]
    assert "不在政策有效期 2025-01-18 至 2027-01-17 内（虚构高管办〔2025〕1号四「本措施自发布之日起实施，有效期两年" \
        in "\n".join(d["explanation"])


def test_show_of_a_continued_item_names_its_predecessor_and_amendments():
    out = text(run("policy", "show", "service_revenue", "--policy", "fictional-successor-2025"))
    assert "延续：肇高管办〔2022〕2号「知识产权服务费收入奖励」" in out
    assert "自 2026-01-01 起：达到 50万元（500000.00 元） → 2万元（20000.00 元）" in out and "（虚构高管办〔2025〕9号）" in out
    assert "承接单位可不在区内注册" not in out and "可申报：知识产权服务机构、企业\n" in out


# --- policy check ---------------------------------------------------------------------------


def test_check_passes_on_the_fictional_package_and_on_the_builtin_one():
    proc = run("policy", "check", SUCCESSOR)
    assert proc.returncode == 0, text(proc)
    assert "fictional-successor-2025：10 个条款、4 个项目" in text(proc) and "检查通过" in text(proc)
    assert run("policy", "check", "zhaoqing-hitech-ip-2022").returncode == 0


@pytest.mark.parametrize("filename,old,new,mentions", [
    ("policy.yaml", "source: 对获得中国专利金奖、银奖、优秀奖的单位分别每项奖励40万元",
     "source: 对获得中国专利金奖、银奖、优秀奖的单位分别每项奖励45万元", ["项目 china_patent_award", "不在原文中"]),
    ("policy.yaml", "  - number: 四\n", "  - number: 五\n", ["原文条款 四 未列入条款目录"]),
    ("policy.yaml", "    clause: 一（二）\n    title: 高价值专利组合培育资助比例",
     "    clause: 九（九）\n    title: 高价值专利组合培育资助比例", ["参数 high_value_portfolio.rate", "九（九）"]),
    ("policy.yaml", "        amended_by: 虚构高管办〔2025〕9号\n", "", ["参数 service_revenue.tiers 自 2026-01-01 起的版本", "未注明修订文件"]),
    ("policy.yaml", "sentence: 自2026年1月1日起，当年", "sentence: 自2026年2月1日起，当年",
     ["语句不在修订文件 虚构高管办〔2025〕9号 的原文中"]),
    ("policy.yaml", 'tiers: [["500000", "20000"], ["1000000", "40000"]', 'tiers: [["1000000", "20000"], ["500000", "40000"]',
     ["档次门槛应由低到高"]),
    ("policy.yaml", "value: {gold: \"400000\", silver: \"250000\", excellence: \"150000\"}",
     "value: {gold: \"400000\", platinum: \"250000\", excellence: \"150000\"}", ["没有的取值 platinum", "silver"]),
    ("policy.yaml", 'tiers: [["1000000", "40000"], ["3000000"', 'tiers: [[1000000, "40000"], ["3000000"',
     ["项目 service_revenue：参数 service_revenue.tiers 自 2025-01-18 起的版本，档次门槛应写成以元计的字符串"]),
    ("policy.yaml", "    key: [patent_number]\n", "    key: [patent_number, level]\n", ["延续项目 china_patent_award", "重复键"]),
    ("policy.yaml", "    custody_sme: custody_sme\n", "    custody_sme: custody_provider\n", ["延续项目 custody_sme", "上限分组"]),
    ("policy.yaml", "    interpretations: [B2]\n", "    interpretations: [B9]\n", ["解释 'B9' 未在解释登记"]),
    ("policy.yaml", "    evidence: [区主管部门验收意见, 费用发票及支付凭证]\n", "", ["项目 high_value_portfolio：没有证明材料清单"]),
])
def test_check_names_what_is_wrong_in_chinese(tmp_path, filename, old, new, mentions):
    pkg = copy_of(tmp_path)
    edit(pkg / filename, old, new)
    proc = run("policy", "check", pkg)
    assert proc.returncode == 1, text(proc)
    for m in mentions:
        assert m in text(proc), text(proc)


@pytest.mark.parametrize("old,new,mentions", [
    ("formula: {rate: custody_sme.rate, of: actual_cost}", "formula: {rate: custody_sme.rate, of: cost}",
     ["项目 custody_sme", "formula.of", "cost"]),
    ("ip_service_revenue: {type: money,", "ip_service_revenue: {type: currency,", ["facts.ip_service_revenue.type"]),
    ("kinds: [enterprise, university]", "kinds: [enterprise, alien]", ["未知的申请人类型 'alien'"]),
    ("{unless: accepted, describe: 项目未经区主管部门验收合格}", "{unless: accepted}", ["conditions[2].describe"]),
])
def test_a_package_that_cannot_be_read_is_refused_naming_the_field(tmp_path, old, new, mentions):
    pkg = copy_of(tmp_path)
    edit(pkg / "policy.yaml", old, new)
    proc = run("policy", "check", pkg)
    assert proc.returncode == 1 and not proc.stdout
    line = 1 + (pkg / "policy.yaml").read_text("utf-8").split(new)[0].count("\n")
    assert f"policy.yaml 第 {line} 行" in text(proc), text(proc)
    for m in mentions:
        assert m in text(proc), text(proc)


# `policy new` is tested in test_policy_new.py.


# --- policy test: one runner for every package ----------------------------------------------


def test_policy_test_passes_on_the_fictional_package_and_on_2022():
    proc = run("policy", "test", SUCCESSOR)
    assert proc.returncode == 0 and "14 个案例全部通过" in text(proc), text(proc)
    proc = run("policy", "test", "zhaoqing-hitech-ip-2022")
    assert proc.returncode == 0 and "全部通过" in text(proc), text(proc)


def test_policy_test_reports_a_failing_case_by_name_and_field(tmp_path):
    pkg = copy_of(tmp_path)
    edit(pkg / "golden" / "cases.yaml", 'amount: "5000.00", capped: true', 'amount: "5000.01", capped: true')
    proc = run("policy", "test", pkg)
    assert proc.returncode == 1
    out = text(proc)
    assert "「同一服务年度按2022年政策已获的补助计入上限」" in out and "amount 应为 '5000.01'，实际为 '5000.00'" in out
    assert "1 个未通过" in out


def test_policy_test_refuses_a_case_whose_sentence_is_not_in_the_texts(tmp_path):
    pkg = copy_of(tmp_path)
    edit(pkg / "golden" / "cases.yaml", "sentence: 本措施所称区内，指在本区登记注册并依法经营。",
         "sentence: 本措施所称区内，指在本区居住。")
    proc = run("policy", "test", pkg)
    assert proc.returncode == 1 and "所检查的语句不在政策原文或修订文件中" in text(proc)


def test_policy_test_without_cases_fails(tmp_path):
    pkg = copy_of(tmp_path)
    shutil.rmtree(pkg / "golden")
    proc = run("policy", "test", pkg)
    assert proc.returncode == 1 and "没有测试案例" in text(proc)


# --- policy diff ------------------------------------------------------------------------------


def test_diff_of_the_two_policies_reads_like_an_officers_summary():
    proc = run("policy", "diff", "zhaoqing-hitech-ip-2022", "fictional-successor-2025")
    assert proc.returncode == 0, text(proc)
    out = text(proc)
    for expected in (
        "新政策声明延续原政策的 3 个项目",
        "有效期：2022-01-18 至 2025-01-17 → 2025-01-18 至 2027-01-17",
        "延续「中国专利奖奖励」（一（二） → 一（一））",
        "「金奖」30 万元 → 40 万元；「银奖」20 万元 → 25 万元",
        "比例 50% → 60%",
        "上限（同一企业、同一服务年度）1 万元 → 1.5 万元",
        "由 3 档改为 4 档；“超过”（不含本数）改为“达到”（含本数）",
        "（虚构高管办〔2025〕9号）",
        "新增「高价值专利组合培育资助」（一（二））",
        "未延续的项目（18 项）",
        "合计：延续 3 项，新增 1 项，未延续 18 项。",
    ):
        assert expected in out, out
    for code in ("custody_sme", "china_patent_award", "service_revenue.tiers"):
        assert code not in out, f"a code shown to a person: {code}\n{out}"


def test_diff_of_two_versions_shows_the_amended_tiers_only():
    proc = run("policy", "diff", "fictional-successor-2025@2025-06-01", "fictional-successor-2025@2026-06-01")
    out = text(proc)
    assert proc.returncode == 0 and "同一政策的两个版本比较" in out
    assert "保留「知识产权服务费收入奖励」（三（一））：\n    档次：超过 100 万元 4 万元" in out
    assert "达到 50 万元 2 万元" in out and "保留「中小微企业知识产权托管补助」（二（一））：金额与条件未变" in out


def test_diff_rejects_a_bad_version_date():
    proc = run("policy", "diff", "fictional-successor-2025@2026-02-30", "zhaoqing-hitech-ip-2022")
    assert proc.returncode == 2 and "@ 后应为 YYYY-MM-DD" in text(proc)
