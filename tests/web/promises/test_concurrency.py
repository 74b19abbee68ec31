"""Recovery exact under parallel postings (threads, one connection each; run on PostgreSQL with
DATABASE_URL): ten ¥10,000 repayments against a ¥50,000 case at the same instant — exactly five
recorded, nothing owed, nothing over-repaid; and breaches recorded while other awards of the same
item are approved and other recoveries repaid, the ledger and the budget exact and reconcile clean."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from ipfund.web.budgets.selectors import budget_statuses
from ipfund.web.budgets.services import budget_set
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.engine_door import default_policy
from ipfund.web.ledger.models import AwardEntry
from ipfund.web.reconcile import audit_reconcile
from ipfund.web.promises.models import RecoveryCase, Repayment
from ipfund.web.promises.services import recovery_open, recovery_repay
from ipfund.web.review.services import approval_approve

from ipfund.web.demo.promises import paid_promise


def all_at_once(calls) -> list:
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def work(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except Exception as exc:  # collected and asserted on below
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def _breach(staff, promise):
    return lambda: recovery_open(actor=staff.reviewer, promise=promise, breach="deregistered",
                                 breached_on=timezone.localdate() - dt.timedelta(days=10), note="企业已注销登记。",
                                 upload=flow.pdf_upload("注销公告.pdf"))


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_repayments_never_repay_more_than_is_owed(staff, open_round, applicant):
    promise = paid_promise(staff, applicant("service_agency"))
    case = _breach(staff, promise)()
    today = timezone.localdate()
    outcomes = all_at_once([
        (lambda n=n: recovery_repay(actor=staff.finance, case=case, amount="10000.00", paid_on=today, reference=f"HD-{n}"))
        for n in range(10)
    ])
    done = [o for o in outcomes if isinstance(o, Repayment)]
    refused = [o for o in outcomes if not isinstance(o, Repayment)]
    assert len(done) == 5 and len(refused) == 5
    assert all("已结案" in str(o) or "超过尚未归还" in str(o) for o in refused), refused
    case.refresh_from_db()
    assert Repayment.objects.filter(case=case).aggregate(s=Sum("amount"))["s"] == Decimal("50000.00")
    assert case.outstanding == 0 and case.state == RecoveryCase.SETTLED
    result = audit_reconcile()
    assert result.ok, result.message


@pytest.mark.django_db(transaction=True)
def test_breaches_and_approvals_of_the_same_item_at_once_keep_ledger_and_budget_exact(staff, open_round, applicant):
    policy, year = default_policy().id, timezone.localdate().year
    budget_set(actor=staff.admin, policy=policy, year=year, amount="1000000")
    promises = [paid_promise(staff, applicant("service_agency"), i=i) for i in range(3)]
    waiting = []
    for i in range(3, 7):
        claim = flow.submitted_from_sample(applicant("service_agency"), sample("agency_establishment", i))
        waiting.append(flow.advance(claim, "recommended", staff))
    calls = [_breach(staff, p) for p in promises] + [
        (lambda c=c: approval_approve(actor=staff.approver, claim=c)) for c in waiting]
    # The same breach twice at once: one case, one reversal.
    calls.append(_breach(staff, promises[0]))
    outcomes = all_at_once(calls)
    cases = [o for o in outcomes if isinstance(o, RecoveryCase)]
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(cases) == 3 and len(errors) == 1 and "不能再登记违反" in str(errors[0]), errors
    net = AwardEntry.objects.filter(item="agency_establishment").aggregate(s=Sum("amount"))["s"]
    assert net == Decimal("200000.00")  # four new awards of 5万 stand; the three recovered net to nothing
    [status] = budget_statuses(year=year, policy=policy)
    assert status.committed == Decimal("200000.00")
    result = audit_reconcile()
    assert result.ok, result.message
