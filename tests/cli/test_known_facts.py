"""Facts the platform knows, through the CLI: the fictional growth package
(tests/fixtures/policies/fictional-growth-2026) decided with `--history` (the ledger its "首次"
and last-year figures read) and `--registers` (the 失信 and 高新技术企业 lists), in a batch and in
bulk (JSONL, which reads such a package without the compiled reader), and `policy check` naming
a wrong declaration by file and line."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_policy_packages import FIXTURES, copy_of, edit, run, text

GROWTH = FIXTURES / "fictional-growth-2026"
A = {"id": "91441200MA00000159", "kind": "enterprise", "in_zone": True, "name": "甲公司"}
D = {"id": "91441200MA0000058N", "kind": "enterprise", "in_zone": True, "name": "丁公司"}
REGISTERS = {
    "dishonest": {"label": "严重失信主体名单", "version": "2", "imported_on": "2027-02-10",
                  "entries": [{"code": D["id"], "from": "2027-01-15"}]},
    "hitech": {"label": "高新技术企业名单", "version": "1", "imported_on": "2026-12-31",
               "entries": [{"code": A["id"], "from": "2025-12-01", "until": "2028-11-30"}]},
}
HISTORY = {"policy": "fictional-growth-2026", "awarded": [
    {"id": "h1", "item": "growth", "applicant": A, "event_date": "2026-12-20", "amount": "9000.00",
     "facts": {"year": 2026, "grants": 10}}]}
CLAIMS = [
    {"id": "c1", "item": "growth", "applicant": A, "event_date": "2027-03-01", "facts": {"year": 2027, "grants": 14}},
    {"id": "c2", "item": "hitech_first", "applicant": A, "event_date": "2027-03-02", "facts": {}},
    {"id": "c3", "item": "transfer", "applicant": D, "event_date": "2027-03-03",
     "facts": {"contract_no": "T-1", "contract_value": "500000", "registered_value": "500000"}},
    {"id": "c4", "item": "transfer", "applicant": A, "event_date": "2027-03-04",
     "facts": {"contract_no": "T-2", "contract_value": "500000", "registered_value": "500000"}},
]
EXPECTED = {"c1": ("12000.00", True), "c2": ("0.00", False), "c3": ("0.00", False), "c4": ("10000.00", True)}


def _files(tmp_path, claims=CLAIMS):
    batch, history, registers = tmp_path / "batch.json", tmp_path / "history.json", tmp_path / "registers.json"
    batch.write_text(json.dumps({"policy": "fictional-growth-2026", "claims": claims}, ensure_ascii=False), "utf-8")
    history.write_text(json.dumps(HISTORY, ensure_ascii=False), "utf-8")
    registers.write_text(json.dumps(REGISTERS, ensure_ascii=False), "utf-8")
    return batch, history, registers


def test_evaluate_reads_the_ledger_and_the_registers(tmp_path):
    batch, history, registers = _files(tmp_path)
    proc = run("evaluate", batch, "--history", history, "--registers", registers)
    assert proc.returncode == 0, text(proc)
    decisions = {d["id"]: d for d in json.loads(text(proc))["decisions"]}
    assert {k: (d["amount"], d["eligible"]) for k, d in decisions.items()} == EXPECTED
    c1 = "\n".join(decisions["c1"]["explanation"])
    assert "上年发明专利授权量（核定，件）=10（台账：本申请人 2026 年度「发明专利增量奖励」" in c1
    assert "新增发明专利授权量（件）=4（当年发明专利授权量 14 − 上年发明专利授权量 10 = 4）" in c1
    c2 = "\n".join(decisions["c2"]["explanation"])
    assert "不是首次" in c2 and "✗ 申请人此前已获本办法奖励，不是首次" in c2
    c3 = "\n".join(decisions["c3"]["explanation"])  # refused by a register: it says which, and its date
    assert "严重失信主体=是（严重失信主体名单（第 2 版，2027-02-10 导入）：事件日期 2027-03-03 在名单中）" in c3
    assert "✗ 申请人被列入严重失信主体名单，不予奖励" in c3
    assert "技术合同成交额=500000.00 元（须审核人员核对）" in "\n".join(decisions["c4"]["explanation"])


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("compiled", [True, False])
def test_bulk_agrees_with_the_batch(tmp_path, workers, compiled, monkeypatch):
    if not compiled:
        monkeypatch.setenv("IPFUND_NO_COMPILED_READER", "1")
    batch, history, registers = _files(tmp_path)
    lines = tmp_path / "claims.jsonl"
    lines.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in CLAIMS) + "\n", "utf-8")
    proc = run("evaluate", "--jsonl", lines, "--policy", "fictional-growth-2026", "--history", history,
               "--registers", registers, "--workers", workers)
    assert proc.returncode == 0, text(proc)
    got = {d["id"]: (d["amount"], d["eligible"]) for d in map(json.loads, text(proc).splitlines())}
    assert got == EXPECTED


def test_a_missing_register_is_said_not_guessed(tmp_path):
    batch, history, _registers = _files(tmp_path)
    proc = run("evaluate", batch, "--history", history)
    assert proc.returncode != 0
    assert "读取名单 dishonest，但没有提供该名单" in text(proc) and "--registers" in text(proc)


def test_a_fact_the_platform_knows_is_not_typed(tmp_path):
    claims = [{**CLAIMS[0], "facts": {"year": 2027, "grants": 14, "last_year_grants": 0}}]
    batch, history, registers = _files(tmp_path, claims)
    proc = run("evaluate", batch, "--history", history, "--registers", registers)
    d = json.loads(text(proc))["decisions"][0]
    assert d["error"]["field"] == "facts.last_year_grants" and "由平台认定" in d["error"]["message"]


def test_explain_names_the_register(tmp_path):
    batch, history, registers = _files(tmp_path)
    out = text(run("explain", batch, "--id", "c3", "--history", history, "--registers", registers))
    assert "严重失信主体名单（第 2 版，2027-02-10 导入）" in out


def test_policy_test_runs_the_golden_cases():
    proc = run("policy", "test", GROWTH)
    assert proc.returncode == 0 and "13 个案例全部通过" in text(proc), text(proc)


@pytest.mark.parametrize("old,new,mentions", [
    # a derived fact reading a fact that is not there
    ("from: {derive: {minus: [grants, last_year_grants], at_least: 0}}",
     "from: {derive: {minus: [grant, last_year_grants], at_least: 0}}",
     ["policy.yaml 第 1", "'grant' 既不是本项目的事实"]),
    # derived facts reading each other in a circle
    ("from: {last_year: {item: growth, fact: grants, year: year, otherwise: last_year_declared}}",
     "from: {derive: {plus: [increase, grants]}}",
     ["派生事实循环引用", "increase"]),
    # a division by what may be 0
    ("from: {derive: {share: transfer.rate, of: contract_value}}",
     "from: {derive: {divide: [contract_value, registered_value]}}",
     ["除数 registered_value 可能为 0"]),
    # an applicant attribute that does not say where it comes from
    ("dishonest: {type: bool, label: 严重失信主体, clause: 第六条, from: {register: dishonest}}",
     "dishonest: {type: bool, label: 严重失信主体, clause: 第六条}",
     ["attributes.dishonest", "须写明来源 from"]),
    # an unknown source
    ("from: {first: all}", "from: {ledger: all}", ["未知的来源 'ledger'"]),
    # a last-year figure of an item that has no such fact
    ("fact: grants, year: year", "fact: grant, year: year", ["没有数量或金额事实 'grant'"]),
])
def test_check_names_a_wrong_declaration(tmp_path, old, new, mentions):
    pkg = copy_of(tmp_path, GROWTH)
    edit(pkg / "policy.yaml", old, new)
    proc = run("policy", "check", pkg)
    assert proc.returncode != 0
    out = text(proc)
    for m in mentions:
        assert m in out, out
    assert "policy.yaml" in out and "Traceback" not in out


def test_check_passes_on_the_package():
    proc = run("policy", "check", GROWTH)
    assert proc.returncode == 0, text(proc)
    assert "fictional-growth-2026：8 个条款、3 个项目、7 个参数、0 个解释，检查通过" in text(proc)
