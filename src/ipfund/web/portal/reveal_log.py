"""Reads for oversight: every reveal of personal data in full, from the audit chain.

A reveal is an audit event — ``pii_reveal`` (an ID number or phone, web/accounts/pii.py) or
``bank_account_reveal`` (finance seeing an account or a pending change's account,
web/payments/services.py) — so this log is exactly what the chain holds and cannot be edited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from ipfund.web.audit.models import AuditEvent

REVEAL_ACTIONS = ("pii_reveal", "bank_account_reveal")
PROFILE = "accounts.applicantprofile"
BANK_CHANGE = "payments.bankaccountchange"
FIELD_LABELS = {"id_number": "证件号码", "contact_phone": "联系电话", "bank_account": "银行账号"}


@dataclass(frozen=True)
class Reveal:
    event: AuditEvent
    subject: object  # the ApplicantProfile whose data was seen, or None if gone
    what: str
    purpose: str


def reveal_events(*, viewer: str = "", subject: str = "", date_from: dt.date | None = None,
                  date_to: dt.date | None = None) -> QuerySet[AuditEvent]:
    """Reveal events, newest first: ``viewer`` a part of the username who saw, ``subject`` a part of
    the applicant's name or its account username, dates inclusive (the platform's time zone)."""
    from ipfund.web.accounts.models import ApplicantProfile
    from ipfund.web.payments.models import BankAccountChange

    events = AuditEvent.objects.filter(action__in=REVEAL_ACTIONS)
    if viewer.strip():
        events = events.filter(actor_label__icontains=viewer.strip())
    if subject.strip():
        profiles = ApplicantProfile.objects.filter(Q(name__icontains=subject.strip()) | Q(user__username__icontains=subject.strip()))
        ids = [str(pk) for pk in profiles.values_list("pk", flat=True)]
        changes = [str(pk) for pk in BankAccountChange.objects.filter(applicant__in=profiles).values_list("pk", flat=True)]
        events = events.filter(Q(object_type=PROFILE, object_id__in=ids) | Q(object_type=BANK_CHANGE, object_id__in=changes))
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events.order_by("-seq")


def reveals_described(events) -> list[Reveal]:
    """The events of one page, each with the person whose data it was and what was seen."""
    from ipfund.web.accounts.models import ApplicantProfile
    from ipfund.web.payments.models import BankAccountChange

    events = list(events)
    profile_ids = {int(e.object_id) for e in events if e.object_type == PROFILE and e.object_id.isdigit()}
    change_ids = {int(e.object_id) for e in events if e.object_type == BANK_CHANGE and e.object_id.isdigit()}
    changes = {c.pk: c for c in BankAccountChange.objects.filter(pk__in=change_ids)}
    profile_ids |= {c.applicant_id for c in changes.values()}
    profiles = ApplicantProfile.objects.in_bulk(profile_ids)
    rows = []
    for e in events:
        after = e.after or {}
        if e.object_type == BANK_CHANGE:
            change = changes.get(int(e.object_id)) if e.object_id.isdigit() else None
            subject = profiles.get(change.applicant_id) if change else None
            what = f"变更申请中的银行账号（{after.get('account', '')}）"
        elif e.action == "bank_account_reveal":
            subject = profiles.get(int(e.object_id)) if e.object_id.isdigit() else None
            what = f"银行账号（{after.get('account', '')}）"
        else:
            subject = profiles.get(int(e.object_id)) if e.object_id.isdigit() else None
            what = FIELD_LABELS.get(after.get("field", ""), after.get("field", ""))
        rows.append(Reveal(event=e, subject=subject, what=what, purpose=after.get("purpose", "")))
    return rows
