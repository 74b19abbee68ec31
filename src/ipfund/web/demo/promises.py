"""A paid award carrying a promise: a new agency branch (五（一）, 5万元) approved, published, paid a
year ago; its three-year term started on the payment."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.payments.services import payment_record
from ipfund.web.promises.models import Promise
from ipfund.web.promises.services import promises_refresh


def paid_promise(staff, agency, *, paid_days_ago: int = 365, i: int = 0) -> Promise:
    claim = flow.submitted_from_sample(agency, sample("agency_establishment", i))
    claim = flow.advance(claim, "approved", staff)
    flow.publish_and_finalize(staff, [claim])
    paid_on = timezone.localdate() - dt.timedelta(days=paid_days_ago)
    payment_record(actor=staff.finance, claim=claim, paid_on=paid_on, reference=f"HD-{claim.pk}")
    promises_refresh()
    return Promise.objects.get(claim=claim)
