"""Who may see which claims and files: the one place that decides it (pages, API and file views ask here)."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from ipfund.web.accounts import roles
from ipfund.web.accounts.models import ApplicantProfile
from ipfund.web.pii.blind_index import blind_index
from ipfund.web.accounts.selectors import applicant_of

from .counting import Tally, capped_count, grouped_counts
from .models import Claim, Evidence
from .workflow import State


def claims_visible_to(user) -> QuerySet[Claim]:
    """An applicant sees their own claims; staff see every claim once submitted; others nothing."""
    claims = Claim.objects.select_related("applicant", "round")
    if roles.is_staff_member(user):
        return claims.exclude(state=State.DRAFT)
    profile = applicant_of(user)
    if profile is not None and roles.has_role(user, roles.APPLICANT):
        return claims.filter(applicant=profile)
    return claims.none()


def claim_get_for(user, pk) -> Claim:
    """The claim if ``user`` may see it; Claim.DoesNotExist otherwise (so nobody learns it exists)."""
    return claims_visible_to(user).get(pk=pk)


def claim_by_idempotency_key(user, key: str) -> Claim | None:
    """The claim the user's earlier request with this idempotency key created, if any."""
    return claims_visible_to(user).filter(idempotency_key=key).first()


def evidence_get_for(user, pk) -> Evidence:
    """The evidence file if its claim is visible to ``user``; Evidence.DoesNotExist otherwise."""
    return Evidence.objects.select_related("claim").get(pk=pk, claim__in=claims_visible_to(user))


# The orders a queue may be sorted in (the page's ?sort=; a leading "-" reverses).
QUEUE_SORTS = {
    "submitted": ("submitted_at", "id"),
    "reference": ("reference", "id"),
    "applicant": ("applicant__name", "id"),
    "item": ("item", "submitted_at", "id"),
    "engine_amount": ("engine_amount", "id"),
    "recommended_amount": ("recommended_amount", "id"),
}


def _default_state(user) -> str | None:
    if roles.has_role(user, roles.REVIEWER):
        return State.SUBMITTED
    if roles.has_role(user, roles.APPROVER):
        return State.RECOMMENDED
    return None


SEARCH_IDS = 1000  # up to this many matching applicants are passed to the claims query as ids
REFERENCE_TEXT = re.compile(r"^[A-Z]+(-[A-Z]+)?-\d{4}-\d{6}$")


def queue_search(claims: QuerySet[Claim], text: str) -> QuerySet[Claim]:
    """Claims whose applicant name contains ``text``, whose credit code or reference starts with it,
    or whose applicant is the person with exactly this resident ID number (stored encrypted, found
    through its blind index)."""
    text = (text or "").strip().replace("\x00", "")
    if not text:
        return claims
    upper = text.upper()
    if REFERENCE_TEXT.match(upper):  # a whole reference number: the unique index finds it
        return claims.filter(reference=upper)
    # The applicants first (a table a tenth the size of the claims), then their claims by the
    # applicant index: one OR across the join would scan every claim.
    applicants = ApplicantProfile.objects.filter(
        Q(name__icontains=text)
        | Q(ledger_identity__startswith=upper)  # an organisation's credit code (public)
        | Q(id_number_index=blind_index("id_number", upper))  # a person's number, typed in full
    ).values_list("pk", flat=True)
    # Read once (a queue page counts every state with the same search): the ids themselves when
    # there are few, else the subquery.
    found = list(applicants[: SEARCH_IDS + 1])
    return claims.filter(Q(applicant__in=found if len(found) <= SEARCH_IDS else applicants) | Q(reference__startswith=upper))


def staff_claims(*, user, round=None, item: str | None = None, search: str = "") -> QuerySet[Claim]:
    """Every submitted claim a staff member may see, filtered by round, item and search text. An
    item is `policy:item` (one policy's item) or a bare item id (that item under any policy)."""
    if not roles.is_staff_member(user):
        return Claim.objects.none()
    claims = claims_visible_to(user)
    if round is not None:
        claims = claims.filter(round=round)
    if item:
        policy, _sep, item_id = item.rpartition(":")
        claims = claims.filter(item=item_id, **({"policy": policy} if policy else {}))
    return queue_search(claims, search)


def queue_counts(claims: QuerySet[Claim]) -> dict[str, Tally]:
    """How many of ``claims`` are in each state, exact up to the cap. A search or a filter that
    leaves at most the cap is counted in one grouped query; a broader queue state by state through
    the state index (one grouped query would read every claim)."""
    states = [state for state in State.values if state != State.DRAFT]
    grouped = grouped_counts(claims, "state")
    if grouped is None:
        return {state: capped_count(claims.filter(state=state)) for state in states}
    return {state: Tally(grouped.get(state, 0)) for state in states}


