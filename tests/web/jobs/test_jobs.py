"""Jobs run outside the request: on the embedded worker thread (no broker) and on Celery with a
real Redis (DB 4 of the local server, IPFUND_TEST_REDIS_URL to change it)."""

from __future__ import annotations

import datetime as dt
import io
import os
import time

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.jobs import runner
from ipfund.web.jobs.models import Job

REDIS_URL = os.environ.get("IPFUND_TEST_REDIS_URL", "redis://127.0.0.1:6379/4")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def wait_done(pk: int, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=pk)
        if job.finished:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {pk} still {Job.objects.get(pk=pk).state}")


@pytest.fixture
def queue(transactional_db, enterprise, applicant, open_round, staff):
    flow.submitted_from_sample(enterprise, sample("custody_sme"))
    flow.submitted_from_sample(applicant("person"), sample("patent_attorney"))
    return staff


def ask_and_download(staff) -> tuple[Client, Job, list]:
    client = client_for(staff.reviewer)
    response = client.post("/staff/jobs/", {"kind": "queue_review", "state": "submitted"})
    job = Job.objects.get()
    assert response["Location"] == f"/staff/jobs/{job.pk}/"
    job = wait_done(job.pk)
    assert job.state == Job.DONE, job.error
    page = client.get(f"/staff/jobs/{job.pk}/").content.decode()
    assert "下载文件" in page and "已完成，共 2 行" in page
    body = b"".join(client.get(f"/staff/jobs/{job.pk}/file/").streaming_content)
    rows = list(load_workbook(io.BytesIO(body), read_only=True).active.iter_rows(values_only=True))
    return client, job, rows


def test_embedded_worker_thread_runs_the_job_after_the_request(queue, settings):
    settings.CELERY_BROKER_URL = ""
    client, job, rows = ask_and_download(queue)
    assert len(rows) == 3  # the header and two claims
    runner.embedded_wait()


def test_job_page_shows_progress_until_done(queue):
    job = Job.objects.create(kind="queue_review", requested_by=queue.reviewer, filename="队列导出.xlsx", total=400, done=100)
    page = client_for(queue.reviewer).get(f"/staff/jobs/{job.pk}/").content.decode()
    assert '<progress id="job-progress" max="100" value="25">' in page
    assert "已处理 100 / 400" in page and 'http-equiv="refresh"' in page
    assert client_for(queue.reviewer).get(f"/staff/jobs/{job.pk}/file/").status_code == 404


@pytest.fixture
def redis_broker(settings):
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    connection.flushdb()
    from ipfund.web.jobs.celery_app import app

    before = app.conf.broker_url
    settings.CELERY_BROKER_URL = REDIS_URL
    app.conf.broker_url = REDIS_URL
    yield app, connection
    app.conf.broker_url = before
    connection.flushdb()


def test_celery_worker_on_redis_runs_the_job(queue, redis_broker):
    from celery.contrib.testing.worker import start_worker

    app, connection = redis_broker
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20, loglevel="WARNING"):
        _, job, rows = ask_and_download(queue)
    assert len(rows) == 3
    assert connection.exists("_kombu.binding.celery")  # the task went through this Redis database
    assert job.started_at is not None and job.finished_at >= job.started_at


def test_embedded_start_takes_over_interrupted_jobs_and_resends_queued_ones(queue, settings):
    from ipfund.web.jobs.services import job_recover_embedded

    settings.CELERY_BROKER_URL = ""
    interrupted = Job.objects.create(kind="queue_review", requested_by=queue.reviewer, state=Job.RUNNING, filename="a.xlsx",
                                     attempts=1, lease_owner="stopped-run", lease_expires_at=timezone.now() + dt.timedelta(hours=1))
    waiting = Job.objects.create(kind="queue_review", requested_by=queue.reviewer, params={"state": "submitted"}, filename="b.xlsx")
    assert job_recover_embedded() == (1, 2)
    restarted = wait_done(interrupted.pk)
    assert restarted.state == Job.DONE and restarted.attempts == 2  # run again from the start
    assert wait_done(waiting.pk).state == Job.DONE
    runner.embedded_wait()
