"""Reads of complaints: the bureau's list, and the assistance cases linked to a claim."""

from __future__ import annotations

from django.db.models import Q

from ipfund.web.accounts import roles

from .models import Complaint


def may_handle(user) -> bool:
    return roles.has_role(user, roles.REVIEWER) or roles.has_role(user, roles.ADMIN)


def complaints_search(*, q: str = "", state: str = "", kind: str = ""):
    qs = Complaint.objects.select_related("claim")
    for word in q.split():
        qs = qs.filter(Q(reference__icontains=word) | Q(respondent__icontains=word) | Q(right_number__icontains=word)
                       | Q(description__icontains=word))
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def assistance_for_claim(claim):
    """The assistance cases that supported ``claim`` (shown to whoever may see its staff page)."""
    return Complaint.objects.filter(claim=claim).order_by("filed_at")
