"""The 资金分配 page: the approver sees a quota's ranking so far (the exact averages, who is still
unscored), fills it from the page, and then sees who was selected."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from ipfund.web.allocation.models import QuotaFill
from ipfund.web.claims.workflow import State
from ipfund.web.demo import flow

from .test_services import close, county, scored_cases  # noqa: F401 - county is a fixture

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
