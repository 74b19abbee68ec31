"""The policy sandbox (政策沙盘) in a real browser: a finance officer writes a scenario that raises one
amount (专利代理师一次性资助 5,000 → 8,000 元) and lowers a cap (托管补助每家每年上限 10,000 → 2,000 元
from 2023-01-01), runs it over two years of awards and a pending claim, reads its cost by item and
year in the chart, and downloads the Excel file. The ledger is not touched."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from ipfund.web.demo import flow
from ipfund.web.demo.flow import STAFF_PASSWORDS, create_staff, new_applicant
from ipfund.web.demo.samples import sample
from ipfund.web.engine_door import default_policy
from ipfund.web.ledger.models import AwardEntry
from ipfund.web.rounds.services import round_create
from ipfund.web.sandbox.models import ScenarioRun
from ipfund.web.sandbox.services import parse_settings, run_now, scenario_create

from .test_journey import sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _own_checkpoint(settings, tmp_path):
    settings.IPFUND_CHECKPOINT_DIR = tmp_path / "checkpoints"


def _awards_in(year: int, staff, variant: int) -> None:
    """Two custody subsidies (¥3,000 each) and a patent attorney grant (¥5,000), approved in ``year``."""
    moment = timezone.make_aware(dt.datetime(year, 6, 1, 10, 0))
    with flow.clock_at(moment):
        flow.no_budget(staff, default_policy().id, year=year)
        round_create(actor=staff.admin, name=f"{year}年第一批", opens_at=moment - dt.timedelta(days=1),
                     closes_at=moment + dt.timedelta(days=30), items=list(default_policy().items))
        for v in (variant, variant + 1):
            sme = new_applicant("enterprise", sme=True)
            flow.advance(flow.submitted_from_sample(sme, sample("custody_sme", v)), "approved", staff)
        flow.advance(flow.submitted_from_sample(new_applicant("person"), sample("patent_attorney", variant)), "approved", staff)


def test_a_budget_officer_reads_the_cost_of_a_scenario_by_item_and_year(new_context, screenshots, tmp_path):
    staff = create_staff()
    this_year = timezone.localdate().year
    _awards_in(this_year - 2, staff, 0)
    _awards_in(this_year - 1, staff, 3)
    now = timezone.now()
    flow.no_budget(staff, default_policy().id)
    round_create(actor=staff.admin, name=f"{this_year}年第一批", opens_at=now - dt.timedelta(days=1),
                 closes_at=now + dt.timedelta(days=30), items=list(default_policy().items))
    flow.submitted_from_sample(new_applicant("enterprise", sme=True, name="肇庆待审科技有限公司"), sample("custody_sme", 7))
    ledger = list(AwardEntry.objects.values_list("pk", "amount"))

    page = new_context()
    sign_in(page, "finance", STAFF_PASSWORDS["finance"])
    submit(page, page.get_by_role("link", name="政策沙盘", exact=True))
    submit(page, page.locator("#new-scenario"))
    page.fill("#id_name", "提高代理师资助、降低托管上限")
    page.select_option("#id_param_1", "patent_attorney.amount")
    page.fill("#id_value_1", "8000")
    page.select_option("#id_param_2", "custody_sme.cap_per_year")
    page.fill("#id_value_2", "2000")
    page.fill("#id_start_2", "2023-01-01")
    screenshots(page, "sandbox-new")
    submit(page, page.locator("#create-scenario"))
    assert "专利代理师一次性资助：8,000.00 元（全部日期）" in page.inner_text("#scenario-changes")
    submit(page, page.locator("#run-scenario"))
    page.wait_for_selector("#run-totals", timeout=60000)  # the page refreshes itself until the job is done
    page.wait_for_selector("#chart-item-year svg")
    screenshots(page, "sandbox-run")

    # base: 2 years × (3,000 + 3,000 + 5,000) + 3,000 pending = 25,000; scenario: 2 × (2,000 + 2,000 + 8,000) + 2,000
    assert page.inner_text("#total-base") == "¥25,000.00"
    assert page.inner_text("#total-scenario") == "¥26,000.00"
    assert page.inner_text("#total-delta") == "¥1,000.00"
    years = page.inner_text("#by-year")
    assert f"{this_year - 2} 年" in years and f"{this_year - 1} 年" in years and f"{this_year} 年" in years
    items = page.inner_text("#by-item")
    assert "专利代理师资助" in items and "¥6,000.00" in items and "-¥5,000.00" in items
    chart = page.inner_text("#chart-item-year")
    assert "中小微企业知识产权托管补助" in chart and "专利代理师资助" in chart and f"{this_year - 1} 年" in chart

    with page.expect_download() as info:
        page.click("#run-excel")
    path = tmp_path / "沙盘.xlsx"
    info.value.save_as(str(path))
    book = load_workbook(path)
    rows = list(book["按年度"].iter_rows(values_only=True))
    assert rows[0] == ("预算年度", "件数", "金额变化件数", "现行规则金额（元）", "情景金额（元）", "增减（元）")
    assert [r[0] for r in rows[1:]] == [f"{this_year - 2} 年", f"{this_year - 1} 年", f"{this_year} 年", "合计"]
    assert [Decimal(str(v)) for v in rows[-1][3:]] == [25000, 26000, 1000]
    assert sum(Decimal(str(r[5])) for r in rows[1:-1]) == Decimal(str(rows[-1][5]))
    assert list(AwardEntry.objects.values_list("pk", "amount")) == ledger
    first = ScenarioRun.objects.get()
    assert first.state == ScenarioRun.DONE

    # a second idea, run from the command line's service, read beside the first
    other = scenario_create(actor=None, name="只降低托管上限", policy=default_policy().id,
                            overrides=parse_settings(["custody_sme.cap_per_year=2000@2023-01-01"]))
    run_now(actor=None, scenario=other)
    page.reload()
    submit(page, page.locator("#compare-run"))
    page.wait_for_selector("#chart-compare svg")
    screenshots(page, "sandbox-compare")
    assert "只降低托管上限" in page.inner_text("#right-total") or "只降低托管上限" in page.inner_text("#compare-totals")
    items = page.inner_text("#compare-by_item")
    assert "¥6,000.00" in items and "-¥5,000.00" in items
    assert list(AwardEntry.objects.values_list("pk", "amount")) == ledger
    page.goto("/staff/sandbox/")
    assert "只降低托管上限" in page.inner_text("#runs") and "已完成" in page.inner_text("#runs")
    screenshots(page, "sandbox-list")
