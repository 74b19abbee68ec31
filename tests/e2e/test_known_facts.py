"""Facts the platform knows, in a real browser (tests/fixtures/policies/fictional-growth-2026): the
bureau has imported its 严重失信主体名单; an applicant claims a technology transfer reward — the
form asks for the contract value (which a reviewer confirms) but not the reward, which the
platform computes, nor whether the applicant is listed, which it reads from the list; the
estimate says both, naming the list with its version and import date; the reviewer cannot
recommend before ticking the fact to confirm, then does."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from ipfund.cli.main import main
from ipfund.web.audit.models import AuditEvent
from ipfund.web.claims.models import Claim
from ipfund.web.demo import flow
from ipfund.web.rounds.services import round_create
from tests.web.registers.conftest import csv_bytes

from .test_journey import sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policies"
GROWTH = "fictional-growth-2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_reward_the_platform_computes_and_a_fact_the_reviewer_confirms(new_context, screenshots, monkeypatch, tmp_path):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))
    staff = flow.create_staff()
    flow.no_budget(staff, GROWTH)
    now = timezone.now()
    round_create(actor=staff.admin, policy=GROWTH, name="2026年成长奖励批次", opens_at=now - dt.timedelta(days=1),
                 closes_at=now + dt.timedelta(days=30), items=["transfer"])
    company = flow.new_applicant("enterprise", name="肇庆星河新材料有限公司")
    listed = tmp_path / "失信名单.csv"
    listed.write_bytes(csv_bytes([["单位名称", "统一社会信用代码", "列入日期", "有效期至"],
                                  ["某失信公司", "91441200MA000004XN", "2026-02-01", ""]]))
    assert main(["register", "import", "list", str(listed), "--code", "dishonest", "--name", "严重失信主体名单"]) == 0
    today = timezone.localdate().isoformat()
    files = []
    for name in ("技术合同.pdf", "技术合同登记证明.pdf"):
        files.append(tmp_path / name)
        files[-1].write_bytes(PDF)

    page = new_context()
    sign_in(page, company.username, flow.APPLICANT_PASSWORD)
    page.goto(f"/me/claims/new/{GROWTH}/transfer/")
    assert page.locator("#id_facts-reward").count() == 0 and page.locator("#id_facts-dishonest").count() == 0
    page.fill("#id_event_date", "2026-09-01")
    page.fill("#id_facts-contract_no", "2026440001")
    page.fill("#id_facts-contract_value", "1234567.89")
    page.fill("#id_facts-registered_value", "1234567.89")
    for i, path in enumerate(files):
        page.set_input_files(f"#id_evidence-evidence_{i}", str(path))
    screenshots(page, "known-facts-claim-form")
    page.click("#save-claim")
    page.wait_for_url(re.compile(r".*/me/claims/\d+/$"))
    assert page.inner_text("#decision-amount") == "¥24,691.36"
    body = page.inner_text("main")
    assert "按成交额计算的奖励=24691.36 元" in body
    assert f"严重失信主体=否（严重失信主体名单（第 1 版，{today} 导入）：事件日期 2026-09-01 不在名单中）" in body
    screenshots(page, "known-facts-estimate")
    submit(page, page.locator("#submit-claim"))
    claim = Claim.objects.get(item="transfer")

    reviewer = new_context()
    sign_in(reviewer, "reviewer", flow.STAFF_PASSWORDS["reviewer"])
    reviewer.goto(f"/staff/claims/{claim.pk}/")
    assert "须由审核人员逐项核对的事实" in reviewer.inner_text("#confirm-facts")
    submit(reviewer, reviewer.locator("#recommend"))  # not ticked: refused, said
    assert "推荐前请逐项核对并勾选以下由审核人员核对的事实：技术合同成交额（元）" in reviewer.inner_text("main")
    claim.refresh_from_db()
    assert claim.state == "submitted"
    reviewer.check("#confirm-contract_value")
    screenshots(reviewer, "known-facts-review")
    submit(reviewer, reviewer.locator("#recommend"))
    claim.refresh_from_db()
    assert (claim.state, claim.recommended_amount) == ("recommended", Decimal("24691.36"))
    assert AuditEvent.objects.filter(action="claim_facts_confirm", object_id=str(claim.pk)).count() == 1
    assert claim.decision["readings"][0][0] == "reward"
