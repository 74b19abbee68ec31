"""Batch payment: one bank reference for a list of awards, a result per claim; failures grouped by reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ipfund.web.accounts.services import applicant_profile_update
from ipfund.web.audit.models import AuditEvent
from ipfund.web.claims.models import Claim
from ipfund.web.payments import services
from ipfund.web.payments.models import Payment, PaymentBatch

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_batch_pays_each_payable_claim_and_says_why_the_others_were_not(final_claims, staff):
    a, b, c = final_claims(3)
    services.payment_record(actor=staff.finance, claim=b, paid_on=timezone.localdate(), reference="ZF-EARLIER")
    applicant_profile_update(actor=c.applicant.user, profile=c.applicant, bank_account="6217000000001111")  # held for review

    result = services.payment_batch_record(actor=staff.finance, claim_ids=[a.pk, b.pk, c.pk], paid_on=timezone.localdate(), reference=" PL-2026-001 ")

    assert [(line.claim_id, line.paid) for line in result.lines] == [(a.pk, True), (b.pk, False), (c.pk, False)]
    assert result.lines[1].message == services.ALREADY_PAID
    assert result.lines[2].message == services.ACCOUNT_CHANGE_PENDING
    payment = Payment.objects.get(claim=a)
    assert payment.reference == "PL-2026-001" and payment.batch == result.batch and payment.amount == Decimal("3000.00")
    assert payment.bank_account == a.applicant.bank_account
    assert Claim.objects.get(pk=c.pk).state == "final"
    event = AuditEvent.objects.get(action="payment_batch_record")
    assert event.after["paid"] == [a.pk] and set(event.after["refused"]) == {str(b.pk), str(c.pk)}


def test_a_batch_with_nothing_payable_is_not_kept(final_claims, staff):
    (a,) = final_claims(1)
    services.payment_record(actor=staff.finance, claim=a, paid_on=timezone.localdate(), reference="ZF-1")
    result = services.payment_batch_record(actor=staff.finance, claim_ids=[a.pk], paid_on=timezone.localdate(), reference="PL-2")
    assert result.batch is None and not result.paid
    assert PaymentBatch.objects.count() == 0


def test_batch_fields_are_checked_and_only_finance_records_it(final_claims, staff):
    (a,) = final_claims(1)
    with pytest.raises(ValidationError) as err:
        services.payment_batch_record(actor=staff.finance, claim_ids=[a.pk], paid_on=timezone.localdate(), reference="")
    assert err.value.message_dict["reference"] == [services.REFERENCE_REQUIRED]
    with pytest.raises(ValidationError) as err:
        services.payment_batch_record(actor=staff.finance, claim_ids=[], paid_on=timezone.localdate(), reference="PL")
    assert err.value.message_dict["claims"] == [services.NOTHING_SELECTED]
    with pytest.raises(PermissionDenied):
        services.payment_batch_record(actor=staff.approver, claim_ids=[a.pk], paid_on=timezone.localdate(), reference="PL")
    assert not Payment.objects.exists()


def test_finance_records_a_batch_on_the_page(final_claims, staff):
    a, b = final_claims(2)
    client = signed_in(staff.finance)
    page = client.get(reverse("portal:finance_queue")).content.decode()
    assert f'value="{a.pk}"' in page and f'value="{b.pk}"' in page and 'id="record-batch"' in page
    response = client.post(
        reverse("portal:finance_batch"),
        {"claims": [a.pk, b.pk], "paid_on": timezone.localdate().isoformat(), "reference": "PL-2026-007"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="batch-result"' in html and "PL-2026-007" in html
    assert "已按凭证号 PL-2026-007 拨付 2 项" in html
    assert set(Payment.objects.values_list("reference", flat=True)) == {"PL-2026-007"}
    assert "暂无待拨付资助" in html


def test_the_batch_page_names_the_missing_field(final_claims, staff):
    (a,) = final_claims(1)
    html = signed_in(staff.finance).post(reverse("portal:finance_batch"), {"paid_on": timezone.localdate().isoformat(), "reference": ""}).content.decode()
    assert "请至少选择一项待拨付资助" in html and "请填写此项" in html
    assert not Payment.objects.exists()


def test_failed_payments_are_grouped_by_reason_on_finance_page(final_claims, staff):
    a, b, c = final_claims(3)
    services.payment_fail(actor=staff.finance, claim=a, reason="收款账户已销户")
    services.payment_fail(actor=staff.finance, claim=b, reason="收款账户已销户")
    services.payment_fail(actor=staff.finance, claim=c, reason="户名与账号不符")
    html = signed_in(staff.finance).get(reverse("portal:finance_queue")).content.decode()
    section = html[html.index('id="failed-groups"'):]
    assert section.index("收款账户已销户") < section.index("户名与账号不符")  # the larger group first
    assert "2 项 · 合计 ¥6,000.00" in section and "1 项 · 合计 ¥3,000.00" in section
