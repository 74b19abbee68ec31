"""Where a job runs: on Celery when a broker is configured, else on a worker thread of this process.

The embedded default needs no server besides the platform: `ipfund serve` (and any process that
requests a job) starts one worker thread on first use. Either way the job starts only after the
request's transaction has committed, so the worker always finds the job row.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone

log = logging.getLogger(__name__)
NOT_SENT = "job %s not sent (%s): it stays queued and is sent again when the broker answers"

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_futures: list[Future] = []


def _embedded() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ipfund-job")
        return _executor


def _run_here(job_id: int) -> None:
    from .services import job_run

    close_old_connections()
    try:
        job_run(job_id=job_id)
    finally:
        connections.close_all()


def job_send(job_id: int) -> bool:
    """Hand the job to the broker (or the embedded worker) now; never raises. Records ``sent_at``
    when it went; a broker that does not answer leaves the job queued for jobs_resend."""
    from .models import Job

    try:
        if settings.CELERY_BROKER_URL:
            from .celery_app import run_job

            run_job.apply_async(args=[job_id], retry=False)  # fail fast: the housekeeping retries
        else:
            future = _embedded().submit(_run_here, job_id)
            with _lock:
                _futures[:] = [f for f in _futures if not f.done()] + [future]
    except Exception as exc:  # kombu's OperationalError, a refused connection, …
        log.warning(NOT_SENT, job_id, exc.__class__.__name__)
        return False
    Job.objects.filter(pk=job_id, state__in=[Job.QUEUED, Job.RUNNING]).update(sent_at=timezone.now())
    return True


def job_dispatch(job_id: int) -> None:
    transaction.on_commit(lambda: job_send(job_id))


def embedded_wait(timeout: float = 60) -> None:
    """Wait for the embedded worker's jobs sent so far (tests, and `ipfund` commands before exit)."""
    with _lock:
        pending = list(_futures)
    for future in pending:
        future.result(timeout=timeout)
