"""The whole journey in a real browser: register, claim with uploads, review, approve, notice, objection, payment."""

import datetime as dt
import re
import struct
import subprocess
import zlib

import pytest
from django.utils import timezone

from ipfund.web.accounts.idgen import make_uscc
from ipfund.web.claims.models import Claim
from ipfund.web.demo.flow import STAFF_PASSWORDS, create_staff
from ipfund.web.notices.models import Notice, Objection
from ipfund.web.payments.models import Payment
from ipfund.web.engine_door import default_policy
from ipfund.web.rounds.services import round_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A one-page PDF that Chromium's viewer opens.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def png(width: int = 240, height: int = 120) -> bytes:
    """A real PNG (red frame on white) so the reviewer's page shows an image."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            edge = x < 6 or y < 6 or x >= width - 6 or y >= height - 6
            row += bytes((179, 38, 30) if edge else (255, 255, 255))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")


AUTHORITY = "肇庆高新区经济贸易和科技局"


def pdf_text(data: bytes, tmp_path) -> str:
    """A PDF read back with poppler's pdftotext, whitespace removed (Chinese lines wrap anywhere)."""
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return re.sub(r"\s+", "", subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout)


def submit(page, target) -> None:
    """Click a button or link and wait for the page it leads to (a POST that redirects back counts)."""
    with page.expect_navigation():
        target.click()


def sign_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    submit(page, page.get_by_role("button", name="登录"))


def sign_out(page) -> None:
    submit(page, page.get_by_role("button", name="退出"))


