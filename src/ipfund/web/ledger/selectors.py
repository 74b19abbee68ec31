"""Reads of the ledger: the keys and buckets a decision looks up, an applicant's awards, net amounts."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet, Sum

from .models import AwardEntry, CapBucket, LedgerName


def held_keys(names) -> dict[str, tuple[int, dict]]:
    """The duplicate keys among `names` that a standing award holds: name → (the holding claim's
    pk, the claim as the engine read it). Looked up by name (indexed): the cost does not grow with
    the ledger."""
    names = list(names)
    if not names:
        return {}
    held = (LedgerName.objects.filter(kind=LedgerName.KEY, name__in=names).values("name", "entry__claim_id")
            .annotate(net=Sum("amount")).filter(net__gt=0).values_list("name", "entry__claim_id"))
    held = list(held)
    data = dict(AwardEntry.objects.filter(claim_id__in={c for _, c in held}, kind=AwardEntry.GRANT)
                .values_list("claim_id", "claim_data"))
    return {name: (claim_id, data[claim_id]) for name, claim_id in held}


def bucket_amounts(names) -> dict[str, Decimal]:
    """What the awards filed under the buckets among `names` add up to (cap buckets: used;
    top-up and matter buckets: paid); buckets no award was filed under are left out."""
    names = list(names)
    if not names:
        return {}
    rows = (LedgerName.objects.filter(kind=LedgerName.BUCKET, name__in=names).values("name")
            .annotate(total=Sum("amount")).values_list("name", "total"))
    return {name: total for name, total in rows}


def filed_buckets(*, entry) -> frozenset[str]:
    """Every bucket name an award was filed under in the index (under each option)."""
    return frozenset(LedgerName.objects.filter(entry=entry, kind=LedgerName.BUCKET).values_list("name", flat=True))


def standing_grant(*, claim) -> tuple[AwardEntry | None, Decimal]:
    """The claim's grant and its net amount (0 once revoked), or (None, 0)."""
    grant = AwardEntry.objects.filter(claim=claim, kind=AwardEntry.GRANT).first()
    return grant, (award_net(claim=claim) if grant is not None else Decimal("0.00"))


def award_net(*, claim) -> Decimal:
    total = AwardEntry.objects.filter(claim=claim).aggregate(total=Sum("amount"))["total"]
    return Decimal(total or 0).quantize(Decimal("0.01"))  # to the fen on every database


def awards_of_applicant(*, applicant) -> QuerySet[AwardEntry]:
    return AwardEntry.objects.filter(applicant=applicant).select_related("claim").order_by("id")


def cap_buckets_of(*, groups) -> QuerySet[CapBucket]:
    """The buckets of cap groups (a group's name holds its ledger scope, so it names one bucket
    even when a successor policy shares it)."""
    return CapBucket.objects.filter(group__in=list(groups)).order_by("group")


def standing_awards_of(identities, *, leave_out=None) -> list[tuple[str, str, int, str, dict, Decimal]]:
    """The standing awards (net above 0) of the applicants known to the ledger by these identities:
    (policy, item, claim pk, identity, the claim as the engine read it, net amount) — what facts
    the platform knows read back ("首次", last year's figure). `leave_out`: a claim pk left out."""
    identities = list(identities)
    if not identities:
        return []
    nets = dict(AwardEntry.objects.filter(applicant__ledger_identity__in=identities).values("claim_id")
                .annotate(net=Sum("amount")).filter(net__gt=0).values_list("claim_id", "net"))
    nets.pop(leave_out, None)
    grants = (AwardEntry.objects.filter(claim_id__in=list(nets), kind=AwardEntry.GRANT)
              .values_list("policy", "item", "claim_id", "applicant__ledger_identity", "claim_data"))
    return [(p, i, c, who, data or {}, nets[c]) for p, i, c, who, data in grants]
