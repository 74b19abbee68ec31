"""Lines (清单) through the CLI, as a policy officer and a script meet them
(tests/fixtures/policies/fictional-foreign-lines-2026): `policy check` and `policy test` pass; a
claim's lines are summed, at most three countries per patent, with or without the compiled reader
and with one or two workers, byte for byte alike and as the batch path decides; the explanation
lists each line; a bad line is refused naming its row and column; and every misuse of a lines
fact in policy.yaml fails `policy check` with a Chinese message at its line."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.cli.test_compiled_reader import run as run_with
from tests.cli.test_policy_packages import FIXTURES, run, text

PACKAGE = FIXTURES / "fictional-foreign-lines-2026"
POLICY = PACKAGE.name
A = {"id": "91441200MA00000159", "kind": "enterprise", "in_zone": True}
B = {"id": "91441200MA00000234", "kind": "enterprise", "in_zone": True}


def _claim(cid, lines, applicant=A, day="2026-05-01"):
    return {"id": cid, "item": "foreign_lines", "applicant": applicant, "event_date": day, "facts": {"grants": lines}}


def _line(obj, cat, count):
    return {"object": obj, "category": cat, "count": count}


CLAIMS = [
    _claim("c1", [_line("ZL202510000001.2", "major", 2), _line("ZL202510000002.7", "other", 1)]),
    _claim("c2", [_line("ZL202510000003.1", "other", 3), _line("ZL202510000003.1", "major", 1)]),
    _claim("c3", [_line("ZL202510000004.0", "major", 3), _line("ZL202510000005.5", "major", 3)]),  # a: 70000 + 50000 + 180000 > 20万
    _claim("c4", [_line("ZL202510000006.X", "major", 1)], applicant=B),
    _claim("bad1", [_line("ZL202510000007.9", "major", 1), _line("ZL202510000008.3", "other", 1.5)]),
    _claim("bad2", [_line("ZL202510000007.9", "asia", 1)]),
    _claim("bad3", [{"category": "major", "count": 1, "objet": "ZL1"}]),
    _claim("bad4", "ZL202510000007.9 美日欧 1"),
]


@pytest.mark.parametrize("compiled_reader", [True, False])
def test_the_package_checks_and_its_hand_computed_cases_pass(tmp_path, compiled_reader):
    check = run_with("policy", "check", PACKAGE, path=FIXTURES, compiled_reader=compiled_reader)
    assert check.returncode == 0 and "检查通过（1 个提示）" in check.stdout.decode()
    # the limit said where the package is written: one duplicate key per claim, not one per line
    assert "提示：项目 foreign_lines 的清单事实 grants 逐行写明专利号，但重复资助判断目前每件申报只有一个键" in check.stderr.decode()
    test = run_with("policy", "test", PACKAGE, path=FIXTURES, compiled_reader=compiled_reader)
    assert test.returncode == 0 and "11 个案例全部通过" in test.stdout.decode(), test.stdout.decode()


def test_bulk_reads_lines_alike_with_and_without_the_compiled_reader_and_as_the_batch(tmp_path):
    stream = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in CLAIMS).encode()
    outputs = {(reader, workers): run_with("evaluate", "--jsonl", "-", "--policy", POLICY, "--workers", workers,
                                           path=FIXTURES, compiled_reader=reader, stdin=stream)
               for reader in (True, False) for workers in (1, 2)}
    assert all(p.returncode == 0 for p in outputs.values())
    assert len({p.stdout for p in outputs.values()}) == 1  # byte for byte the same
    bulk = {d["id"]: d for d in map(json.loads, outputs[True, 1].stdout.splitlines())}
    batch_file = tmp_path / "batch.json"
    batch_file.write_text(json.dumps({"policy": POLICY, "claims": CLAIMS}, ensure_ascii=False), "utf-8")
    batch = {d["id"]: d for d in json.loads(text(run("evaluate", batch_file)))["decisions"]}
    assert {k: {f: v for f, v in d.items() if f != "explanation"} for k, d in batch.items()} == bulk

    assert {k: bulk[k]["amount"] for k in ("c1", "c2", "c3", "c4")} == {
        "c1": "70000.00", "c2": "50000.00", "c3": "80000.00", "c4": "30000.00"}
    assert bulk["c2"]["reasons"] == ["cap_reached"] and bulk["c3"]["reasons"] == ["cap_reached"]
    assert bulk["bad1"]["error"] == {"code": "invalid_input", "field": "facts.grants[2].count", "message": "第2行·数量：应为正整数"}
    assert bulk["bad2"]["error"]["message"] == "第1行·授权国家或地区：应为 major（美日欧）、other（其他国家或地区） 之一"
    assert bulk["bad3"]["error"]["field"] == "facts.grants[1].objet"
    assert "未知的栏目「objet」（可用：category、count、object）" in bulk["bad3"]["error"]["message"]
    assert bulk["bad4"]["error"]["field"] == "facts.grants"


def test_explain_lists_each_line(tmp_path):
    batch_file = tmp_path / "batch.json"
    batch_file.write_text(json.dumps({"policy": POLICY, "claims": CLAIMS[1:2]}, ensure_ascii=False), "utf-8")
    out = text(run("explain", batch_file, "--id", "c2"))
    assert "申报事实：国外授权清单=2 行（逐行见计算）" in out
    assert "每件发明专利最多资助的国家或地区数（一（三），自 2026-04-01 起施行）：3（每个专利号分别计，超过时按单价从高到低取）" in out
    assert "第1行 202510000003.1 其他国家或地区 2 个（申报 3，超过最多资助数量） × 1万元 = 2万元" in out
    assert "第2行 202510000003.1 美日欧 1 个 × 3万元 = 3万元" in out
    assert "结论：资助 50000.00 元（已按上限核减）" in out


def _changed(tmp_path, old: str, new: str):
    copy = tmp_path / POLICY
    shutil.copytree(PACKAGE, copy)
    path = copy / "policy.yaml"
    source = path.read_text("utf-8")
    assert old in source, old
    path.write_text(source.replace(old, new, 1), "utf-8")
    return copy


def _line_of(copy, needle: str) -> int:
    return next(n for n, line in enumerate((copy / "policy.yaml").read_text("utf-8").splitlines(), 1) if needle in line)


FORMULA = "        - {count: grants, category: other, unit: foreign_lines.other_unit}\n"
MISUSES = [
    # (what is replaced, by what, the line that must be named, words of the message)
    ("    interpretations: [L1]\n", "    key: [grants]\n    interpretations: [L1]\n", "    key: [grants]",
     "项目 foreign_lines：「key」不能使用清单事实 grants"),
    ("group: [applicant, event_year]", "group: [applicant, grants]", "    cap: {param:",
     "「cap.group」不能使用清单事实 grants"),
    ("      - {applicant: in_zone, reason: not_in_zone, describe: 申请人未在本区登记注册}\n",
     "      - {applicant: in_zone, reason: not_in_zone, describe: 申请人未在本区登记注册}\n"
     "      - {fact: grants, equals: major, describe: 美日欧}\n", "      - {fact: grants", "「conditions[2]」不能检验清单事实 grants"),
    (FORMULA, "", "      per_unit:", "清单事实 grants 的类别 other 没有单价：每个类别写一行"),
    (FORMULA, "        - {count: grants, category: asia, unit: foreign_lines.other_unit}\n", "category: asia",
     "'asia' 不是清单事实 grants 的类别"),
    (FORMULA, FORMULA + "        - {count: grants, category: major, unit: foreign_lines.other_unit}\n",
     "        - {count: grants, category: major, unit: foreign_lines.other_unit}", "类别 major 已有单价"),
    (FORMULA, "        - {count: other_count, unit: foreign_lines.other_unit}\n", "      per_unit:",
     "按清单计算时每行都应引用同一个清单事实"),
    ("        label: 国外授权清单\n", "        label: 国外授权清单\n        optional: true\n", "        optional: true",
     "清单事实不能是可选的"),
    ("        object: {label: 专利号, normal: patent_number}\n", "        object: {label: 专利号}\n",
     "        object: {label: 专利号}", "缺少「items.foreign_lines.facts.grants.object.normal」"),
    ("        count: {label: 数量, unit: 个}\n", "        count: {label: 数量, unt: 个}\n", "        count: {label: 数量, unt: 个}",
     "未知的键「unt」"),
    ("        category: {label: 授权国家或地区, options: {major: 美日欧, other: 其他国家或地区}}\n", "",
     "      grants:", "「facts.grants.category」应为 {label: 栏目名称, options: {类别代码: 中文名称}}"),
    ("    formula:\n      per_unit:\n        - {count: grants, category: major, unit: foreign_lines.major_unit}\n" + FORMULA
     + "      max_units: foreign_lines.max_countries\n",
     "    formula: {amount: grants}\n", "    formula: {amount: grants}", "清单事实 grants 只能由 per_unit 读取"),
    ("  foreign_lines.other_unit:\n    clause: 一（二）\n    title: 其他国家或地区授权每个国家或地区资助\n    kind: money\n    unit: 万元\n"
     "    values: [{from: 2026-04-01, value: \"10000\"}]\n",
     "  foreign_lines.other_unit:\n    clause: 一（二）\n    title: 其他国家或地区授权每个国家或地区资助\n    kind: number\n"
     "    values: [{from: 2026-04-01, value: 1}]\n",
     "    formula:", "单价参数 foreign_lines.other_unit 的类型应为 money"),
]


@pytest.mark.parametrize("old,new,at,words", MISUSES, ids=[f"misuse{i}" for i in range(len(MISUSES))])
def test_every_misuse_of_a_lines_fact_fails_check_in_chinese_at_its_line(tmp_path, old, new, at, words):
    copy = _changed(tmp_path, old, new)
    proc = run("policy", "check", copy)
    out = text(proc) + proc.stderr.decode()
    assert proc.returncode != 0 and "Traceback" not in out
    assert words in out, out
    assert f"policy.yaml 第 {_line_of(copy, at)} 行" in out, out


def test_a_cap_per_line_object_across_items_is_refused(tmp_path):
    copy = _changed(tmp_path, "interpretations:\n  L1:", "caps:\n  per_patent:\n    label: 每件专利\n    clause: 一（四）\n"
                    "    limit: foreign_lines.cap_per_year\n    per: [{fact: grants}]\n    items: [foreign_lines]\n"
                    "interpretations:\n  L1:")
    proc = run("policy", "check", copy)
    out = text(proc) + proc.stderr.decode()
    assert proc.returncode != 0 and "Traceback" not in out
    assert "项目 foreign_lines 的 grants 是清单事实" in out and "policy.yaml 第 " in out, out


def test_show_lists_the_columns_of_the_lines():
    out = text(run("policy", "show", "foreign_lines", "--policy", POLICY))
    assert "国外授权清单：每行 category（授权国家或地区：major=美日欧, other=其他国家或地区）、count（数量，个）、object（专利号）" in out
