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
from .leases import LeaseKeeper, lease_expired, lease_until, worker_identity
from .models import Job
from .runner import job_dispatch, job_send

log = logging.getLogger(__name__)

UNKNOWN_KIND = "未知的导出类型。"
NOT_ALLOWED = "您没有导出此内容的权限。"
JOB_FAILED = "任务执行失败，请稍后重试；如仍失败请联系管理员。"
JOB_INTERRUPTED = "任务因平台重启而中断，请重新导出。"
JOB_GAVE_UP = "任务已尝试 {attempts} 次，每次执行中都中断了（执行它的进程停止），请稍后重新导出；如仍失败请联系管理员。"
YEAR_INVALID = "请填写有效的统计年度（2000 至 2100 之间的四位数字）。"
ROUND_INVALID = "申报批次无效，请从列表中选择。"
TEMPLATE_INVALID = "请从列表中选择银行文件模板。"
RUN_INVALID = "沙盘测算编号无效。"
PARAM_KEYS = ("round", "item", "state", "policy", "year", "q", "sort", "template", "run", "on")


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
    if kind == "sandbox_run":
        if not params.get("run", "").isdigit():
            raise ValidationError({"run": [RUN_INVALID]})
    else:
        params.pop("run", None)
    if kind == "bank_batch":
        from ipfund.web.exports.bank_formats import bank_templates

        if params.get("template", "") not in ("", *bank_templates()):
            raise ValidationError({"template": [TEMPLATE_INVALID]})
    else:
        params.pop("template", None)
    spec = kinds().get(kind)
    if spec is not None and spec.clean is not None:
        return spec.clean(params)
    params.pop("on", None)
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


def _claim(job_id: int, owner: str) -> Job | None:
    """Take the job for ``owner``: a queued one, or a running one whose lease expired (its worker
    died): None when another worker holds it or it is finished. A job out of attempts fails."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        now = timezone.now()
        if job.state == Job.RUNNING and lease_expired(job, now):
            log.warning("job %s: lease of %s expired, taken over by %s", job.pk, job.lease_owner or "?", owner)
        elif job.state != Job.QUEUED:  # a redelivered task finds it taken or done
            return None
        if job.attempts >= settings.IPFUND_JOB_MAX_ATTEMPTS:
            job.state, job.error, job.finished_at = Job.FAILED, JOB_GAVE_UP.format(attempts=job.attempts), now
            job.lease_owner, job.lease_expires_at = "", None
            job.save(update_fields=["state", "error", "finished_at", "lease_owner", "lease_expires_at"])
            return None
        job.state, job.started_at, job.attempts = Job.RUNNING, now, job.attempts + 1
        job.lease_owner, job.lease_expires_at = owner, lease_until()
        job.save(update_fields=["state", "started_at", "attempts", "lease_owner", "lease_expires_at"])
    return job


def job_run(*, job_id: int) -> Job:
    """Run a queued job (or take over one whose worker died): write its file under
    MEDIA_ROOT/exports while holding the lease, then audit who exported what."""
    owner = worker_identity()
    job = _claim(job_id, owner)
    if job is None:
        return Job.objects.get(pk=job_id)
    spec = kinds()[job.kind]
    relative = f"exports/{timezone.localdate():%Y/%m}/{secrets.token_hex(16)}"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    mine = Job.objects.filter(pk=job.pk, state=Job.RUNNING, lease_owner=owner)
    try:
        with LeaseKeeper(job.pk, owner):
            count = spec.run(job, path, _progress(job.pk))
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        path.unlink(missing_ok=True)
        mine.update(state=Job.FAILED, error=JOB_FAILED, finished_at=timezone.now(), lease_owner="", lease_expires_at=None)
        job.refresh_from_db()
        return job
    with transaction.atomic():
        finished = mine.update(
            state=Job.DONE, done=count, total=count, file=relative, content_type=spec.content_type_for(job.params), finished_at=timezone.now(),
            lease_owner="", lease_expires_at=None,
        )
        job.refresh_from_db()
        if not finished:  # the lease was lost (taken over): the other worker's file counts
            path.unlink(missing_ok=True)
            return job
        audit_record(
            actor=job.requested_by,
            action=AuditAction(f"export_{job.kind}"),
            obj=job,
            after={"kind": job.kind, "params": job.params, "rows": count, "filename": job.filename, "attempt": job.attempts},
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
    """When the embedded platform starts, no other process runs its jobs: those a stopped run left
    running lose their lease (they are taken over and run again), and every running or queued job
    is sent to this process's worker. (taken over, sent)"""
    interrupted = Job.objects.filter(state=Job.RUNNING).update(lease_expires_at=timezone.now())
    pending = list(Job.objects.filter(state__in=[Job.QUEUED, Job.RUNNING]).values_list("pk", flat=True))
    for pk in pending:
        job_send(pk)
    return interrupted, len(pending)
