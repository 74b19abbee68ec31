"""Rules of the new shapes in a real browser, with the fictional packages of tests/fixtures/policies
installed beside the 2022 policy: an applicant claims a quantity (国外发明专利: 美日欧 2 个、其他 2 个,
at most 3) and a second item under the county's yearly total; the reviewer sees every cap of the
claim with what the other items used; the approver approves, and the decided claim's page shows
the decision it was approved with."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from ipfund.web.claims.models import Claim
from ipfund.web.demo import flow
from ipfund.web.rounds.services import round_create

from .test_journey import sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policies"
DISTRICT, COUNTY = "fictional-district-intl-2026", "fictional-county-fund-2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_quantity_claim_and_a_yearly_total_across_items(new_context, screenshots, monkeypatch, tmp_path):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))
    staff = flow.create_staff()
    flow.no_budget(staff, DISTRICT, COUNTY)
    now = timezone.now()
    for policy, items, name in ((DISTRICT, ["foreign_patent", "madrid_mark"], "2026年国际布局资助批次"),
                                (COUNTY, ["ip_title", "navigation"], "2026年县专项资金批次")):
        round_create(actor=staff.admin, policy=policy, name=name, opens_at=now - dt.timedelta(days=1),
                     closes_at=now + dt.timedelta(days=30), items=items)
    company = flow.new_applicant("enterprise", name="肇庆星河新材料有限公司")
    # Earlier this year the county already awarded it 100,000 + 50,000 (approved through the services).
    for item, facts in (("ip_title", {"title_level": "demonstration"}),
                        ("navigation", {"contract_no": "N-100", "contract_amount": "200000"})):
        flow.advance(flow.submitted_from_sample(company, flow.Sample(item, "enterprise", dt.date(2026, 3, 5), facts),
                                                policy=COUNTY), "approved", staff)
    proof = tmp_path / "国外授权证书.pdf"
    proof.write_bytes(PDF)

    page = new_context()
    sign_in(page, company.username, flow.APPLICANT_PASSWORD)
    page.goto(f"/me/claims/new/{DISTRICT}/foreign_patent/")
    page.fill("#id_event_date", "2026-04-01")
    page.fill("#id_facts-patent_number", "CN202610000001")
    page.fill("#id_facts-major_count", "2")
    page.fill("#id_facts-other_count", "2")
    page.set_input_files("#id_evidence-evidence_0", str(proof))
    screenshots(page, "quantity-claim-form")
    page.click("#save-claim")
    page.wait_for_url(re.compile(r".*/me/claims/\d+/$"))
    # 2 × 30,000 + 1 × 10,000 = 70,000, but the two policies' 200,000 a year leave 50,000.
    assert page.inner_text("#decision-amount") == "¥50,000.00"
    body = page.inner_text("main")
    assert "其他国家或地区授权数 1（申报 2）" in body and "此前各项目合计已用 150000.00 元" in body
    screenshots(page, "quantity-claim-estimate")
    submit(page, page.locator("#submit-claim"))
    claim = Claim.objects.get(item="foreign_patent")
    assert claim.state == "submitted"

    reviewer = new_context()
    sign_in(reviewer, "reviewer", flow.STAFF_PASSWORDS["reviewer"])
    reviewer.goto(f"/staff/claims/{claim.pk}/")
    text = reviewer.inner_text("main")
    assert "同一企业每年享受本措施及虚构县科工〔2026〕3号各项资助合计" in text
    assert "|" not in reviewer.inner_text("#caps") if reviewer.locator("#caps").count() else True
    screenshots(reviewer, "quantity-claim-review")
    submit(reviewer, reviewer.locator("#recommend"))

    approver = new_context()
    sign_in(approver, "approver", flow.STAFF_PASSWORDS["approver"])
    approver.goto(f"/staff/claims/{claim.pk}/")
    submit(approver, approver.locator("#approve"))
    assert "已审定通过" in approver.content()
    claim.refresh_from_db()
    assert (claim.state, claim.approved_amount) == ("approved", Decimal("50000.00"))
    # The decided claim shows the decision it was approved with — not a recomputation that now
    # finds the year's total used up by itself.
    approver.goto(f"/staff/claims/{claim.pk}/")
    shown = approver.inner_text("main")
    assert "¥50,000.00" in shown and "重复申报" not in shown
    screenshots(approver, "quantity-claim-approved")
