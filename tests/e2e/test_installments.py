"""Stages (分期拨付) in a real browser, with the fictional county fund of tests/fixtures/policies: its
专利导航服务补助 is paid 50% at 立项 and the rest once 验收合格 is confirmed (第八条). An applicant
claims it; a reviewer recommends and an approver approves the whole award; finance pays the first
installment (the second is held on its condition); a second reviewer confirms 验收合格 with the
acceptance report; finance pays the second. A second claim's 验收 fails: the rest is cancelled
(a ledger reduction) and the claim is closed with the reason. The decision letter states the
installments as they stand; reconcile agrees."""

import datetime as dt
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from ipfund.web.claims.models import Claim
from ipfund.web.demo import flow
from ipfund.web.ledger.models import AwardEntry
from ipfund.web.reconcile import audit_reconcile
from ipfund.web.ledger.selectors import award_net
from ipfund.web.payments.models import Installment, Payment
from ipfund.web.payments.services import payment_record
from ipfund.web.rounds.services import round_create

from .test_journey import sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policies"
COUNTY = "fictional-county-fund-2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _pdf_text(page, path: str, name: str) -> str:
    """The PDF at `path`, kept as test-artifacts/<name>.pdf for a person to open, as its text."""
    response = page.request.get(path)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / f"{name}.pdf"
    out.write_bytes(response.body())
    return subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, check=True).stdout.decode("utf-8")


def _pay_in_browser(finance, claim, reference):
    finance.goto(f"/staff/finance/{claim.pk}/")
    finance.fill("#id_reference", reference)
    submit(finance, finance.locator("#record-payment"))
    assert "已记录拨付" in finance.inner_text(".messages")


def _outcome_in_browser(reviewer, claim, *, met: bool, note: str, proof: Path):
    reviewer.goto(f"/staff/claims/{claim.pk}/")
    reviewer.check(f"#id_installment2_met_{0 if met else 1}")
    reviewer.fill("#id_installment2_note", note)
    reviewer.set_input_files("#id_installment2_evidence", str(proof))
    submit(reviewer, reviewer.locator("#record-outcome-2"))


