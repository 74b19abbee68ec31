"""The 资金分配 page: the approver sees a quota's ranking so far (the exact averages, who is still
unscored), fills it from the page, and then sees who was selected; a clerk (初审人员) types the
panel's scores into the quota's sheet, checked and audited like the API, until it is filled; a
budget cut once says why it cannot be cut again."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from ipfund.web.allocation.models import QuotaFill, QuotaScore
from ipfund.web.audit.models import AuditEvent
from ipfund.web.claims.workflow import State
from ipfund.web.demo import flow

from .test_services import close, county, scored_cases, submitted, three_awards_over_budget  # noqa: F401 - county is a fixture

pytestmark = pytest.mark.django_db


def test_the_approver_fills_a_quota_from_the_page(staff, applicant, county):  # noqa: F811
    flow.no_budget(staff, "fictional-county-fund-2026")
    claims = scored_cases(staff, applicant, county, [("80", "90"), ("95", None)])
    client = Client()
    client.force_login(staff.approver)
    page = client.get("/staff/allocation/").content.decode()
    assert "优秀案例奖励择优支持名额" in page and "名额 5 个" in page
    assert page.index(claims[1].reference) < page.index(claims[0].reference)  # 95.00 before 85.00
    assert "85.00" in page and "95.00" in page
    close(county)
    year = str(timezone.localdate().year)  # the year its round closed (close() moved it to now)
    done = client.post("/staff/allocation/quota/", {"policy": "fictional-county-fund-2026", "quota": "excellent_case_best",
                                                    "year": year, "round": ""}, follow=True)
    assert "已按评审排名确定名额：入选 2 件，未入选 0 件" in done.content.decode()
    assert QuotaFill.objects.count() == 1
    again = client.post("/staff/allocation/quota/", {"policy": "fictional-county-fund-2026", "quota": "excellent_case_best",
                                                     "year": year}, follow=True)
    assert "不能再次确定" in again.content.decode()
    assert all(c.state == State.RECOMMENDED for c in claims)
    assert Client().get("/staff/allocation/").status_code == 302


POLICY, QUOTA = "fictional-county-fund-2026", "excellent_case_best"


def test_a_clerk_enters_the_panels_scores_on_the_page_until_the_quota_is_filled(staff, applicant, county):  # noqa: F811
    flow.no_budget(staff, POLICY)
    claims = [flow.advance(submitted(applicant("enterprise"), "excellent_case", {"case_title": f"案例{i}"}), "recommended", staff)
              for i in range(3)]
    sheet = {"policy": POLICY, "quota": QUOTA, "year": str(county.closes_at.year), "round": ""}  # the year its round closes
    clerk = Client()
    clerk.force_login(staff.reviewer)
    page = clerk.get("/staff/allocation/").content.decode()
    assert "录入评分" in page and all(f'name="value-{c.pk}"' in page for c in claims)
    assert "按同一比例核减" not in page.split("择优名额")[0]  # the pro-rata part is the approver's

    # Two bad values: nothing is saved, each error names the claim and the field, the typed values stay.
    bad = clerk.post("/staff/allocation/quota/scores/", {**sheet, f"value-{claims[0].pk}": "101",
                                                         f"value-{claims[1].pk}": "八十", f"value-{claims[2].pk}": "88.5"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert f"申报 {claims[0].reference} 的评分：评分应为 0 至 100 之间、最多两位小数的数字。" in text
    assert f"申报 {claims[1].reference} 的评分：评分应为 0 至 100 之间、最多两位小数的数字。" in text
    assert 'value="八十"' in text and 'value="88.5"' in text
    assert not QuotaScore.objects.exists() and not AuditEvent.objects.filter(action="quota_score").exists()
    third = clerk.post("/staff/allocation/quota/scores/", {**sheet, f"value-{claims[0].pk}": "90.125"})
    assert f"申报 {claims[0].reference} 的评分" in third.content.decode() and "最多两位小数" in third.content.decode()

    done = clerk.post("/staff/allocation/quota/scores/", {**sheet, f"value-{claims[0].pk}": "90", f"value-{claims[1].pk}": "85.5",
                                                          f"value-{claims[2].pk}": "88.25"}, follow=True)
    assert "已保存 3 件申报的评分" in done.content.decode()
    assert {s.claim_id: s.value for s in QuotaScore.objects.filter(scorer=staff.reviewer)} == {
        claims[0].pk: Decimal("90.00"), claims[1].pk: Decimal("85.50"), claims[2].pk: Decimal("88.25")}
    # Changed before the fill: one more audited entry with the value before and after.
    clerk.post("/staff/allocation/quota/scores/", {**sheet, f"value-{claims[1].pk}": "95"})
    changed = AuditEvent.objects.filter(action="quota_score").order_by("-pk").first()
    assert changed.before == {"value": "85.50"} and changed.after["value"] == "95"
    assert AuditEvent.objects.filter(action="quota_score").count() == 4

    approver = Client()
    approver.force_login(staff.approver)
    ranking = approver.get("/staff/allocation/").content.decode().split("评分人数")[1]  # the ranking table
    assert ranking.index(claims[1].reference) < ranking.index(claims[0].reference) < ranking.index(claims[2].reference)  # 95, 90, 88.25
    close(county)
    sheet["year"] = str(timezone.localdate().year)  # the year its round closed (close() moved it to now)
    approver.post("/staff/allocation/quota/", {**sheet}, follow=True)
    assert QuotaFill.objects.count() == 1

    after = clerk.get("/staff/allocation/").content.decode()
    assert "按排名确定，评分不能再修改" in after and f'name="value-{claims[0].pk}"' not in after
    late = clerk.post("/staff/allocation/quota/scores/", {**sheet, f"value-{claims[0].pk}": "99"}, follow=True)
    assert "不能再次确定" in late.content.decode()
    assert QuotaScore.objects.get(claim=claims[0]).value == Decimal("90.00")
    assert Client().post("/staff/allocation/quota/scores/", sheet).status_code == 302  # signed out: the login page
    finance = Client()
    finance.force_login(staff.finance)
    assert finance.post("/staff/allocation/quota/scores/", sheet).status_code == 403


def test_a_budget_cut_once_says_why_it_is_not_cut_again(staff, applicant, county):  # noqa: F811
    budget, _ = three_awards_over_budget(staff, applicant, county)
    close(county)
    client = Client()
    client.force_login(staff.approver)
    first = client.post(f"/staff/allocation/{budget.pk}/apply/", follow=True).content.decode()
    assert "已按同一比例核减：比例 0.833333" in first
    assert f'id="allocation-once-{budget.pk}"' in first and "每个预算的资金分配只办理一次" in first
    again = client.post(f"/staff/allocation/{budget.pk}/apply/", follow=True).content.decode()
    assert "不能再次核减。每个预算的资金分配只办理一次" in again


def test_within_the_budget_the_approver_confirms_no_cut_and_payments_go_on(staff, applicant, county):  # noqa: F811
    from ipfund.web.allocation.services import payment_waits_for_allocation
    from ipfund.web.budgets.services import budget_set

    budget = budget_set(actor=staff.admin, policy=POLICY, year=timezone.localdate().year, amount="500000")
    claim = flow.advance(submitted(applicant("enterprise"), "ipms_cert", {"certificate_no": "C-1"}), "approved", staff)
    close(county)
    client = Client()
    client.force_login(staff.approver)
    page = client.get("/staff/allocation/").content.decode()
    assert "未超出预算，无需核减" in page and "确认无需核减" in page
    done = client.post(f"/staff/allocation/{budget.pk}/apply/", follow=True).content.decode()
    assert "已确认：审定总额 30000.00 元未超过预算 500000.00 元，无需核减，资金分配已办理，可以拨付。" in done
    assert f'id="allocation-once-{budget.pk}"' in done and payment_waits_for_allocation(claim) is None
