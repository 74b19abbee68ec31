"""The promises API through HTTP with tokens, as the bureau's other systems call it: the promises by
due date, a breach posted with its evidence (multipart), the case, a repayment by finance, a
write-off asked by finance and decided by the administrator; errors in Chinese naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from ipfund.web.api.services import api_token_create
from ipfund.web.demo import flow
from ipfund.web.reconcile import audit_reconcile
from ipfund.web.demo.promises import paid_promise

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    _, secret = api_token_create(actor=user, name="promises", second_factor=True)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_breach_repay_and_write_off_through_the_api(staff, open_round, applicant):
    promise = paid_promise(staff, applicant("service_agency"))
    reviewer, finance, admin = client_of(staff.reviewer), client_of(staff.finance), client_of(staff.admin)

    listed = reviewer.get("/api/promises?state=active").json()
    assert [p["id"] for p in listed] == [promise.pk]
    assert listed[0]["years"] == 3 and listed[0]["term_end"] == promise.term_end.isoformat()
    assert listed[0]["text"] == "上述机构在申请资助时需提交在区内经营不少于3年的承诺书。"

    missing = reviewer.post(f"/api/promises/{promise.pk}/breach", {"breach": "moved_out_of_zone"})
    assert missing.status_code in (400, 422)
    body = missing.json()
    assert "请上传违反承诺的证明材料" in str(body["errors"]["evidence"]) and "breached_on" in body["errors"]

    refused = finance.post(f"/api/promises/{promise.pk}/breach", {"breach": "deregistered"})
    assert refused.status_code == 403 and "只有初审人员和管理员" in refused.json()["detail"]

    on = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    opened = reviewer.post(f"/api/promises/{promise.pk}/breach", {
        "breach": "deregistered", "breached_on": on, "note": "企业已办理注销登记。", "file": flow.pdf_upload("注销公告.pdf")})
    assert opened.status_code == 201, opened.content
    case = opened.json()
    assert (case["amount_due"], case["outstanding"], case["breach_label"], case["state"]) == (
        "50000.00", "50000.00", "注销登记", "open")

    bad = finance.post(f"/api/recoveries/{case['id']}/repayments", {"amount": "1.005", "reference": ""},
                       content_type="application/json")
    assert bad.status_code == 400 and "最多两位小数" in str(bad.json()["errors"]["amount"])
    repaid = finance.post(f"/api/recoveries/{case['id']}/repayments",
                          {"amount": "10000.50", "paid_on": timezone.localdate().isoformat(), "reference": "HD-API-1"},
                          content_type="application/json")
    assert repaid.status_code == 201 and repaid.json()["outstanding"] == "39999.50"

    asked = finance.post(f"/api/recoveries/{case['id']}/write-offs", {"amount": "39999.50", "reason": "无财产可供执行"},
                         content_type="application/json")
    assert asked.status_code == 201 and asked.json()["state"] == "pending"
    own = finance.post(f"/api/write-offs/{asked.json()['id']}/decision", {"approve": True}, content_type="application/json")
    assert own.status_code == 403 and "另一名工作人员" in own.json()["detail"]
    decided = admin.post(f"/api/write-offs/{asked.json()['id']}/decision", {"approve": True, "note": "同意"},
                         content_type="application/json")
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    final = reviewer.get(f"/api/recoveries/{case['id']}").json()
    assert (final["state"], final["outstanding"], final["repaid"], final["written_off"]) == ("settled", "0.00", "10000.50", "39999.50")
    assert reviewer.get("/api/recoveries?state=open").json() == []
    assert audit_reconcile().ok


def test_applicants_cannot_read_promises(staff, open_round, applicant):
    agency = applicant("service_agency")
    paid_promise(staff, agency)
    response = client_of(agency).get("/api/promises")
    assert response.status_code == 403 and "只有工作人员" in response.json()["detail"]
