"""Who sees which alliance application: its own applicant; administrators; the members of its panel.
Its decision document also every staff member, since the claim that rests on it shows it."""

from __future__ import annotations

from ipfund.web.accounts import roles
from ipfund.web.accounts.selectors import applicant_of

from .models import AllianceApplication


def applications_of_applicant(user):
    profile = applicant_of(user)
    if profile is None:
        return AllianceApplication.objects.none()
    return AllianceApplication.objects.filter(applicant=profile)


def applications_for_staff(user):
    qs = AllianceApplication.objects.select_related("applicant")
    if roles.has_role(user, roles.ADMIN):
        return qs
    if not roles.is_staff_member(user):
        return qs.none()
    return qs.filter(panel__user=user).distinct()


def may_read_files(user, application: AllianceApplication, *, decision: bool = False) -> bool:
    if applications_of_applicant(user).filter(pk=application.pk).exists():
        return True
    if decision and roles.is_staff_member(user):
        return True
    return applications_for_staff(user).filter(pk=application.pk).exists()
