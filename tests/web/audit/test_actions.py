"""The audit trail's actions: one table of codes with Chinese labels (ipfund.web.audit.actions), and
every event a claim's life writes is one of them — shown on the staff's audit page by its label."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from ipfund.web.audit.actions import AuditAction
from ipfund.web.audit.models import AuditEvent
from ipfund.web.claims.workflow import Action
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample

pytestmark = pytest.mark.django_db


def test_one_table_of_codes_each_with_a_chinese_label():
    codes = [a.value for a in AuditAction]
    assert len(codes) == len(set(codes)) and all(re.fullmatch(r"[a-z_]+", c) for c in codes)
    labels = [str(a.label) for a in AuditAction]
    assert len(labels) == len(set(labels)) and all(re.search(r"[\u4e00-\u9fff]", x) for x in labels)
    # every workflow move of a claim has its member (the services name them claim_<move>)
    assert {f"claim_{a.value}" for a in Action} <= set(codes)
    with pytest.raises(ValueError):
        AuditAction("claim_no_such_move")


def test_a_claims_life_writes_only_actions_of_the_table_and_the_audit_page_labels_them(staff, applicant, open_round):
    company = applicant("enterprise")
    claim = flow.submitted_from_sample(company, sample("china_patent_award"))
    flow.advance(claim, "approved", staff)
    flow.publish_and_finalize(staff)
    written = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"round_create", "claim_draft_create", "claim_submit", "claim_recommend", "claim_approve",
            "notice_publish", "claim_finalize", "award_grant"} <= written
    assert written <= set(AuditAction.values), written - set(AuditAction.values)
    client = Client()
    client.force_login(staff.admin)
    page = client.get(reverse("portal:claim_audit", args=[claim.pk])).content.decode()
    for action in (AuditAction.CLAIM_SUBMIT, AuditAction.CLAIM_APPROVE, AuditAction.EVIDENCE_ATTACH):
        assert str(action.label) in page
