"""The public notice and the calculator on a phone (375 px wide): nothing wider than the screen."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.notices.services import notice_publish
from ipfund.web.engine_door import default_policy
from ipfund.web.rounds.services import round_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def published(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    staff = flow.create_staff()
    flow.no_budget(staff, default_policy().id)  # approvals need a budget or a recorded 不设预算
    now = timezone.now()
    round_create(actor=staff.admin, name="2026年第二批", opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30),
                 items=list(default_policy().items))
    company = flow.new_applicant("enterprise", sme=True, name="肇庆高新区星辰新材料科技股份有限公司（第二分公司）")
    claims = [
        flow.advance(flow.submitted_from_sample(company, sample("custody_sme")), "approved", staff),
        flow.advance(flow.submitted_from_sample(flow.new_applicant("person", name="陈志明"), sample("patent_attorney")), "approved", staff),
    ]
    return notice_publish(actor=staff.reviewer, claims=claims)


def _page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_notice_and_calculator_fit_a_phone(browser, live_server, published):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    for name, url in [("notice", f"/notices/{published.pk}/"), ("notices", "/notices/"), ("calculator", "/calculator/?kind=enterprise&item=custody_sme")]:
        page.goto(url)
        page.screenshot(path=str(SHOTS / f"phone-{name}.png"), full_page=True)
        scroll, _inner = _page_width(page)
        assert scroll <= 375, f"{url}: {scroll}px wide on a 375px screen"
    context.close()
