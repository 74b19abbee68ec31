"""The statistics dashboard and the budget page, through the pages: figures, labels in Chinese, no inline script."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ipfund.web.audit.models import AuditEvent
from ipfund.web.budgets.models import Budget
from ipfund.web.budgets.services import budget_set
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.payments import services
from ipfund.web.engine_door import default_policy
from ipfund.web.review.services import approval_approve

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\b(custody_sme|china_patent_award|enterprise|service_agency|payment_failed|in_notice)\b")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def chart_data(html: str) -> dict:
    match = re.search(r'<script id="statistics-data" type="application/json">(.*?)</script>', html, re.S)
    assert match, "no json_script block"
    return json.loads(match.group(1))


@pytest.fixture
def year() -> int:
    return timezone.localdate().year


def test_dashboard_counts_committed_and_paid_with_chinese_labels(final_claims, staff, year):
    a, b = final_claims(2)
    services.payment_record(actor=staff.finance, claim=a, paid_on=timezone.localdate(), reference="ZF-1")
    budget_set(actor=staff.admin, policy=default_policy().id, year=year, amount="7000")

    for user in (staff.reviewer, staff.approver, staff.finance, staff.admin):
        response = signed_in(user).get(reverse("portal:statistics"))
        assert response.status_code == 200
    html = response.content.decode()
    board = response.context["board"]
    assert (board.committed, board.paid, board.payments) == (Decimal("6000.00"), Decimal("3000.00"), 1)
    assert board.average_days_to_payment == Decimal("0.0")
    item = default_policy().items["custody_sme"]
    assert [(r.label, r.committed, r.paid, r.count) for r in board.by_item] == [(item.title, Decimal("6000.00"), Decimal("3000.00"), 2)]
    assert [r.label for r in board.by_kind] == ["企业"]
    assert board.by_clause[0].label.startswith(item.clause)
    assert board.by_month[timezone.localdate().month - 1].committed == Decimal("6000.00")
    assert {r.key: r.count for r in board.states} == {"paid": 1, "final": 1}

    data = chart_data(html)
    assert data["item"] == {"labels": [item.title], "committed": ["6000.00"], "paid": ["3000.00"]}
    assert data["budgets"][0]["amount"] == "7000.00" and data["budgets"][0]["committed"] == "6000.00"
    assert not CODE.search(json.dumps(data, ensure_ascii=False))
    visible = re.sub(r"<script.*?</script>|<[^>]+>", " ", html, flags=re.S)
    assert not CODE.search(visible), CODE.search(visible)
    assert "预警：已使用预算的 80% 以上" in html and "85.7%" in html


def test_dashboard_loads_echarts_from_our_static_files_and_has_no_inline_script(staff, db):
    html = signed_in(staff.finance).get(reverse("portal:statistics")).content.decode()
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert sources == ["/static/portal/vendor/echarts.min.js", "/static/portal/statistics.js"]
    inline = [s for s in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html) if 'type="application/json"' not in s]
    assert inline == []
    assert "cdn" not in html.lower()


def test_dashboard_filters_by_round_and_year(final_claims, staff, year, open_round):
    final_claims(1)
    client = signed_in(staff.approver)
    assert client.get(reverse("portal:statistics"), {"round": open_round.pk}).context["board"].committed == Decimal("3000.00")
    assert client.get(reverse("portal:statistics"), {"year": year - 3}).context["board"].committed == Decimal("0.00")
    assert client.get(reverse("portal:statistics"), {"year": "all"}).context["board"].committed == Decimal("3000.00")
    assert client.get(reverse("portal:statistics"), {"year": "abc", "round": "x", "policy": "nope"}).status_code == 200


def test_applicants_and_visitors_have_no_dashboard(applicant):
    user = applicant("enterprise")
    assert signed_in(user).get(reverse("portal:statistics")).status_code == 403
    assert Client().get(reverse("portal:statistics")).status_code == 302


def test_administrator_sets_a_budget_on_the_page(staff, open_round, year):
    client = signed_in(staff.admin)
    data = {"policy": default_policy().id, "year": year, "round": open_round.pk, "amount": "18,000", "note": "批次预算"}
    html = client.post(reverse("portal:admin_budgets"), data, follow=True).content.decode()
    assert "资金预算已保存" in html and "¥18,000.00" in html and open_round.name in html
    budget = Budget.objects.get()
    assert (budget.round, budget.amount) == (open_round, Decimal("18000.00"))
    assert AuditEvent.objects.filter(action="budget_set", actor=staff.admin).count() == 1


def test_the_budget_page_names_the_wrong_field(staff, year):
    client = signed_in(staff.admin)
    html = client.post(reverse("portal:admin_budgets"), {"policy": default_policy().id, "year": "20x6", "amount": "一万"}).content.decode()
    assert "请输入四位数的年份" in html
    html = client.post(reverse("portal:admin_budgets"), {"policy": default_policy().id, "year": year, "amount": "一万"}).content.decode()
    assert "预算金额应为大于零" in html
    assert not Budget.objects.exists()
    for user in (staff.finance, staff.approver):
        assert signed_in(user).get(reverse("portal:admin_budgets")).status_code == 403


def test_approval_pages_warn_and_a_refused_approval_says_why(staff, open_round, applicant, year):
    budget_set(actor=staff.admin, policy=default_policy().id, year=year, amount="3500")
    first, second = [
        flow.advance(flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme")), "recommended", staff)
        for _ in range(2)
    ]
    client = signed_in(staff.approver)
    assert 'id="budget-warnings"' not in client.get(reverse("portal:approval_queue")).content.decode()
    approval_approve(actor=staff.approver, claim=first)
    queue = client.get(reverse("portal:approval_queue")).content.decode()
    assert 'id="budget-warnings"' in queue and "预警：已使用预算的 80% 以上" in queue and "¥500.00" in queue
    html = client.post(reverse("portal:claim_action", args=[second.pk, "approve"])).content.decode()
    assert "审定后将超出" in html and "剩余 500.00 元" in html
    second.refresh_from_db()
    assert second.state == "recommended"
