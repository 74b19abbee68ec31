"""Reads of notices: the public list (masked), objections for reviewers, objection files."""

from __future__ import annotations

from django.db.models import QuerySet

from ipfund.web.accounts import roles

from .models import Notice, NoticeEntry, Objection


def notices_public() -> QuerySet[Notice]:
    return Notice.objects.prefetch_related("entries").order_by("-published_at")


def notice_entries(notice: Notice) -> QuerySet[NoticeEntry]:
    """The rows of the public page: recipient (persons masked), item, clause, amount — no ID numbers."""
    return notice.entries.order_by("id")


def objections_open(*, user) -> QuerySet[Objection]:
    if not roles.has_role(user, roles.REVIEWER):
        return Objection.objects.none()
    return Objection.objects.filter(state=Objection.OPEN).select_related("entry", "entry__notice")


def objection_get_for(user, pk) -> Objection:
    """An objection with its contact and file: reviewers and administrators only."""
    if not (roles.has_role(user, roles.REVIEWER) or roles.has_role(user, roles.ADMIN)):
        raise Objection.DoesNotExist
    return Objection.objects.select_related("entry").get(pk=pk)
