"""Lines (清单) through the HTTP API (tests/fixtures/policies/fictional-foreign-lines-2026): the item
lists the columns of its lines fact; a claim is created with lines and read back with them; a bad
line is refused naming its row and column; /api/evaluate explains each line."""

from __future__ import annotations

import pytest
from django.test import Client

from ipfund.web.api.services import api_token_create
from tests.web.portal.test_lines import ITEM, POLICY, lines_round  # noqa: F401 - the fixture, shared

pytestmark = pytest.mark.django_db

LINES = [{"category": "major", "count": 2, "object": "ZL202510000001.2"},
         {"category": "other", "count": 1, "object": "ZL202510000002.7"}]


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_the_item_lists_the_columns_of_its_lines(lines_round):  # noqa: F811
    item = Client().get(f"/api/items/{ITEM}?policy={POLICY}").json()
    (grants,) = item["facts"]
    assert grants["type"] == "lines"
    assert grants["columns"] == {"category": {"label": "授权国家或地区", "options": {"major": "美日欧", "other": "其他国家或地区"}},
                                 "count": {"label": "数量", "unit": "个"},
                                 "object": {"label": "专利号", "normal": "patent_number"}}


def test_a_claim_is_created_with_lines_and_read_back_with_them(applicant, lines_round):  # noqa: F811
    token = api_token_create(actor=applicant("enterprise"), name="ERP")[1]
    client = Client()
    body = {"policy": POLICY, "item": ITEM, "event_date": "2026-05-01", "facts": {"grants": LINES}}
    made = client.post("/api/claims", body, content_type="application/json", **bearer(token))
    assert made.status_code == 201, made.json()
    got = client.get(f"/api/claims/{made.json()['id']}", **bearer(token)).json()
    assert got["facts"] == {"grants": LINES} and got["state"] == "draft"

    bad = {**body, "facts": {"grants": [LINES[0], {**LINES[1], "count": 0}]}}
    refused = client.post("/api/claims", bad, content_type="application/json", **bearer(token))
    assert refused.status_code == 400
    assert "第2行·数量：应为正整数" in str(refused.json()["errors"])


def test_evaluate_explains_each_line(lines_round):  # noqa: F811
    batch = {"policy": POLICY, "claims": [{"id": "c1", "item": ITEM, "event_date": "2026-05-01", "facts": {"grants": LINES},
                                           "applicant": {"id": "91441200MA00000159", "kind": "enterprise", "in_zone": True}}]}
    decision = Client().post("/api/evaluate", batch, content_type="application/json").json()["decisions"][0]
    assert decision["amount"] == "70000.00"
    assert "  第2行 202510000002.7 其他国家或地区 1 个 × 1万元 = 1万元" in decision["explanation"]
