"""Issue #11 item 5: schema-valid but unusable bodies answer a 4xx naming the field, never a 500;
idempotency keys are bound to the body; creates are atomic; staff tokens see what their pages do."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from ipfund.web.api import bodies
from ipfund.web.api.services import api_token_create
from ipfund.web.claims.models import Claim
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample

BODY = {"item": "custody_sme", "event_date": "2023-06-01", "facts": {"service_year": 2023, "actual_cost": "6000"}}


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def token(enterprise):
    return api_token_create(actor=enterprise, name="ERP")[1]


def _post(path, body, **extra):
    return Client().post(path, json.dumps(body), content_type="application/json", **extra)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"interpretations": [1]}, "interpretations"),
        ({"interpretations": {"A7": 1}}, "interpretations"),
        ({"interpretations": "A7=per_year"}, "interpretations"),
        ({"history": [1]}, "history"),
        ({"history": {"awarded": "none"}}, "history"),
        ({"claims": {"id": "c1"}}, "claims"),
        ({"policy": 7}, "policy"),
    ],
)
def test_evaluate_refuses_unusable_parts_by_field(db, change, field):
    batch = json.load(open("examples/batch.json", encoding="utf-8"))
    response = _post("/api/evaluate", {**batch, **change})
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == {field}
    assert field in response.json()["detail"]


def test_evaluate_engine_refusal_is_a_chinese_400(db):
    batch = json.load(open("examples/batch.json", encoding="utf-8"))
    response = _post("/api/evaluate", {**batch, "interpretations": {"A7": "weekly"}})
    assert response.status_code == 400 and response.json()["detail"] == bodies.BATCH_UNUSABLE


def test_a_long_idempotency_key_is_refused_by_name(token, open_round):
    response = _post("/api/claims", BODY, HTTP_IDEMPOTENCY_KEY="k" * 101, **bearer(token))
    assert response.status_code == 400
    assert response.json()["errors"] == {"Idempotency-Key": [bodies.IDEMPOTENCY_INVALID]}
    assert not Claim.objects.exists()
    assert _post("/api/claims", BODY, HTTP_IDEMPOTENCY_KEY="k" * 100, **bearer(token)).status_code == 201


def test_the_same_key_with_another_body_is_422(token, open_round):
    first = _post("/api/claims", BODY, HTTP_IDEMPOTENCY_KEY="erp-1", **bearer(token))
    again = _post("/api/claims", BODY, HTTP_IDEMPOTENCY_KEY="erp-1", **bearer(token))
    other = _post("/api/claims", {**BODY, "facts": {"service_year": 2023, "actual_cost": "9000"}},
                  HTTP_IDEMPOTENCY_KEY="erp-1", **bearer(token))
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 422)
    assert other.json()["errors"] == {"Idempotency-Key": [bodies.IDEMPOTENCY_REUSED]}
    assert Claim.objects.get().facts["actual_cost"] == "6000"


def test_submit_true_without_evidence_leaves_no_draft(token, open_round):
    for _ in range(3):
        response = _post("/api/claims", {**BODY, "submit": True}, **bearer(token))
        assert response.status_code == 400 and "证明材料" in response.json()["detail"]
    assert not Claim.objects.exists()


def test_schema_errors_are_chinese_and_name_the_field(token, open_round):
    response = _post("/api/claims", {"item": "custody_sme", "facts": {}}, **bearer(token))
    assert response.status_code == 422
    assert response.json()["errors"] == {"event_date": ["event_date：缺少此字段。"]}
    bad = Client().post("/api/claims", "{not json", content_type="application/json", **bearer(token))
    assert bad.status_code in (400, 422) and "Field required" not in bad.content.decode()


def test_a_staff_token_lists_its_queue_not_every_claim(staff, applicant, open_round):
    a = applicant("enterprise", sme=True)
    submitted = flow.submitted_from_sample(a, sample("custody_sme"))
    recommended = flow.advance(flow.submitted_from_sample(a, sample("custody_sme", 1)), "recommended", staff)
    flow.draft_from_sample(a, sample("custody_sme", 2))
    listed = {}
    for who in ("reviewer", "approver", "finance", "admin"):
        secret = api_token_create(actor=getattr(staff, who), name="t", second_factor=True)[1]  # as issued after TOTP
        listed[who] = [c["id"] for c in Client().get("/api/claims", **bearer(secret)).json()]
    assert listed == {"reviewer": [submitted.pk], "approver": [recommended.pk], "finance": [], "admin": []}


def test_review_queue_with_a_nul_byte_filter_is_not_a_server_error(staff):
    client = Client()
    client.force_login(staff.reviewer)
    assert client.get("/staff/review/?item=%00").status_code == 200
    assert client.get("/staff/review/?item=%00&round=%00&state=%00").status_code == 200
