"""Allocation after the round on the platform, with the fictional county fund (第十一条 择优 at
most 5 excellent cases a year by the experts' scores; 第十二条 over the year's budget every award
cut by one ratio). The figures were worked out by hand first:

Budget 150,000.00; approved 100,000 (示范企业) + 50,000 (优势企业) + 30,000 (认证) = 180,000.00:
ratio 5/6 ≈ 0.833333. 100,000 × 5/6 = 83,333.333… → 83,333.33; 50,000 × 5/6 = 41,666.666… →
41,666.66; 30,000 × 5/6 = 25,000.00. Floors 149,999.99: 1 fen left, to the largest dropped
fraction (0.666… fen, the 50,000 award) under C3's default → 41,666.67; left unallocated under
C3=unallocated (0.01 stays in the budget). Cuts 16,666.67 / 8,333.33 / 5,000.00.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ipfund.web.accounts.services import staff_user_create
from ipfund.web.allocation.models import ProRataCut, ProRataLine, QuotaPlace
from ipfund.web.allocation.services import (
    payment_waits_for_allocation, pro_rata_apply, pro_rata_preview, quota_fill, quota_score,
)
from ipfund.web.audit.actions import AuditAction
from ipfund.web.audit.models import AuditEvent
from ipfund.web.budgets.models import Budget
from ipfund.web.budgets.services import budget_set
from ipfund.web.claims.services import claim_draft_create, claim_submit
from ipfund.web.claims.workflow import State
from ipfund.web.demo import flow
from ipfund.web.ledger.models import AwardEntry
from ipfund.web.reconcile import audit_reconcile
from ipfund.web.ledger.selectors import award_net
from ipfund.web.review.services import approval_approve
from ipfund.web.rounds.models import ApplicationRound
from ipfund.web.rounds.services import interpretation_choose, round_create

pytestmark = pytest.mark.django_db

COUNTY = "fictional-county-fund-2026"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "policies"


@pytest.fixture
def county(monkeypatch, staff):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))
    now = timezone.now()
    return round_create(actor=staff.admin, policy=COUNTY, name="2026年县专项资金批次", opens_at=now - dt.timedelta(days=1),
                        closes_at=now + dt.timedelta(days=30),
                        items=["invention_grant", "ip_title", "ipms_cert", "custody", "navigation", "excellent_case"])


def submitted(user, item, facts, day=dt.date(2026, 3, 1)):
    claim = claim_draft_create(actor=user, item=item, event_date=day, facts=facts, policy=COUNTY)
    flow.attach_all_evidence(user, claim)
    return claim_submit(actor=user, claim=claim)


def close(rnd):
    ApplicationRound.objects.filter(pk=rnd.pk).update(opens_at=timezone.now() - dt.timedelta(days=2),
                                                      closes_at=timezone.now() - dt.timedelta(minutes=1))


def three_awards_over_budget(staff, applicant, county):
    budget = budget_set(actor=staff.admin, policy=COUNTY, year=timezone.localdate().year, amount="150000")
    claims = [flow.advance(submitted(applicant("enterprise"), "ip_title", {"title_level": "demonstration"}), "approved", staff),
              flow.advance(submitted(applicant("enterprise"), "ip_title", {"title_level": "advantage"}), "approved", staff),
              flow.advance(submitted(applicant("enterprise"), "ipms_cert", {"certificate_no": "C-1"}), "approved", staff)]
    return budget, claims


def test_approvals_past_a_pro_rata_budget_go_on_and_the_bureau_cuts_after_the_round(staff, applicant, county):
    budget, claims = three_awards_over_budget(staff, applicant, county)
    # Not refused by the budget (the text says 按同一比例核减): the running total went past it.
    assert Budget.objects.get(pk=budget.pk).committed == Decimal("180000.00")
    preview = pro_rata_preview(actor=staff.approver, budget=budget)
    assert preview.plan.ratio_text == "0.833333" and preview.remainder_rule == "largest_remainder"
    assert [(line.amount, line.after) for line in preview.plan.lines] == [
        (Decimal("100000.00"), Decimal("83333.33")), (Decimal("50000.00"), Decimal("41666.67")),
        (Decimal("30000.00"), Decimal("25000.00"))]
    assert not ProRataCut.objects.exists()  # a preview writes nothing

    with pytest.raises(ValidationError) as refused:
        pro_rata_apply(actor=staff.approver, budget=budget)
    assert "尚未截止" in refused.value.messages[0]
    assert "资金分配尚未办理，办理后才能拨付" in payment_waits_for_allocation(claims[0])

    close(county)
    cut = pro_rata_apply(actor=staff.approver, budget=budget)
    assert (cut.ratio, cut.after_total, cut.unallocated) == ("0.833333", Decimal("150000.00"), Decimal("0.00"))
    assert [award_net(claim=c) for c in claims] == [Decimal("83333.33"), Decimal("41666.67"), Decimal("25000.00")]
    reductions = AwardEntry.objects.filter(kind=AwardEntry.REDUCTION).order_by("id")
    assert [e.amount for e in reductions] == [Decimal("-16666.67"), Decimal("-8333.33"), Decimal("-5000.00")]
    assert all("核减比例 0.833333" in e.reason for e in reductions)
    line = ProRataLine.objects.get(claim=claims[1])
    assert "本项原审定 50000.00 元，按比例计算后舍去不足 1 分的部分为 41666.66 元，按尾差规则补 0.01 元，为 41666.67 元" in line.explanation
    assert "150000.00 ÷ 180000.00 ≈ 0.833333" in line.explanation and "逐项补 0.01 元" in line.explanation
    assert Budget.objects.get(pk=budget.pk).committed == Decimal("150000.00")
    assert AuditEvent.objects.filter(action="allocation_pro_rata").count() == 1
    assert AuditEvent.objects.filter(action="award_reduce").count() == 3
    assert payment_waits_for_allocation(claims[0]) is None
    assert audit_reconcile().ok, audit_reconcile().message

    with pytest.raises(ValidationError) as again:
        pro_rata_apply(actor=staff.approver, budget=budget)
    assert "不能再次核减" in again.value.messages[0]
    assert AwardEntry.objects.filter(kind=AwardEntry.REDUCTION).count() == 3


def test_the_remainder_left_unallocated_when_the_bureau_reads_the_text_so(staff, applicant, county):
    interpretation_choose(actor=staff.admin, policy=COUNTY, interpretation="C3", option="unallocated",
                          effective_from=dt.date(2026, 1, 1), reason="财政要求尾差留在预算中")
    budget, claims = three_awards_over_budget(staff, applicant, county)
    close(county)
    cut = pro_rata_apply(actor=staff.approver, budget=budget)
    assert (cut.after_total, cut.unallocated, cut.remainder_rule) == (Decimal("149999.99"), Decimal("0.01"), "unallocated")
    assert [award_net(claim=c) for c in claims] == [Decimal("83333.33"), Decimal("41666.66"), Decimal("25000.00")]
    assert "尾差规则：核减后尾差（不足 1 分的部分合计）不再分配，留在预算中" in ProRataLine.objects.get(claim=claims[1]).explanation


def test_within_the_budget_nothing_is_cut_and_only_the_approver_allocates(staff, applicant, county):
    """Within the budget the step confirms that nothing is cut: recorded and audited, no ledger
    entry, the payments that waited for the allocation go on; once, like a cut."""
    from django.core.exceptions import PermissionDenied

    budget = budget_set(actor=staff.admin, policy=COUNTY, year=timezone.localdate().year, amount="500000")
    claim = flow.advance(submitted(applicant("enterprise"), "ipms_cert", {"certificate_no": "C-1"}), "approved", staff)
    assert "资金分配尚未办理，办理后才能拨付" in payment_waits_for_allocation(claim)
    close(county)
    with pytest.raises(PermissionDenied):
        pro_rata_apply(actor=staff.reviewer, budget=budget)
    done = pro_rata_apply(actor=staff.approver, budget=budget)
    assert (done.ratio, done.approved_total, done.after_total, done.lines.count()) == ("1", Decimal("30000.00"), Decimal("30000.00"), 0)
    assert award_net(claim=claim) == Decimal("30000.00") and not AwardEntry.objects.filter(kind="reduction").exists()
    event = AuditEvent.objects.get(action="allocation_pro_rata")
    assert event.after["cut"] is False and event.after["note"] == "审定总额 30000.00 元未超过预算 500000.00 元，无需核减。"
    assert payment_waits_for_allocation(claim) is None
    with pytest.raises(ValidationError) as again:
        pro_rata_apply(actor=staff.approver, budget=budget)
    assert "确认审定总额未超过预算、无需核减" in again.value.messages[0] and "每个预算的资金分配只办理一次" in again.value.messages[0]


def test_a_budget_is_cut_once_and_later_approvals_must_fit_what_is_left(staff, applicant, county):
    """Once per budget is the rule: the cut is the budget's allocation (told, then paid). A second
    cut is refused saying why; an award approved after it (a late approval) is no longer carried
    past the budget uncut: it is refused by the budget (0.00 left) until a top-up covers it, and the
    top-up does not give the cut awards anything back."""
    budget, claims = three_awards_over_budget(staff, applicant, county)
    late = flow.advance(submitted(applicant("enterprise"), "ipms_cert", {"certificate_no": "C-8"}), "recommended", staff)
    close(county)
    pro_rata_apply(actor=staff.approver, budget=budget)
    with pytest.raises(ValidationError) as twice:
        pro_rata_apply(actor=staff.approver, budget=budget)
    assert "不能再次核减" in twice.value.messages[0] and "每个预算的资金分配只办理一次" in twice.value.messages[0]
    assert "追加的预算用于此后的审定，不补回已核减的资助" in twice.value.messages[0]
    assert ProRataCut.objects.count() == 1 and AwardEntry.objects.filter(kind="reduction").count() == 3
    with pytest.raises(ValidationError) as refused:
        approval_approve(actor=staff.approver, claim=late)
    text = refused.value.messages[0]
    assert "年度资金预算的资金分配已办理（按同一比例核减或确认无需核减）" in text and "剩余 0.00 元，本次 30000.00 元" in text
    assert not AwardEntry.objects.filter(claim=late).exists()
    budget_set(actor=staff.admin, policy=COUNTY, year=budget.year, amount="180000")
    approval_approve(actor=staff.approver, claim=late)
    assert award_net(claim=late) == Decimal("30000.00")
    assert [award_net(claim=c) for c in claims] == [Decimal("83333.33"), Decimal("41666.67"), Decimal("25000.00")]
    assert Budget.objects.get(pk=budget.pk).committed == Decimal("180000.00")
    result = audit_reconcile()
    assert result.ok, result.differences


def scored_cases(staff, applicant, county, scores):
    """One excellent-case claim per score list, recommended; each scorer's score entered."""
    second = staff_user_create(actor=None, username="expert2", password="Expert-pass-2026!", roles=["reviewer"])
    claims = []
    for i, (first_score, second_score) in enumerate(scores):
        claim = flow.advance(submitted(applicant("enterprise"), "excellent_case", {"case_title": f"案例{i}"}), "recommended", staff)
        quota_score(actor=staff.reviewer, claim=claim, value=first_score)
        if second_score is not None:
            quota_score(actor=second, claim=claim, value=second_score)
        claims.append(claim)
    return claims


