"""Documents and exports in a real browser: the bureau downloads the notice PDF and a decision
letter, finance exports the bank batch file (a background job, its progress page, the download).
Screenshots and the PDFs' pages as pictures go to var/e2e-docs/."""

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.engine_door import default_policy
from ipfund.web.rounds.services import round_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[2] / "var" / "e2e-docs"


def sign_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def shot(page, name: str) -> None:
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def download(page, link, name: str) -> Path:
    with page.expect_download() as info:
        link.click()
    path = OUT / name
    info.value.save_as(str(path))
    return path


def pdf_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(path.with_suffix(""))], check=True)
    return re.sub(r"\s+", "", text)


@pytest.fixture
def awards(settings):
    if not shutil.which("pdftotext"):
        pytest.skip("needs pdftotext (apt-get install poppler-utils)")
    settings.CELERY_BROKER_URL = ""  # the embedded worker thread of the live server's process
    OUT.mkdir(parents=True, exist_ok=True)
    staff = flow.create_staff()
    flow.no_budget(staff, default_policy().id)  # approvals need a budget or a recorded 不设预算
    from django.utils import timezone
    import datetime as dt

    round_create(
        actor=staff.admin, name="2026年第二批", opens_at=timezone.now() - dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=30), items=list(default_policy().items),
    )
    person = flow.new_applicant("person", name="张三丰")
    company = flow.new_applicant("enterprise", sme=True, name="肇庆星湖新材料有限公司")
    claims = [
        flow.advance(flow.submitted_from_sample(person, sample("patent_attorney")), "approved", staff),
        flow.advance(flow.submitted_from_sample(company, sample("custody_sme")), "approved", staff),
    ]
    notice = flow.publish_and_finalize(staff)
    return staff, claims, notice


def test_bureau_prints_notice_and_letter_finance_exports_bank_file(new_context, awards):
    staff, claims, notice = awards
    page = new_context()
    sign_in(page, "reviewer", flow.STAFF_PASSWORDS["reviewer"])

    page.goto(f"/notices/{notice.pk}/")
    shot(page, "01-notice-page")
    text = pdf_text(download(page, page.locator("#notice-pdf"), "notice.pdf"))
    assert "一、拟资助单位" in text and "肇庆星湖新材料有限公司" in text
    assert "二、拟资助个人" in text and "张*丰" in text and "张三丰" not in text
    assert "四、异议方式" in text and "（盖章）" in text and default_policy().document_number in text

    page.goto(f"/staff/claims/{claims[1].pk}/")
    shot(page, "02-staff-claim-documents")
    text = pdf_text(download(page, page.locator("#decision-letter-pdf"), "decision-letter.pdf"))
    assert "资助决定书" in text and claims[1].reference in text and "叁仟元整" in text

    page.goto("/staff/exports/")
    with page.expect_navigation():
        page.locator("#export-awards button").click()
    page.locator("#job-download").wait_for(timeout=30000)
    awards_file = download(page, page.locator("#job-download"), "awards.xlsx")
    listed = list(load_workbook(io.BytesIO(awards_file.read_bytes()), read_only=True).active.iter_rows(values_only=True))
    assert len(listed) == 3 and "张*丰" not in str(listed)
    page.goto("/staff/exports/")
    shot(page, "03-exports-page")

    finance = new_context()
    sign_in(finance, "finance", flow.STAFF_PASSWORDS["finance"])
    finance.goto("/staff/finance/")
    shot(finance, "04-finance-exports")
    with finance.expect_navigation():
        finance.locator("#export-bank-batch").click()
    assert re.search(r"/staff/jobs/\d+/$", finance.url)
    shot(finance, "05-job-progress")
    finance.locator("#job-download").wait_for(timeout=30000)  # the page refreshes itself until done
    shot(finance, "06-job-done")
    path = download(finance, finance.locator("#job-download"), "bank-batch.xlsx")
    rows = list(load_workbook(io.BytesIO(path.read_bytes()), read_only=True).worksheets[0].iter_rows(values_only=True))
    company = claims[1].applicant
    assert rows[0][:3] == ("序号", "收款人账号", "收款人户名")
    assert any(r[1] == company.bank_account and r[2] == company.name for r in rows[1:])

    finance.goto("/staff/finance/")
    payment_list = download(finance, finance.locator("#payment-list-pdf"), "payment-list.pdf")
    assert "合计2笔" in pdf_text(payment_list)
