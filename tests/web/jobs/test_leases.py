"""Jobs that finish (issue #21 item 8): a job whose worker died mid-job is taken over once its
lease expires and runs again to the end; a job asked for while the broker was down is not lost
but sent when it answers again; a job out of attempts fails with a Chinese message. With real
Celery workers in their own processes (one killed with SIGKILL mid-job) and a Redis server of the
test's own, stopped and started again (the shared one at 6379 is never touched)."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.jobs import runner
from ipfund.web.jobs.leases import jobs_resend, jobs_to_resend
from ipfund.web.jobs.models import Job
from ipfund.web.jobs.services import JOB_GAVE_UP

CELERY = str(Path(sys.executable).with_name("celery"))
LETTERS = 6


def wait_for(predicate, seconds: float = 90, every: float = 0.02):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("timed out")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own on a free loopback port, stopped and started at will."""

    def __init__(self, folder: Path):
        self.port, self.folder, self.process = free_port(), folder, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        wait_for(lambda: self._ping(redis), seconds=20, every=0.1)

    def _ping(self, redis) -> bool:
        try:
            return redis.Redis(port=self.port).ping()
        except redis.exceptions.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


@pytest.fixture
def private_redis(tmp_path, settings):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    pytest.importorskip("redis")
    from ipfund.web.jobs.celery_app import app

    def fresh_pool():  # the app keeps producer connections to the broker it first used
        if app._pool is not None:
            app._pool.force_close_all()
            app._pool = None
        app.amqp._producer_pool = None

    server = PrivateRedis(tmp_path)
    server.start()
    before = app.conf.broker_url
    settings.CELERY_BROKER_URL = app.conf.broker_url = server.url
    app.conf.broker_connection_timeout = 2
    fresh_pool()
    try:
        yield server
    finally:
        app.conf.broker_url = before
        fresh_pool()
        server.stop()


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextmanager
def celery_worker(name: str, broker: str, settings, lease: float):
    """`celery -A ipfund.web.jobs.celery_app worker` in a process of its own, on the test's database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IPFUND_", "DATABASE_URL", "CELERY_", "DJANGO_"))}
    env.update(DATABASE_URL=database_url(), CELERY_BROKER_URL=broker, IPFUND_JOB_LEASE_SECONDS=str(lease),
               IPFUND_MEDIA_ROOT=str(settings.MEDIA_ROOT), IPFUND_CHECKPOINT_DIR=str(settings.IPFUND_CHECKPOINT_DIR),
               IPFUND_POLICY_STORE=str(settings.IPFUND_POLICY_STORE))
    worker = subprocess.Popen([CELERY, "-A", "ipfund.web.jobs.celery_app", "worker", "--pool", "solo", "-n", f"{name}@%h",
                               "--without-mingle", "--without-gossip", "-l", "WARNING"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()


@pytest.fixture
def final_awards(transactional_db, applicant, open_round, staff):
    claims = [flow.advance(flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme", i)), "approved", staff)
              for i in range(LETTERS)]
    flow.publish_and_finalize(staff, claims=claims)
    return staff


def ask_for_letters(staff) -> Job:
    client = Client()
    client.force_login(staff.reviewer)
    response = client.post("/staff/jobs/", {"kind": "decision_letters"})
    assert response.status_code == 302
    return Job.objects.latest("id")


def letters_in(job: Job, settings) -> int:
    with zipfile.ZipFile(io.BytesIO((Path(settings.MEDIA_ROOT) / job.file).read_bytes())) as archive:
        return sum(1 for name in archive.namelist() if name.endswith(".pdf"))


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_job_is_taken_over_and_the_job_finishes(final_awards, private_redis, settings):
    lease = 2.0
    settings.IPFUND_JOB_LEASE_SECONDS = lease
    with celery_worker("first", private_redis.url, settings, lease) as first:
        job = ask_for_letters(final_awards)
        running = wait_for(lambda: Job.objects.filter(pk=job.pk, state=Job.RUNNING).exclude(lease_owner="").first())
        os.kill(first.pid, signal.SIGKILL)  # mid-job: no clean-up, no acknowledgement
        first.wait(timeout=20)
    job.refresh_from_db()
    assert job.state == Job.RUNNING and job.attempts == 1 and job.lease_owner == running.lease_owner  # left running
    wait_for(lambda: jobs_to_resend().filter(pk=job.pk).exists(), seconds=lease * 5, every=0.2)  # the lease runs out
    with celery_worker("second", private_redis.url, settings, lease) as second:
        assert jobs_resend() >= 1  # what beat does every minute (and the new worker on start)
        done = wait_for(lambda: Job.objects.filter(pk=job.pk, state__in=[Job.DONE, Job.FAILED]).first(), seconds=120)
        assert second.poll() is None
    assert done.state == Job.DONE, done.error
    assert done.attempts == 2 and done.lease_owner == "" and done.lease_owner != running.lease_owner
    assert done.done == LETTERS and letters_in(done, settings) == LETTERS


@pytest.mark.django_db(transaction=True)
def test_a_job_asked_for_while_redis_is_down_is_sent_when_it_is_back(final_awards, private_redis, settings):
    from celery.contrib.testing.worker import start_worker

    from ipfund.web.jobs.celery_app import app

    private_redis.stop()  # the broker goes away during dispatch
    job = ask_for_letters(final_awards)  # the page still answers; the job is recorded
    job.refresh_from_db()
    assert job.state == Job.QUEUED and job.sent_at is None
    wait_for(lambda: jobs_to_resend().filter(pk=job.pk).exists(), seconds=30, every=0.2)  # past the request's own try
    assert jobs_resend() == 0  # still down: tried, not sent, not lost
    assert Job.objects.get(pk=job.pk).state == Job.QUEUED and Job.objects.get(pk=job.pk).sent_at is None
    private_redis.start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30, loglevel="WARNING"):
        assert jobs_resend() == 1  # what beat does every minute once the broker answers
        done = wait_for(lambda: Job.objects.filter(pk=job.pk, state__in=[Job.DONE, Job.FAILED]).first(), seconds=120)
    assert done.state == Job.DONE, done.error
    assert done.sent_at is not None and letters_in(done, settings) == LETTERS


@pytest.mark.django_db(transaction=True)
def test_embedded_worker_takes_over_an_expired_lease_but_not_a_live_one(final_awards, settings):
    settings.CELERY_BROKER_URL = ""
    staff = final_awards
    live = Job.objects.create(kind="decision_letters", requested_by=staff.reviewer, state=Job.RUNNING, attempts=1,
                              lease_owner="alive", lease_expires_at=timezone.now() + dt.timedelta(minutes=5), filename="a.zip")
    dead = Job.objects.create(kind="decision_letters", requested_by=staff.reviewer, state=Job.RUNNING, attempts=1,
                              lease_owner="dead", lease_expires_at=timezone.now() - dt.timedelta(seconds=1), filename="b.zip")
    assert list(jobs_to_resend().values_list("pk", flat=True)) == [dead.pk]
    assert jobs_resend() == 1
    runner.embedded_wait()
    dead.refresh_from_db()
    live.refresh_from_db()
    assert dead.state == Job.DONE and dead.attempts == 2 and letters_in(dead, settings) == LETTERS
    assert live.state == Job.RUNNING and live.lease_owner == "alive"


@pytest.mark.django_db(transaction=True)
def test_a_job_out_of_attempts_fails_in_chinese(final_awards, settings):
    settings.CELERY_BROKER_URL = ""
    job = Job.objects.create(kind="decision_letters", requested_by=final_awards.reviewer, state=Job.RUNNING,
                             attempts=settings.IPFUND_JOB_MAX_ATTEMPTS, lease_owner="dead",
                             lease_expires_at=timezone.now() - dt.timedelta(seconds=1), filename="c.zip")
    jobs_resend()
    runner.embedded_wait()
    job.refresh_from_db()
    assert job.state == Job.FAILED and job.error == JOB_GAVE_UP.format(attempts=settings.IPFUND_JOB_MAX_ATTEMPTS)
    client = Client()
    client.force_login(final_awards.reviewer)
    assert JOB_GAVE_UP.format(attempts=settings.IPFUND_JOB_MAX_ATTEMPTS)[:10] in client.get(f"/staff/jobs/{job.pk}/").content.decode()