# Seven cases; averages 90, 85 (second submitted), 85, 95, 70, 80, 60 → places: #3 (95) 1st,
# #0 (90) 2nd, #1 (85, submitted before #2) 3rd, #2 4th, #5 (80) 5th, #4 (70) 6th, #6 (60) 7th.
SCORES = [("90", "90"), ("80", "90"), ("85", None), ("95", "95"), ("70", "70"), ("75", "85"), ("60", "60")]


def test_a_quota_is_filled_from_the_panels_scores_not_by_who_came_first(staff, applicant, county):
    budget_set(actor=staff.admin, policy=COUNTY, year=timezone.localdate().year, amount="1000000")
    claims = scored_cases(staff, applicant, county, SCORES)
    with pytest.raises(ValidationError) as early:
        approval_approve(actor=staff.approver, claim=claims[0])
    assert "请先在“资金分配”中按评审排名确定名额" in early.value.messages[0]
    with pytest.raises(ValidationError):
        quota_fill(actor=staff.approver, policy=COUNTY, quota_id="excellent_case_best", year=timezone.localdate().year)
    close(county)
    fill = quota_fill(actor=staff.approver, policy=COUNTY, quota_id="excellent_case_best", year=timezone.localdate().year)
    places = {p.claim_id: (p.place, p.average, p.selected) for p in QuotaPlace.objects.filter(fill=fill)}
    assert places == {claims[3].pk: (1, "95.00", True), claims[0].pk: (2, "90.00", True), claims[1].pk: (3, "85.00", True),
                      claims[2].pk: (4, "85.00", True), claims[5].pk: (5, "80.00", True),
                      claims[4].pk: (6, "70.00", False), claims[6].pk: (7, "60.00", False)}
    for c in (claims[4], claims[6]):
        c.refresh_from_db()
        assert c.state == State.REJECTED
    assert "未入选（名额5个，排名第6）" in claims[4].decision_reason
    assert "未入选（名额5个，排名第7）" in claims[6].decision_reason
    for c in (claims[3], claims[0], claims[1], claims[2], claims[5]):
        approval_approve(actor=staff.approver, claim=c)
    assert AwardEntry.objects.filter(item="excellent_case", kind="grant").count() == 5
    with pytest.raises(ValidationError) as twice:
        quota_fill(actor=staff.approver, policy=COUNTY, quota_id="excellent_case_best", year=timezone.localdate().year)
    assert "不能再次确定" in twice.value.messages[0]
    assert AuditEvent.objects.filter(action="quota_fill").count() == 1
    assert AuditEvent.objects.filter(action="quota_score").count() == 13  # six cases scored twice, one once