def test_applicant_to_paid_in_a_real_browser(new_context, screenshots, tmp_path):
    staff = create_staff()
    now = timezone.now()
    round_create(
        actor=staff.admin,
        name="2026年第二批",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        items=list(default_policy().items),
    )
    certificate = tmp_path / "获奖证书.png"
    certificate.write_bytes(png())
    patent = tmp_path / "专利证书.pdf"
    patent.write_bytes(PDF)
    credit_code = make_uscc("enterprise", 4242)

    # --- a visitor tries the calculator, then registers ------------------------------------------
    page = new_context()
    page.goto("/")
    assert "肇庆高新区知识产权专项资金申报平台" in page.content()
    screenshots(page, "home")
    page.goto("/calculator/?kind=enterprise&item=china_patent_award")
    page.fill("#id_event_date", "2023-07-20")
    page.fill("#id_facts-patent_number", "ZL201910000001.2")
    page.select_option("#id_facts-level", "gold")
    submit(page, page.get_by_role("button", name="计算"))
    assert page.inner_text("#decision-amount") == "¥300,000.00"
    screenshots(page, "calculator")

    page.goto("/accounts/register/")
    page.select_option("#id_kind", "enterprise")
    page.fill("#id_id_number", credit_code)
    page.fill("#id_name", "肇庆星河新材料有限公司")
    page.fill("#id_address", "肇庆高新区迎宾大道8号")
    page.check('input[name="in_zone"][value="true"]')
    page.check('input[name="sme"][value="true"]')
    page.fill("#id_contact_name", "陈经理")
    page.fill("#id_contact_phone", "13800138000")
    page.fill("#id_email", "xinghe@example.cn")
    page.fill("#id_bank_name", "中国工商银行肇庆分行")
    page.fill("#id_bank_account", "6222 0212 3456 7890 128")
    page.fill("#id_username", "xinghe")
    page.fill("#id_password1", "Xinghe-2026-pass")
    page.fill("#id_password2", "Xinghe-2026-pass")
    screenshots(page, "register")
    page.get_by_role("button", name="注册").click()
    page.wait_for_url("**/me/eligible/")
    assert "肇庆星河新材料有限公司" in page.content()
    screenshots(page, "eligible")

    # --- the claim form with uploads, the estimate, submission -----------------------------------
    page.goto("/me/claims/new/china_patent_award/")
    page.fill("#id_event_date", "2023-07-20")
    page.fill("#id_facts-patent_number", "ZL201910000001.2")
    page.select_option("#id_facts-level", "gold")
    page.set_input_files("#id_evidence-evidence_0", str(certificate))
    page.set_input_files("#id_evidence-evidence_1", str(patent))
    screenshots(page, "claim-form")
    page.click("#save-claim")
    page.wait_for_url(re.compile(r".*/me/claims/\d+/$"))
    assert page.inner_text("#decision-amount") == "¥300,000.00"
    screenshots(page, "claim-estimate")
    submit(page, page.locator("#submit-claim"))
    assert "申报已提交，请等待初审。" in page.content(), page.inner_text("main")
    screenshots(page, "claim-submitted")
    claim = Claim.objects.get()
    assert claim.state == "submitted"
    assert claim.evidence.count() == 2
    sign_out(page)

    # --- the reviewer (初审) recommends --------------------------------------------------------------
    reviewer = new_context()
    sign_in(reviewer, "reviewer", STAFF_PASSWORDS["reviewer"])
    assert reviewer.url.endswith("/staff/review/")
    screenshots(reviewer, "review-queue")
    submit(reviewer, reviewer.get_by_role("link", name="办理", exact=True).first)
    assert reviewer.locator("img.evidence-image").count() == 1
    assert reviewer.locator("a.evidence-download").count() == 1  # a PDF: offered as a download
    assert reviewer.evaluate("document.querySelector('img.evidence-image').naturalWidth") == 240
    screenshots(reviewer, "review-claim")
    submit(reviewer, reviewer.locator("#recommend"))
    assert "已初审推荐，等待审定。" in reviewer.content()
    sign_out(reviewer)

    # --- an administrator sets this year's budget: approvals need one (or a recorded 不设预算) --------
    admin = new_context()
    sign_in(admin, "admin", STAFF_PASSWORDS["admin"])
    admin.goto("/staff/admin/budgets/")
    admin.select_option("#id_policy", default_policy().id)
    admin.fill("#id_year", str(timezone.localdate().year))
    admin.fill("#id_amount", "1,000,000")
    admin.fill("#id_note", "区财政年度预算")
    screenshots(admin, "admin-budget")
    submit(admin, admin.locator("#save-budget"))
    assert "资金预算已保存。" in admin.content()
    sign_out(admin)

    # --- a different person, the approver (审定), approves -----------------------------------------
    approver = new_context()
    sign_in(approver, "approver", STAFF_PASSWORDS["approver"])
    assert approver.url.endswith("/staff/approval/")
    submit(approver, approver.get_by_role("link", name="办理", exact=True).first)
    screenshots(approver, "approval-claim")
    submit(approver, approver.locator("#approve"))
    assert "已审定通过" in approver.content()
    sign_out(approver)

    # --- a second reviewer publishes the notice (公示): whoever recommended may not judge objections --
    sign_in(reviewer, "reviewer2", STAFF_PASSWORDS["reviewer2"])
    reviewer.goto("/staff/notices/")
    screenshots(reviewer, "notice-publish")
    reviewer.click("#publish")
    reviewer.wait_for_url(re.compile(r".*/notices/\d+/$"))
    notice = Notice.objects.get()

    # --- anyone files an objection ------------------------------------------------------------------
    public = new_context()
    public.goto("/notices/")
    submit(public, public.get_by_role("link", name=notice.title))
    assert "肇庆星河新材料有限公司" in public.content()
    assert credit_code not in public.content()
    screenshots(public, "notice-public")
    submit(public, public.get_by_role("link", name="提出异议", exact=True))
    public.fill("#id_name", "王五")
    public.fill("#id_reason", "该专利奖项是否已在市级获得奖励？请核实。")
    submit(public, public.get_by_role("button", name="提交异议"))
    assert "请填写此项。" in public.inner_text("#field-contact")
    assert public.input_value("#id_name") == "王五"  # nothing typed is lost
    public.fill("#id_contact", "13900000000")
    screenshots(public, "objection-form")
    submit(public, public.get_by_role("button", name="提交异议"))
    assert "异议已收到" in public.content()

    # --- the reviewer dismisses it, the period passes, the notice closes ----------------------------
    reviewer.goto("/staff/objections/")
    submit(reviewer, reviewer.get_by_role("link", name="处理", exact=True).first)
    reviewer.check('input[name="upheld"][value="false"]')
    reviewer.fill("#id_resolution", "经核实，该专利未获市级奖励，异议不成立。")
    screenshots(reviewer, "objection-resolve")
    submit(reviewer, reviewer.locator("#resolve"))
    assert Objection.objects.get().state == Objection.DISMISSED
    # Seven days pass: the test moves the notice's end into the past rather than waiting.
    Notice.objects.filter(pk=notice.pk).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    reviewer.goto("/staff/notices/")
    submit(reviewer, reviewer.locator(f"#close-notice-{notice.pk}"))
    assert "公示已结束" in reviewer.content()
    claim.refresh_from_db()
    assert claim.state == "final"
    sign_out(reviewer)

    # --- finance (财务) pays --------------------------------------------------------------------------
    finance = new_context()
    sign_in(finance, "finance", STAFF_PASSWORDS["finance"])
    assert finance.url.endswith("/staff/finance/")
    assert "**** 0128" in finance.inner_text("#to-pay")  # the account, masked
    assert "6222 0212 3456 7890 128" not in finance.content()
    screenshots(finance, "finance-queue")
    listed = pdf_text(finance.request.get("/staff/finance/payment-list.pdf").body(), tmp_path)  # the list signed before paying
    submit(finance, finance.get_by_role("link", name="办理", exact=True).first)
    finance.fill("#id_reference", "ZQGX-2026-0001")
    screenshots(finance, "finance-pay")
    submit(finance, finance.locator("#record-payment"))
    assert "已记录拨付。" in finance.content()
    assert Payment.objects.get(claim=claim).amount == claim.approved_amount
    sign_out(finance)
    year = timezone.localdate().year
    assert f"肇高经科拨〔{year}〕1号" in listed and "合计1笔，金额人民币300,000.00元（大写：叁拾万元整）" in listed
    assert AUTHORITY in listed and "****0128" in listed

    # --- the applicant sees the claim paid ------------------------------------------------------------
    sign_in(page, "xinghe", "Xinghe-2026-pass")
    assert page.url.endswith("/me/claims/")
    assert "已拨付" in page.inner_text("#my-claims")
    screenshots(page, "my-claims-paid")
    submit(page, page.get_by_role("link", name="查看", exact=True).first)
    assert "资金已拨付" in page.inner_text("#timeline")
    assert page.inner_text("#approved-amount") == "¥300,000.00"
    screenshots(page, "claim-paid")

    # --- the decision letter the applicant downloads is one a clerk would sign ---------------------------
    letter = pdf_text(page.request.get(f"/claims/{claim.pk}/decision-letter.pdf").body(), tmp_path)
    objection = Objection.objects.get()
    assert f"肇高经科资决〔{year}〕1号" in letter and AUTHORITY in letter and "（盖章）" in letter
    assert "资助人民币300,000.00元（大写：叁拾万元整）" in letter
    assert f"公示期内收到异议1件：异议（编号{objection.reference}）异议不成立：经核实，该专利未获市级奖励，异议不成立" in letter
    assert "无异议" not in letter and "王五" not in letter
    assert "拨付至你单位的银行账户（中国工商银行肇庆分行，账号****0128" in letter and "拨付凭证号ZQGX-2026-0001" in letter
    body, annex = letter.split("附件：计算说明")
    assert "计算说明" not in body and "300000.00" in annex.replace(",", "")

    # --- and the same page in English --------------------------------------------------------------------
    submit(page, page.get_by_role("button", name="English"))
    assert page.locator("html").get_attribute("lang") == "en"
    screenshots(page, "claim-paid-english")

