"""The pages and the API with two policies installed: the expired 2022 policy and its fictional
successor (in force until 2027-01-17). Everything a person sees names the policy it applies —
title, 文号, validity and state from the package — and defaults to the policy in force."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ipfund.web.api.services import api_token_create
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.rounds.models import ApplicationRound
from tests.web.ledger.test_successor_policy import NEW, OLD, successor, two_rounds  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

OLD_TITLE = "肇庆高新区关于加强知识产权工作的若干意见"
NEW_TITLE = "肇庆高新区知识产权高质量发展若干措施（虚构·测试用）"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_home_lists_both_policies_with_their_state_and_dates(successor):  # noqa: F811
    page = text(Client().get("/").content.decode())
    assert f"{NEW_TITLE} 虚构高管办〔2025〕1号 2025年1月18日至2027年1月17日 现行" in page
    assert f"{OLD_TITLE} 肇高管办〔2022〕2号 2022年1月18日至2025年1月17日 已失效" in page
    # The footer cites the policy in force, not the expired one.
    footer = re.search(r'<p id="footer-policies">(.*?)</p>', Client().get("/").content.decode(), re.S).group(1)
    assert NEW_TITLE in footer and OLD_TITLE not in footer


def test_policy_page_and_calculator_default_to_the_policy_in_force(successor):  # noqa: F811
    page = Client().get(reverse("portal:policy")).content.decode()
    assert "高价值专利组合培育资助" in page and "现行" in page
    old = Client().get(reverse("portal:policy") + f"?policy={OLD}").content.decode()
    assert "专利代理师" in old and "已失效" in old and "高价值专利组合培育资助" not in old

    asked = {"kind": "enterprise", "item": "custody_sme", "event_date": "2025-06-01", "in_zone": "true", "sme": "true",
             "facts-service_year": "2025", "facts-actual_cost": "10000", "evaluate": "1"}
    new = text(Client().get(reverse("portal:calculator"), asked).content.decode())
    assert "¥6,000.00" in new  # 60% under the successor
    under_old = text(Client().get(reverse("portal:calculator"), {**asked, "policy": OLD, "event_date": "2024-06-01",
                                                                 "facts-service_year": "2024"}).content.decode())
    assert "¥5,000.00" in under_old  # 50% under the 2022 policy


def test_what_can_i_claim_puts_the_policy_in_force_first(successor, applicant):  # noqa: F811
    company = applicant("enterprise", sme=True)
    html = signed_in(company).get(reverse("portal:eligible")).content.decode()
    assert html.index('id="policy-fictional-successor-2025"') < html.index('id="policy-zhaoqing-hitech-ip-2022"')
    assert "该政策已于 2025年1月17日 失效，目前没有受理其申报的批次" in html
    assert f'href="/me/claims/new/{NEW}/custody_sme/"' in html


def test_admin_opens_a_round_for_the_successor_on_its_own_page(staff, successor):  # noqa: F811
    admin = signed_in(staff.admin)
    page = admin.get(reverse("portal:admin_rounds") + f"?policy={NEW}").content.decode()
    assert "高价值专利组合培育资助" in page and "专利代理师" not in page
    now = timezone.localtime()
    form = {"policy": NEW, "name": "2026年新政策第一批", "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
            "items": ["high_value_portfolio", "custody_sme"]}
    response = admin.post(reverse("portal:admin_rounds") + f"?policy={NEW}", form)
    assert response.status_code == 302
    rnd = ApplicationRound.objects.get(name="2026年新政策第一批")
    assert (rnd.policy, rnd.items) == (NEW, ["high_value_portfolio", "custody_sme"])
    listing = text(admin.get(reverse("portal:admin_rounds")).content.decode())
    assert f"2026年新政策第一批 {NEW_TITLE}" in listing


def test_claim_pages_show_the_claims_own_policy(staff, two_rounds, applicant):  # noqa: F811
    company = applicant("enterprise")
    claim = flow.submitted_from_sample(company, sample("china_patent_award"), policy=NEW, event_date=dt.date(2026, 5, 1),
                                       facts={"patent_number": "ZL202010000002.1", "level": "gold"})
    mine = text(signed_in(company).get(reverse("portal:claim_detail", args=[claim.pk])).content.decode())
    assert NEW_TITLE in mine and "¥400,000.00" in mine
    theirs = text(signed_in(staff.reviewer).get(reverse("portal:staff_claim", args=[claim.pk])).content.decode())
    assert NEW_TITLE in theirs and "¥400,000.00" in theirs and "300,000" not in theirs
    # The version it was decided under: the date of the successor's latest document (its amendment).
    assert "计算所依据的政策版本：2025年12月1日版（校验码 " in theirs
    queue = text(signed_in(staff.reviewer).get(reverse("portal:review_queue") + f"?item={NEW}:china_patent_award")
                 .content.decode())
    assert "中国专利奖奖励" in queue and claim.reference in queue


def test_api_lists_policies_and_creates_a_claim_under_the_one_named(client, successor, two_rounds, applicant):  # noqa: F811
    listed = {p["id"]: p for p in client.get("/api/policies").json()}
    assert listed[NEW]["state"] == "in_force" and listed[NEW]["state_label"] == "现行"
    assert listed[OLD]["state"] == "expired" and listed[OLD]["valid_until"] == "2025-01-17"
    assert listed[NEW]["continues"] == OLD and listed[NEW]["version"]
    items = {i["id"] for i in client.get(f"/api/items?policy={NEW}").json()}
    assert "high_value_portfolio" in items and "patent_attorney" not in items
    assert client.get("/api/items?policy=nope").status_code == 404

    company = applicant("enterprise")
    secret = api_token_create(actor=company, name="ERP")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = {"policy": NEW, "item": "china_patent_award", "event_date": "2026-05-01",
            "facts": {"patent_number": "ZL202010000002.1", "level": "gold"}}
    made = client.post("/api/claims", body, content_type="application/json", **auth)
    assert made.status_code == 201, made.content
    assert (made.json()["policy"], made.json()["policy_title"]) == (NEW, NEW_TITLE)
    assert made.json()["policy_version"]
    unnamed = client.post("/api/claims", {**body, "policy": None}, content_type="application/json", **auth)
    assert unnamed.status_code == 400 and "policy" in unnamed.json()["errors"]
    unknown = client.post("/api/claims", {**body, "policy": "nope"}, content_type="application/json", **auth)
    assert unknown.status_code == 400 and unknown.json()["errors"]["policy"] == ["未安装的政策：nope。"]
