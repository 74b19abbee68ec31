"""The HTTP API through its OpenAPI schema: public items and evaluate, token-bound claims."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from ipfund.web.api.models import ApiToken
from ipfund.web.api.services import api_token_create, api_token_revoke
from ipfund.web.claims.models import Claim
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample


@pytest.fixture
def client():
    return Client()


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def token(enterprise):
    return api_token_create(actor=enterprise, name="ERP 对接")[1]


def _schema(client):
    return client.get("/api/openapi.json").json()


def _required(schema, name):
    return set(schema["components"]["schemas"][name].get("required", []))


def test_openapi_lists_every_endpoint(client, db):
    paths = _schema(client)["paths"]
    for path in ("/api/items", "/api/items/{item_id}", "/api/evaluate", "/api/notices", "/api/claims",
                 "/api/claims/{claim_id}", "/api/claims/{claim_id}/evidence", "/api/claims/{claim_id}/submit"):
        assert path in paths
    assert client.get("/api/docs").status_code == 200


def test_items_match_schema(client, db):
    schema = _schema(client)
    items = client.get("/api/items").json()
    assert len(items) == 21
    for item in items:
        assert _required(schema, "ItemOut") <= set(item)
    custody = client.get("/api/items/custody_sme").json()
    assert custody["clause"] == "四（一）" and "托管服务合同" in custody["evidence"]
    assert client.get("/api/items/nope").status_code == 404


def test_evaluate_is_the_contract(client, db):
    s = sample("custody_sme")
    batch = {"policy": "zhaoqing-hitech-ip-2022", "claims": [{
        "id": "c1", "item": "custody_sme", "event_date": s.event_date.isoformat(), "facts": {"service_year": 2023, "actual_cost": "30000"},
        "applicant": {"id": "91441200000041E82R", "kind": "enterprise", "in_zone": True, "sme": True}}]}
    decision = client.post("/api/evaluate", batch, content_type="application/json").json()["decisions"][0]
    assert (decision["amount"], decision["capped"], decision["reasons"]) == ("10000.00", True, ["cap_reached"])
    bad = client.post("/api/evaluate", {"policy": "nope", "claims": []}, content_type="application/json")
    assert bad.status_code == 400 and "nope" in bad.json()["errors"]["batch"][0]


def test_claims_need_a_token(client, db):
    assert client.get("/api/claims").status_code == 401
    assert client.get("/api/claims", **bearer("ipf_wrong")).status_code == 401


def test_create_with_idempotency_key_upload_and_submit(client, token, enterprise, open_round):
    schema = _schema(client)
    body = {"item": "custody_sme", "event_date": "2023-06-01", "facts": {"service_year": 2023, "actual_cost": "6000"}}
    first = client.post("/api/claims", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="erp-77", **bearer(token))
    again = client.post("/api/claims", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="erp-77", **bearer(token))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Claim.objects.count() == 1
    claim = first.json()
    assert _required(schema, "ClaimOut") <= set(claim)
    assert claim["evidence_missing"] == ["托管服务合同", "费用发票及支付凭证", "中小微企业声明"]

    early = client.post(f"/api/claims/{claim['id']}/submit", **bearer(token))
    assert early.status_code == 400 and "证明材料" in early.json()["detail"]
    for label in claim["evidence_missing"]:
        r = client.post(f"/api/claims/{claim['id']}/evidence", {"requirement": label, "file": flow.pdf_upload()}, **bearer(token))
        assert r.status_code == 201, r.content
    fake = client.post(f"/api/claims/{claim['id']}/evidence",
                       {"requirement": "托管服务合同", "file": flow.SimpleUploadedFile("x.pdf", b"<html>")}, **bearer(token))
    assert fake.status_code == 400 and fake.json()["errors"]["file"]

    submitted = client.post(f"/api/claims/{claim['id']}/submit", **bearer(token)).json()
    assert (submitted["state"], submitted["engine_amount"]) == ("submitted", "3000.00")
    listed = client.get("/api/claims", **bearer(token)).json()
    assert [c["id"] for c in listed] == [claim["id"]]


def test_field_errors_come_back_by_field(client, token, open_round):
    body = {"item": "custody_sme", "event_date": "2023-06-01", "facts": {"service_year": 2023, "actual_cost": "-5"}}
    r = client.post("/api/claims", body, content_type="application/json", **bearer(token))
    assert r.status_code == 400 and "actual_cost" in r.json()["errors"]


def test_other_applicants_claims_are_invisible(client, token, applicant, open_round):
    other = applicant("enterprise", sme=True)
    theirs = flow.submitted_from_sample(other, sample("custody_sme"))
    assert client.get(f"/api/claims/{theirs.pk}", **bearer(token)).status_code == 404
    assert client.post(f"/api/claims/{theirs.pk}/withdraw", **bearer(token)).status_code == 404
    assert client.post(f"/api/claims/{theirs.pk}/evidence", {"requirement": "托管服务合同", "file": flow.pdf_upload()},
                       **bearer(token)).status_code == 404
    assert client.get("/api/claims", **bearer(token)).json() == []
    theirs.refresh_from_db()
    assert theirs.state == "submitted"


def test_revoked_token_stops_working(client, enterprise, db):
    token, secret = api_token_create(actor=enterprise, name="临时")
    assert client.get("/api/claims", **bearer(secret)).status_code == 200
    api_token_revoke(actor=enterprise, token=token)
    assert client.get("/api/claims", **bearer(secret)).status_code == 401
    assert ApiToken.objects.get().digest != secret and secret.startswith("ipf_")


def test_public_notice_api_masks_persons(client, applicant, open_round, staff):
    from ipfund.web.notices.services import notice_publish

    person = applicant("person", name="林晓雨")
    flow.advance(flow.submitted_from_sample(person, sample("patent_attorney")), "approved", staff)
    notice_publish(actor=staff.reviewer)
    body = json.dumps(client.get("/api/notices").json(), ensure_ascii=False)
    assert "林*雨" in body and "林晓雨" not in body and person.applicant.id_number not in body
