"""The bank batch file (批量代发) in each template kept as data: exported on finance's page, run by
the job service, downloaded and read back in the template's own encoding and layout."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from ipfund.web.accounts.models import ApplicantProfile, User
from ipfund.web.accounts.services import staff_user_create
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.exports.bank_batch import HANDLED_HELD, PURPOSE
from ipfund.web.exports.bank_formats import BUILT_IN, TemplateInvalid, bank_template, bank_templates
from ipfund.web.jobs.models import Job
from ipfund.web.jobs.services import TEMPLATE_INVALID, job_run
from ipfund.web.payments.services import payment_fail
from ipfund.web.review.services import approval_approve, review_recommend

from .test_exports import export

pytestmark = pytest.mark.django_db

RARE_NAME = "肇庆𠀀新材料有限公司"  # a CJK Extension B character: not in GBK


def download(user, template: str) -> tuple[Job, bytes]:
    client = Client()
    client.force_login(user)
    response = client.post("/staff/jobs/", {"kind": "bank_batch", "template": template})
    assert response.status_code == 302
    job = Job.objects.latest("id")
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == Job.DONE, job.error
    return job, b"".join(client.get(f"/staff/jobs/{job.pk}/file/").streaming_content)


@pytest.fixture
def awards(applicant, open_round, staff):
    """Two awards to pay (¥5,000 to a person, ¥3,000 to a company) and one whose holder's name GBK lacks."""
    person = applicant("person", name="李小龙")
    company = applicant("enterprise", sme=True, name="肇庆星湖新材料有限公司")
    rare = applicant("enterprise", sme=True, name=RARE_NAME)
    claims = [
        flow.advance(flow.submitted_from_sample(person, sample("patent_attorney")), "approved", staff),
        flow.advance(flow.submitted_from_sample(company, sample("custody_sme")), "approved", staff),
        flow.advance(flow.submitted_from_sample(rare, sample("custody_sme", 1)), "approved", staff),
    ]
    flow.publish_and_finalize(staff)
    for c in claims:
        c.refresh_from_db()
    return claims


def test_every_built_in_template_is_valid_and_documented():
    templates = bank_templates()
    assert set(templates) == {p.stem for p in BUILT_IN.glob("*.yaml")} == {"generic_xlsx", "generic_txt_gbk", "generic_csv_gbk"}
    manual = (Path(__file__).parents[3] / "docs" / "银行批量代发文件模板.md").read_text(encoding="utf-8")
    for template in templates.values():
        assert template.id in manual and template.title in manual


def test_generic_xlsx(awards, staff):
    job, sheets = export(staff.finance, "bank_batch", template="generic_xlsx")
    assert job.filename.endswith(".xlsx")
    header, *rows = sheets["批量代发"]
    assert header == [c.title for c in bank_template("generic_xlsx").columns]
    by_holder = {r[2]: r for r in rows}
    company = awards[1].applicant
    assert by_holder[company.name][1] == company.bank_account and Decimal(str(by_holder[company.name][4])) == Decimal("3000.00")
    assert RARE_NAME in by_holder  # an Excel file carries any character
    assert sheets["汇总"][1:] == [["总笔数", 3], ["总金额（元）", 11000]] and sheets["未导出"][1:] == []


def test_generic_txt_gbk(awards, staff):
    job, body = download(staff.finance, "generic_txt_gbk")
    assert job.filename.endswith(".txt") and job.content_type == "text/plain"
    text = body.decode("gbk")  # GBK, as the bank's import reads it
    lines = text.split("\r\n")
    assert lines[-1] == "" and all("\n" not in line for line in lines)
    summary, *rows = [line.split("|") for line in lines[:-1]]
    assert summary == ["2", "8000.00", PURPOSE]  # the rare name cannot be written in GBK: held back
    person, company = awards[0].applicant, awards[1].applicant
    assert rows == [
        ["1", person.bank_account, person.name, person.bank_name, "5000.00", PURPOSE, f"{awards[0].reference} 专利代理师资助"],
        ["2", company.bank_account, company.name, company.bank_name, "3000.00", PURPOSE, f"{awards[1].reference} 中小微企业知识产权托管补助"],
    ]
    assert RARE_NAME not in text and job.done == 2


