"""Limits on the anonymous calculator API (#11): claims per request and requests per minute."""

import pytest
from django.test import Client

from ipfund.web.api.services import api_token_create
from ipfund.web.api.views import EVALUATE_RATE, EVALUATE_TOO_MANY

pytestmark = pytest.mark.django_db


def batch(n):
    claim = {
        "item": "custody_sme",
        "event_date": "2024-01-10",
        "facts": {"service_year": 2023, "actual_cost": "3000"},
        "applicant": {"id": "91441200000041E82R", "kind": "enterprise", "in_zone": True, "sme": True},
    }
    return {"policy": "zhaoqing-hitech-ip-2022", "claims": [{**claim, "id": f"c{i}"} for i in range(n)]}


def test_too_many_claims_is_refused_naming_the_field(settings):
    settings.IPFUND_EVALUATE_MAX_CLAIMS = 5
    assert Client().post("/api/evaluate", batch(5), content_type="application/json").status_code == 200
    response = Client().post("/api/evaluate", batch(6), content_type="application/json")
    assert response.status_code == 413
    body = response.json()
    assert body["errors"]["claims"] == [EVALUATE_TOO_MANY.format(limit=5, count=6)]
    assert "一次最多计算 5 件申报" in body["detail"]


def test_rate_limit_per_address(settings):
    settings.IPFUND_EVALUATE_PER_MINUTE = 3
    client = Client()
    codes = [client.post("/api/evaluate", batch(1), content_type="application/json").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.post("/api/evaluate", batch(1), content_type="application/json")
    assert refused.json()["detail"] == EVALUATE_RATE.format(limit=3) and refused["Retry-After"] == "60"
    other = client.post("/api/evaluate", batch(1), content_type="application/json", REMOTE_ADDR="198.51.100.3")
    assert other.status_code == 200


def test_a_token_holder_is_not_limited(settings, enterprise):
    settings.IPFUND_EVALUATE_MAX_CLAIMS = 2
    settings.IPFUND_EVALUATE_PER_MINUTE = 1
    secret = api_token_create(actor=enterprise, name="ERP")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    for _ in range(3):
        response = Client().post("/api/evaluate", batch(4), content_type="application/json", **auth)
        assert response.status_code == 200 and len(response.json()["decisions"]) == 4
