"""The policy sandbox (政策沙盘) through its services and pages: a scenario raising one amount and
lowering a cap, run over the ledger, the pending claims and the register; the ledger untouched;
totals by item, year, kind and budget line; the Excel file; two runs side by side; who may."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from ipfund.web.audit.models import AuditEvent
from ipfund.web.budgets.services import budget_set
from ipfund.web.claims.models import Claim
from ipfund.web.jobs.models import Job
from ipfund.web.jobs.services import job_run
from ipfund.web.ledger.models import AwardEntry, CapBucket, DuplicateKey, LedgerName
from ipfund.web.sandbox.models import Scenario, ScenarioRun
from ipfund.web.sandbox.services import parse_settings, run_now, scenario_create

pytestmark = pytest.mark.django_db
POLICY = "zhaoqing-hitech-ip-2022"
RAISE_AND_CAP = ["patent_attorney.amount=8000", "custody_sme.cap_per_year=2000@2023-01-01",
                 "china_patent_award.amount[gold]=400000"]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ledger() -> tuple:
    return (list(AwardEntry.objects.values_list("pk", "amount")), list(CapBucket.objects.values_list("group", "used")),
            DuplicateKey.objects.count(), LedgerName.objects.count(),
            list(Claim.objects.order_by("pk").values_list("pk", "state", "engine_amount")))


def _rows(results: dict, table: str) -> dict:
    return {r["label"]: (r["count"], r["base"], r["scenario"], r["delta"]) for r in results[table]}


def test_a_scenario_is_run_over_the_ledger_the_pending_claims_and_the_register(world, staff):
    year = timezone.localdate().year
    budget_set(actor=staff.admin, policy=POLICY, year=year, amount="500000")
    before = _ledger()
    scenario = scenario_create(actor=staff.finance, name="提高代理师资助、降低托管上限", policy=POLICY,
                               overrides=parse_settings(RAISE_AND_CAP))
    run, outcomes = run_now(actor=staff.finance, scenario=scenario)
    assert _ledger() == before  # nothing in the ledger, no claim changed

    assert run.state == ScenarioRun.DONE and run.base_version and "沙盘" in run.scenario_version
    res = run.results
    # base: 3,000 + 5,000 (awards) + 3,000 (pending) + 300,000 (register);
    # scenario: 2,000 + 8,000 + 2,000 + 400,000.
    assert res["totals"] == {"count": 4, "changed": 4, "base": "311000.00", "scenario": "412000.00", "delta": "101000.00"}
    assert _rows(res, "by_source") == {
        "已入台账的资助（重算）": (2, "8000.00", "10000.00", "2000.00"),
        "待决申报": (1, "3000.00", "2000.00", "-1000.00"),
        "名单中的潜在申报（免申即享）": (1, "300000.00", "400000.00", "100000.00"),
    }
    assert _rows(res, "by_item") == {
        "中国专利奖奖励": (1, "300000.00", "400000.00", "100000.00"),
        "中小微企业知识产权托管补助": (2, "6000.00", "4000.00", "-2000.00"),
        "专利代理师资助": (1, "5000.00", "8000.00", "3000.00"),
    }
    assert _rows(res, "by_year") == {f"{year} 年": (4, "311000.00", "412000.00", "101000.00")}
    assert _rows(res, "by_kind") == {"企业": (3, "306000.00", "404000.00", "98000.00"), "个人": (1, "5000.00", "8000.00", "3000.00")}
    budget = res["by_budget"][0]
    assert (budget["label"], budget["budget"], budget["remaining"]) == (f"{year} 年度预算", "500000.00", "88000.00")
    assert res["item_year"]["years"] == [str(year)]
    assert [(p["name"], p["delta"]) for p in res["gainers"]] == [("星辉电子有限公司", "100000.00"), ("张三", "3000.00")]
    assert sorted(p["delta"] for p in res["losers"]) == ["-1000.00", "-1000.00"]
    assert len(outcomes) == 4

    actions = list(AuditEvent.objects.filter(action__startswith="sandbox_").values_list("action", flat=True))
    assert sorted(actions) == ["sandbox_run", "sandbox_run_request", "sandbox_scenario_create"]


def test_a_value_of_the_wrong_type_is_refused_naming_the_parameter(world, staff):
    with pytest.raises(ValidationError) as caught:
        scenario_create(actor=staff.finance, name="错", policy=POLICY, overrides=parse_settings(["custody_sme.rate=很多"]))
    message = caught.value.message_dict["overrides"][0]
    assert "custody_sme.rate" in message and "中小微企业托管服务补助比例" in message and "比例" in message
    with pytest.raises(ValidationError) as caught:
        parse_settings(["custody_sme.rate=0.6@明年"])
    assert "施行日期" in caught.value.message_dict["overrides"][0]
    with pytest.raises(ValidationError) as caught:
        scenario_create(actor=staff.finance, name="错", policy=POLICY, interpretations={"A23": "no_such"})
    assert "A23" in caught.value.message_dict["interpretations"][0]
    with pytest.raises(ValidationError) as caught:
        scenario_create(actor=staff.finance, name="空", policy=POLICY)
    assert "没有改变" in caught.value.message_dict["overrides"][0]
    assert not Scenario.objects.exists()


def test_an_interpretation_choice_alone_is_a_scenario(world, staff):
    scenario = scenario_create(actor=staff.admin, name="A23 按费用发生年度", policy=POLICY, interpretations={"A23": "event_year"})
    run, _ = run_now(actor=staff.admin, scenario=scenario)
    assert run.results["interpretations"]["scenario"]["A23"] == "event_year"
    assert run.results["totals"]["count"] == 4


def test_the_pages_ask_for_a_run_show_it_and_export_it(world, staff, settings):
    client = signed_in(staff.finance)
    page = client.get("/staff/sandbox/new/")
    assert page.status_code == 200 and "专利代理师一次性资助（现为 5,000.00 元）" in page.content.decode()
    bad = client.post("/staff/sandbox/new/", {"policy": POLICY, "name": "错", "param_1": "custody_sme.cap_per_year",
                                              "value_1": "一万"})
    assert bad.status_code == 400 and "custody_sme.cap_per_year" in bad.content.decode()
    form = {"policy": POLICY, "name": "提高代理师资助、降低托管上限", "include_register": "on",
            "param_1": "patent_attorney.amount", "value_1": "8000",
            "param_2": "custody_sme.cap_per_year", "value_2": "2000", "start_2": "2023-01-01"}
    response = client.post("/staff/sandbox/new/", form)
    scenario = Scenario.objects.get()
    assert response["Location"] == f"/staff/sandbox/{scenario.pk}/"
    shown = client.get(response["Location"]).content.decode()
    assert "中小微企业托管补助每家每年上限：2,000.00 元（自 2023-01-01 起）" in shown

    response = client.post(f"/staff/sandbox/{scenario.pk}/run/")
    run = ScenarioRun.objects.get()
    assert response["Location"] == f"/staff/sandbox/runs/{run.pk}/"
    waiting = client.get(response["Location"]).content.decode()
    assert "排队中" in waiting and 'http-equiv="refresh"' in waiting
    job = job_run(job_id=run.job.pk)  # the worker (in the test: here, once the request committed)
    assert job.state == Job.DONE, job.error
    html = client.get(f"/staff/sandbox/runs/{run.pk}/").content.decode()
    assert "已完成" in html and "¥311,000.00" in html and "¥312,000.00" in html
    data = json.loads(re.search(r'<script id="sandbox-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert data["item"]["labels"] == ["中国专利奖奖励", "中小微企业知识产权托管补助", "专利代理师资助"]
    assert data["item_year"]["items"][1]["delta"] == ["-2000.00"]
    assert not re.search(r"\b(custody_sme|patent_attorney|enterprise)\b", re.sub(r"<script.*?</script>", "", html, flags=re.S))

    body = b"".join(client.get(f"/staff/jobs/{job.pk}/file/").streaming_content)
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames[:4] == ["汇总", "按来源", "按项目", "按年度"]
    items = list(book["按项目"].iter_rows(values_only=True))
    assert items[0] == ("申报项目", "件数", "金额变化件数", "现行规则金额（元）", "情景金额（元）", "增减（元）")
    assert items[-1][:3] == ("合计", 4, 3) and [Decimal(str(v)) for v in items[-1][3:]] == [311000, 312000, 1000]
    assert sum(row[3] for row in items[1:-1]) == items[-1][3] and sum(row[4] for row in items[1:-1]) == items[-1][4]
    assert all(isinstance(row[3], (int, float, Decimal)) for row in items[1:])
    detail = list(book["明细"].iter_rows(values_only=True))
    names = [row[2] for row in detail[1:]]
    assert "'=HYPERLINK(\"http://x\")科技有限公司" in names  # neutralised: never a formula
    assert all(cell.data_type != "f" for row in book["明细"].iter_rows() for cell in row)
    assert AuditEvent.objects.filter(action="export_sandbox_run").count() == 1


def test_two_runs_side_by_side(world, staff):
    one = scenario_create(actor=staff.finance, name="甲：提高代理师资助", policy=POLICY, overrides=parse_settings(["patent_attorney.amount=8000"]))
    two = scenario_create(actor=staff.finance, name="乙：降低托管上限", policy=POLICY,
                          overrides=parse_settings(["custody_sme.cap_per_year=2000"]))
    left, _ = run_now(actor=staff.finance, scenario=one)
    right, _ = run_now(actor=staff.finance, scenario=two)
    html = signed_in(staff.admin).get(f"/staff/sandbox/compare/?left={left.pk}&right={right.pk}").content.decode()
    assert "甲：提高代理师资助" in html and "乙：降低托管上限" in html
    assert "¥3,000.00" in html and "-¥2,000.00" in html


@pytest.mark.parametrize("who", ["reviewer", "approver"])
def test_only_finance_and_administrators_use_the_sandbox(world, staff, who):
    client = signed_in(getattr(staff, who))
    assert client.get("/staff/sandbox/").status_code == 403
    assert client.post("/staff/sandbox/new/", {"policy": POLICY, "name": "x", "param_1": "patent_attorney.amount",
                                               "value_1": "8000"}).status_code == 403
    assert not Scenario.objects.exists()
    for ok in (staff.finance, staff.admin):
        assert signed_in(ok).get("/staff/sandbox/").status_code == 200


def _draft_zip(tmp_path) -> bytes:
    """The built-in package as a draft whose patent attorney grant is ¥6,000, zipped as the 政策库 takes it."""
    import shutil
    import zipfile
    from pathlib import Path

    source = Path(__file__).resolve().parents[3] / "src" / "ipfund" / "policies" / "zhaoqing_hitech_ip_2022"
    folder = tmp_path / "draft-package"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    text = (folder / "policy.yaml").read_text(encoding="utf-8")
    text, n = re.subn(r'(  patent_attorney\.amount:\n(?:    .*\n)*?    values: \[\{from: 2022-01-18, value: )"5000"', r'\1"6000"', text)
    assert n == 1
    (folder / "policy.yaml").write_text(text, encoding="utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                z.write(f, f"draft-package/{f.relative_to(folder)}")
    return out.getvalue()


def test_a_draft_package_uploaded_to_a_scenario_is_decided_under_and_never_installed(world, staff, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ipfund.web.engine_door import policy_installed_ids

    installed = policy_installed_ids()
    client = signed_in(staff.admin)
    response = client.post("/staff/sandbox/new/", {
        "policy": POLICY, "name": "修订草案", "draft": SimpleUploadedFile("修订草案.zip", _draft_zip(tmp_path), "application/zip")})
    scenario = Scenario.objects.get()
    assert response["Location"] == f"/staff/sandbox/{scenario.pk}/"
    assert scenario.draft_digest and "肇高管办" in scenario.draft_title
    assert "修订草案.zip，未安装" in client.get(response["Location"]).content.decode()
    run, _ = run_now(actor=staff.admin, scenario=scenario)
    assert _rows(run.results, "by_item")["专利代理师资助"] == (1, "5000.00", "6000.00", "1000.00")
    assert run.results["totals"]["delta"] == "1000.00"
    assert policy_installed_ids() == installed

    bad = client.post("/staff/sandbox/new/", {"policy": POLICY, "name": "坏草案",
                                              "draft": SimpleUploadedFile("x.zip", b"not a zip", "application/zip")})
    assert bad.status_code == 400 and "ZIP" in bad.content.decode()


def test_the_api_writes_a_scenario_runs_it_and_reads_its_results(world, staff):
    from ipfund.web.api.services import api_token_create

    _, secret = api_token_create(actor=staff.finance, name="沙盘", second_factor=True)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    bad = client.post("/api/sandbox/scenarios", {"name": "错", "policy": POLICY, "settings": ["custody_sme.cap_per_year=很多"]},
                      content_type="application/json")
    assert bad.status_code == 400 and "custody_sme.cap_per_year" in bad.json()["detail"]
    made = client.post("/api/sandbox/scenarios", {"name": "接口情景", "policy": POLICY, "settings": RAISE_AND_CAP[:2]},
                       content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["changes"][0] == "专利代理师一次性资助：8,000.00 元（全部日期）"
    asked = client.post(f"/api/sandbox/scenarios/{made.json()['id']}/runs", content_type="application/json")
    assert asked.status_code == 202 and asked.json()["state"] == "queued"
    job_run(job_id=asked.json()["job_id"])
    got = client.get(f"/api/sandbox/runs/{asked.json()['id']}").json()
    assert got["state"] == "done" and got["results"]["totals"]["base"] == "311000.00"
    assert got["results"]["totals"]["scenario"] == "312000.00"

    _, reviewer = api_token_create(actor=staff.reviewer, name="x", second_factor=True)
    refused = Client(HTTP_AUTHORIZATION=f"Bearer {reviewer}").get(f"/api/sandbox/runs/{asked.json()['id']}")
    assert refused.status_code == 403


def test_a_scenario_from_the_command_line_shows_on_the_pages(world, staff):
    scenario = scenario_create(actor=None, name="脚本情景", policy=POLICY, overrides=parse_settings(["patent_attorney.amount=8000"]))
    run, _ = run_now(actor=None, scenario=scenario)
    client = signed_in(staff.finance)
    for path in ("/staff/sandbox/", f"/staff/sandbox/{scenario.pk}/", f"/staff/sandbox/runs/{run.pk}/"):
        response = client.get(path)
        assert response.status_code == 200 and "命令行" in response.content.decode() and "脚本情景" in response.content.decode()
