"""In a real browser: a new agency branch paid 5万元 against its promise to operate in the zone for
three years (五（一）) moves out within the term. The reviewer records the breach with evidence — the
case opens, the ledger takes the 5万元 back, the budget is freed; the 追回通知书 is printed and read
back; finance records a partial repayment; finance asks to write the rest off and the administrator,
a second person, approves; the case is settled, the audit chain verifies and reconcile is clean."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ipfund.web.audit.services import audit_verify
from ipfund.web.budgets.selectors import budget_statuses
from ipfund.web.budgets.services import budget_set
from ipfund.web.demo import flow
from ipfund.web.engine_door import default_policy
from ipfund.web.reconcile import audit_reconcile
from ipfund.web.ledger.selectors import award_net
from ipfund.web.promises.models import RecoveryCase, WriteOff
from ipfund.web.rounds.services import round_create

from ipfund.web.demo.promises import paid_promise
from .test_journey import pdf_text, sign_in, sign_out, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _own_checkpoint(settings, tmp_path):
    settings.IPFUND_CHECKPOINT_DIR = tmp_path / "checkpoints"  # the audit chain of this test alone


def test_a_promise_broken_and_the_money_recovered(new_context, screenshots, tmp_path):
    staff = flow.create_staff()
    policy, year = default_policy().id, timezone.localdate().year
    now = timezone.now()
    round_create(actor=staff.admin, name="2026年第五批", opens_at=now - dt.timedelta(days=1),
                 closes_at=now + dt.timedelta(days=30), items=list(default_policy().items))
    budget_set(actor=staff.admin, policy=policy, year=year, amount="500000")
    agency = flow.new_applicant("service_agency", name="肇庆星河知识产权代理有限公司肇庆分公司")
    promise = paid_promise(staff, agency)
    claim = promise.claim
    [status] = budget_statuses(year=year, policy=policy)
    assert status.committed == Decimal("50000.00")

    page = new_context()
    sign_in(page, "reviewer", flow.STAFF_PASSWORDS["reviewer"])
    page.goto("/staff/promises/")
    row = page.locator("#promises tbody tr").first
    assert "肇庆星河知识产权代理有限公司肇庆分公司" in row.inner_text() and "履行中" in row.inner_text()
    screenshots(page, "promises-register")
    submit(page, row.get_by_role("link", name="查看"))
    assert "上述机构在申请资助时需提交在区内经营不少于3年的承诺书。" in page.inner_text("#promise")
    assert page.locator("#letter").inner_text() == "在区内经营不少于3年的承诺书"

    # Nothing chosen, nothing uploaded: each field says what is missing, nothing is recorded.
    submit(page, page.locator("#record-breach"))
    assert "请上传违反承诺的证明材料。" in page.inner_text("#breach-form")
    assert not RecoveryCase.objects.exists()

    breached_on = timezone.localdate() - dt.timedelta(days=20)
    page.select_option("#id_breach", "moved_out_of_zone")
    page.fill("#id_breached_on", breached_on.isoformat())
    page.fill("#id_note", "企业登记住所已变更至端州区，迁离本区。")
    page.set_input_files("#id_evidence", files=[{"name": "变更登记通知书.pdf", "mimeType": "application/pdf",
                                                  "buffer": flow.PDF_BYTES}])
    screenshots(page, "promises-breach-form")
    submit(page, page.locator("#record-breach"))
    assert "已登记违反承诺并立案追回" in page.inner_text(".messages")
    assert page.inner_text("#case-due") == "¥50,000.00"
    assert page.inner_text("#case-outstanding") == "¥50,000.00"
    screenshots(page, "promises-case-opened")
    case = RecoveryCase.objects.get()
    assert award_net(claim=claim) == 0
    [status] = budget_statuses(year=year, policy=policy)
    assert status.committed == Decimal("0.00")

    response = page.request.get(f"/staff/recoveries/{case.pk}/notice.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body(), tmp_path)
    flat = "".join(text.split())
    for expected in ("追回资助资金通知书", "肇高经科追〔", "肇庆星河知识产权代理有限公司肇庆分公司", "迁离本区",
                     "上述机构在申请资助时需提交在区内经营不少于3年的承诺书。", "应追回人民币50,000.00元（大写：伍万元整）",
                     f"{case.due_by.year}年{case.due_by.month}月{case.due_by.day}日前", "2016000000000000000"):
        assert expected in flat, (expected, text)
    sign_out(page)

    finance = new_context()
    sign_in(finance, "finance", flow.STAFF_PASSWORDS["finance"])
    finance.goto(f"/staff/recoveries/{case.pk}/")
    finance.fill("#id_amount", "30000.00")
    finance.fill("#id_paid_on", timezone.localdate().isoformat())
    finance.fill("#id_reference", "HD-2026-0088")
    submit(finance, finance.locator("#repay"))
    assert finance.inner_text("#case-outstanding") == "¥20,000.00"
    finance.fill("#write-off-form #id_amount", "20000.00")
    finance.fill("#id_reason", "企业已迁出且无可供执行的财产，经法律顾问意见确认无法追回。")
    submit(finance, finance.locator("#write-off"))
    assert "须由另一名工作人员批准" in finance.inner_text(".messages")
    assert finance.locator("#approve-write-off").count() == 0  # not the one who asked
    screenshots(finance, "promises-write-off-asked")

    admin = new_context()
    sign_in(admin, "admin", flow.STAFF_PASSWORDS["admin"])
    admin.goto(f"/staff/recoveries/{case.pk}/")
    admin.fill("input[name=note]", "同意核销")
    submit(admin, admin.locator("#approve-write-off"))
    assert admin.inner_text("#case-state") == "已结案"
    assert admin.inner_text("#case-outstanding") == "¥0.00"
    screenshots(admin, "promises-case-settled")
    write_off = WriteOff.objects.get()
    assert (write_off.state, write_off.requested_by, write_off.decided_by) == (WriteOff.APPROVED, staff.finance, staff.admin)

    # The notice printed again states what stands now: repaid, written off, nothing owed.
    again = "".join(pdf_text(admin.request.get(f"/staff/recoveries/{case.pk}/notice.pdf").body(), tmp_path).split())
    assert "HD-2026-0088" in again and "已归还合计30,000.00元，已核销合计20,000.00元" in again
    assert "尚应归还人民币0.00元" in again

    admin.goto("/staff/statistics/")
    assert "0 件" in admin.inner_text("#board-cases")
    screenshots(admin, "promises-dashboard")
    assert audit_verify().ok
    result = audit_reconcile()
    assert result.ok, result.message
