"""按同一比例核减 in a real browser (the fictional county fund, 第十二条): three awards of
100,000 + 50,000 + 30,000 approved past a 150,000 annual budget (the text says to cut, so the
approvals are not refused); after the round closes the approver previews the cut (ratio 0.833333,
every award before and after, the 1 fen of remainder to the largest dropped fraction) and applies
it; the applicant's claim page shows the amount after the cut and the explanation."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from ipfund.web.allocation.models import ProRataCut
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
