"""The claim form's files through the test client: a failed save keeps the chosen files (staged on the
server, shown as uploaded) and is not audited as an edit; evidence of a draft or returned claim can
be removed or replaced after a confirmation, each audited, and by nobody else."""

import datetime as dt
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ipfund.web.audit.models import AuditEvent
from ipfund.web.claims.evidence_changes import EVIDENCE_LOCKED, FILE_DELETED, FILE_KEPT
from ipfund.web.claims.models import Claim, Evidence, StagedUpload
from ipfund.web.claims.services import EVIDENCE_MISSING
from ipfund.web.claims.staging import staged_sweep
from ipfund.web.demo.flow import PDF_BYTES, PNG_BYTES, advance, draft_from_sample, submitted_from_sample
from ipfund.web.demo.samples import sample
from ipfund.web.common.facts import ERROR_CHOOSE
from ipfund.web.upload_sweep import uploads_sweep
from ipfund.web.uploads import UPLOAD_TYPE

from .test_applicant_pages import PATENT, claim_post, field_block, signed_in

pytestmark = pytest.mark.django_db


def stored(name: str) -> bool:
    return (Path(settings.MEDIA_ROOT) / name).is_file()


def staged_ids(html: str) -> list[str]:
    import re

    return re.findall(r'name="staged" value="(\d+)"', html)


# --- a failed save keeps the chosen files -------------------------------------------------------


def test_a_refused_field_keeps_the_chosen_files_and_the_next_save_attaches_them(
    applicant, open_round, django_capture_on_commit_callbacks
):
    client = signed_in(applicant("enterprise"))
    url = reverse("portal:claim_new", args=[PATENT])
    first = client.post(url, claim_post(**{"facts-level": "", "idempotency_key": "form-1"}))
    html = first.content.decode()
    assert str(ERROR_CHOOSE) in field_block(html, "facts-level")
    assert not Claim.objects.exists()
    staged = list(StagedUpload.objects.all())
    assert sorted(s.original_name for s in staged) == ["专利证书.pdf", "获奖证书.pdf"]
    assert all(stored(s.file.name) for s in staged)
    assert sorted(staged_ids(html)) == sorted(str(s.pk) for s in staged)

    # The second post carries no file at all: the staged ones are what the form shows as uploaded.
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(
            url,
            {"event_date": "2023-07-20", "facts-patent_number": "ZL201910000001.2", "facts-level": "silver",
             "idempotency_key": "form-1", "staged": staged_ids(html)},
        )
    assert second.status_code == 302
    claim = Claim.objects.get()
    assert sorted(claim.evidence.values_list("original_name", flat=True)) == ["专利证书.pdf", "获奖证书.pdf"]
    assert all(stored(e.file.name) and e.sha256 for e in claim.evidence.all())
    assert not StagedUpload.objects.exists()
    assert not any(stored(s.file.name) for s in staged)  # the staged copies left storage
    client.post(reverse("portal:claim_submit", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.state == "submitted"  # nothing missing: both staged files became evidence


def test_staged_files_of_another_person_or_form_are_not_taken(applicant, open_round):
    owner = signed_in(applicant("enterprise"))
    url = reverse("portal:claim_new", args=[PATENT])
    html = owner.post(url, claim_post(**{"facts-level": "", "idempotency_key": "form-a"})).content.decode()
    ids = staged_ids(html)
    assert len(ids) == 2
    intruder = signed_in(applicant("enterprise"))
    body = {"event_date": "2023-07-20", "facts-patent_number": "ZL201910000002.2", "facts-level": "silver",
            "idempotency_key": "form-a", "staged": ids}
    assert intruder.post(url, body).status_code == 302
    assert Evidence.objects.count() == 0  # the intruder's draft got none of them
    # The owner's other form (another token) does not take them either.
    assert owner.post(url, {**body, "idempotency_key": "form-b"}).status_code == 302
    assert Evidence.objects.count() == 0
    assert StagedUpload.objects.count() == 2


def test_a_failed_edit_is_not_audited_as_an_edit_and_keeps_the_good_file(applicant, open_round):
    user = applicant("enterprise")
    claim = draft_from_sample(user, sample(PATENT))
    client = signed_in(user)
    edits = AuditEvent.objects.filter(action="claim_draft_update")
    page = client.get(reverse("portal:claim_edit", args=[claim.pk])).content.decode()
    token = field_value(page, "idempotency_key")
    assert token
    body = {
        "event_date": claim.event_date.isoformat(),
        "facts-patent_number": claim.facts["patent_number"],
        "facts-level": "excellence",  # a real change of the facts...
        "idempotency_key": token,
        "evidence-evidence_0": SimpleUploadedFile("证书.pdf", b"MZ not a pdf", content_type="application/pdf"),
        "evidence-evidence_1": SimpleUploadedFile("专利证书.png", PNG_BYTES, content_type="image/png"),
    }
    html = client.post(reverse("portal:claim_edit", args=[claim.pk]), body).content.decode()
    assert UPLOAD_TYPE in field_block(html, "evidence-evidence_0")  # ...refused with a file
    claim.refresh_from_db()
    assert claim.facts["level"] != "excellence"
    assert not edits.exists()
    assert not claim.evidence.exists()
    assert "专利证书.png" in html and len(staged_ids(html)) == 1

    fixed = {k: v for k, v in body.items() if not k.startswith("evidence-")} | {"staged": staged_ids(html)}
    response = client.post(reverse("portal:claim_edit", args=[claim.pk]), fixed)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.facts["level"] == "excellence"
    assert edits.count() == 1
    assert list(claim.evidence.values_list("original_name", flat=True)) == ["专利证书.png"]


def field_value(html: str, name: str) -> str:
    import re

    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    return match.group(1) if match else ""


def test_staged_files_are_swept_after_the_staging_period(applicant, open_round):
    client = signed_in(applicant("enterprise"))
    client.post(reverse("portal:claim_new", args=[PATENT]), claim_post(**{"facts-level": ""}))
    old, young = StagedUpload.objects.all()
    StagedUpload.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=settings.IPFUND_STAGED_UPLOAD_HOURS + 1)
    )
    assert staged_sweep() == 1
    assert list(StagedUpload.objects.all()) == [young]
    assert not stored(old.file.name) and stored(young.file.name)


