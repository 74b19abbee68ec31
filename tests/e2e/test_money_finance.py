"""In a real browser: finance records a batch payment under one bank reference, and the statistics
dashboard shows the round's totals against its budget, with its ECharts charts drawn."""

import datetime as dt

import pytest
from django.utils import timezone

from ipfund.web.budgets.services import budget_set
from ipfund.web.claims.models import Claim
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.notices.services import notice_close, notice_publish
from ipfund.web.payments.models import Payment
from ipfund.web.payments.services import payment_fail
from ipfund.web.engine_door import default_policy
from ipfund.web.rounds.services import round_create

from .test_journey import sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_round(staff, name: str):
    now = timezone.now()
    return round_create(
        actor=staff.admin, name=name, opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30),
        items=list(default_policy().items),
    )


def awards_waiting_for_payment(staff, rnd, n: int) -> list[Claim]:
    claims = [
        flow.advance(flow.submitted_from_sample(flow.new_applicant("enterprise", sme=True), sample("custody_sme")), "approved", staff)
        for _ in range(n)
    ]
    notice = notice_publish(actor=staff.reviewer, claims=claims)
    with flow.clock_at(notice.ends_at + dt.timedelta(seconds=1)):
        notice_close(actor=staff.reviewer, notice=notice)
    return claims


def test_finance_batch_payment_and_the_round_against_its_budget(new_context, screenshots):
    staff = flow.create_staff()
    rnd = open_round(staff, "2026年第三批")
    budget_set(actor=staff.admin, policy=default_policy().id, year=timezone.localdate().year, amount="7000", round=rnd)
    a, b = awards_waiting_for_payment(staff, rnd, 2)

    page = new_context()
    sign_in(page, "finance", flow.STAFF_PASSWORDS["finance"])
    page.goto("/staff/finance/")
    page.check(f"#pay-{a.pk}")
    page.check(f"#pay-{b.pk}")
    page.fill("#id_reference", "PL-2026-0301")
    submit(page, page.locator("#record-batch"))
    result = page.locator("#batch-result")
    assert "PL-2026-0301" in result.inner_text()
    assert result.locator("tr.ok").count() == 2
    assert "已按凭证号 PL-2026-0301 拨付 2 项" in page.inner_text(".messages")
    screenshots(page, "money-batch-payment")
    assert sorted(Payment.objects.values_list("reference", flat=True)) == ["PL-2026-0301", "PL-2026-0301"]

    page.goto(f"/staff/statistics/?round={rnd.pk}")
    budget_row = page.locator("#budgets tbody tr").first
    text = budget_row.inner_text()
    assert "2026年第三批" in text and "¥7,000.00" in text and "¥6,000.00" in text
    assert "预警：已使用预算的 80% 以上" in text
    assert page.inner_text("#total-committed") == "¥6,000.00" and page.inner_text("#total-paid") == "¥6,000.00"
    page.wait_for_selector("#chart-budgets svg")
    page.wait_for_selector("#chart-month svg")
    assert "中小微企业知识产权托管补助" in page.inner_text("#chart-item").replace("\n", "")
    assert budget_row.locator(".meter > span").evaluate("el => el.style.width") == "85.7%"
    screenshots(page, "money-dashboard-round-budget")


def test_failed_payment_new_account_confirmed_by_a_second_person(new_context, screenshots):
    staff = flow.create_staff()
    flow.no_budget(staff, default_policy().id)  # approvals need a budget or a recorded 不设预算
    rnd = open_round(staff, "2026年第四批")
    (claim,) = awards_waiting_for_payment(staff, rnd, 1)
    payment_fail(actor=staff.finance, claim=claim, reason="收款账户已销户")
    user = claim.applicant.user

    page = new_context()
    sign_in(page, user.username, flow.APPLICANT_PASSWORD)
    page.goto(f"/me/claims/{claim.pk}/")
    todo = page.locator("#payment-failed-todo")
    assert "收款账户已销户" in todo.inner_text() and "当前无需您操作" not in page.inner_text("main")
    screenshots(page, "money-applicant-failed-payment")
    submit(page, page.locator("#update-bank-account"))
    page.fill("#id_bank_name", "中国建设银行肇庆分行")
    page.fill("#id_bank_account", "6217000000004321")
    submit(page, page.get_by_role("button", name="保存"))
    assert "须经工作人员复核确认后才生效" in page.inner_text(".messages")
    assert page.locator("#pending-bank-change").is_visible()

    finance = new_context()
    sign_in(finance, "finance", flow.STAFF_PASSWORDS["finance"])
    finance.goto("/staff/finance/")
    assert "银行账户变更尚待复核确认，确认前不能拨付" in finance.inner_text("#to-pay")
    submit(finance, finance.get_by_role("link", name="去复核"))
    submit(finance, finance.get_by_role("link", name="复核"))
    assert "6217000000004321" in finance.inner_text("#proposed-account")
    screenshots(finance, "money-account-change-review")
    submit(finance, finance.locator("#confirm-change"))
    assert "账户变更已确认" in finance.inner_text(".messages")
    finance.goto(f"/staff/finance/{claim.pk}/")
    assert finance.inner_text("#bank-account") == "6217000000004321"
    finance.fill("#id_reference", "ZF-2026-0402")
    submit(finance, finance.locator("#record-payment"))
    assert Payment.objects.get(claim=claim).bank_account == "6217000000004321"
