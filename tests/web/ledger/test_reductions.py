"""Reductions: part of a standing award taken back (a pro-rata cut, a cancelled installment, a
recovery in proportion). The award stands, smaller: its key stays held, its cap buckets and its
budget free the amount cut, the index of names nets it, and reconcile agrees with all of it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ipfund.web.audit.models import AuditEvent
from ipfund.web.budgets.models import Budget
from ipfund.web.budgets.selectors import budget_status
from ipfund.web.budgets.services import budget_set
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.engine_door import default_policy
from ipfund.web.ledger.models import AwardEntry, CapBucket, LedgerName
from ipfund.web.reconcile import audit_reconcile
from ipfund.web.ledger.selectors import award_net, bucket_amounts, held_keys
from ipfund.web.ledger.services import award_reduce, award_revoke
from ipfund.web.review.services import approval_approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(staff, open_round, applicant):
    """A ¥3,000.00 custody award of an SME, under a 10,000 budget of this year."""
    budget_set(actor=staff.admin, policy=default_policy().id, year=timezone.localdate().year, amount="10000")
    claim = flow.advance(flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme")),
                         "recommended", staff)
    approval_approve(actor=staff.approver, claim=claim)
    claim.refresh_from_db()
    return claim


def test_a_reduction_cuts_the_award_and_frees_its_cap_and_budget(staff, approved):
    grant = AwardEntry.objects.get(claim=approved)
    used_before = {b.group: b.used for b in CapBucket.objects.filter(group__in=grant.cap_groups)}
    assert used_before and all(u == Decimal("3000.00") for u in used_before.values())

    entry = award_reduce(actor=staff.finance, claim=approved, amount=Decimal("1200.50"), reason="按同一比例核减")

    assert (entry.kind, entry.amount, entry.reduces_id) == (AwardEntry.REDUCTION, Decimal("-1200.50"), grant.pk)
    assert award_net(claim=approved) == Decimal("1799.50")
    assert {b.group: b.used for b in CapBucket.objects.filter(group__in=grant.cap_groups)} == {
        g: Decimal("1799.50") for g in used_before}
    assert budget_status(Budget.objects.get()).committed == Decimal("1799.50")
    # The index of names nets the cut; the key is still held: the award stands.
    names = list(grant.names.values_list("name", flat=True))
    buckets = bucket_amounts(n for n in names)
    assert buckets and set(buckets.values()) == {Decimal("1799.50")}
    if grant.duplicate_key:
        keys = grant.names.filter(kind=LedgerName.KEY).values_list("name", flat=True)
        assert set(held_keys(keys)) == set(keys)
    event = AuditEvent.objects.get(action="award_reduce")
    assert event.after["reduced_by"] == "1200.50" and event.after["amount"] == "1799.50"
    assert event.before["amount"] == "3000.00" and event.after["reason"] == "按同一比例核减"
    assert audit_reconcile().ok, audit_reconcile().differences


def test_a_reduction_then_a_revocation_take_back_exactly_the_award(staff, approved):
    grant = AwardEntry.objects.get(claim=approved)
    award_reduce(actor=staff.finance, claim=approved, amount=Decimal("1000"), reason="第二期未通过验收")
    award_reduce(actor=staff.finance, claim=approved, amount=Decimal("500"), reason="追回（按剩余期限比例）")
    reversal = award_revoke(actor=staff.reviewer, claim=approved, reason="承诺未履行，全部追回")
    assert reversal.amount == Decimal("-1500.00")
    assert award_net(claim=approved) == 0
    assert all(b.used == 0 for b in CapBucket.objects.filter(group__in=grant.cap_groups))
    assert budget_status(Budget.objects.get()).committed == Decimal("0.00")
    keys = list(grant.names.filter(kind=LedgerName.KEY).values_list("name", flat=True))
    assert held_keys(keys) == {}
    approved.refresh_from_db()
    approved.state = "revoked"  # what the claim's revocation flow records beside the ledger
    approved.save(update_fields=["state"])
    result = audit_reconcile()
    assert result.ok, result.differences


@pytest.mark.parametrize("amount, field", [
    (Decimal("0"), "amount"), (Decimal("-5"), "amount"), (Decimal("0.001"), "amount"),
    (Decimal("3000.00"), "amount"), (Decimal("3500"), "amount"),
])
def test_a_reduction_that_is_not_a_part_is_refused_naming_the_field(staff, approved, amount, field):
    with pytest.raises(ValidationError) as err:
        award_reduce(actor=staff.finance, claim=approved, amount=amount, reason="核减")
    assert field in err.value.message_dict
    message = err.value.message_dict[field][0]
    assert "核减金额" in message
    assert award_net(claim=approved) == Decimal("3000.00")
    assert not AwardEntry.objects.filter(kind=AwardEntry.REDUCTION).exists()


def test_a_reduction_needs_a_reason(staff, approved):
    with pytest.raises(ValidationError) as err:
        award_reduce(actor=staff.finance, claim=approved, amount=Decimal("1"), reason="  ")
    assert err.value.message_dict["reason"] == ["请填写核减原因。"]


def test_a_revoked_award_cannot_be_reduced(staff, approved):
    award_revoke(actor=staff.reviewer, claim=approved, reason="异议成立")
    with pytest.raises(ValidationError, match="没有可撤销的资助"):
        award_reduce(actor=staff.finance, claim=approved, amount=Decimal("1"), reason="核减")


def test_the_database_refuses_a_reduction_of_nothing_and_a_change_to_one(staff, approved):
    grant = AwardEntry.objects.get(claim=approved)
    fields = dict(claim=approved, applicant=grant.applicant, policy=grant.policy, item=grant.item,
                  claim_data=grant.claim_data, created_by=staff.finance)
    with pytest.raises(IntegrityError), transaction.atomic():
        AwardEntry.objects.create(kind=AwardEntry.REDUCTION, amount=Decimal("-1"), **fields)  # reduces nothing
    with pytest.raises(IntegrityError), transaction.atomic():
        AwardEntry.objects.create(kind=AwardEntry.REDUCTION, amount=Decimal("1"), reduces=grant, **fields)  # positive
    entry = award_reduce(actor=staff.finance, claim=approved, amount=Decimal("1"), reason="核减")
    # The insert-only triggers survived the migration that rebuilt the table (ledger/0005).
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_awardentry SET amount = -2 WHERE id = %s", [entry.pk])


def test_the_dashboard_dates_an_entry_by_its_grants_approval_in_the_zones_time(staff, open_round, applicant):
    """A cut made this year of an award approved last December counts in last December; an award
    approved at 00:30 on 1 January, Beijing time (still 31 December in UTC), counts in January.
    The dashboard reads the ledger's totals, kept by the database (ledger/totals.py)."""
    import datetime as dt

    from ipfund.web.ledger.models import AwardTotal
    from ipfund.web.statistics.selectors import Filters, dashboard, years_with_data

    zone, this = timezone.get_current_timezone(), timezone.localdate().year
    for year in (this - 1, this):
        budget_set(actor=staff.admin, policy=default_policy().id, year=year, amount="100000")
    december, new_year = [flow.advance(flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme")),
                                       "recommended", staff) for _ in range(2)]
    with flow.clock_at(dt.datetime(this - 1, 12, 20, 10, tzinfo=zone)):
        approval_approve(actor=staff.approver, claim=december)
    with flow.clock_at(dt.datetime(this, 1, 1, 0, 30, tzinfo=zone)):
        approval_approve(actor=staff.approver, claim=new_year)
    award_reduce(actor=staff.finance, claim=december, amount=Decimal("1000.00"), reason="按同一比例核减")

    last_year, this_year = dashboard(Filters(year=this - 1)), dashboard(Filters(year=this))
    assert last_year.committed == Decimal("2000.00") and this_year.committed == Decimal("3000.00")
    assert [(r.key, r.committed, r.count) for r in last_year.by_month if r.count] == [("12", Decimal("2000.00"), 1)]
    assert [(r.key, r.committed, r.count) for r in this_year.by_month if r.count] == [("1", Decimal("3000.00"), 1)]
    assert [(r.label, r.committed) for r in dashboard(Filters()).by_year] == [
        (f"{this - 1} 年", Decimal("2000.00")), (f"{this} 年", Decimal("3000.00"))]
    assert {this - 1, this} <= set(years_with_data())
    # The totals agree with the entries they sum, to the fen.
    assert sum(t.fen for t in AwardTotal.objects.all()) == 500000


def test_reconcile_finds_the_dashboards_totals_changed_behind_the_ledgers_back(staff, approved):
    from ipfund.web.ledger.models import AwardTotal

    assert audit_reconcile().ok
    AwardTotal.objects.filter(item=approved.item).update(fen=1)
    result = audit_reconcile()
    assert not result.ok
    assert any("统计汇总中" in d and "台账记录合计 3000.00 元（1 笔）" in d for d in result.differences), result.differences
