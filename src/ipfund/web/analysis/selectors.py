"""Who sees which activity of the analysis register: administrators all, everyone else only the
activities assigned to them (as the analyst, or as a user of the contracted agency)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ipfund.web.accounts import roles

from .models import Activity


def activities_visible_to(user) -> QuerySet[Activity]:
    qs = Activity.objects.select_related("analyst", "agency")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if roles.has_role(user, roles.ADMIN):
        return qs
    return qs.filter(Q(analyst=user) | Q(agency__user=user))


def activity_get_for(user, pk) -> Activity:
    return activities_visible_to(user).get(pk=pk)


def activities_search(user, *, q: str = "", kind: str = "", state: str = "", conclusion: str = "", year: str = ""):
    """The archive: words in the reference, title, parties, department, findings or recommendation."""
    qs = activities_visible_to(user)
    for word in q.split():
        qs = qs.filter(Q(reference__icontains=word) | Q(title__icontains=word) | Q(parties__icontains=word)
                       | Q(department__icontains=word) | Q(findings__icontains=word) | Q(recommendation__icontains=word))
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if conclusion:
        qs = qs.filter(conclusion=conclusion)
    if year.isdigit():
        qs = qs.filter(created_at__year=int(year))
    return qs
