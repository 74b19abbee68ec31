"""An applicant removes or replaces an evidence file of a draft or returned claim, each audited.

The row stays (marked removed) so the audit trail keeps naming it. The file itself follows what the
platform does with files nobody needs: a draft that was never submitted has been seen by no one, so
its removed file leaves storage; a returned claim's file is the one the bureau reviewed, so it is
kept (the bureau's record of what was submitted), though the applicant no longer sees it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ipfund.web.audit.services import audit_record
from ipfund.web.audit.actions import AuditAction

from .models import Evidence
from .services import NOT_YOUR_CLAIM, claim_lock, evidence_attach
from .workflow import EDITABLE

EVIDENCE_LOCKED = "申报已提交，证明材料不能删除或替换；申报被退回补正后可以修改。"
EVIDENCE_GONE = "该证明材料已被删除或替换。"
FILE_DELETED = "已从存储中删除（申报未曾提交）"
FILE_KEPT = "保留备查（申报曾提交，初审人员已查阅）"


def _file_record(evidence: Evidence) -> dict:
    return {
        "claim": evidence.claim_id,
        "requirement": evidence.requirement,
        "original_name": evidence.original_name,
        "sha256": evidence.sha256,
        "size": evidence.size,
    }


def _editable_evidence(actor, evidence: Evidence) -> Evidence:
    claim = claim_lock(evidence.claim_id)
    if claim.applicant.user_id != actor.pk:
        raise PermissionDenied(NOT_YOUR_CLAIM)
    if claim.state not in EDITABLE:
        raise ValidationError(EVIDENCE_LOCKED, code="evidence_locked")
    current = Evidence.with_removed.select_for_update().get(pk=evidence.pk)
    if current.removed_at is not None:
        raise ValidationError(EVIDENCE_GONE, code="evidence_gone")
    current.claim = claim
    return current


def _take_away(actor, evidence: Evidence) -> str:
    """Mark the row removed; the file leaves storage (after commit) only if no one has seen it."""
    evidence.removed_at, evidence.removed_by = timezone.now(), actor
    if evidence.claim.submitted_at is None:
        name, storage = evidence.file.name, evidence.file.storage
        evidence.file = ""
        transaction.on_commit(lambda: storage.delete(name))
        fate = FILE_DELETED
    else:
        fate = FILE_KEPT
    evidence.save(update_fields=["removed_at", "removed_by", "file"])
    return fate


@transaction.atomic
def evidence_remove(*, actor, evidence: Evidence) -> Evidence:
    evidence = _editable_evidence(actor, evidence)
    before = _file_record(evidence)
    fate = _take_away(actor, evidence)
    audit_record(actor=actor, action=AuditAction.EVIDENCE_REMOVE, obj=evidence, before=before, after={"storage": fate})
    return evidence


@transaction.atomic
def evidence_replace(*, actor, evidence: Evidence, upload) -> Evidence:
    """The new file (checked like any evidence) takes the old one's place for the same requirement."""
    evidence = _editable_evidence(actor, evidence)
    new = evidence_attach(actor=actor, claim=evidence.claim, requirement=evidence.requirement, upload=upload)
    before = _file_record(evidence)
    fate = _take_away(actor, evidence)
    audit_record(
        actor=actor, action=AuditAction.EVIDENCE_REPLACE, obj=evidence, before=before,
        after={**_file_record(new), "storage": fate},
    )
    return new
