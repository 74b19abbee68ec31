"""In a real browser: a claim form refused for one field keeps the files chosen (shown as uploaded,
attached on the next save without choosing them again); an uploaded file is removed after a
Chinese confirmation, and another put in its place."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from ipfund.web.claims.models import Claim, StagedUpload
from ipfund.web.demo.flow import APPLICANT_PASSWORD, create_staff, new_applicant
from ipfund.web.engine_door import default_policy
from ipfund.web.rounds.services import round_create

from .test_journey import PDF, png, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_files_survive_a_refused_save_and_can_be_removed_and_replaced(new_context, screenshots, tmp_path):
    staff = create_staff()
    now = timezone.now()
    round_create(actor=staff.admin, name="2026年第二批", opens_at=now - dt.timedelta(days=1),
                 closes_at=now + dt.timedelta(days=30), items=list(default_policy().items))
    user = new_applicant("enterprise")
    certificate, patent, sealed = tmp_path / "获奖证书.png", tmp_path / "专利证书.pdf", tmp_path / "盖章证书.pdf"
    certificate.write_bytes(png())
    patent.write_bytes(PDF)
    sealed.write_bytes(PDF)

    page = new_context()
    sign_in(page, user.username, APPLICANT_PASSWORD)
    page.goto("/me/claims/new/china_patent_award/")
    page.fill("#id_event_date", "2023-07-20")
    page.fill("#id_facts-patent_number", "ZL201910000001.2")  # the award level left unchosen
    page.set_input_files("#id_evidence-evidence_0", str(certificate))
    page.set_input_files("#id_evidence-evidence_1", str(patent))
    submit(page, page.locator("#save-claim"))
    staged = page.inner_text("#staged-files")
    assert "获奖证书.png" in staged and "专利证书.pdf" in staged and "无需重新选择" in staged
    assert "请选择" in page.inner_text("#field-facts-level")
    assert not Claim.objects.exists() and StagedUpload.objects.count() == 2
    screenshots(page, "claim-form-files-kept")

    page.select_option("#id_facts-level", "gold")  # nothing chosen again in the file inputs
    page.click("#save-claim")
    page.wait_for_url(re.compile(r".*/me/claims/\d+/$"))
    claim = Claim.objects.get()
    assert sorted(claim.evidence.values_list("original_name", flat=True)) == ["专利证书.pdf", "获奖证书.png"]
    assert not StagedUpload.objects.exists()

    page.goto(f"/me/claims/{claim.pk}/edit/")
    certificate_row = claim.evidence.get(original_name="获奖证书.png")
    submit(page, page.locator(f"#change-evidence-{certificate_row.pk}"))
    assert "确定要删除证明材料“获奖证书.png”吗？" in page.inner_text("#remove-confirm")
    screenshots(page, "evidence-remove-confirm")
    submit(page, page.locator("#confirm-remove"))
    assert "证明材料“获奖证书.png”已删除" in page.content()
    assert list(claim.evidence.values_list("original_name", flat=True)) == ["专利证书.pdf"]

    patent_row = claim.evidence.get()
    submit(page, page.locator(f"#change-evidence-{patent_row.pk}"))
    page.set_input_files("#id_file", str(sealed))
    submit(page, page.locator("#confirm-replace"))
    assert "已替换为“盖章证书.pdf”" in page.content()
    assert list(claim.evidence.values_list("original_name", flat=True)) == ["盖章证书.pdf"]
    screenshots(page, "evidence-replaced")