def test_generic_csv_gbk(awards, staff):
    job, body = download(staff.finance, "generic_csv_gbk")
    assert job.filename.endswith(".csv") and job.content_type == "text/csv"
    header, *rows = list(csv.reader(io.StringIO(body.decode("gbk"), newline="")))
    assert header == ["收款账号", "收款户名", "开户银行", "金额（分）", "币种", "用途", "业务参考号"]
    company = awards[1].applicant
    row = next(r for r in rows if r[1] == company.name)
    assert row == [company.bank_account, company.name, company.bank_name, "300000", "CNY", PURPOSE, awards[1].reference]
    assert len(rows) == 2 and all(r[0].isdigit() for r in rows)


def test_the_excel_file_lists_what_was_held_back_and_why(awards, staff):
    payment_fail(actor=staff.finance, claim=awards[0], reason="收款账户已销户")
    ApplicantProfile.objects.filter(pk=awards[1].applicant_id).update(bank_account="")
    _, sheets = export(staff.finance, "bank_batch", template="generic_xlsx")
    held = {r[1]: r[3] for r in sheets["未导出"][1:]}
    assert "收款账户已销户" in held[awards[0].applicant.name] and "变更银行账户并经复核确认" in held[awards[0].applicant.name]
    assert held[awards[1].applicant.name] == "申报单位尚未填写完整的开户银行和银行账号，不能拨付。"
    assert [r[2] for r in sheets["批量代发"][1:]] == [RARE_NAME]


def test_the_file_leaves_out_what_its_requester_handled(open_round, staff, applicant):
    person = staff_user_create(actor=staff.admin, username="li-approver", password="Zq-Office-2026!x", roles=["approver"])
    person = flow.roles_set(staff, person, ["approver"])
    claim = flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme"))
    approval_approve(actor=person, claim=review_recommend(actor=staff.reviewer, claim=claim))
    flow.publish_and_finalize(staff)
    person = flow.roles_set(staff, person, ["finance"])
    User.objects.filter(pk=person.pk).update(password_change_required=False)
    claim.refresh_from_db()
    _, sheets = export(person, "bank_batch")
    assert sheets["批量代发"][1:] == []
    assert sheets["未导出"][1:] == [[claim.reference, claim.applicant.name, 3000, HANDLED_HELD]]


def test_an_unknown_template_is_refused_and_a_bad_one_named(staff, tmp_path, settings):
    client = Client()
    client.force_login(staff.finance)
    response = client.post("/staff/jobs/", {"kind": "bank_batch", "template": "no-such"}, follow=True)
    assert TEMPLATE_INVALID in response.content.decode() and not Job.objects.exists()
    (tmp_path / "bad.yaml").write_text("id: bad\ntitle: 坏模板\nfile_type: txt\nencoding: gbk\ncolumns:\n  - {field: iban}\n", encoding="utf-8")
    settings.IPFUND_BANK_TEMPLATE_DIR = str(tmp_path)
    with pytest.raises(TemplateInvalid, match="bad.yaml.*iban"):
        bank_templates()


def test_a_bureau_adds_its_banks_layout_as_data(awards, staff, tmp_path, settings):
    (tmp_path / "bank.yaml").write_text(
        "id: zhaoqing_bank\ntitle: 某银行代发（GB18030，分号分隔）\nfile_type: txt\nencoding: gb18030\ndelimiter: ';'\n"
        "header: false\nsummary: ['{count}', '{total_fen}']\n"
        "columns:\n  - {field: account}\n  - {field: holder}\n  - {field: amount_fen}\n",
        encoding="utf-8",
    )
    settings.IPFUND_BANK_TEMPLATE_DIR = str(tmp_path)
    _, body = download(staff.finance, "zhaoqing_bank")
    lines = body.decode("gb18030").split("\r\n")[:-1]
    assert lines[0] == "3;1100000"  # GB18030 carries the rare character: nothing held back
    assert any(line.split(";")[1] == RARE_NAME for line in lines[1:])
