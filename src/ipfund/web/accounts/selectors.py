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


def applicants_sharing_account(profile: ApplicantProfile) -> list[ApplicantProfile]:
    """Other applicants whose bank account is this one's: staff see it flagged on the claim page
    (one account receiving several applicants' awards is a sign of a front)."""
    if not profile.bank_account_index:  # accounts are encrypted: compared by their blind index
        return []
    return list(
        ApplicantProfile.objects.filter(bank_account_index=profile.bank_account_index).exclude(pk=profile.pk).order_by("name")
    )


def users_with_role(role: str) -> list[User]:
    # Roles are a short JSON list; filtering in Python keeps this portable across databases.
    return [user for user in User.objects.filter(is_active=True) if role in (user.roles or [])]
