"""Issuing documents that carry personal data to staff: each issue is audited like an export."""

from __future__ import annotations

import io

from django.db import transaction
from django.utils import timezone
from ipfund.web.audit.actions import AuditAction

from ipfund.web.audit.services import audit_record
from ipfund.web.payments.selectors import to_pay

from .layout import issuing_authority
from .numbers import document_number_issue
from .payment_list import payment_list_pdf


@transaction.atomic
def payment_list_issue(*, actor) -> bytes:
    """Finance's payment list as a PDF (the awards to pay now) under a new document number,
    audited with what it listed."""
    rows = to_pay(user=actor)
    buffer = io.BytesIO()
    issued = document_number_issue(kind="payment_list", on=timezone.localdate(), actor=actor)
    # The list may pay awards of several policies: it is the bureau's, not one policy's.
    payment_list_pdf(rows, buffer, authority=issuing_authority(), number=issued.number, prepared_by=actor.shown_name())
    audit_record(
        actor=actor,
        action=AuditAction.DOCUMENT_PAYMENT_LIST,
        obj=issued,
        after={"claims": [r.claim.pk for r in rows], "count": len(rows), "number": issued.number},
    )
    return buffer.getvalue()
