"""Reads of accounts: the applicant behind a user, users holding a role."""

from __future__ import annotations

from .models import ApplicantProfile, User


def applicant_of(user) -> ApplicantProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.applicant
    except ApplicantProfile.DoesNotExist:
        return None


def users_with_role(role: str) -> list[User]:
    # Roles are a short JSON list; filtering in Python keeps this portable across databases.
    return [user for user in User.objects.filter(is_active=True) if role in (user.roles or [])]
