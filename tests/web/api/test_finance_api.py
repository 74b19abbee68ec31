"""Finance's API through the test client: the payments list (filters round, state), recording a
payment or a failure with the pages' services and rules, the budgets with their warnings; the
roles that may not (applicant, reviewer, approver; admin for payments) get 403 in Chinese."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from ipfund.web.demo import flow
from ipfund.web.engine_door import default_policy
from ipfund.web.api.finance import ONLY_FINANCE, ONLY_FINANCE_OR_ADMIN, STATE_INVALID
from ipfund.web.accounts.services import staff_user_create
from ipfund.web.api.services import api_token_create
from ipfund.web.audit.models import AuditEvent
from ipfund.web.budgets.selectors import LEVEL_TEXT, LEVEL_WARNING
from ipfund.web.budgets.services import budget_set
from ipfund.web.claims.duties import OWN_CLAIM
from ipfund.web.payments.models import Payment
from ipfund.web.payments.services import ALREADY_PAID

from ..payments.conftest import final_claims  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def api(user) -> tuple[Client, dict]:
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=user, name='财务系统对接', second_factor=True)[1]}"}


def get(user, path: str, **query):
    client, auth = api(user)
    return client.get(path, query, **auth)


def post(user, path: str, body: dict):
    client, auth = api(user)
    return client.post(path, body, content_type="application/json", **auth)


def test_finance_lists_payments_by_state_and_round(final_claims, staff, open_round):  # noqa: F811
    first, second, third = final_claims(3)
    post(staff.finance, f"/api/payments/{first.pk}/paid", {"paid_on": dt.date.today().isoformat(), "reference": "PZ-1"})
    post(staff.finance, f"/api/payments/{second.pk}/failed", {"reason": "账户户名与账号不符"})

    rows = get(staff.finance, "/api/payments").json()
    assert [r["claim_id"] for r in rows] == [first.pk, second.pk, third.pk]
    # An item id is unique only within its policy: each row names the policy and the item's title there.
    assert {(r["policy"], r["item"], r["item_title"]) for r in rows} == {
        (first.policy, first.item, default_policy().items[first.item].title)}
    paid = get(staff.finance, "/api/payments", state="paid").json()
    assert [(r["claim_id"], r["amount"], r["payment_reference"], r["state_label"]) for r in paid] == [
        (first.pk, "3000.00", "PZ-1", "已拨付")
    ]
    assert paid[0]["bank_account_masked"].endswith(first.applicant.bank_account[-4:])
    assert first.applicant.bank_account not in str(paid)  # masked: the full number only on the finance page
    failed = get(staff.finance, "/api/payments", state="payment_failed").json()
    assert [(r["claim_id"], r["failure_reason"]) for r in failed] == [(second.pk, "账户户名与账号不符")]
    waiting = get(staff.finance, "/api/payments", state="final").json()
    assert [(r["claim_id"], r["amount"], r["reference"]) for r in waiting] == [(third.pk, "3000.00", third.reference)]
    assert len(get(staff.finance, "/api/payments", round=open_round.pk).json()) == 3
    assert get(staff.finance, "/api/payments", round=open_round.pk + 999).json() == []
    assert len(get(staff.finance, "/api/payments", limit=1, offset=1).json()) == 1
    bad = get(staff.finance, "/api/payments", state="draft")
    assert bad.status_code == 400 and bad.json()["errors"] == {"state": [STATE_INVALID]}


def test_recording_a_payment_uses_the_pages_service_and_rules(final_claims, staff):  # noqa: F811
    (claim,) = final_claims(1)
    body = {"paid_on": dt.date.today().isoformat(), "reference": "PZ-2026-001"}
    response = post(staff.finance, f"/api/payments/{claim.pk}/paid", body)
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["state"] == "paid" and out["paid_on"] == body["paid_on"] and out["bank_holder"]
    payment = Payment.objects.get(claim=claim)
    assert payment.amount == Decimal("3000.00") and payment.bank_account == claim.applicant.bank_account
    assert AuditEvent.objects.filter(action="payment_record", actor=staff.finance).count() == 1
    again = post(staff.finance, f"/api/payments/{claim.pk}/paid", body)
    assert again.status_code == 400 and again.json()["detail"] == ALREADY_PAID
    future = post(staff.finance, f"/api/payments/{claim.pk}/paid", {**body, "paid_on": "2099-01-01"})
    assert future.status_code == 400
    missing = post(staff.finance, f"/api/payments/{claim.pk}/failed", {})
    assert missing.status_code == 422 and "reason" in missing.json()["errors"]
    assert post(staff.finance, "/api/payments/999999/paid", body).status_code == 404


def test_a_bank_batch_pays_each_claim_or_says_why_not(final_claims, staff):  # noqa: F811
    first, second = final_claims(2)
    today = dt.date.today().isoformat()
    post(staff.finance, f"/api/payments/{first.pk}/paid", {"paid_on": today, "reference": "PZ-0"})
    response = post(staff.finance, "/api/payments/batch", {"claims": [first.pk, second.pk], "paid_on": today, "reference": "PL-7"})
    assert response.status_code == 200, response.content
    out = response.json()
    assert (out["paid"], out["refused"]) == (1, 1) and out["batch_id"]
    assert out["lines"] == [
        {"claim_id": first.pk, "paid": False, "message": ALREADY_PAID},
        {"claim_id": second.pk, "paid": True, "message": "已拨付"},
    ]
    assert Payment.objects.get(claim=second).batch_id == out["batch_id"]
    empty = post(staff.finance, "/api/payments/batch", {"claims": [], "paid_on": today, "reference": "PL-8"})
    assert empty.status_code == 400 and "claims" in empty.json()["errors"]
    assert post(staff.admin, "/api/payments/batch", {"claims": [second.pk], "paid_on": today, "reference": "PL-9"}).status_code == 403


def test_other_roles_may_not_list_or_record_payments(final_claims, staff):  # noqa: F811
    (claim,) = final_claims(1)
    body = {"paid_on": dt.date.today().isoformat(), "reference": "PZ-X"}
    for user in (staff.reviewer, staff.approver, staff.admin, claim.applicant.user):
        listed = get(user, "/api/payments")
        assert listed.status_code == 403 and listed.json()["detail"] == ONLY_FINANCE
        assert post(user, f"/api/payments/{claim.pk}/paid", body).status_code == 403
        assert post(user, f"/api/payments/{claim.pk}/failed", {"reason": "x"}).status_code == 403
    assert Client().get("/api/payments").status_code == 401
    claim.refresh_from_db()
    assert claim.state == "final" and not Payment.objects.exists()


def test_finance_may_not_pay_a_claim_of_its_own_unit(final_claims, staff):  # noqa: F811
    (claim,) = final_claims(1)
    # a finance member's account affiliated with the applicant's unit (applicant and staff roles
    # are never held by one account)
    payer = staff_user_create(actor=staff.admin, username="unit-finance", password="Zq-Office-2026!x", roles=["finance"],
                              affiliation=claim.applicant.id_number)
    payer = flow.roles_set(staff, payer, ["finance"])
    response = post(payer, f"/api/payments/{claim.pk}/paid", {"paid_on": dt.date.today().isoformat(), "reference": "PZ-3"})
    assert response.status_code == 403 and response.json()["detail"] == OWN_CLAIM.format(id=claim.number)
    assert not Payment.objects.exists()


def test_budgets_with_committed_paid_remaining_and_the_warning(final_claims, staff, open_round):  # noqa: F811
    claims = final_claims(3)  # 3 × ¥3,000 committed
    year = dt.date.today().year  # approved just now: the budget year of the awards
    budget_set(actor=staff.admin, policy=claims[0].policy, year=year, amount=Decimal("10000"))
    post(staff.finance, f"/api/payments/{claims[0].pk}/paid", {"paid_on": dt.date.today().isoformat(), "reference": "PZ-9"})
    for user in (staff.finance, staff.admin):
        response = get(user, "/api/budgets", year=year)
        assert response.status_code == 200
        (row,) = response.json()
        assert (row["amount"], row["committed"], row["paid"], row["remaining"]) == ("10000.00", "9000.00", "3000.00", "1000.00")
        assert row["percent"] == "90.0" and row["level"] == LEVEL_WARNING and row["warning"] == LEVEL_TEXT[LEVEL_WARNING]
        assert row["round_id"] is None and str(year) in row["label"]
    assert get(staff.finance, "/api/budgets", year=year + 1).json() == []
    assert get(staff.finance, "/api/budgets", year=1999).status_code == 422
    for user in (staff.reviewer, staff.approver, claims[0].applicant.user):
        refused = get(user, "/api/budgets")
        assert refused.status_code == 403 and refused.json()["detail"] == ONLY_FINANCE_OR_ADMIN


def test_the_schema_describes_the_finance_endpoints_in_chinese(db):
    schema = Client().get("/api/openapi.json").json()
    for path in ("/api/payments", "/api/payments/{claim_id}/paid", "/api/payments/{claim_id}/failed", "/api/budgets"):
        assert path in schema["paths"]
    fields = schema["components"]["schemas"]["BudgetOut"]["properties"]
    assert fields["remaining"]["description"].startswith("预算余额")
    assert "80%" in fields["level"]["description"]
    assert schema["components"]["schemas"]["PaymentIn"]["properties"]["reference"]["description"] == "拨付凭证号（银行回单号）"
