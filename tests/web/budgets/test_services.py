"""Budgets: set by an administrator (audited), counted at approval under a lock, warnings at 80% and 100%."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ipfund.web.audit.models import AuditEvent
from django.test import Client
from django.urls import reverse

from ipfund.web.budgets.models import Budget, BudgetWaiver
from ipfund.web.budgets.selectors import LEVEL_EXHAUSTED, LEVEL_OK, LEVEL_WARNING, budget_status, budget_warnings
from ipfund.web.budgets.services import (
    AMOUNT_INVALID, BUDGET_MISSING, ONLY_ADMIN, WAIVER_EXISTS, WAIVER_NOTE_REQUIRED, BudgetExceeded, BudgetMissing, budget_set,
    budget_waive,
)
from ipfund.web.claims.models import Claim
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.ledger.models import AwardEntry
from ipfund.web.ledger.services import award_revoke
from ipfund.web.engine_door import default_policy, policy_named
from ipfund.web.review.services import approval_approve, review_recommend

pytestmark = pytest.mark.django_db

SUCCESSOR = Path(__file__).resolve().parents[2] / "fixtures" / "policies" / "fictional-successor-2025"


@pytest.fixture
def successor_installed(monkeypatch):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(SUCCESSOR))
    return "fictional-successor-2025"


def recommended_custody(applicant, n: int) -> list[Claim]:
    """``n`` ¥3,000.00 custody claims of ``n`` SMEs, recommended and waiting for approval."""
    claims = []
    for _ in range(n):
        claim = flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme"))
        claims.append(claim)
    return claims


def year() -> int:
    return timezone.localdate().year


def test_admin_sets_and_changes_a_budget_audited(staff):
    policy = default_policy().id
    budget = budget_set(actor=staff.admin, policy=policy, year=year(), amount="18,000", note="区财政预算")
    assert budget.amount == Decimal("18000.00")
    budget_set(actor=staff.admin, policy=policy, year=year(), amount="20000.50")
    assert Budget.objects.count() == 1 and Budget.objects.get().amount == Decimal("20000.50")
    events = list(AuditEvent.objects.filter(action="budget_set").order_by("seq"))
    assert len(events) == 2
    assert events[1].before["amount"] == "18000.00" and events[1].after["amount"] == "20000.50"


@pytest.mark.parametrize("amount", ["0", "-5", "1.234", "abc", "", "NaN"])
def test_budget_amount_must_be_money(staff, amount):
    with pytest.raises(ValidationError) as err:
        budget_set(actor=staff.admin, policy=default_policy().id, year=year(), amount=amount)
    assert err.value.message_dict["amount"] == [AMOUNT_INVALID]
    assert Budget.objects.count() == 0


def test_only_an_administrator_sets_budgets(staff):
    for user in (staff.finance, staff.approver, staff.reviewer):
        with pytest.raises(PermissionDenied, match=ONLY_ADMIN):
            budget_set(actor=user, policy=default_policy().id, year=year(), amount="1000")


def test_approval_beyond_the_annual_budget_is_refused_and_nothing_is_written(staff, open_round, applicant):
    budget_set(actor=staff.admin, policy=default_policy().id, year=year(), amount="7000")
    first, second, third = [flow.advance(c, "recommended", staff) for c in recommended_custody(applicant, 3)]
    approval_approve(actor=staff.approver, claim=first)
    approval_approve(actor=staff.approver, claim=second)
    with pytest.raises(BudgetExceeded) as err:
        approval_approve(actor=staff.approver, claim=third)
    message = err.value.messages[0]
    assert f"{year()} 年度资金预算" in message and "剩余 1000.00 元" in message and "本次 3000.00 元" in message
    third.refresh_from_db()
    assert third.state == "recommended" and third.approved_amount is None
    assert not AwardEntry.objects.filter(claim=third).exists()
    status = budget_status(Budget.objects.get())
    assert (status.committed, status.remaining, status.level) == (Decimal("6000.00"), Decimal("1000.00"), LEVEL_WARNING)


def test_a_round_budget_is_checked_besides_the_annual_one(staff, open_round, applicant):
    policy = default_policy().id
    budget_set(actor=staff.admin, policy=policy, year=year(), amount="1000000")
    budget_set(actor=staff.admin, policy=policy, year=year(), amount="3000", round=open_round)
    first, second = [flow.advance(c, "recommended", staff) for c in recommended_custody(applicant, 2)]
    assert first.round_id == open_round.pk
    approval_approve(actor=staff.approver, claim=first)
    with pytest.raises(BudgetExceeded, match=f"申报批次“{open_round.name}”的资金预算"):
        approval_approve(actor=staff.approver, claim=second)
    statuses = {s.budget.round_id: s for s in budget_warnings(policy=policy, on=timezone.localdate(), round_id=open_round.pk)}
    assert list(statuses) == [open_round.pk] and statuses[open_round.pk].level == LEVEL_EXHAUSTED


def test_a_revocation_gives_the_budget_back(staff, open_round, applicant):
    budget_set(actor=staff.admin, policy=default_policy().id, year=year(), amount="3000")
    first, second = [flow.advance(c, "recommended", staff) for c in recommended_custody(applicant, 2)]
    approval_approve(actor=staff.approver, claim=first)
    assert budget_status(Budget.objects.get()).level == LEVEL_EXHAUSTED
    award_revoke(actor=staff.reviewer, claim=first, reason="异议成立")
    assert budget_status(Budget.objects.get()).level == LEVEL_OK
    approval_approve(actor=staff.approver, claim=second)
    assert budget_status(Budget.objects.get()).committed == Decimal("3000.00")


def test_no_budget_means_no_limit_and_no_warning(staff, open_round, applicant):
    (claim,) = [flow.advance(c, "recommended", staff) for c in recommended_custody(applicant, 1)]
    approval_approve(actor=staff.approver, claim=claim)
    assert budget_warnings(policy=default_policy().id, on=timezone.localdate()) == []


def test_a_budget_of_another_year_does_not_count(staff, open_round, applicant):
    budget_set(actor=staff.admin, policy=default_policy().id, year=year() - 1, amount="100")
    (claim,) = [flow.advance(c, "recommended", staff) for c in recommended_custody(applicant, 1)]
    assert approval_approve(actor=staff.approver, claim=claim).approved_amount == Decimal("3000.00")


def test_the_demo_sets_this_years_budget_with_its_warning_showing():
    from ipfund.web.demo.loader import load_demo

    load_demo()
    status = budget_status(Budget.objects.get(year=year()))
    assert status.level == LEVEL_WARNING and Decimal("80") <= status.percent < Decimal("90")


# --- an approval needs a budget or a recorded 不设预算 (issue 21 item 2) ---------------------


def test_an_approval_under_a_policy_and_year_without_a_budget_is_refused(open_round, staff, applicant):
    """The finding replayed: approvals under a policy with no budget passed silently."""
    BudgetWaiver.objects.all().delete()  # the policy and year have neither a budget nor 不设预算
    (claim,) = recommended_custody(applicant, 1)
    claim = review_recommend(actor=staff.reviewer, claim=claim)
    with pytest.raises(BudgetMissing) as err:
        approval_approve(actor=staff.approver, claim=claim)
    assert err.value.messages == [BUDGET_MISSING.format(title=default_policy().title, year=year())]
    claim.refresh_from_db()
    assert claim.state == "recommended" and not AwardEntry.objects.exists()
    # the approver's page says so beside the claim
    client = Client()
    client.force_login(staff.approver)
    page = client.post(reverse("portal:claim_action", args=[claim.pk, "approve"]), follow=True).content.decode()
    assert "尚未设置资金预算，不能审定" in page
    # an administrator records 不设预算 (audited): the approval goes on
    waiver = budget_waive(actor=staff.admin, policy=default_policy().id, year=year(), note="据实列支，不设年度上限")
    event = AuditEvent.objects.filter(action="budget_waive").latest("id")
    assert event.actor == staff.admin and event.after["note"] == "据实列支，不设年度上限" and event.object_id == str(waiver.pk)
    assert approval_approve(actor=staff.approver, claim=claim).state == "approved"


def test_a_round_budget_alone_lets_its_claims_be_approved(open_round, staff, applicant):
    BudgetWaiver.objects.all().delete()
    budget_set(actor=staff.admin, policy=default_policy().id, year=year(), amount="100000", round=open_round)
    (claim,) = recommended_custody(applicant, 1)
    assert flow.advance(claim, "approved", staff).state == "approved"


def test_only_an_administrator_records_no_budget_and_says_why(staff):
    policy = default_policy().id
    with pytest.raises(PermissionDenied):
        budget_waive(actor=staff.finance, policy=policy, year=year(), note="x")
    with pytest.raises(ValidationError) as err:
        budget_waive(actor=staff.admin, policy=policy, year=year(), note="  ")
    assert err.value.message_dict["note"] == [WAIVER_NOTE_REQUIRED]
    budget_waive(actor=staff.admin, policy=policy, year=year(), note="据实列支")
    budget = budget_set(actor=staff.admin, policy=policy, year=year(), amount="50000")
    assert not BudgetWaiver.objects.exists()  # the budget replaced it, audited
    assert AuditEvent.objects.filter(action="budget_waiver_replaced", after={"budget": budget.pk}).exists()
    with pytest.raises(ValidationError) as err:
        budget_waive(actor=staff.admin, policy=policy, year=year(), note="据实列支")
    assert err.value.message_dict["year"] == [WAIVER_EXISTS]


def test_the_budgets_page_records_no_budget(staff):
    client = Client()
    client.force_login(staff.admin)
    url = reverse("portal:admin_budgets")
    refused = client.post(url, {"action": "waive", "waiver-policy": default_policy().id, "waiver-year": str(year()), "waiver-note": ""})
    assert "请填写不设预算的理由" in refused.content.decode() and not BudgetWaiver.objects.exists()
    done = client.post(url, {"action": "waive", "waiver-policy": default_policy().id, "waiver-year": str(year()),
                             "waiver-note": "据实列支，不设年度上限"}, follow=True)
    html = done.content.decode()
    assert "已记录“不设预算”" in html and "据实列支，不设年度上限" in html
    assert BudgetWaiver.objects.get().set_by == staff.admin


def test_the_dashboard_lists_every_policy_with_its_budget(staff, successor_installed):
    """The finding replayed: a policy with no budget (and no awards) was missing from the dashboard."""
    budget_set(actor=staff.admin, policy=default_policy().id, year=year(), amount="80000")
    client = Client()
    client.force_login(staff.finance)
    html = client.get(reverse("portal:statistics"), {"year": str(year())}).content.decode()
    table = html[html.index('id="by-policy"'):]
    table = table[:table.index("</table>")]
    successor = policy_named(successor_installed)
    assert default_policy().title in table and successor.title in table
    assert f"{year()} 年度预算 80,000.00 元" in table
    assert f"{year()} 年度未设预算：审定将被拒绝" in table


def test_a_grant_counts_in_the_year_of_its_approval_and_its_revocation_too(staff, open_round, applicant):
    """Committed is read by the approval's year (ledger/0004's index): a grant approved last
    December counts in last year's budget, not this year's, and its revocation this January
    takes it out of last year's, the year it counted in."""
    import datetime as dt

    from ipfund.web.budgets.selectors import committed

    this = year()
    last_year = budget_set(actor=staff.admin, policy=default_policy().id, year=this - 1, amount="100000")
    this_year = budget_set(actor=staff.admin, policy=default_policy().id, year=this, amount="100000")
    december, another = [flow.advance(c, "recommended", staff) for c in recommended_custody(applicant, 2)]
    with flow.clock_at(dt.datetime(this - 1, 12, 31, 23, 0, tzinfo=timezone.get_current_timezone())):
        approval_approve(actor=staff.approver, claim=december)
    approval_approve(actor=staff.approver, claim=another)
    assert (committed(last_year), committed(this_year)) == (Decimal("3000.00"), Decimal("3000.00"))
    award_revoke(actor=staff.reviewer, claim=december, reason="异议成立")
    assert (committed(last_year), committed(this_year)) == (Decimal("0.00"), Decimal("3000.00"))
    assert AwardEntry.objects.filter(kind=AwardEntry.REVERSAL).get().created_at.year == this


