"""`ipfund policy check` tells the truth, run as a policy officer runs it on a copy of the 2022
package: an unknown key anywhere fails naming it and its line; a parameter no rule reads fails;
a sentence of a monetary clause that no rule uses and no reason marks fails; rates, numbers,
dates, count thresholds and the last day of the validity are checked against their sentences;
a fact collected and never used is a warning (exit 0); and whatever the package holds, every
problem is a Chinese message naming the file and the line — never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "src" / "ipfund" / "policies" / "zhaoqing_hitech_ip_2022"


def run(*args):
    exe = Path(sys.executable).parent / "ipfund"
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.run([str(exe if exe.exists() else shutil.which("ipfund")), *map(str, args)],
                          capture_output=True, timeout=120, env=env)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode("utf-8", "replace")[-2000:]
    return proc


def text(proc) -> str:
    return proc.stdout.decode("utf-8") + proc.stderr.decode("utf-8")


def changed(tmp_path, old: str, new: str) -> Path:
    copy = tmp_path / "pkg"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "golden"))
    path = copy / "policy.yaml"
    s = path.read_text("utf-8")
    assert s.count(old) >= 1, f"test setup: {old!r} not in policy.yaml"
    path.write_text(s.replace(old, new, 1), "utf-8")
    return copy


def line_of(copy: Path, needle: str) -> int:
    s = (copy / "policy.yaml").read_text("utf-8")
    return s[: s.index(needle)].count("\n") + 1


def fails(copy: Path, *mentions: str) -> str:
    proc = run("policy", "check", copy)
    out = text(proc)
    assert proc.returncode == 1, out
    for m in mentions:
        assert m in out, out
    return out


def test_the_package_checks_clean_and_says_so():
    proc = run("policy", "check")
    assert proc.returncode == 0, text(proc)
    assert "检查通过" in text(proc) and "提示" not in text(proc)


@pytest.mark.parametrize("old,new,key", [
    # a predecessor declaration misspelt at the top level: silently ignored before
    ("administered_by: 区经济贸易和科技局\n", "administered_by: 区经济贸易和科技局\ncontinue: {policy: other}\n", "continue"),
    ("    clause: 四（一）\n    title: 中小微企业托管服务补助比例\n",
     "    clause: 四（一）\n    titel: 中小微企业托管服务补助比例\n", "titel"),
    ("    values: [{from: 2022-01-18, value: \"0.5\"}]", "    values: [{from: 2022-01-18, value: \"0.5\", amended: x}]", "amended"),
    ("      service_year: {type: year, label: 服务年度}", "      service_year: {type: year, lable: 服务年度}", "lable"),
    ("      - {unless: accepted, describe: 项目未验收合格或未经区主管部门审核通过}",
     "      - {unless: accepted, describ: 项目未验收合格或未经区主管部门审核通过}", "describ"),
    ("      label: 同一企业、同一服务年度\n", "      label: 同一企业、同一服务年度\n      scope: applicant\n", "scope"),
    ("    selectable: true\n    reason: 外观设计金奖", "    selectible: true\n    reason: 外观设计金奖", "selectible"),
])
def test_an_unknown_key_anywhere_fails_naming_it_and_its_line(tmp_path, old, new, key):
    copy = changed(tmp_path, old, new)
    needle = next(line for line in new.split("\n") if key + ":" in line)
    fails(copy, f"未知的键「{key}」", f"policy.yaml 第 {line_of(copy, needle)} 行")


def test_declared_caps_and_exclusive_groups_are_known_keys(tmp_path):
    copy = changed(tmp_path, "administered_by: 区经济贸易和科技局\n",
                   "administered_by: 区经济贸易和科技局\ncaps: {}\nexclusive_groups: {}\n")
    assert "未知的键" not in text(run("policy", "check", copy))


def test_a_parameter_no_rule_reads_fails(tmp_path):
    copy = changed(tmp_path, "  patent_attorney.amount:\n", "  patent_attorney.bonus:\n    clause: 五（二）\n"
                   "    title: 未使用的参数\n    kind: money\n    unit: 元\n    values: [{from: 2022-01-18, value: \"5000\"}]\n"
                   "  patent_attorney.amount:\n")
    fails(copy, "参数 patent_attorney.bonus：没有任何规则读取", f"policy.yaml 第 {line_of(copy, '  patent_attorney.bonus:')} 行")


def test_a_money_sentence_no_rule_uses_fails(tmp_path):
    copy = changed(tmp_path, ", used_by: [navigation_enterprise, A22]}", "}")
    fails(copy, "条款 二（二）：资金语句没有规则使用：已获得国家、省、市级专利导航分析项目资金支持的")


def test_a_sentence_marked_as_deciding_no_money_needs_its_reason(tmp_path):
    copy = changed(tmp_path, ", reason: 目标，说明本条的方向，不定资助对象、条件或金额}", "}")
    fails(copy, "条款 一（一）：目标语句既没有规则使用，也未注明不定金额的理由（reason）：聚焦园区重点产业")


def test_used_by_must_name_a_rule_of_the_same_clause(tmp_path):
    copy = changed(tmp_path, "used_by: [patent_litigation]", "used_by: [custody_sme]")
    fails(copy, "used_by 中的项目 custody_sme 所依据的是条款 四（一），不是本条款")


def test_a_clause_marked_as_deciding_no_money_may_not_hold_an_amount(tmp_path):
    copy = changed(tmp_path, "    title: 实施高价值专利培育工程（高价值专利培育布局大赛配套奖励）\n    monetary: true",
                   "    title: 实施高价值专利培育工程（高价值专利培育布局大赛配套奖励）\n    monetary: false")
    copy2 = changed(tmp_path / "b", "    title: 实施知识产权强企培育工程（示范优势企业、专利奖、杰出发明人）\n    monetary: true",
                    "    title: 实施知识产权强企培育工程（示范优势企业、专利奖、杰出发明人）\n    monetary: false")
    fails(copy2, "条款 一（二） 注明不定金额（monetary: false），语句却写有金额")
    fails(copy, "条款 一（一） 注明不定金额（monetary: false），语句却写有金额",
          "项目 contest_match：所依据的条款 一（一） 注明不定金额（monetary: false），项目却依据它给予资助")


@pytest.mark.parametrize("old,new,mentions", [
    ("  custody_sme.rate:\n    clause: 四（一）\n    title: 中小微企业托管服务补助比例\n    kind: rate\n    values: [{from: 2022-01-18, value: \"0.5\"}]",
     "  custody_sme.rate:\n    clause: 四（一）\n    title: 中小微企业托管服务补助比例\n    kind: rate\n    values: [{from: 2022-01-18, value: \"0.6\"}]",
     ["参数 custody_sme.rate 自 2022-01-18 起的版本：比例 60% 不在所依据的语句中"]),
    ("    title: 任职合同期（以上，含本数）\n    kind: number\n    values: [{from: 2022-01-18, value: 3}]",
     "    title: 任职合同期（以上，含本数）\n    kind: number\n    values: [{from: 2022-01-18, value: 2}]",
     ["参数 patent_attorney.min_contract_years 自 2022-01-18 起的版本：数值 2 不在所依据的语句中"]),
    ("tiers: [[10, \"50000\"], [20, \"100000\"], [30, \"150000\"]]", "tiers: [[12, \"50000\"], [20, \"100000\"], [30, \"150000\"]]",
     ["参数 custody_provider.tiers 自 2022-01-18 起的版本：档次门槛 12 不在所依据的语句中"]),
    ("values: [{from: 2022-01-18, value: 2025-01-17}]", "values: [{from: 2022-01-18, value: 2025-01-18}]",
     ["参数 validity.end 自 2022-01-18 起的版本：有效期最后一日应为 2025-01-17", "“有效期3年”"]),
    ("    kind: date\n    values: [{from: 2022-01-18, value: 2022-01-18}]\n  validity.end",
     "    kind: date\n    values: [{from: 2022-01-18, value: 2022-01-20}]\n  validity.end",
     ["参数 validity.start 自 2022-01-18 起的版本：日期 2022-01-20 不在原文中"]),
    ("    title: “新设立或新引进”的最早注册日（本意见施行日）\n    kind: date\n    values: [{from: 2022-01-18, value: 2022-01-18}]",
     "    title: “新设立或新引进”的最早注册日（本意见施行日）\n    kind: date\n    values: [{from: 2022-01-18, value: 2021-06-01}]",
     ["参数 agency_establishment.earliest_registration 自 2022-01-18 起的版本：日期 2021-06-01 不在原文中，也不是政策施行日"]),
])
def test_rates_numbers_counts_and_dates_are_checked_against_their_sentences(tmp_path, old, new, mentions):
    copy = changed(tmp_path, old, new)
    out = fails(copy, *mentions)
    assert "policy.yaml 第 " in out


def test_a_fact_collected_and_never_used_is_a_warning_not_a_failure(tmp_path):
    copy = changed(tmp_path, "      actual_cost: {type: money, positive: true, label: 实际发生费用（元）}\n    formula: {rate: custody_sme.rate",
                   "      actual_cost: {type: money, positive: true, label: 实际发生费用（元）}\n"
                   "      remark: {type: text, label: 备注, optional: true}\n    formula: {rate: custody_sme.rate")
    proc = run("policy", "check", copy)
    assert proc.returncode == 0, text(proc)
    assert f"policy.yaml 第 {line_of(copy, '      remark:')} 行：提示：项目 custody_sme 的事实 remark 已收集，但没有规则使用它" in text(proc)
    assert "1 个提示" in text(proc)


@pytest.mark.parametrize("old,new,mentions", [
    ("parameters:\n  validity.start:", "parameters: [validity.start]\nold_parameters:\n  validity.start:",
     ["「parameters」应为映射，现为列表", "未知的键「old_parameters」"]),
    ("    values: [{from: 2022-01-18, value: \"0.5\"}]", "    values: [{from: 2022-01-18, value: fifty}]",
     ["参数 contest_match.rate 第 1 个版本的值应为 0 至 1 之间的比例"]),
    ("    kind: money_table\n    unit: 万元\n    values: [{from: 2022-01-18, value: {gold: \"300000\"",
     "    kind: money_table\n    unit: 万元\n    values: [{from: 2022-01-18, value: {gold: 30万",
     ["参数 china_patent_award.amount 第 1 个版本的值中 gold 的金额应为以元计的金额"]),
    ("    clause: 四（一）\n    title: 中小微企业知识产权托管补助\n", "    clause: [四（一）]\n    title: 中小微企业知识产权托管补助\n",
     ["「items.custody_sme.clause」应为文字或数字，现为列表"]),
    ("  - number: 序言\n", "  - numbr: 序言\n", ["未知的键「numbr」", "缺少「clauses[2].number」"]),
    ("id: zhaoqing-hitech-ip-2022\n", "id: zhaoqing-hitech-ip-2022\n  bad: [indent\n", ["YAML 格式错误"]),
])
def test_a_broken_package_is_told_by_file_and_line_never_a_traceback(tmp_path, old, new, mentions):
    copy = changed(tmp_path, old, new)
    out = fails(copy, *mentions)
    assert "policy.yaml 第 " in out


def test_a_sentence_missing_from_the_catalogue_is_told_by_its_line_in_the_text(tmp_path):
    copy = changed(tmp_path, "      - {role: procedure, text: 侵权是否成立以生效裁判文书为准。, used_by: [patent_litigation]}\n", "")
    source = (copy / "source.txt").read_text("utf-8")
    line = source[: source.index("侵权是否成立")].count("\n") + 1
    fails(copy, f"source.txt 第 {line} 行：原文语句不属于任何条款：侵权是否成立以生效裁判文书为准。")
