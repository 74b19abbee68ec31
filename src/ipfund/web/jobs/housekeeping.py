"""The platform's periodic work: expired export files, staged claim-form files nobody saved, and
notices (公示) whose period has ended closed as the system (their awards become final).

Run by `ipfund exports sweep` / `ipfund uploads sweep`, after each job a worker finishes, hourly by
`ipfund serve` (embedded) and, on Celery, by beat (`celery -A ipfund.web.jobs.celery_app beat`)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.db import close_old_connections, connections

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 3600


@dataclass(frozen=True)
class Swept:
    exports: int
    staged: int


def housekeeping() -> Swept:
    from ipfund.web.claims.staging import staged_sweep

    from ipfund.web.analysis.services import activity_remind
    from ipfund.web.promises.services import promise_remind

    from .retention import exports_sweep

    from ipfund.web.notices.services import notices_close_due

    activity_remind()  # 二（一）: deadline reminders of the analysis register, at most one a day each
    notices_close_due()  # 公示期满: closed as a reviewer's close does, the claims moved on to 资助确定
    promise_remind()  # 五（一）: promises' terms started, kept, and reminders of those ending soon
    return Swept(exports=exports_sweep(), staged=staged_sweep())


def housekeeping_quietly() -> None:
    """For hooks that must not fail because of it (a worker after a job): a failure is logged."""
    try:
        housekeeping()
    except Exception:
        log.exception("housekeeping failed")


def run_every(name: str, work, interval: float) -> threading.Thread:
    """A daemon thread of this process running ``work`` now and every ``interval`` seconds, each
    time on fresh database connections; ``thread.stop.set()`` ends it."""
    stop = threading.Event()

    def loop() -> None:
        while True:
            close_old_connections()
            work()
            connections.close_all()
            if stop.wait(interval):
                return

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread


def housekeeping_every(interval: float = INTERVAL_SECONDS) -> threading.Thread:
    """The clean-up now and every ``interval`` seconds, on a thread of this process."""
    return run_every("ipfund-housekeeping", housekeeping_quietly, interval)
