"""Claim services: drafts, evidence checks, submission inside a round, withdrawal, idempotency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ipfund.web.audit.models import AuditEvent
from ipfund.web.claims import services
from ipfund.web.claims.models import Claim, Evidence
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.notifications.models import Notification
from ipfund.web.rounds.services import round_create
from ipfund.web.uploads import UPLOAD_TOO_LARGE, UPLOAD_TYPE


def test_draft_keeps_facts_in_contract_types(enterprise):
    claim = services.claim_draft_create(
        actor=enterprise, item="custody_sme", event_date="2023-06-01", facts={"service_year": "2023", "actual_cost": "2,000"}
    )
    assert claim.facts == {"service_year": 2023, "actual_cost": "2000"}
    assert claim.state == "draft"
    assert AuditEvent.objects.filter(action="claim_draft_create", object_id=str(claim.pk)).exists()


def test_draft_with_bad_fact_names_the_field(enterprise):
    with pytest.raises(ValidationError) as err:
        services.claim_draft_create(actor=enterprise, item="custody_sme", event_date="2023-06-01", facts={"service_year": "x", "actual_cost": "1"})
    assert "service_year" in err.value.message_dict


def test_unknown_item_is_refused(enterprise):
    with pytest.raises(ValidationError) as err:
        services.claim_draft_create(actor=enterprise, item="moon_landing", event_date="2023-06-01", facts={})
    assert err.value.message_dict["item"] == [services.UNKNOWN_ITEM.format(item="moon_landing")]


def test_staff_cannot_draft(staff):
    with pytest.raises(PermissionDenied):
        flow.draft_from_sample(staff.reviewer, sample("custody_sme"))


def test_idempotency_key_returns_the_same_claim(enterprise):
    s = sample("custody_sme")
    first = flow.draft_from_sample(enterprise, s, idempotency_key="k-1")
    again = flow.draft_from_sample(enterprise, s, idempotency_key="k-1")
    other = flow.draft_from_sample(enterprise, s, idempotency_key="k-2")
    assert first.pk == again.pk != other.pk
    assert Claim.objects.count() == 2


def test_evidence_checked_by_content_not_name(enterprise):
    claim = flow.draft_from_sample(enterprise, sample("custody_sme"))
    label = "托管服务合同"
    fake = SimpleUploadedFile("contract.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as err:
        services.evidence_attach(actor=enterprise, claim=claim, requirement=label, upload=fake)
    assert err.value.message_dict["file"] == [UPLOAD_TYPE]
    png_named_txt = SimpleUploadedFile("scan.txt", flow.PNG_BYTES, content_type="text/plain")
    evidence = services.evidence_attach(actor=enterprise, claim=claim, requirement=label, upload=png_named_txt)
    assert evidence.content_type == "image/png"
    assert evidence.file.name.endswith(".png") and "scan" not in evidence.file.name


def test_evidence_size_limit(enterprise, settings):
    settings.IPFUND_MAX_UPLOAD_BYTES = 1024 * 1024
    claim = flow.draft_from_sample(enterprise, sample("custody_sme"))
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024), content_type="application/pdf")
    with pytest.raises(ValidationError) as err:
        services.evidence_attach(actor=enterprise, claim=claim, requirement="托管服务合同", upload=big)
    assert err.value.message_dict["file"] == [UPLOAD_TOO_LARGE.format(limit=1)]


def test_evidence_must_be_a_requirement_of_the_item(enterprise):
    claim = flow.draft_from_sample(enterprise, sample("custody_sme"))
    with pytest.raises(ValidationError) as err:
        services.evidence_attach(actor=enterprise, claim=claim, requirement="中国专利奖获奖证书", upload=flow.pdf_upload())
    assert err.value.message_dict["requirement"] == [services.EVIDENCE_UNKNOWN.format(label="中国专利奖获奖证书")]


def test_submit_needs_every_evidence(enterprise, open_round):
    claim = flow.draft_from_sample(enterprise, sample("custody_sme"))
    services.evidence_attach(actor=enterprise, claim=claim, requirement="托管服务合同", upload=flow.pdf_upload())
    with pytest.raises(ValidationError) as err:
        services.claim_submit(actor=enterprise, claim=claim)
    assert err.value.messages == [services.EVIDENCE_MISSING.format(labels="费用发票及支付凭证、中小微企业声明")]


def test_submit_inside_open_round(enterprise, open_round):
    claim = flow.submitted_from_sample(enterprise, sample("custody_sme"))
    assert claim.state == "submitted"
    assert claim.round == open_round
    assert claim.engine_amount == 3000
    assert Notification.objects.filter(user=enterprise, claim=claim).count() == 1


def test_late_submission_is_refused_with_the_round_named(enterprise, staff):
    now = timezone.now()
    round_create(actor=staff.admin, name="2026年第一批", opens_at=now - dt.timedelta(days=60),
                 closes_at=now - dt.timedelta(days=1), items=["custody_sme"])
    claim = flow.draft_from_sample(enterprise, sample("custody_sme"))
    flow.attach_all_evidence(enterprise, claim)
    with pytest.raises(ValidationError) as err:
        services.claim_submit(actor=enterprise, claim=claim)
    closed = timezone.localtime(now - dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    assert err.value.messages == [services.ROUND_CLOSED.format(round="2026年第一批", closed=closed)]


def test_round_not_covering_the_item(enterprise, staff):
    now = timezone.now()
    round_create(actor=staff.admin, name="专利奖专场", opens_at=now - dt.timedelta(days=1),
                 closes_at=now + dt.timedelta(days=1), items=["china_patent_award"])
    claim = flow.draft_from_sample(enterprise, sample("custody_sme"))
    flow.attach_all_evidence(enterprise, claim)
    with pytest.raises(ValidationError) as err:
        services.claim_submit(actor=enterprise, claim=claim)
    assert err.value.messages == [services.NO_OPEN_ROUND]


def test_other_applicant_cannot_touch_a_claim(enterprise, applicant, open_round):
    claim = flow.draft_from_sample(enterprise, sample("custody_sme"))
    intruder = applicant("enterprise", sme=True)
    with pytest.raises(PermissionDenied):
        services.evidence_attach(actor=intruder, claim=claim, requirement="托管服务合同", upload=flow.pdf_upload())
    with pytest.raises(PermissionDenied):
        services.claim_submit(actor=intruder, claim=claim)
    with pytest.raises(PermissionDenied):
        services.claim_withdraw(actor=intruder, claim=claim)
    with pytest.raises(PermissionDenied):
        services.claim_estimate(actor=intruder, claim=claim)
    assert not Evidence.objects.exists()


def test_withdraw_before_decision_only(enterprise, open_round, staff):
    claim = flow.submitted_from_sample(enterprise, sample("custody_sme"))
    assert services.claim_withdraw(actor=enterprise, claim=claim).state == "withdrawn"
    other = flow.submitted_from_sample(enterprise, sample("custody_sme", 1))
    flow.advance(other, "recommended", staff)
    with pytest.raises(Exception) as err:
        services.claim_withdraw(actor=enterprise, claim=other)
    assert "不能执行" in str(err.value)


def test_returned_claim_is_corrected_and_resubmitted(enterprise, open_round, staff):
    claim = flow.submitted_from_sample(enterprise, sample("custody_sme"))
    claim = flow.advance(claim, "returned", staff)
    assert claim.review_comment
    claim = services.claim_draft_update(actor=enterprise, claim=claim, facts={"service_year": 2023, "actual_cost": "8000"})
    claim = services.claim_submit(actor=enterprise, claim=claim)
    assert claim.state == "submitted" and claim.engine_amount == 4000


def test_estimate_accounts_for_the_ledger(enterprise, open_round, staff):
    first = flow.submitted_from_sample(enterprise, sample("custody_sme"), facts={"service_year": 2023, "actual_cost": "16000"})
    flow.advance(first, "approved", staff)
    second = flow.draft_from_sample(enterprise, sample("custody_sme"), facts={"service_year": 2023, "actual_cost": "6000"})
    decision = services.claim_estimate(actor=enterprise, claim=second)
    assert decision.amount == Decimal("2000.00") and decision.capped is True
    (group,) = decision.cap_groups
    assert group.limit == Decimal("10000.00") and group.group.endswith("|2023")
