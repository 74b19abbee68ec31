"""Exported files are kept IPFUND_EXPORT_RETENTION_DAYS after they were made, then deleted by a sweep:
an export holds personal data (accounts, names) that should not lie about once it has been used.
The job row stays (state EXPIRED), so the page says what was exported and when its file went."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ipfund.web.audit.services import audit_record
from ipfund.web.audit.actions import AuditAction

from .models import Job

log = logging.getLogger(__name__)


def retention() -> dt.timedelta:
    return dt.timedelta(days=settings.IPFUND_EXPORT_RETENTION_DAYS)


def job_kept_until(job: Job) -> dt.datetime | None:
    if job.state != Job.DONE or not job.finished_at:
        return None
    return job.finished_at + retention()


def exports_sweep(*, now: dt.datetime | None = None) -> int:
    """Delete the files of finished exports past the retention period; each deletion audited."""
    cutoff = (now or timezone.now()) - retention()
    removed = 0
    for pk in Job.objects.filter(state=Job.DONE, finished_at__lt=cutoff).values_list("pk", flat=True):
        with transaction.atomic():
            job = Job.objects.select_for_update().filter(pk=pk, state=Job.DONE).first()
            if job is None:  # another sweep took it
                continue
            name = job.file
            job.state, job.file = Job.EXPIRED, ""
            job.save(update_fields=["state", "file"])
            audit_record(
                actor="system", action=AuditAction.EXPORT_EXPIRE, obj=job,
                after={"kind": job.kind, "filename": job.filename, "retention_days": settings.IPFUND_EXPORT_RETENTION_DAYS},
            )
            if name:
                path = Path(settings.MEDIA_ROOT) / name
                transaction.on_commit(lambda path=path: path.unlink(missing_ok=True))  # type: ignore[misc]  # (as written before types were checked (issue 23: typed later))
        removed += 1
    return removed