def test_a_quota_waits_for_every_score_and_scores_are_checked(staff, applicant, county):
    claims = scored_cases(staff, applicant, county, [("90", None)])
    extra = flow.advance(submitted(applicant("enterprise"), "excellent_case", {"case_title": "未评分案例"}), "recommended", staff)
    with pytest.raises(ValidationError) as bad:
        quota_score(actor=staff.reviewer, claim=claims[0], value="101")
    assert bad.value.message_dict == {"value": ["评分应为 0 至 100 之间、最多两位小数的数字。"]}
    close(county)
    with pytest.raises(ValidationError) as unscored:
        quota_fill(actor=staff.approver, policy=COUNTY, quota_id="excellent_case_best", year=timezone.localdate().year)
    assert f"以下申报尚未评分（排序）：{extra.reference}" in unscored.value.messages[0]


def test_a_cut_award_paid_in_stages_keeps_each_installment_its_share(staff, applicant, county):
    """The county's 专利导航 subsidy (50,000.00 capped, paid 25,000.00 at approval and 25,000.00 after
    验收合格) cut by 5/6 with two other awards: 41,666.66 + 0.01 of the remainder = 41,666.67; the
    cut of 8,333.33 is shared by the unpaid installments in proportion (50%/50%), to the fen, the
    remainder on the last: 4,166.66 and 4,166.67, leaving 20,833.34 + 20,833.33; the explanation says so."""
    from ipfund.web.payments.models import Installment

    budget = budget_set(actor=staff.admin, policy=COUNTY, year=timezone.localdate().year, amount="150000")
    staged = flow.advance(submitted(applicant("enterprise"), "navigation", {"contract_no": "S-9", "contract_amount": "200000"}),
                          "approved", staff)
    others = [flow.advance(submitted(applicant("enterprise"), "ip_title", {"title_level": "demonstration"}), "approved", staff),
              flow.advance(submitted(applicant("enterprise"), "ipms_cert", {"certificate_no": "C-9"}), "approved", staff)]
    assert [i.amount for i in Installment.objects.filter(claim=staged).order_by("number")] == [
        Decimal("25000.00"), Decimal("25000.00")]
    close(county)
    pro_rata_apply(actor=staff.approver, budget=budget)
    assert award_net(claim=staged) == Decimal("41666.67")
    assert [award_net(claim=c) for c in others] == [Decimal("83333.33"), Decimal("25000.00")]
    assert [i.amount for i in Installment.objects.filter(claim=staged).order_by("number")] == [
        Decimal("20833.34"), Decimal("20833.33")]
    staged.refresh_from_db()
    explanation = staged.pro_rata_line.explanation
    assert "按未拨付各期的金额比例分摊" in explanation
    assert "第 1 期 25000.00 元核减 4166.66 元为 20833.34 元；第 2 期 25000.00 元核减 4166.67 元为 20833.33 元" in explanation
    reduced = AuditEvent.objects.filter(action=AuditAction.INSTALLMENT_REDUCE)
    assert sorted(e.after["reduced_by"] for e in reduced) == ["4166.66", "4166.67"]
    result = audit_reconcile()
    assert result.ok, result.differences


def test_the_decision_letter_states_the_cut_with_its_explanation(staff, applicant, county, tmp_path):
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("needs pdftotext (apt-get install poppler-utils)")
    from ipfund.web.documents.decision_letter import decision_letter_pdf

    budget, claims = three_awards_over_budget(staff, applicant, county)
    close(county)
    pro_rata_apply(actor=staff.approver, budget=budget)
    claims[1].refresh_from_db()
    path = tmp_path / "letter.pdf"
    with path.open("wb") as out:
        decision_letter_pdf(claims[1], out)
    text = "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "按同一比例核减" in text
    assert "150000.00÷180000.00≈0.833333" in text and "本项原审定50000.00元" in text
    assert "核减后资助人民币41,666.67元" in text or "核减后资助人民币41666.67元" in text
