"""The claims per state kept by the database (claims/state_counts.py) always equal a count of the
claims themselves: after submissions and every later move, a claim created with `bulk_create`,
one changed or deleted by raw SQL, and a submission at the turn of the year in the zone's time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from ipfund.web.claims.models import Claim, StateCount
from ipfund.web.claims.state_counts import state_counts
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample


def counted(**filters) -> dict[str, int]:
    """The same figure counted over the claims (drafts left out), as the dashboard once did."""
    claims = Claim.objects.exclude(state="draft").filter(**filters)
    return dict(claims.values_list("state").annotate(n=Count("id")).order_by())


def test_counts_follow_every_move_of_a_claim(staff, open_round, applicant):
    claims = [flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme")) for _ in range(4)]
    draft = flow.draft_from_sample(applicant("enterprise", sme=True), sample("custody_sme"))
    assert state_counts() == counted() == {"submitted": 4}
    assert state_counts(submitted_only=False)["draft"] == 1 and draft.state == "draft"
    flow.advance(claims[0], "approved", staff)
    flow.advance(claims[1], "recommended", staff)
    year = timezone.localdate().year
    assert state_counts() == counted() == {"submitted": 2, "recommended": 1, "approved": 1}
    assert state_counts(policy=claims[0].policy, round_id=open_round.pk, year=year) == counted(
        policy=claims[0].policy, round_id=open_round.pk, submitted_at__year=year)
    assert state_counts(year=year - 1) == {} and state_counts(policy="another-policy") == {}


def test_counts_hold_for_bulk_inserts_and_raw_sql(staff, open_round, applicant):
    claim = flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme"))
    copies = [Claim(applicant=claim.applicant, round=open_round, policy=claim.policy, item=claim.item,
                    event_date=claim.event_date, facts=claim.facts, state="submitted", submitted_at=timezone.now())
              for _ in range(3)]
    Claim.objects.bulk_create(copies)
    assert state_counts() == counted() == {"submitted": 4}
    with connection.cursor() as cursor:
        cursor.execute("UPDATE claims_claim SET state = 'rejected' WHERE id = %s", [copies[0].pk])
        cursor.execute("UPDATE claims_claim SET state = state WHERE id = %s", [copies[1].pk])  # no change
        cursor.execute("DELETE FROM claims_claim WHERE id = %s", [copies[2].pk])
        cursor.execute("UPDATE claims_claim SET round_id = NULL WHERE id = %s", [copies[1].pk])
    assert state_counts() == counted() == {"submitted": 2, "rejected": 1}
    assert state_counts(round_id=open_round.pk) == counted(round_id=open_round.pk) == {"submitted": 1, "rejected": 1}


def test_the_year_is_the_zones_year_of_submission(staff, open_round, applicant):
    claim = flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme"))
    # 2025-12-31 17:30 UTC is 2026-01-01 01:30 in Asia/Shanghai: a claim of 2026.
    Claim.objects.filter(pk=claim.pk).update(submitted_at=dt.datetime(2025, 12, 31, 17, 30, tzinfo=dt.timezone.utc))
    assert state_counts(year=2026) == counted(submitted_at__year=2026) == {"submitted": 1}
    assert state_counts(year=2025) == counted(submitted_at__year=2025) == {}


def test_no_row_is_left_negative_or_duplicated(staff, open_round, applicant):
    for _ in range(3):
        flow.advance(flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme")), "approved", staff)
    rows = list(StateCount.objects.values_list("policy", "round_key", "year", "state", "n"))
    assert all(n >= 0 for *_, n in rows)
    assert len({r[:4] for r in rows}) == len(rows)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_moves_in_opposite_directions_neither_deadlock_nor_lose_a_count(staff, open_round, applicant):
    # Claims returned for correction while others are resubmitted, in parallel transactions:
    # each moves between the same two count rows in the opposite direction.
    from concurrent.futures import ThreadPoolExecutor

    from django.db import transaction

    claims = [flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme")) for _ in range(16)]
    Claim.objects.filter(pk__in=[c.pk for c in claims[8:]]).update(state="returned")
    ids = [c.pk for c in claims]

    def move(pk: int) -> None:
        try:
            with transaction.atomic():
                claim = Claim.objects.select_for_update().get(pk=pk)
                claim.state = "returned" if claim.state == "submitted" else "submitted"
                claim.save(update_fields=["state"])
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(move, ids * 3))
    assert state_counts() == counted() == {"submitted": 8, "returned": 8}


@pytest.mark.django_db(transaction=True)
def test_a_count_row_is_not_held_while_the_transaction_waits_for_other_locks(staff, open_round, applicant):
    # The deadlock seen at province scale, made on purpose: A takes a lock (as an approval takes
    # the audit chain) and then moves a claim; B moves a claim between the same states and then
    # waits for A's lock. Were B's count rows locked at its change, A would wait for them while B
    # waits for A. Locked at commit, both go through, and the counts are right.
    import threading

    from django.db import transaction

    from ipfund.web.rounds.models import ApplicationRound

    claims = [flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme")) for _ in range(2)]
    a_locked, b_moved = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def move(pk: int) -> None:
        claim = Claim.objects.select_for_update().get(pk=pk)
        claim.state = "returned"
        claim.save(update_fields=["state"])

    def lock_round():
        ApplicationRound.objects.select_for_update().get(pk=open_round.pk)

    def a() -> None:
        try:
            with transaction.atomic():
                lock_round()
                a_locked.set()
                b_moved.wait(10)
                move(claims[0].pk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def b() -> None:
        try:
            a_locked.wait(10)
            with transaction.atomic():
                move(claims[1].pk)
                b_moved.set()
                lock_round()  # waits until A commits
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            b_moved.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert state_counts() == counted() == {"returned": 2}
