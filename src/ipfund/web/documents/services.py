"""Issuing documents that carry personal data to staff: each issue is audited like an export."""

from __future__ import annotations

import io

from ipfund.web.audit.services import audit_record
from ipfund.web.audit.actions import AuditAction
from django.conf import settings

from ipfund.web.payments.selectors import to_pay

from .payment_list import payment_list_pdf


def payment_list_issue(*, actor) -> bytes:
    """Finance's payment list as a PDF (the awards to pay now), audited with what it listed."""
    rows = to_pay(user=actor)
    buffer = io.BytesIO()
    # The list may pay awards of several policies: it is the bureau's, not one policy's.
    payment_list_pdf(rows, buffer, authority=settings.IPFUND_BUREAU_NAME)
    audit_record(
        actor=actor,
        action=AuditAction.DOCUMENT_PAYMENT_LIST,
        object_type="payments.payment_list",
        after={"claims": [r.claim.pk for r in rows], "count": len(rows)},
    )
    return buffer.getvalue()
