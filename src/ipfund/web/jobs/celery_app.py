"""The Celery application of production (broker: CELERY_BROKER_URL, e.g. Redis).

Run a worker with ``celery -A ipfund.web.jobs.celery_app worker``; Celery's Django fix-up sets
Django up in the worker. Without a broker URL the platform runs jobs in its own process instead
(jobs/runner.py) and no worker is needed.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipfund.web.config.settings")

app = Celery("ipfund")
app.config_from_object("django.conf:settings", namespace="CELERY")


@worker_init.connect
def _refuse_unsafe_start(**kwargs) -> None:
    """Production: a worker connected as a role that could alter the tables does not start."""
    import django

    django.setup()
    from ipfund.web.startup import refuse_unsafe_start

    refuse_unsafe_start(workers=1, web=False)


@app.task(name="ipfund.jobs.run", acks_late=True, ignore_result=True)
def run_job(job_id: int) -> None:
    from .services import job_run

    job_run(job_id=job_id)


@app.task(name="ipfund.jobs.resend", ignore_result=True)
def resend_task() -> int:
    from .leases import jobs_resend

    return jobs_resend()


@worker_ready.connect
def _resend_on_start(**kwargs) -> None:
    """A worker that starts (after a broker outage, or replacing one that died) sends what waits."""
    from .leases import jobs_resend

    jobs_resend()


@app.task(name="ipfund.jobs.housekeeping", ignore_result=True)
def housekeeping_task() -> None:
    from .housekeeping import housekeeping

    housekeeping()


# With `celery ... beat` running: the clean-up every hour (expired exports, unsaved staged files),
# and every minute the jobs never sent (the broker was down) or whose worker died (leases.py).
app.conf.beat_schedule = {
    "ipfund-housekeeping": {"task": "ipfund.jobs.housekeeping", "schedule": 3600.0},
    "ipfund-jobs-resend": {"task": "ipfund.jobs.resend", "schedule": 60.0},
}
