"""Production defaults (issue #21 item 7), each through what a person or an operator touches:
files the platform writes are its own only (0600, folders 0700); authenticator secrets and
objectors' names and contacts are encrypted and sealed to their rows; a request too large is
refused before it is read; uploaded files are served as downloads, and a PDF that is also a page
or carries a script is refused."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from ipfund.web.accounts.models import StaffTOTPDevice
from ipfund.web.audit.services import audit_checkpoint
from ipfund.web.backups import backup_create
from ipfund.web.config import limits
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.jobs.models import Job
from ipfund.web.jobs.services import job_run
from ipfund.web.notices import services as notices
from ipfund.web.notices.models import Objection
from ipfund.web.pii.fields import MisplacedCiphertext
from ipfund.web.uploads import UPLOAD_ACTIVE


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def entry(applicant, open_round, staff):
    claim = flow.advance(flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme")), "approved", staff)
    return notices.notice_publish(actor=staff.reviewer).entries.get(claim=claim)


def objection_url(entry) -> str:
    return reverse("portal:objection_new", args=[entry.notice_id, entry.pk])


# --- files 0600, folders 0700 -------------------------------------------------------------------


def test_uploads_exports_checkpoints_and_backups_are_the_platforms_own(enterprise, open_round, staff, settings, tmp_path):
    claim = flow.submitted_from_sample(enterprise, sample("custody_sme"))  # uploads its evidence
    evidence = Path(settings.MEDIA_ROOT) / claim.evidence.first().file.name
    client = signed_in(staff.reviewer)
    client.post("/staff/jobs/", {"kind": "queue_review"})
    job = Job.objects.latest("id")
    job_run(job_id=job.pk)
    job.refresh_from_db()
    export = Path(settings.MEDIA_ROOT) / job.file
    audit_checkpoint()
    checkpoint = next(Path(settings.IPFUND_CHECKPOINT_DIR).glob("*.json"))
    backup = tmp_path / "backup"
    backup_create(backup)
    written = [evidence, export, checkpoint, *[p for p in backup.rglob("*") if p.is_file()]]
    folders = [evidence.parent, export.parent, checkpoint.parent, backup, *[p for p in backup.rglob("*") if p.is_dir()]]
    assert {str(p): oct(mode(p)) for p in written if mode(p) != 0o600} == {}
    assert {str(p): oct(mode(p)) for p in folders if mode(p) != 0o700} == {}


# --- secrets and contacts encrypted ------------------------------------------------------------


def test_an_authenticator_secret_is_encrypted_and_still_signs_in(staff, settings):
    settings.IPFUND_STAFF_MFA = True
    client = Client()
    client.post("/accounts/login/", {"username": "finance", "password": flow.STAFF_PASSWORDS["finance"]})
    client.get(reverse("portal:mfa_setup"))
    device = StaffTOTPDevice.objects.get(user=staff.finance, confirmed=False)
    key = device.key
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key FROM {StaffTOTPDevice._meta.db_table} WHERE id = %s", [device.pk])
        stored = cursor.fetchone()[0]
    assert len(key) == 40 and key not in stored and key.upper() not in stored
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    confirmed = client.post(reverse("portal:mfa_setup"), {"token": code, "next": "/"})
    assert confirmed.status_code == 302
    assert StaffTOTPDevice.objects.get(pk=device.pk).confirmed


def test_an_objectors_name_and_contact_are_encrypted(entry, staff):
    response = Client().post(objection_url(entry), {"name": "王小明", "contact": "13912345678", "reason": "重复申报。"},
                             REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    objection = Objection.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, contact FROM notices_objection WHERE id = %s", [objection.pk])
        name, contact = cursor.fetchone()
    assert "王小明" not in name and "13912345678" not in contact
    page = signed_in(staff.reviewer).get(reverse("portal:objection_detail", args=[objection.pk])).content.decode()
    assert "王小明" in page and "13912345678" in page  # the reviewer reads them as filed
    # and one objection's contact copied onto another does not open
    with connection.cursor() as cursor:
        cursor.execute("UPDATE notices_objection SET name = %s WHERE id = %s", [contact, objection.pk])
    with pytest.raises(MisplacedCiphertext):
        Objection.objects.get(pk=objection.pk).name  # noqa: B018


# --- size limits, before the body is read -------------------------------------------------------


class Unread(io.BytesIO):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_an_anonymous_request_over_the_limit_is_refused_unread(entry, settings):
    declared = 100 * 1024 * 1024
    request = {"REQUEST_METHOD": "POST", "PATH_INFO": objection_url(entry), "CONTENT_TYPE": "multipart/form-data; boundary=x",
               "CONTENT_LENGTH": str(declared), "wsgi.input": Unread(b"")}
    response = Client().request(**request)
    assert response.status_code == 413
    text = response.content.decode()
    assert "100 MB" in text and "11 MB" in text and "10 MB" in text
    assert not Objection.objects.exists()


def test_a_signed_in_form_has_the_larger_limit_and_the_api_answers_in_json(enterprise, settings):
    over_anonymous = settings.IPFUND_MAX_ANONYMOUS_REQUEST_BYTES + 1
    client = signed_in(enterprise)
    ok = client.generic("POST", "/api/claims", b"{}", content_type="application/json", CONTENT_LENGTH=str(over_anonymous))
    assert ok.status_code != 413  # within the signed-in limit: it reaches the API (which finds the body short)
    over = settings.IPFUND_MAX_REQUEST_BYTES + 1
    refused = Client().generic("POST", "/api/claims", b"{}", content_type="application/json", CONTENT_LENGTH=str(over),
                               HTTP_AUTHORIZATION="Bearer ipf_x")
    assert refused.status_code == 413 and refused.json()["detail"].startswith(limits.TOO_LARGE[:6])


# --- uploads served as downloads, active content refused ---------------------------------------


def test_evidence_is_served_as_a_download(enterprise, open_round, staff):
    claim = flow.submitted_from_sample(enterprise, sample("custody_sme"))
    response = signed_in(staff.reviewer).get(reverse("portal:evidence_file", args=[claim.evidence.first().pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]


POLYGLOT = (b"%PDF-1.4\n<html><body><script>fetch('/api/payments').then(r=>r.text()).then(alert)</script></body></html>\n"
            b"1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
JS_ACTION = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n"
             b"2 0 obj << /S /JavaScript /JS (app.alert('x')) >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


@pytest.mark.parametrize("body", [POLYGLOT, JS_ACTION], ids=["pdf-that-is-html", "pdf-with-javascript"])
def test_a_pdf_with_active_content_is_refused_on_the_objection_form(entry, body):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("证明.pdf", body, content_type="application/pdf")
    response = Client().post(objection_url(entry), {"name": "李四", "contact": "13900000000", "reason": "理由。",
                                                    "evidence": upload}, REMOTE_ADDR="203.0.113.10")
    assert response.status_code == 200 and UPLOAD_ACTIVE in response.content.decode()
    assert not Objection.objects.exists()


def test_an_ordinary_pdf_is_still_accepted(entry):
    response = Client().post(objection_url(entry), {"name": "李四", "contact": "13900000000", "reason": "理由。",
                                                    "evidence": flow.pdf_upload()}, REMOTE_ADDR="203.0.113.11")
    assert response.status_code == 302 and Objection.objects.get().evidence
