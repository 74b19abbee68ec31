"""A successor declares its own promise (tests/fixtures/promise_policies/fictional-agency-2026, a
fictional policy: 「申请补助的机构须书面承诺5年内不迁离本区；违反承诺的，追回已拨付资金。」): the claim
records a five-year term from its payment (B1), and a breach recovers all the money paid, as its text says."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from ipfund.web.demo import flow
from ipfund.web.demo.samples import Sample
from ipfund.web.reconcile import audit_reconcile
from ipfund.web.ledger.selectors import award_net
from ipfund.web.payments.services import payment_record
from ipfund.web.promises.models import Promise
from ipfund.web.promises.services import promises_refresh, recovery_open
from ipfund.web.rounds.services import round_create

POLICY = "fictional-agency-2026"
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "promise_policies" / POLICY

pytestmark = pytest.mark.django_db


@pytest.fixture
def successor(monkeypatch, staff):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURE))
    now = timezone.now()
    flow.no_budget(staff, POLICY)
    return round_create(actor=staff.admin, policy=POLICY, name="2026年落户补助批次", opens_at=now - dt.timedelta(days=1),
                        closes_at=now + dt.timedelta(days=30), items=["agency_settle"])


def test_five_years_from_payment_and_all_recovered(staff, successor, applicant):
    agency = applicant("service_agency")
    s = Sample("agency_settle", "service_agency", dt.date(2026, 4, 1), {"registered_on": "2026-03-10"})
    claim = flow.advance(flow.submitted_from_sample(agency, s, policy=POLICY), "approved", staff)
    assert claim.approved_amount == Decimal("200000.00")
    promise = Promise.objects.get(claim=claim)
    assert "5年内不迁离本区" in promise.text and promise.evidence.requirement == "五年内不迁离本区的承诺书"
    assert (promise.years, promise.start_basis, promise.recovery_basis, promise.interpretations) == (
        5, "payment", "all", ["B1=payment"])
    assert promise.breaches == ["moved_out_of_zone", "deregistered", "other"]
    flow.publish_and_finalize(staff, [claim])
    paid_on = timezone.localdate() - dt.timedelta(days=200)
    payment_record(actor=staff.finance, claim=claim, paid_on=paid_on, reference="HD-5Y")
    promises_refresh()
    promise.refresh_from_db()
    assert promise.term_start == paid_on and promise.term_end.year == paid_on.year + 5
    case = recovery_open(actor=staff.reviewer, promise=promise, breach="moved_out_of_zone",
                         breached_on=timezone.localdate() - dt.timedelta(days=3), note="迁至外区。",
                         upload=flow.pdf_upload())
    assert case.amount_due == Decimal("200000.00") and case.basis == "all"
    assert award_net(claim=claim) == 0
    assert audit_reconcile().ok
