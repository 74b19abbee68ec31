"""Parallel approvals against one cap and one duplicate key: the database keeps the rules.

Twenty ¥1,000 custody claims (50% of ¥2,000) of one SME in one service year, approved at the
same instant against the ¥10,000 yearly cap: exactly ten are funded, the others refused with
the cap message, the ledger never exceeds the cap, and nothing fails with a server error.
Runs on SQLite (IMMEDIATE transactions) and, with DATABASE_URL, on PostgreSQL (FOR UPDATE).
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.ledger.models import AwardEntry, CapBucket, DuplicateKey
from ipfund.web.ledger.services import AWARD_CAP_REACHED, AWARD_DUPLICATE, AwardRefused
from ipfund.web.review.services import approval_approve


def approve_all_at_once(claims, approver) -> list:
    """Approve every claim in its own thread, released together; the outcome of each."""
    return all_at_once([lambda c=c: approval_approve(actor=approver, claim=c) for c in claims])


def all_at_once(jobs) -> list:
    """Run every job in its own thread, released together; the outcome (result or exception) of each."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def work(i, job):
        try:
            barrier.wait()
            outcomes[i] = job()
        except Exception as exc:  # collected and asserted on below
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_approvals_against_one_cap(staff, open_round, applicant):
    sme = applicant("enterprise", sme=True)
    facts = {"service_year": 2023, "actual_cost": "2000"}
    claims = []
    for i in range(20):
        claim = flow.submitted_from_sample(sme, sample("custody_sme", i), facts=facts)
        claims.append(flow.advance(claim, "recommended", staff))
    assert all(c.recommended_amount == Decimal("1000.00") for c in claims)

    outcomes = approve_all_at_once(claims, staff.approver)

    approved = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, AwardRefused)]
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, AwardRefused)]
    assert unexpected == []
    assert len(approved) == 10 and len(refused) == 10
    assert {r.messages[0] for r in refused} == {AWARD_CAP_REACHED}
    assert AwardEntry.objects.filter(item="custody_sme").aggregate(s=Sum("amount"))["s"] == Decimal("10000.00")
    bucket = CapBucket.objects.get(item="custody_sme")
    assert (bucket.used, bucket.cap) == (Decimal("10000.00"), Decimal("10000.00"))


@pytest.mark.django_db(transaction=True)
def test_partial_room_is_paid_partly_under_the_lock(staff, open_round, applicant):
    sme = applicant("enterprise", sme=True)
    claims = []
    for i, cost in enumerate(["14000", "14000"]):  # 7,000 each against 10,000
        claim = flow.submitted_from_sample(sme, sample("custody_sme", i), facts={"service_year": 2023, "actual_cost": cost})
        claims.append(flow.advance(claim, "recommended", staff))
    outcomes = approve_all_at_once(claims, staff.approver)
    amounts = sorted(o.approved_amount for o in outcomes if not isinstance(o, Exception))
    assert amounts == [Decimal("3000.00"), Decimal("7000.00")]


@pytest.mark.django_db(transaction=True)
def test_same_patent_by_five_applicants_at_once_is_funded_once(staff, open_round, applicant):
    claims = []
    for _ in range(5):
        user = applicant("enterprise")
        claim = flow.submitted_from_sample(user, sample("china_patent_award", 7))
        claims.append(flow.advance(claim, "recommended", staff))

    outcomes = approve_all_at_once(claims, staff.approver)

    approved = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, AwardRefused)]
    assert len(approved) == 1 and len(refused) == 4, outcomes
    assert {r.messages[0] for r in refused} == {AWARD_DUPLICATE}
    assert AwardEntry.objects.filter(item="china_patent_award").count() == 1
    assert DuplicateKey.objects.filter(item="china_patent_award", released_by__isnull=True).count() == 1
