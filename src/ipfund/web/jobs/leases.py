"""Jobs that finish: leases, take-over, and sending again what was never sent.

- A worker that starts a job holds a lease (``lease_owner``, ``lease_expires_at``) and renews it
  from a thread of its own every third of ``IPFUND_JOB_LEASE_SECONDS`` while the job runs. A
  worker that dies mid-job (killed, out of memory, the machine restarted) stops renewing; once the
  lease has expired the job is sent again and the next worker takes it over and runs it from the
  start (every kind writes its file anew, so a restart is safe). Only the lease's holder may
  finish the job: a worker that lost its lease throws its file away.
- A job is tried at most ``IPFUND_JOB_MAX_ATTEMPTS`` times, then failed with a Chinese message.
- Sending never fails the request: when the broker is down the job stays queued without
  ``sent_at``; ``jobs_resend`` (Celery beat every minute, a Celery worker when it starts, the
  embedded platform's own loop) sends it once the broker answers, and sends again a queued job
  sent long ago that no worker started (a message lost with the broker) and a running job whose
  lease has expired.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connections
from django.db.models import Q
from django.utils import timezone

from .models import Job

log = logging.getLogger(__name__)

RESEND_GRACE_SECONDS = 5  # a job just asked for is being sent by its own request


def worker_identity() -> str:
    """Who holds a lease: host, process, and a random part (a process id is reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def lease_until():
    return timezone.now() + timedelta(seconds=settings.IPFUND_JOB_LEASE_SECONDS)


def lease_expired(job: Job, now) -> bool:
    return job.lease_expires_at is None or job.lease_expires_at <= now


def lease_renew(job_id: int, owner: str) -> bool:
    """Extend the lease if ``owner`` still holds it; False once it does not."""
    return bool(Job.objects.filter(pk=job_id, state=Job.RUNNING, lease_owner=owner).update(lease_expires_at=lease_until()))


class LeaseKeeper:
    """Renews a lease from a daemon thread while the job runs (``with LeaseKeeper(...)``)."""

    def __init__(self, job_id: int, owner: str):
        self.job_id, self.owner = job_id, owner
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"ipfund-lease-{job_id}", daemon=True)

    def _loop(self) -> None:
        interval = max(settings.IPFUND_JOB_LEASE_SECONDS / 3, 0.2)
        try:
            while not self._stop.wait(interval):
                close_old_connections()
                if not lease_renew(self.job_id, self.owner):
                    return  # taken over or finished: nothing more to renew
        except Exception:
            log.exception("lease of job %s not renewed", self.job_id)
        finally:
            connections.close_all()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=30)
        return False


def jobs_to_resend(now=None):
    """Queued jobs never sent (or sent long ago and not started) and running jobs whose lease expired."""
    now = now or timezone.now()
    grace = now - timedelta(seconds=RESEND_GRACE_SECONDS)
    lost = now - timedelta(seconds=settings.IPFUND_JOB_RESEND_SECONDS)
    return Job.objects.filter(
        Q(state=Job.QUEUED, sent_at__isnull=True, created_at__lte=grace)
        | Q(state=Job.QUEUED, sent_at__lte=lost)
        | Q(state=Job.RUNNING, lease_expires_at__lte=now)
        | Q(state=Job.RUNNING, lease_expires_at__isnull=True, started_at__lte=now - timedelta(seconds=settings.IPFUND_JOB_LEASE_SECONDS))
    ).order_by("id")


def jobs_resend() -> int:
    """Send every job that needs it (see jobs_to_resend); how many were sent."""
    from .runner import job_send

    sent = 0
    for pk in list(jobs_to_resend().values_list("pk", flat=True)):
        sent += job_send(pk)
    return sent


def jobs_resend_every(interval: float | None = None) -> threading.Thread:
    """The embedded platform's loop: jobs_resend now and every ``interval`` (half a lease) seconds."""
    from .housekeeping import run_every

    def resend_quietly() -> None:
        try:
            jobs_resend()
        except Exception:
            log.exception("jobs not resent")

    return run_every("ipfund-jobs-resend", resend_quietly, interval or max(settings.IPFUND_JOB_LEASE_SECONDS / 2, 1))
