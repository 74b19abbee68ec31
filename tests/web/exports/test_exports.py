"""Excel exports through the HTTP pages, run by the job service and read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from ipfund.web.accounts.models import ApplicantProfile
from ipfund.web.audit.models import AuditEvent
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.jobs.models import Job
from ipfund.web.jobs.services import job_run
from ipfund.web.engine_door import default_policy
from ipfund.web.payments.services import ACCOUNT_CHANGE_PENDING, NO_ACCOUNT, PayeeAccount, bank_change_request, payment_record
from ipfund.web.rounds.services import round_create


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def export(user, kind: str, **params) -> tuple[Job, dict]:
    """Ask for an export on the page as ``user``, let the worker run it, download the workbook."""
    client = client_for(user)
    response = client.post("/staff/jobs/", {"kind": kind, **params})
    assert response.status_code == 302, response.status_code
    job = Job.objects.latest("id")
    assert response["Location"] == f"/staff/jobs/{job.pk}/"
    job_run(job_id=job.pk)  # in these tests the transaction never commits, so the worker is called here
    job.refresh_from_db()
    assert job.state == Job.DONE, job.error
    body = b"".join(client.get(f"/staff/jobs/{job.pk}/file/").streaming_content)
    if job.content_type == "application/zip":
        return job, {"zip": zipfile.ZipFile(io.BytesIO(body))}
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    return job, {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}


@pytest.fixture
def final_awards(applicant, open_round, staff):
    person = applicant("person", name="李小龙")
    company = applicant("enterprise", sme=True, name="肇庆星湖新材料有限公司")
    claims = [
        flow.advance(flow.submitted_from_sample(person, sample("patent_attorney")), "approved", staff),
        flow.advance(flow.submitted_from_sample(company, sample("custody_sme")), "approved", staff),
    ]
    flow.publish_and_finalize(staff)
    return claims


def test_bank_batch_has_full_account_and_holder_and_a_summary(final_awards, staff, applicant):
    nobank = applicant("enterprise", sme=True, name="无账户科技有限公司")
    ApplicantProfile.objects.filter(user=nobank).update(bank_account="")
    changing = applicant("enterprise", sme=True, name="换账户科技有限公司")
    claims = [
        flow.advance(flow.submitted_from_sample(nobank, sample("custody_sme", 1)), "approved", staff),
        flow.advance(flow.submitted_from_sample(changing, sample("custody_sme", 2)), "approved", staff),
    ]
    flow.publish_and_finalize(staff, claims=claims)
    bank_change_request(actor=changing, profile=changing.applicant, account=PayeeAccount("中国银行肇庆分行", "6217000000000000129", "换账户科技有限公司"))
    ApplicantProfile.objects.filter(pk=final_awards[1].applicant_id).update(bank_holder="肇庆星湖新材料有限公司（基本户）")
    job, sheets = export(staff.finance, "bank_batch")
    header, *rows = sheets["批量代发"]
    assert header == ["序号", "收款人账号", "收款人户名", "收款银行", "金额", "用途", "备注"]
    company = final_awards[1].applicant
    row = next(r for r in rows if r[2] == "肇庆星湖新材料有限公司（基本户）")  # the holder (户名) as registered
    assert row[1] == company.bank_account and row[3] == company.bank_name
    assert Decimal(str(row[4])) == Decimal("3000.00")
    assert final_awards[1].reference in row[6] and "custody_sme" not in row[6]
    assert sheets["汇总"][1:] == [["总笔数", 2], ["总金额（元）", 8000]]  # numbers that add up, not text
    held = {r[1]: r[3] for r in sheets["未导出"][1:]}
    assert held == {"无账户科技有限公司": NO_ACCOUNT, "换账户科技有限公司": ACCOUNT_CHANGE_PENDING}
    assert job.done == 2
    event = AuditEvent.objects.get(action="export_bank_batch")
    assert event.actor == staff.finance and event.after["rows"] == 2
    assert AuditEvent.objects.filter(action="export_download", actor=staff.finance).count() == 1


def test_only_finance_gets_the_bank_file(final_awards, staff):
    response = client_for(staff.reviewer).post("/staff/jobs/", {"kind": "bank_batch"}, follow=True)
    assert "您没有导出此内容的权限。" in response.content.decode()
    assert not Job.objects.exists()


def test_finance_queue_export_masks_the_account(final_awards, staff):
    _, sheets = export(staff.finance, "queue_finance")
    header, *rows = sheets["待拨付清单"]
    accounts = [r[header.index("银行账号")] for r in rows]
    assert all(a.startswith("****") for a in accounts)
    assert final_awards[1].applicant.bank_account not in str(rows)


def test_review_queue_export_keeps_the_page_filters(enterprise, applicant, open_round, staff):
    flow.submitted_from_sample(enterprise, sample("custody_sme"))
    person = applicant("person")
    flow.submitted_from_sample(person, sample("patent_attorney"))
    page = client_for(staff.reviewer).get("/staff/review/?item=custody_sme&state=submitted")
    assert 'name="item" value="custody_sme"' in page.content.decode()
    _, sheets = export(staff.reviewer, "queue_review", item="custody_sme", state="submitted")
    header, *rows = sheets["初审队列"]
    assert [r[header.index("申报项目")] for r in rows] == ["中小微企业知识产权托管补助"]
    assert rows[0][header.index("状态")] == "已提交（待初审）"
    _, everything = export(staff.reviewer, "queue_review")
    header, *rows = everything["初审队列"]
    ids = [r[header.index("统一社会信用代码/身份证号码")] for r in rows]
    assert person.applicant.masked_id_number in ids and person.applicant.id_number not in ids


def test_award_list_per_round_and_per_policy(final_awards, staff, applicant):
    later = round_create(
        actor=staff.admin, name="2026年第三批", opens_at=timezone.now() + dt.timedelta(days=40),
        closes_at=timezone.now() + dt.timedelta(days=60), items=list(default_policy().items),
    )
    payment_record(actor=staff.finance, claim=final_awards[1], paid_on=timezone.localdate(), reference="ZF-2026-0001")
    job, sheets = export(staff.approver, "awards", policy=default_policy().id, round=str(final_awards[0].round_id))
    assert job.filename == "资助名单-2026年第二批.xlsx"
    header, *rows = sheets["资助名单"]
    assert len(rows) == 2
    paid = next(r for r in rows if r[header.index("拨付凭证号")] == "ZF-2026-0001")
    assert Decimal(str(paid[header.index("台账净额")])) == Decimal("3000.00")
    assert paid[header.index("政策")] == "肇庆高新区关于加强知识产权工作的若干意见（肇高管办〔2022〕2号）"
    _, empty = export(staff.approver, "awards", round=str(later.pk))
    assert empty["资助名单"][1:] == []


def test_annual_statistics_are_the_dashboards_figures(final_awards, staff):
    year = timezone.localdate().year
    _, sheets = export(staff.admin, "statistics", year=str(year))
    summary = dict(sheets["汇总"][1:])
    assert summary["已审定金额（元）"] == 8000 and summary["已拨付金额（元）"] == 0  # numbers that add up, not text
    assert not any(isinstance(v, str) and re.fullmatch(r"[\d.,%]+", v) for v in summary.values())
    by_item = {r[0]: r for r in sheets["按项目"][1:]}
    assert Decimal(str(by_item["中小微企业知识产权托管补助"][2])) == Decimal("3000.00")
    by_kind = {r[0]: r[1] for r in sheets["按主体类型"][1:]}
    assert by_kind == {"企业": 1, "个人": 1}
    assert dict((r[0], r[1]) for r in sheets["按状态"][1:]) == {"公示期满（待拨付）": 2}
    assert len(sheets["按月份"]) == 13
    assert "custody_sme" not in str(sheets)


def test_statistics_year_must_be_valid(staff, db):
    response = client_for(staff.admin).post("/staff/jobs/", {"kind": "statistics", "year": "二〇二六"}, follow=True)
    assert "请填写有效的统计年度" in response.content.decode()


def test_decision_letters_batch(final_awards, staff):
    job, out = export(staff.reviewer, "decision_letters", policy=default_policy().id)
    names = sorted(out["zip"].namelist())
    assert names == sorted(f"资助决定书-{c.reference}.pdf" for c in final_awards)
    assert all(out["zip"].read(n).startswith(b"%PDF") for n in names)
    assert job.done == 2


def test_another_person_cannot_see_or_download_a_job(final_awards, staff):
    job, _ = export(staff.finance, "bank_batch")
    other = client_for(staff.admin)
    assert other.get(f"/staff/jobs/{job.pk}/").status_code == 404
    assert other.get(f"/staff/jobs/{job.pk}/file/").status_code == 404
