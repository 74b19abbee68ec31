"""Reads of the ledger: the engine's history, an applicant's awards, net amounts."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet, Sum

from .models import AwardEntry, CapBucket


def ledger_awards(*, policy: str, item: str) -> list[tuple[dict, Decimal]]:
    """The engine's history for one item of a policy: every award that still stands — the claim
    as the engine read it, and its net amount.

    All keys and caps of the policy are per item, so the awards of other items never change a
    decision and are left out. A revoked award nets to zero and drops out, freeing its key and cap.
    """
    net: dict[int, Decimal] = {}
    data: dict[int, dict] = {}
    rows = AwardEntry.objects.filter(policy=policy, item=item).order_by("id")
    for claim_id, kind, amount, claim_data in rows.values_list("claim_id", "kind", "amount", "claim_data"):
        net[claim_id] = net.get(claim_id, Decimal(0)) + amount
        if kind == AwardEntry.GRANT:
            data[claim_id] = claim_data
    return [(data[cid], amount) for cid, amount in net.items() if amount > 0 and cid in data]


def award_net(*, claim) -> Decimal:
    total = AwardEntry.objects.filter(claim=claim).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0.00")


def awards_of_applicant(*, applicant) -> QuerySet[AwardEntry]:
    return AwardEntry.objects.filter(applicant=applicant).select_related("claim").order_by("id")


def cap_buckets_of(*, groups) -> QuerySet[CapBucket]:
    """The buckets of cap groups (a group's name holds its ledger scope, so it names one bucket
    even when a successor policy shares it)."""
    return CapBucket.objects.filter(group__in=list(groups)).order_by("group")