def test_the_running_total_follows_grants_revocations_and_reductions(staff, open_round, applicant):
    """Budget.committed (what an approval reads, under the row lock) moves with every grant,
    revocation and reduction of the year and of the round, and always equals the ledger's sum."""
    from ipfund.web.budgets.selectors import committed
    from ipfund.web.reconcile import audit_reconcile
    from ipfund.web.ledger.services import award_reduce

    policy = default_policy().id
    annual = budget_set(actor=staff.admin, policy=policy, year=year(), amount="20000")
    per_round = budget_set(actor=staff.admin, policy=policy, year=year(), amount="15000", round=open_round)
    claims = [flow.advance(c, "recommended", staff) for c in recommended_custody(applicant, 3)]
    for claim in claims:
        approval_approve(actor=staff.approver, claim=claim)

    def totals():
        return [Budget.objects.get(pk=b.pk).committed for b in (annual, per_round)]

    assert totals() == [Decimal("9000.00"), Decimal("9000.00")]
    award_revoke(actor=staff.admin, claim=claims[0], reason="核查不实")
    award_reduce(actor=staff.admin, claim=claims[1], amount=Decimal("1234.56"), reason="按同一比例核减")
    assert totals() == [Decimal("4765.44"), Decimal("4765.44")]
    assert totals() == [committed(Budget.objects.get(pk=b.pk)) for b in (annual, per_round)]
    # (the revoked claim's state is the revocation flow's business; the budgets agree with the ledger)
    assert not [d for d in audit_reconcile().differences if "资金预算" in d]


def test_a_budget_set_after_awards_starts_from_the_ledger_and_reconcile_names_a_drift(staff, open_round, applicant):
    from ipfund.web.reconcile import audit_reconcile

    policy = default_policy().id
    flow.no_budget(staff, policy)
    claim = flow.advance(recommended_custody(applicant, 1)[0], "recommended", staff)
    approval_approve(actor=staff.approver, claim=claim)
    budget = budget_set(actor=staff.admin, policy=policy, year=year(), amount="100000", round=open_round)
    assert Budget.objects.get(pk=budget.pk).committed == Decimal("3000.00")
    assert audit_reconcile().ok
    Budget.objects.filter(pk=budget.pk).update(committed=Decimal("2000.00"))
    result = audit_reconcile()
    assert not result.ok
    assert f"资金预算（《{default_policy().title}》申报批次“{open_round.name}”）记载已审定 2000.00 元，台账合计 3000.00 元。" in result.message
