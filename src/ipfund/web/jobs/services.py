"""job_request (a person asks for an export or a batch), job_run (the worker does it), each audited."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ipfund.web.accounts import roles
from ipfund.web.audit.services import audit_record
from ipfund.web.audit.actions import AuditAction

from .kinds import kinds
from .models import Job
from .runner import job_dispatch

log = logging.getLogger(__name__)

UNKNOWN_KIND = "未知的导出类型。"
NOT_ALLOWED = "您没有导出此内容的权限。"
JOB_FAILED = "任务执行失败，请稍后重试；如仍失败请联系管理员。"
JOB_INTERRUPTED = "任务因平台重启而中断，请重新导出。"
YEAR_INVALID = "请填写有效的统计年度（2000 至 2100 之间的四位数字）。"
ROUND_INVALID = "申报批次无效，请从列表中选择。"
PARAM_KEYS = ("round", "item", "state", "policy", "year", "q", "sort")


def job_params_clean(kind: str, raw) -> dict:
    """The parameters a kind reads, as plain strings; field errors name the field."""
    params = {k: str(raw.get(k) or "").strip() for k in PARAM_KEYS if str(raw.get(k) or "").strip()}
    if params.get("round") and not params["round"].isdigit():
        raise ValidationError({"round": [ROUND_INVALID]})
    if kind == "statistics":
        year = params.get("year", "")
        if not (year.isdigit() and 2000 <= int(year) <= 2100):
            raise ValidationError({"year": [YEAR_INVALID]})
    elif "year" in params:
        del params["year"]
    return params


def job_request(*, actor, kind: str, params: dict) -> Job:
    """Record the request and send it to the worker once this transaction commits."""
    spec = kinds().get(kind)
    if spec is None:
        raise ValidationError({"kind": [UNKNOWN_KIND]})
    if not any(roles.has_role(actor, role) for role in spec.roles):
        raise PermissionDenied(NOT_ALLOWED)
    params = job_params_clean(kind, params)
    with transaction.atomic():
        job = Job.objects.create(kind=kind, params=params, requested_by=actor, filename=spec.filename(params))
        audit_record(actor=actor, action=AuditAction.JOB_REQUEST, obj=job, after={"kind": kind, "params": params})
        job_dispatch(job.pk)
    return job


def _progress(job_id: int):
    def progress(done: int, total: int | None = None) -> None:
        fields = {"done": done} if total is None else {"done": done, "total": total}
        Job.objects.filter(pk=job_id).update(**fields)

    return progress


def job_run(*, job_id: int) -> Job:
    """Run a queued job: write its file under MEDIA_ROOT/exports, then audit who exported what."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.state != Job.QUEUED:  # a redelivered task finds it taken
            return job
        job.state, job.started_at = Job.RUNNING, timezone.now()
        job.save(update_fields=["state", "started_at"])
    spec = kinds()[job.kind]
    relative = f"exports/{timezone.localdate():%Y/%m}/{secrets.token_hex(16)}"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        count = spec.run(job, path, _progress(job.pk))
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        path.unlink(missing_ok=True)
        Job.objects.filter(pk=job.pk).update(state=Job.FAILED, error=JOB_FAILED, finished_at=timezone.now())
        job.refresh_from_db()
        return job
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            state=Job.DONE, done=count, total=count, file=relative, content_type=spec.content_type, finished_at=timezone.now()
        )
        job.refresh_from_db()
        audit_record(
            actor=job.requested_by,
            action=AuditAction(f"export_{job.kind}"),
            obj=job,
            after={"kind": job.kind, "params": job.params, "rows": count, "filename": job.filename},
        )
    from .housekeeping import housekeeping_quietly

    housekeeping_quietly()  # the worker, having just written a file, deletes those past retention
    return job


def job_file_open(*, actor, job: Job):
    """The finished file for its requester; the download itself is audited too."""
    if job.requested_by_id != actor.pk:
        raise PermissionDenied(NOT_ALLOWED)
    handle = open(Path(settings.MEDIA_ROOT) / job.file, "rb")  # FileNotFoundError before any audit
    audit_record(actor=actor, action=AuditAction.EXPORT_DOWNLOAD, obj=job, after={"kind": job.kind, "filename": job.filename})
    return handle


def job_recover_embedded() -> tuple[int, int]:
    """When the embedded platform starts: jobs a stopped process left running have failed (their
    file is incomplete), jobs still queued are sent to this process's worker. (failed, resent)"""
    failed = Job.objects.filter(state=Job.RUNNING).update(state=Job.FAILED, error=JOB_INTERRUPTED, finished_at=timezone.now())
    queued = list(Job.objects.filter(state=Job.QUEUED).values_list("pk", flat=True))
    for pk in queued:
        with transaction.atomic():
            job_dispatch(pk)
    return failed, len(queued)