def test_an_award_paid_in_two_installments_and_one_whose_acceptance_fails(new_context, screenshots, monkeypatch, tmp_path,
                                                                         settings):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))
    settings.IPFUND_CHECKPOINT_DIR = tmp_path / "checkpoints"  # the audit chain of this test alone
    staff = flow.create_staff()
    flow.no_budget(staff, COUNTY)
    now = timezone.now()
    round_create(actor=staff.admin, policy=COUNTY, name="2026年县专项资金批次", opens_at=now - dt.timedelta(days=1),
                 closes_at=now + dt.timedelta(days=30), items=["navigation"])
    company = flow.new_applicant("enterprise", name="肇庆星河导航科技有限公司")
    contract, receipt, report = (tmp_path / "专利导航服务合同.pdf", tmp_path / "付款凭证.pdf", tmp_path / "验收意见书.pdf")
    for f in (contract, receipt, report):
        f.write_bytes(PDF)

    # --- the applicant claims; the estimate says how the award is paid -------------------------
    page = new_context()
    sign_in(page, company.username, flow.APPLICANT_PASSWORD)
    page.goto(f"/me/claims/new/{COUNTY}/navigation/")
    page.fill("#id_event_date", "2026-06-01")
    page.fill("#id_facts-contract_no", "DH-2026-001")
    page.fill("#id_facts-contract_amount", "100000")
    page.set_input_files("#id_evidence-evidence_0", str(contract))
    page.set_input_files("#id_evidence-evidence_1", str(receipt))
    page.click("#save-claim")
    page.wait_for_url(re.compile(r".*/me/claims/\d+/$"))
    assert page.inner_text("#decision-amount") == "¥30,000.00"
    estimate = page.inner_text("main")
    assert "分 2 期拨付：第 1 期 15000.00 元（50%，立项时拨付）；第 2 期 15000.00 元（50%，验收合格后拨付）" in estimate
    screenshots(page, "installments-claim-estimate")
    submit(page, page.locator("#submit-claim"))
    claim = Claim.objects.get(item="navigation")

    # --- review and approval of the whole award ---------------------------------------------
    reviewer = new_context()
    sign_in(reviewer, "reviewer", flow.STAFF_PASSWORDS["reviewer"])
    reviewer.goto(f"/staff/claims/{claim.pk}/")
    submit(reviewer, reviewer.locator("#recommend"))
    approver = new_context()
    sign_in(approver, "approver", flow.STAFF_PASSWORDS["approver"])
    approver.goto(f"/staff/claims/{claim.pk}/")
    submit(approver, approver.locator("#approve"))
    claim.refresh_from_db()
    assert (claim.state, claim.approved_amount) == ("approved", Decimal("30000.00"))
    assert AwardEntry.objects.get(claim=claim).amount == Decimal("30000.00")  # the grant is the whole award
    flow.publish_and_finalize(staff, [claim])  # the notice period passes without objection

    page.goto(f"/me/claims/{claim.pk}/")
    table = page.inner_text("#installments")
    assert "第 1 期" in table and "待拨付" in table and "待验收" in table and "待确认验收合格后拨付" in table
    screenshots(page, "installments-applicant-before-payment")

    # --- finance pays the first installment; the second is held on its condition -------------
    finance = new_context()
    sign_in(finance, "finance", flow.STAFF_PASSWORDS["finance"])
    finance.goto("/staff/finance/")
    row = finance.locator("#to-pay tr", has_text="肇庆星河导航科技有限公司")
    assert "¥15,000.00" in row.inner_text()
    finance.goto(f"/staff/finance/{claim.pk}/")
    assert "第 1 期" in finance.inner_text("#due-now")
    screenshots(finance, "installments-finance-first")
    _pay_in_browser(finance, claim, "DH-PZ-001")
    claim.refresh_from_db()
    assert claim.state == "partly_paid"
    finance.goto("/staff/finance/")
    held = finance.inner_text("#to-pay")
    assert "第 2 期 15000.00 元须验收合格后拨付，尚未确认，不能拨付" in held
    screenshots(finance, "installments-finance-queue-held")
    page.goto(f"/me/claims/{claim.pk}/")
    assert "部分拨付" in page.inner_text("h1") if page.locator("h1").count() else True
    assert "已拨付 ¥15,000.00" in page.inner_text("#installments")

    # --- a second reviewer confirms 验收合格 with the acceptance report ------------------------
    reviewer2 = new_context()
    sign_in(reviewer2, "reviewer2", flow.STAFF_PASSWORDS["reviewer2"])
    reviewer2.goto("/staff/installments/")
    assert "肇庆星河导航科技有限公司" in reviewer2.inner_text("#waiting-installments")
    screenshots(reviewer2, "installments-waiting-list")
    reviewer2.goto(f"/staff/claims/{claim.pk}/")
    screenshots(reviewer2, "installments-outcome-form")
    _outcome_in_browser(reviewer2, claim, met=True, note="2026年7月1日经区主管部门验收合格", proof=report)
    assert "已确认第 2 期条件已满足（验收合格）" in reviewer2.inner_text(".messages")
    assert Installment.objects.get(claim=claim, number=2).state == Installment.DUE

    # --- finance pays the second: the award is paid in full ----------------------------------
    _pay_in_browser(finance, claim, "DH-PZ-002")
    claim.refresh_from_db()
    assert claim.state == "paid"
    assert [p.amount for p in Payment.objects.filter(claim=claim)] == [Decimal("15000.00"), Decimal("15000.00")]
    page.goto(f"/me/claims/{claim.pk}/")
    table = page.inner_text("#installments")
    assert table.count("已拨付") >= 2 and "验收合格：2026年7月1日经区主管部门验收合格" in table
    assert "第 2 期：验收合格" in page.inner_text("#timeline")
    screenshots(page, "installments-applicant-paid")
    letter = _pdf_text(page, f"/claims/{claim.pk}/decision-letter.pdf", "installments-letter-paid")
    flat = re.sub(r"\s+", "", letter)
    assert "本项资助分2期拨付" in flat and "凭证号DH-PZ-001" in flat and "凭证号DH-PZ-002" in flat
    # A text numbered 第N条 quotes its article with the number: the letter does not say it twice.
    assert "「第八条对购买专利导航服务的企业" in flat and "第八条「第八条" not in flat

    # --- a second claim whose 验收 fails: the rest is cancelled and the claim closed ---------
    other = flow.new_applicant("enterprise", name="肇庆远航信息技术有限公司")
    second = flow.advance(flow.submitted_from_sample(
        other, flow.Sample("navigation", "enterprise", dt.date(2026, 6, 2), {"contract_no": "DH-2026-002", "contract_amount": "33333.35"}),
        policy=COUNTY), "approved", staff)
    flow.publish_and_finalize(staff, [second])
    payment_record(actor=staff.finance, claim=Claim.objects.get(pk=second.pk), paid_on=timezone.localdate(), reference="YH-PZ-001")
    assert [i.amount for i in Installment.objects.filter(claim=second)] == [Decimal("5000.01"), Decimal("5000.00")]
    _outcome_in_browser(reviewer2, second, met=False, note="验收专家组认定导航报告未完成", proof=report)
    assert "本期及以后各期已取消" in reviewer2.inner_text(".messages")
    screenshots(reviewer2, "installments-acceptance-failed")
    second.refresh_from_db()
    assert second.state == "closed" and award_net(claim=second) == Decimal("5000.01")
    reduction = AwardEntry.objects.get(claim=second, kind=AwardEntry.REDUCTION)
    assert reduction.amount == Decimal("-5000.00")

    mine = new_context()
    sign_in(mine, other.username, flow.APPLICANT_PASSWORD)
    mine.goto(f"/me/claims/{second.pk}/")
    assert "验收不合格，第 2 期资助合计 5000.00 元已取消；已拨付 5000.01 元，本申报结案" in mine.inner_text("#closed-reason")
    assert "已取消" in mine.inner_text("#installments")
    screenshots(mine, "installments-applicant-closed")
    letter = re.sub(r"\s+", "", _pdf_text(mine, f"/claims/{second.pk}/decision-letter.pdf", "installments-letter-closed"))
    assert "因验收不合格" in letter and "已取消" in letter and "实际获得资助人民币5,000.01元" in letter

    result = audit_reconcile()
    assert result.ok, result.differences
