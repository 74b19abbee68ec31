"""按同一比例核减 in a real browser (the fictional county fund, 第十二条): three awards of
100,000 + 50,000 + 30,000 approved past a 150,000 annual budget (the text says to cut, so the
approvals are not refused); after the round closes the approver previews the cut (ratio 0.833333,
every award before and after, the 1 fen of remainder to the largest dropped fraction) and applies
it; the applicant's claim page shows the amount after the cut and the explanation."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from ipfund.web.allocation.models import ProRataCut, QuotaFill, QuotaScore
from ipfund.web.budgets.services import budget_set
from ipfund.web.demo import flow
from ipfund.web.rounds.models import ApplicationRound
from ipfund.web.rounds.services import round_create

from .test_journey import sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policies"
COUNTY = "fictional-county-fund-2026"


def test_the_bureau_previews_and_applies_a_pro_rata_cut_and_the_applicant_reads_it(new_context, screenshots, monkeypatch):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))
    staff = flow.create_staff()
    now = timezone.now()
    rnd = round_create(actor=staff.admin, policy=COUNTY, name="2026年县专项资金批次", opens_at=now - dt.timedelta(days=1),
                       closes_at=now + dt.timedelta(days=30), items=["ip_title", "ipms_cert"])
    budget = budget_set(actor=staff.admin, policy=COUNTY, year=timezone.localdate().year, amount="150000",
                        note="县财政年度预算")
    companies = [flow.new_applicant("enterprise", name=n) for n in ("虚构县甲科技有限公司", "虚构县乙材料有限公司", "虚构县丙电子有限公司")]
    claims = [flow.advance(flow.submitted_from_sample(c, flow.Sample(item, "enterprise", dt.date(2026, 3, 5), facts),
                                                      policy=COUNTY), "approved", staff)
              for c, (item, facts) in zip(companies, (("ip_title", {"title_level": "demonstration"}),
                                                      ("ip_title", {"title_level": "advantage"}),
                                                      ("ipms_cert", {"certificate_no": "C-2026-01"})))]
    ApplicationRound.objects.filter(pk=rnd.pk).update(opens_at=now - dt.timedelta(days=40),
                                                      closes_at=now - dt.timedelta(minutes=5))

    approver = new_context()
    sign_in(approver, "approver", flow.STAFF_PASSWORDS["approver"])
    approver.goto("/staff/allocation/")
    assert approver.inner_text(f"#ratio-{budget.pk}") == "0.833333"
    assert approver.inner_text(f"#approved-total-{budget.pk}") == "¥180,000.00"
    table = approver.inner_text(f"#preview-{budget.pk}")
    assert "¥83,333.33" in table and "¥41,666.67（含尾差 0.01 元）" in table and "¥25,000.00" in table
    assert "¥150,000.00" in table
    screenshots(approver, "allocation-preview")
    approver.on("dialog", lambda dialog: dialog.accept())
    submit(approver, approver.locator(f"#apply-{budget.pk}"))
    assert "已按同一比例核减：比例 0.833333，3 项资助核减后合计 150000.00 元。" in approver.inner_text("main")
    assert approver.locator(f"#allocation-done-{budget.pk}").count() == 1
    assert "每个预算的资金分配只办理一次" in approver.inner_text(f"#allocation-once-{budget.pk}")
    screenshots(approver, "allocation-applied")
    assert ProRataCut.objects.count() == 1

    applicant = new_context()
    sign_in(applicant, companies[1].username, flow.APPLICANT_PASSWORD)
    applicant.goto(f"/me/claims/{claims[1].pk}/")
    assert applicant.inner_text("#pro-rata-amount") == "¥41,666.67"
    explanation = applicant.inner_text("#pro-rata-explanation")
    assert "第十二条" in explanation and "150000.00 ÷ 180000.00 ≈ 0.833333" in explanation
    assert "本项原审定 50000.00 元" in explanation and "按尾差规则补 0.01 元" in explanation and "核减后资助 41666.67 元" in explanation
    screenshots(applicant, "allocation-applicant")


def test_a_clerk_types_the_panels_scores_and_the_approver_fills_the_quota(new_context, screenshots, monkeypatch):
    """第十一条 (at most 5 excellent cases a year, by the experts' scores): the clerk (初审人员) types
    the panel's scores into the sheet; a bad one is refused naming the claim and the field and
    nothing is saved; corrected, they are saved; the approver fills the quota from them; the sheet
    is then read-only."""
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))
    staff = flow.create_staff()
    now = timezone.now()
    rnd = round_create(actor=staff.admin, policy=COUNTY, name="2026年县专项资金批次", opens_at=now - dt.timedelta(days=1),
                       closes_at=now + dt.timedelta(days=30), items=["excellent_case"])
    flow.no_budget(staff, COUNTY)
    companies = [flow.new_applicant("enterprise", name=n) for n in ("虚构县丁科技有限公司", "虚构县戊材料有限公司")]
    claims = [flow.advance(flow.submitted_from_sample(c, flow.Sample("excellent_case", "enterprise", dt.date(2026, 3, 5),
                                                                     {"case_title": f"案例{i}"}), policy=COUNTY), "recommended", staff)
              for i, c in enumerate(companies)]

    clerk = new_context()
    sign_in(clerk, "reviewer", flow.STAFF_PASSWORDS["reviewer"])
    clerk.goto("/staff/allocation/")
    clerk.fill(f"#value-{claims[0].pk}", "92.5")
    clerk.fill(f"#value-{claims[1].pk}", "100.5")
    submit(clerk, clerk.locator("#sheet-save-1"))
    errors = clerk.inner_text("#sheet-errors-1")
    assert f"申报 {claims[1].reference} 的评分：评分应为 0 至 100 之间、最多两位小数的数字。" in errors
    assert clerk.input_value(f"#value-{claims[0].pk}") == "92.5" and not QuotaScore.objects.exists()
    screenshots(clerk, "allocation-scores-refused")
    clerk.fill(f"#value-{claims[1].pk}", "88")
    submit(clerk, clerk.locator("#sheet-save-1"))
    assert "已保存 2 件申报的评分" in clerk.inner_text("main")
    assert clerk.input_value(f"#value-{claims[1].pk}") == "88"

    ApplicationRound.objects.filter(pk=rnd.pk).update(opens_at=now - dt.timedelta(days=40),
                                                      closes_at=now - dt.timedelta(minutes=5))
    approver = new_context()
    sign_in(approver, "approver", flow.STAFF_PASSWORDS["approver"])
    approver.goto("/staff/allocation/")
    approver.on("dialog", lambda dialog: dialog.accept())
    submit(approver, approver.locator("button", has_text="按排名确定名额"))
    assert "已按评审排名确定名额：入选 2 件，未入选 0 件" in approver.inner_text("main")
    assert QuotaFill.objects.count() == 1

    clerk.goto("/staff/allocation/")
    sheet = clerk.inner_text("#sheet-1")
    assert "评分不能再修改" in sheet and "92.5" in sheet and "88" in sheet
    assert clerk.locator(f"input#value-{claims[0].pk}").count() == 0
    screenshots(clerk, "allocation-scores-filled")
