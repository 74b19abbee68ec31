"""Where a job runs: on Celery when a broker is configured, else on a worker thread of this process.

The embedded default needs no server besides the platform: `ipfund serve` (and any process that
requests a job) starts one worker thread on first use. Either way the job starts only after the
request's transaction has committed, so the worker always finds the job row.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connections, transaction

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


def _send(job_id: int) -> None:
    if settings.CELERY_BROKER_URL:
        from .celery_app import run_job

        run_job.delay(job_id)
    else:
        future = _embedded().submit(_run_here, job_id)
        with _lock:
            _futures[:] = [f for f in _futures if not f.done()] + [future]


def job_dispatch(job_id: int) -> None:
    transaction.on_commit(lambda: _send(job_id))


def embedded_wait(timeout: float = 60) -> None:
    """Wait for the embedded worker's jobs sent so far (tests, and `ipfund` commands before exit)."""
    with _lock:
        pending = list(_futures)
    for future in pending:
        future.result(timeout=timeout)