def queue_tallies(
    *, user, state: str, round=None, item: str | None = None, search: str = ""
) -> tuple[dict[str, Tally], Tally | None]:
    """What a queue page counts: how many claims each state holds (of ``staff_claims`` with the
    same filters) and how many its list has (``review_queue``: the staff member's own claims left
    out), or None for the list when it must be counted from the list itself.

    A queue filtered by nothing but a round is counted from the counts the database keeps per
    state (``state_counts``: a few rows, exact however many claims), less the staff member's own
    claims for the list; counting the claims themselves read up to 10,000 index entries for each of
    eleven states, and the list's own count joined every claim of its state to its applicant, on
    every page. A search or an item filter is counted from the claims, exactly up to the cap."""
    from .state_counts import state_counts

    states = [s for s in State.values if s != State.DRAFT]
    if not roles.is_staff_member(user):
        return {s: Tally(0) for s in states}, Tally(0)
    if item or (search or "").strip():
        return queue_counts(staff_claims(user=user, round=round, item=item, search=search)), None
    kept = state_counts(round_id=round.pk if round is not None else None)
    own = list(ApplicantProfile.objects.filter(_own_applicants(user)).values_list("pk", flat=True))
    mine = staff_claims(user=user, round=round).filter(state=state, applicant__in=own).count() if own else 0
    return {s: Tally(kept.get(s, 0)) for s in states}, Tally(max(kept.get(state, 0) - mine, 0))


def _own_applicants(user) -> Q:
    """The applicants whose claims never reach ``user``'s queue: their own, and their affiliated
    organisation's (its number is encrypted: found by its blind index)."""
    own = Q(user=user)
    if getattr(user, "affiliation", ""):
        own |= Q(id_number_index=blind_index("id_number", user.affiliation))
    return own


def review_queue(
    *, user, round=None, item: str | None = None, state: str | None = None, search: str = "", sort: str = "submitted"
) -> QuerySet[Claim]:
    """The work waiting for a reviewer (submitted) or an approver (recommended), filterable and sortable."""
    state = state or _default_state(user)
    if state is None or not roles.is_staff_member(user):
        return Claim.objects.none()
    key = sort.removeprefix("-")
    order = QUEUE_SORTS.get(key, QUEUE_SORTS["submitted"])
    if sort.startswith("-") and key in QUEUE_SORTS:
        order = tuple(f"-{f}" for f in order)
    claims = staff_claims(user=user, round=round, item=item, search=search).filter(state=state)
    # A staff member's own claims (as applicant or affiliated organisation) never reach their queue.
    claims = claims.exclude(applicant__user=user)
    if getattr(user, "affiliation", ""):  # the number is encrypted: found by its index
        claims = claims.exclude(applicant__id_number_index=blind_index("id_number", user.affiliation))
    return claims.order_by(*order)


def claims_listed_for(user) -> QuerySet[Claim]:
    """The claims a person's own list pages show: an applicant's claims; for staff, their queues
    (初审: submitted, 审定: recommended, 财务: to pay) — never every claim with its facts."""
    if not roles.is_staff_member(user):
        return claims_visible_to(user)
    pks: set[int] = set()
    if roles.has_role(user, roles.REVIEWER):
        pks.update(review_queue(user=user, state=State.SUBMITTED).values_list("pk", flat=True))
    if roles.has_role(user, roles.APPROVER):
        pks.update(review_queue(user=user, state=State.RECOMMENDED).values_list("pk", flat=True))
    pks.update(claims_to_pay(user=user).values_list("pk", flat=True))
    return Claim.objects.select_related("applicant", "round").filter(pk__in=pks).order_by("id")


def claims_to_pay(*, user) -> QuerySet[Claim]:
    """Final awards not yet paid, failed payments waiting for a retry, and awards paid in stages with
    installments still to pay (finance's list)."""
    if not roles.has_role(user, roles.FINANCE):
        return Claim.objects.none()
    return claims_visible_to(user).filter(state__in=[State.FINAL, State.PAYMENT_FAILED, State.PARTLY_PAID]).order_by("id")


def claim_timeline(claim: Claim):
    """The claim's audit events in order: the status timeline an applicant and staff see."""
    from ipfund.web.audit.selectors import audit_history

    return audit_history(object_type=claim._meta.label_lower, object_id=claim.pk)
