"""Export files are deleted after IPFUND_EXPORT_RETENTION_DAYS by a sweep (CLI, after each job a
worker runs, hourly in `ipfund serve`); the pages say until when each file is kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from ipfund.cli.main import main
from ipfund.web.audit.models import AuditEvent
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.jobs import runner
from ipfund.web.jobs.housekeeping import housekeeping_every
from ipfund.web.jobs.models import Job
from ipfund.web.jobs.retention import exports_sweep
from ipfund.web.jobs.services import job_request, job_run

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def finished_export(staff, *, days_ago: float) -> Job:
    job = job_request(actor=staff.reviewer, kind="queue_review", params={"state": "submitted"})
    job = job_run(job_id=job.pk)
    if job.state == Job.RUNNING:  # committed (transactional test): the embedded worker took it first
        runner.embedded_wait()
        job.refresh_from_db()
    assert job.state == Job.DONE, job.error
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(days=days_ago))
    job.refresh_from_db()
    return job


def on_disk(job_file: str) -> Path:
    return Path(settings.MEDIA_ROOT) / job_file


@pytest.fixture
def queue(enterprise, open_round, staff):
    flow.submitted_from_sample(enterprise, sample("custody_sme"))
    return staff


def test_files_past_retention_are_deleted_and_the_deletion_audited(queue, django_capture_on_commit_callbacks):
    staff = queue
    young = finished_export(staff, days_ago=1)
    old = finished_export(staff, days_ago=settings.IPFUND_EXPORT_RETENTION_DAYS + 1)
    old_file, young_file = on_disk(old.file), on_disk(young.file)
    assert old_file.is_file() and young_file.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        assert exports_sweep() == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert old.state == Job.EXPIRED and old.file == "" and not old_file.exists()
    assert young.state == Job.DONE and young_file.is_file()
    event = AuditEvent.objects.get(action="export_expire")
    assert event.actor_label == "system" and event.object_id == str(old.pk)
    assert exports_sweep() == 0  # nothing left to do


def test_pages_say_until_when_the_file_is_kept_and_that_an_expired_one_is_gone(queue, settings):
    settings.IPFUND_EXPORT_RETENTION_DAYS = 3
    staff = queue
    young = finished_export(staff, days_ago=1)
    old = finished_export(staff, days_ago=4)
    client = client_for(staff.reviewer)
    until = timezone.localtime(young.finished_at + dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    assert f"文件保留至 {until}" in client.get(f"/staff/jobs/{young.pk}/").content.decode()
    exports_sweep()
    page = client.get("/staff/exports/").content.decode()
    assert "导出文件自生成起保留 3 天" in page
    assert until in page and "已删除" in page
    expired = client.get(f"/staff/jobs/{old.pk}/").content.decode()
    assert "文件已超过保留期限，已自动删除" in expired and "下载文件" not in expired
    assert client.get(f"/staff/jobs/{old.pk}/file/").status_code == 404


def test_the_cli_sweeps_and_says_what_it_removed(queue, capsys, django_capture_on_commit_callbacks):
    old = finished_export(queue, days_ago=30)
    file = on_disk(old.file)
    with django_capture_on_commit_callbacks(execute=True):
        assert main(["exports", "sweep"]) == 0
    assert "导出文件：已删除 1 个超过保留期限（7 天）的文件。" in capsys.readouterr().out
    old.refresh_from_db()
    assert old.state == Job.EXPIRED and not file.exists()


def test_a_worker_finishing_a_job_sweeps_the_expired_ones(queue):
    old = finished_export(queue, days_ago=30)
    finished_export(queue, days_ago=0)  # the worker ran this job and then the sweep
    old.refresh_from_db()
    assert old.state == Job.EXPIRED


def test_the_serve_hook_runs_the_sweep_on_a_thread(queue, transactional_db):
    old = finished_export(queue, days_ago=30)
    thread = housekeeping_every(interval=3600)
    thread.stop.set()
    thread.join(timeout=30)
    old.refresh_from_db()
    assert old.state == Job.EXPIRED
