"""Facts the platform knows, on the platform (tests/fixtures/policies/fictional-growth-2026): the
失信 and 高新技术企业 lists imported with `ipfund register import list`, read by the claim's decision,
which names each list with its version and import date; "首次" and last year's figure read from
the ledger; a fact the package marks "reviewer confirms" ticked, and audited, before a claim can
be recommended; the API refusing a fact the platform knows and returning the decision's readings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from ipfund.cli.main import main
from ipfund.web.api.services import api_token_create
from ipfund.web.audit.models import AuditEvent
from ipfund.web.claims.services import claim_draft_create, claim_estimate, claim_submit
from ipfund.web.demo import flow
from ipfund.web.review.services import approval_approve, review_recommend
from ipfund.web.rounds.services import round_create
from tests.web.registers.conftest import csv_bytes

GROWTH = "fictional-growth-2026"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "policies"


@pytest.fixture
def growth(monkeypatch, staff):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))
    flow.no_budget(staff, GROWTH)
    now = timezone.now()
    return round_create(actor=staff.admin, policy=GROWTH, name="2026年成长奖励批次", opens_at=now - dt.timedelta(days=1),
                        closes_at=now + dt.timedelta(days=30), items=["growth", "hitech_first", "transfer"])


def _import_list(tmp_path, code: str, name: str, rows: list[list]) -> None:
    path = tmp_path / f"{code}.csv"
    path.write_bytes(csv_bytes([["单位名称", "统一社会信用代码", "列入日期", "有效期至"], *rows]))
    assert main(["register", "import", "list", str(path), "--code", code, "--name", name]) == 0


def _submitted(user, item, facts, day):
    claim = claim_draft_create(actor=user, item=item, event_date=day, facts=facts, policy=GROWTH)
    flow.attach_all_evidence(user, claim)
    return claim_submit(actor=user, claim=claim)


def test_registers_and_ledger_decide_and_are_named(growth, staff, applicant, tmp_path, capsys):
    a, b = applicant("enterprise", name="甲科技有限公司"), applicant("enterprise", name="乙科技有限公司")
    code_a, code_b = a.applicant.ledger_identity, b.applicant.ledger_identity
    _import_list(tmp_path, "dishonest", "严重失信主体名单", [["乙科技有限公司", code_b, "2026-01-05", ""]])
    _import_list(tmp_path, "hitech", "高新技术企业名单", [["甲科技有限公司", code_a, "2025-12-01", "2028-11-30"]])
    capsys.readouterr()
    today = timezone.localdate().isoformat()

    # 上年度未获本奖励：按申报的上年授权量计，须审核人员核对后才能推荐（勾选被审计）。
    first = _submitted(a, "growth", {"year": 2025, "grants": 10, "last_year_declared": 7}, dt.date(2026, 1, 10))
    with pytest.raises(ValidationError) as refused:
        review_recommend(actor=staff.reviewer, claim=first)
    assert "上年发明专利授权量（上年度未获本奖励时填写，件）" in str(refused.value)
    first = review_recommend(actor=staff.reviewer, claim=first, confirmations=["last_year_declared"])
    assert first.engine_amount == Decimal("9000.00")
    confirmed = AuditEvent.objects.get(action="claim_facts_confirm", object_id=str(first.pk))
    assert confirmed.after["facts"]["last_year_declared"]["value"] == 7
    first = approval_approve(actor=staff.approver, claim=first)
    assert first.approved_amount == Decimal("9000.00")

    # 次年：上年授权量读自台账中上年度的申报（10 件），不由申请人填写。
    second = _submitted(a, "growth", {"year": 2026, "grants": 14}, dt.date(2026, 11, 1))
    estimate = claim_estimate(actor=staff.reviewer, claim=second)
    assert (estimate.amount, estimate.eligible) == (Decimal("12000.00"), True)
    readings = {name: (value, words) for name, value, words in estimate.readings}
    assert readings["last_year_grants"][0] == "10" and "台账：本申请人 2025 年度" in readings["last_year_grants"][1]
    assert readings["dishonest"] == ("否", f"严重失信主体名单（第 1 版，{today} 导入）：事件日期 2026-11-01 不在名单中")

    # 首次：甲已获本办法奖励，不是首次；高新技术企业名单中有甲。
    hitech = _submitted(a, "hitech_first", {}, dt.date(2026, 11, 2))
    lines = "\n".join(claim_estimate(actor=staff.reviewer, claim=hitech).explanation.render("zh"))
    assert "高新技术企业名单（第 1 版，" in lines and "不是首次" in lines

    # 失信名单中的乙：不予奖励，决定写明名单、版本与导入日期。
    transfer = _submitted(b, "transfer", {"contract_no": "T-9", "contract_value": "500000", "registered_value": "500000"},
                          dt.date(2026, 10, 1))
    refused_one = claim_estimate(actor=staff.reviewer, claim=transfer)
    assert not refused_one.eligible
    lines = "\n".join(refused_one.explanation.render("zh"))
    assert f"严重失信主体=是（严重失信主体名单（第 1 版，{today} 导入）：事件日期 2026-10-01 在名单中）" in lines
    assert "✗ 申请人被列入严重失信主体名单，不予奖励" in lines
    with pytest.raises(ValidationError):
        review_recommend(actor=staff.reviewer, claim=transfer, confirmations=["contract_value"])

    # A new version of the list: the decision reads it and names it.
    _import_list(tmp_path, "dishonest", "严重失信主体名单", [["丁公司", "91441200MA000004XN", "2026-02-01", ""]])
    again = claim_estimate(actor=staff.reviewer, claim=transfer)
    assert again.eligible and again.amount == Decimal("10000.00")
    assert dict((n, w) for n, _v, w in again.readings)["dishonest"].startswith("严重失信主体名单（第 2 版，")


def test_the_api_refuses_a_fact_the_platform_knows_and_returns_the_readings(growth, staff, applicant, tmp_path):
    company = applicant("enterprise", name="丙科技有限公司")
    _import_list(tmp_path, "dishonest", "严重失信主体名单", [["丁公司", "91441200MA000004XN", "2026-02-01", ""]])
    token = api_token_create(actor=company, name="ERP 对接")[1]
    client, auth = Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    item = client.get(f"/api/items/growth?policy={GROWTH}").json()
    sources = {f["name"]: f["source"] for f in item["facts"]}
    assert sources == {"year": "declared", "grants": "declared", "last_year_declared": "confirmed",
                       "last_year_grants": "platform", "increase": "platform", "dishonest": "platform"}
    body = {"policy": GROWTH, "item": "growth", "event_date": "2026-03-01",
            "facts": {"year": 2026, "grants": 5, "last_year_declared": 3, "increase": 9}}
    typed = client.post("/api/claims", body, content_type="application/json", **auth)
    assert typed.status_code == 400, typed.content
    assert "由平台认定" in typed.json()["errors"]["increase"][0]
    del body["facts"]["increase"]
    made = client.post("/api/claims", body, content_type="application/json", **auth)
    assert made.status_code == 201, made.content
    record = client.get(f"/api/claims/{made.json()['id']}/estimate", **auth).json()
    assert record["amount"] == "6000.00"
    readings = {r[0]: r for r in record["readings"]}
    assert readings["increase"][1] == "2" and "当年发明专利授权量 5 − 上年发明专利授权量 3 = 2" in readings["increase"][2]


def test_the_public_calculator_takes_the_lists_in_its_body(growth, db):
    claim = {"id": "c1", "item": "hitech_first", "event_date": "2026-05-01", "facts": {},
             "applicant": {"id": "91441200MA00000159", "kind": "enterprise", "in_zone": True}}
    lists = {"dishonest": {"label": "严重失信主体名单", "version": "3", "imported_on": "2026-04-01", "entries": []},
             "hitech": {"label": "高新技术企业名单", "version": "1", "imported_on": "2026-01-02",
                        "entries": [{"code": "91441200MA00000159", "from": "2025-12-01", "until": "2028-11-30"}]}}
    client = Client()
    got = client.post("/api/evaluate", {"policy": GROWTH, "claims": [claim], "registers": lists},
                      content_type="application/json")
    assert got.status_code == 200, got.content
    decision = got.json()["decisions"][0]
    assert decision["amount"] == "50000.00"
    assert any("高新技术企业名单（第 1 版，2026-01-02 导入）" in line for line in decision["explanation"])
    missing = client.post("/api/evaluate", {"policy": GROWTH, "claims": [claim]}, content_type="application/json")
    assert missing.status_code == 400 and "没有提供该名单" in missing.content.decode("unicode_escape")
