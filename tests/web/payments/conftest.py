"""Fixtures of the payment tests: awards through the notice period, ready for finance."""

from __future__ import annotations

import datetime as dt

import pytest

from ipfund.web.claims.models import Claim
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.notices.services import notice_close, notice_publish


@pytest.fixture
def final_claims(open_round, staff, applicant):
    """``final_claims(n)``: n ¥3,000.00 custody awards of n SMEs, past their notice, waiting for payment."""

    def make(n: int) -> list[Claim]:
        claims = [
            flow.advance(flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme")), "approved", staff)
            for _ in range(n)
        ]
        notice = notice_publish(actor=staff.reviewer, claims=claims)
        with flow.clock_at(notice.ends_at + dt.timedelta(seconds=1)):
            notice_close(actor=staff.reviewer, notice=notice)
        return list(Claim.objects.filter(pk__in=[c.pk for c in claims]).select_related("applicant__user").order_by("pk"))

    return make
