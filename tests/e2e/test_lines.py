"""A claim with lines (清单) in a real browser (tests/fixtures/policies/fictional-foreign-lines-2026):
an applicant fills two rows of the claim form — one more row asked for with "增加一行", which
brings the form back as typed — saves, and sees the estimate of the two lines; a reviewer opens
the claim and sees each line, and the calculation line by line."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from ipfund.web.claims.models import Claim
from ipfund.web.demo import flow
from ipfund.web.rounds.services import round_create

from .test_journey import sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policies"
POLICY = "fictional-foreign-lines-2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_apply_with_two_lines_and_the_reviewer_sees_them(new_context, screenshots, monkeypatch, tmp_path):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))
    staff = flow.create_staff()
    flow.no_budget(staff, POLICY)
    now = timezone.now()
    round_create(actor=staff.admin, policy=POLICY, name="2026年国外专利批次", opens_at=now - dt.timedelta(days=1),
                 closes_at=now + dt.timedelta(days=30), items=["foreign_lines"])
    company = flow.new_applicant("enterprise", name="肇庆远洋专利有限公司")
    certificate = tmp_path / "国外授权证书.pdf"
    certificate.write_bytes(PDF)

    page = new_context()
    sign_in(page, company.username, flow.APPLICANT_PASSWORD)
    page.goto(f"/me/claims/new/{POLICY}/foreign_lines/")
    page.fill("#id_event_date", "2026-05-01")
    for i in range(3):  # three empty rows to begin with; one more asked for
        page.fill(f"#id_facts-grants-{i}-object", f"ZL20251000000{i + 1}.2" if i < 2 else "")
    page.select_option("#id_facts-grants-0-category", "major")
    page.fill("#id_facts-grants-0-count", "2")
    page.click("#id_facts-grants-add-line")
    page.wait_for_selector("#id_facts-grants-3-count")
    assert page.input_value("#id_facts-grants-0-count") == "2"  # as typed: nothing lost, nothing judged
    assert page.locator(".errorlist").count() == 0
    page.fill("#id_facts-grants-1-object", "")
    page.fill("#id_facts-grants-3-object", "ZL202510000002.7")
    page.select_option("#id_facts-grants-3-category", "other")
    page.fill("#id_facts-grants-3-count", "1")
    page.set_input_files("#id_evidence-evidence_0", str(certificate))
    screenshots(page, "lines-claim-form")
    page.click("#save-claim")
    page.wait_for_url(re.compile(r".*/me/claims/\d+/$"))
    assert page.inner_text("#decision-amount") == "¥70,000.00"
    body = page.inner_text("main")
    assert "第1行 ZL202510000001.2 美日欧 2 个；第2行 ZL202510000002.7 其他国家或地区 1 个" in body
    submit(page, page.locator("#submit-claim"))
    claim = Claim.objects.get(item="foreign_lines")
    assert claim.state == "submitted"

    reviewer = new_context()
    sign_in(reviewer, "reviewer", flow.STAFF_PASSWORDS["reviewer"])
    reviewer.goto(f"/staff/claims/{claim.pk}/")
    seen = reviewer.inner_text("main")
    assert "第1行 ZL202510000001.2 美日欧 2 个；第2行 ZL202510000002.7 其他国家或地区 1 个" in seen
    assert "第1行 202510000001.2 美日欧 2 个 × 3万元 = 6万元" in seen
    assert "第2行 202510000002.7 其他国家或地区 1 个 × 1万元 = 1万元" in seen
    screenshots(reviewer, "lines-staff-claim")