# --- removing and replacing evidence ------------------------------------------------------------


def test_an_applicant_removes_a_draft_file_after_a_chinese_confirmation(
    applicant, open_round, django_capture_on_commit_callbacks
):
    user = applicant("enterprise")
    claim = draft_from_sample(user, sample(PATENT))
    client = signed_in(user)
    client.post(reverse("portal:claim_edit", args=[claim.pk]), {
        "event_date": claim.event_date.isoformat(), "facts-patent_number": claim.facts["patent_number"],
        "facts-level": claim.facts["level"],
        "evidence-evidence_0": SimpleUploadedFile("获奖证书.pdf", PDF_BYTES, content_type="application/pdf"),
    })
    evidence = claim.evidence.get()
    edit = client.get(reverse("portal:claim_edit", args=[claim.pk])).content.decode()
    url = reverse("portal:evidence_change", args=[claim.pk, evidence.pk])
    assert url in edit
    confirm = client.get(url).content.decode()
    assert "确定要删除证明材料“获奖证书.pdf”吗？" in confirm and "确定替换" in confirm
    name = evidence.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "remove"})
    assert response.status_code == 302
    assert not claim.evidence.exists()
    removed = Evidence.with_removed.get(pk=evidence.pk)
    assert removed.removed_at is not None and removed.removed_by == user
    assert not stored(name)  # never submitted, seen by no one: the file leaves storage
    event = AuditEvent.objects.get(action="evidence_remove")
    assert event.actor_id == user.pk and event.before["sha256"] == evidence.sha256
    assert event.after == {"storage": FILE_DELETED}
    client.post(reverse("portal:claim_submit", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.state == "draft"
    assert client.get(url).status_code == 404  # gone from the claim


def test_a_returned_claim_file_is_replaced_and_the_reviewed_file_is_kept(applicant, open_round, staff):
    user = applicant("enterprise")
    claim = advance(submitted_from_sample(user, sample(PATENT)), "returned", staff)
    old = claim.evidence.first()
    client = signed_in(user)
    url = reverse("portal:evidence_change", args=[claim.pk, old.pk])
    refused = client.post(url, {"action": "replace", "file": SimpleUploadedFile("x.pdf", b"GIF89a", content_type="application/pdf")})
    assert UPLOAD_TYPE in field_block(refused.content.decode(), "file")
    assert claim.evidence.filter(pk=old.pk).exists()
    response = client.post(url, {"action": "replace", "file": SimpleUploadedFile("盖章证书.png", PNG_BYTES, content_type="image/png")})
    assert response.status_code == 302
    current = claim.evidence.get(requirement=old.requirement)
    assert current.original_name == "盖章证书.png" and current.pk != old.pk
    kept = Evidence.with_removed.get(pk=old.pk)
    assert kept.removed_at is not None and stored(kept.file.name)  # the bureau reviewed it: kept
    event = AuditEvent.objects.get(action="evidence_replace")
    assert event.before["original_name"] == old.original_name
    assert event.after["original_name"] == "盖章证书.png" and event.after["storage"] == FILE_KEPT
    history = signed_in(staff.reviewer).get(reverse("portal:claim_audit", args=[claim.pk])).content.decode()
    assert "替换证明材料" in history and "盖章证书.png" in history
    client.post(reverse("portal:claim_submit", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.state == "submitted"
    # The kept file is still named by its (removed) row: the orphan sweep leaves it alone.
    two_days_ago = time.time() - 2 * 86400
    os.utime(Path(settings.MEDIA_ROOT) / kept.file.name, (two_days_ago, two_days_ago))
    assert kept.file.name not in uploads_sweep().removed and stored(kept.file.name)


def test_evidence_of_a_submitted_claim_cannot_be_removed(applicant, open_round):
    user = applicant("enterprise")
    claim = submitted_from_sample(user, sample(PATENT))
    evidence = claim.evidence.first()
    client = signed_in(user)
    url = reverse("portal:evidence_change", args=[claim.pk, evidence.pk])
    response = client.post(url, {"action": "remove"}, follow=True)
    assert EVIDENCE_LOCKED in response.content.decode()
    assert claim.evidence.filter(pk=evidence.pk).exists()
    assert not AuditEvent.objects.filter(action="evidence_remove").exists()


def test_another_applicant_cannot_remove_or_replace_my_evidence(applicant, open_round, staff):
    owner = applicant("enterprise")
    claim = advance(submitted_from_sample(owner, sample(PATENT)), "returned", staff)
    evidence = claim.evidence.first()
    intruder = signed_in(applicant("enterprise"))
    url = reverse("portal:evidence_change", args=[claim.pk, evidence.pk])
    assert intruder.get(url).status_code == 404
    assert intruder.post(url, {"action": "remove"}).status_code == 404
    upload = SimpleUploadedFile("假.pdf", PDF_BYTES, content_type="application/pdf")
    assert intruder.post(url, {"action": "replace", "file": upload}).status_code == 404
    assert signed_in(staff.reviewer).post(url, {"action": "remove"}).status_code == 403
    assert claim.evidence.filter(pk=evidence.pk).exists()
    assert not AuditEvent.objects.filter(action__in=["evidence_remove", "evidence_replace"]).exists()
    missing = signed_in(owner).post(reverse("portal:claim_submit", args=[claim.pk]), follow=True)
    assert EVIDENCE_MISSING.split("：")[0] not in missing.content.decode()


def test_uploads_sweep_on_the_cli_removes_old_staged_files(applicant, open_round, capsys):
    from ipfund.cli.main import main

    client = signed_in(applicant("enterprise"))
    client.post(reverse("portal:claim_new", args=[PATENT]), claim_post(**{"facts-level": ""}))
    StagedUpload.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    names = [s.file.name for s in StagedUpload.objects.all()]
    assert main(["uploads", "sweep"]) == 0
    assert "暂存文件：已删除 2 个" in capsys.readouterr().out
    assert not StagedUpload.objects.exists() and not any(stored(n) for n in names)


def test_an_input_whose_file_is_staged_is_no_longer_marked_as_needed(applicant, open_round):
    client = signed_in(applicant("enterprise"))
    fake = SimpleUploadedFile("证书.pdf", b"MZ not a pdf", content_type="application/pdf")
    html = client.post(reverse("portal:claim_new", args=[PATENT]), claim_post(**{"evidence-evidence_0": fake})).content.decode()
    refused, staged = field_block(html, "evidence-evidence_0"), field_block(html, "evidence-evidence_1")
    assert "required-mark" in refused and "required-mark" not in staged
    assert "无需重新选择" in staged
