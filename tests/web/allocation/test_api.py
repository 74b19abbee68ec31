"""资金分配 over the HTTP API with bearer tokens, the same figures as test_services (worked by hand):
the approver previews the county's cut (ratio 0.833333; 50,000 → 41,666.67 with the remainder fen),
cuts once (a second POST is refused in Chinese); a reviewer scores, the approver ranks and fills."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from ipfund.web.api.services import api_token_create
from ipfund.web.budgets.services import budget_set

from .test_services import COUNTY, close, county, scored_cases, three_awards_over_budget  # noqa: F401 - county is a fixture

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    _, secret = api_token_create(actor=user, name="测试", second_factor=True)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_approver_previews_and_cuts_through_the_api(staff, applicant, county):  # noqa: F811
    budget, claims = three_awards_over_budget(staff, applicant, county)
    approver = client_of(staff.approver)
    preview = approver.get(f"/api/budgets/{budget.pk}/pro-rata").json()
    assert (preview["ratio"], preview["approved_total"], preview["after_total"], preview["applied"]) == (
        "0.833333", "180000.00", "150000.00", False)
    assert [(line["before"], line["cut"], line["after"], line["remainder_fen"]) for line in preview["lines"]] == [
        ("100000.00", "16666.67", "83333.33", False), ("50000.00", "8333.33", "41666.67", True),
        ("30000.00", "5000.00", "25000.00", False)]
    early = approver.post(f"/api/budgets/{budget.pk}/pro-rata")
    assert early.status_code == 400 and "尚未截止" in early.json()["detail"]
    close(county)
    done = approver.post(f"/api/budgets/{budget.pk}/pro-rata")
    assert done.status_code == 201 and done.json()["ratio"] == "0.833333" and done.json()["awards"] == 3
    again = approver.post(f"/api/budgets/{budget.pk}/pro-rata")
    assert again.status_code == 400 and "不能再次核减" in again.json()["detail"]
    assert approver.get(f"/api/budgets/{budget.pk}/pro-rata").status_code == 200
    assert client_of(staff.finance).post(f"/api/budgets/{budget.pk}/pro-rata").status_code == 403


def test_a_reviewer_scores_and_the_approver_fills_a_quota_through_the_api(staff, applicant, county):  # noqa: F811
    budget_set(actor=staff.admin, policy=COUNTY, year=timezone.localdate().year, amount="1000000")
    claims = scored_cases(staff, applicant, county, [("90", None), ("70", None)])
    reviewer = client_of(staff.reviewer)
    changed = reviewer.post(f"/api/claims/{claims[1].pk}/quota-score", json.dumps({"value": "95.5"}),
                            content_type="application/json")
    assert changed.status_code == 200 and changed.json() == {"claim_id": claims[1].pk, "value": "95.5"}
    bad = reviewer.post(f"/api/claims/{claims[1].pk}/quota-score", json.dumps({"value": "abc"}), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"] == {"value": ["评分应为 0 至 100 之间、最多两位小数的数字。"]}
    approver = client_of(staff.approver)
    year = timezone.localdate().year
    ranking = approver.get(f"/api/quotas/{COUNTY}/excellent_case_best?year={year}").json()
    assert [(r["claim_id"], r["place"], r["average"], r["selected"]) for r in ranking["ranking"]] == [
        (claims[1].pk, 1, "95.50", True), (claims[0].pk, 2, "90.00", True)]
    close(county)
    filled = approver.post(f"/api/quotas/{COUNTY}/excellent_case_best?year={year}")
    assert filled.status_code == 201 and filled.json()["selected"] == [claims[1].pk, claims[0].pk]
    unknown = approver.get(f"/api/quotas/{COUNTY}/no_such?year={year}")
    assert unknown.status_code == 400 and "没有名额：no_such" in unknown.json()["detail"]
