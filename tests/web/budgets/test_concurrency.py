"""Parallel approvals against one budget: the budget row is locked in the approval's transaction.

Ten ¥3,000 custody claims of ten SMEs (so no cap is shared) approved at the same instant against
a ¥16,000 annual budget: exactly five are funded, five refused with the budget message, and the
ledger never carries more than the budget. On SQLite (IMMEDIATE transactions) and, with
DATABASE_URL=postgres://…, on PostgreSQL (SELECT … FOR UPDATE).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from ipfund.web.budgets.models import Budget
from ipfund.web.budgets.selectors import budget_status
from ipfund.web.budgets.services import BudgetExceeded, budget_set
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.ledger.models import AwardEntry
from ipfund.web.engine_door import default_policy
from ..ledger.test_concurrency import approve_all_at_once


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_approvals_never_exceed_the_budget(staff, open_round, applicant):
    budget_set(actor=staff.admin, policy=default_policy().id, year=timezone.localdate().year, amount="16000")
    claims = [
        flow.advance(flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme")), "recommended", staff)
        for _ in range(10)
    ]

    outcomes = approve_all_at_once(claims, staff.approver)

    approved = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, BudgetExceeded)]
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, BudgetExceeded)]
    assert unexpected == []
    assert len(approved) == 5 and len(refused) == 5
    assert all("年度资金预算" in r.messages[0] for r in refused)
    assert AwardEntry.objects.aggregate(s=Sum("amount"))["s"] == Decimal("15000.00")
    status = budget_status(Budget.objects.get())
    assert status.committed == Decimal("15000.00") <= status.budget.amount


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_approvals_against_a_round_budget_on_postgres(staff, open_round, applicant):
    policy = default_policy().id
    budget_set(actor=staff.admin, policy=policy, year=timezone.localdate().year, amount="9000", round=open_round)
    claims = [
        flow.advance(flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme")), "recommended", staff)
        for _ in range(6)
    ]
    outcomes = approve_all_at_once(claims, staff.approver)
    assert sum(1 for o in outcomes if not isinstance(o, Exception)) == 3
    assert all(isinstance(o, BudgetExceeded) for o in outcomes if isinstance(o, Exception))
    assert AwardEntry.objects.filter(claim__round=open_round).aggregate(s=Sum("amount"))["s"] == Decimal("9000.00")
