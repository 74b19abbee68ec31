"""Exports and batches as background jobs: the exports page, asking for one, its progress, its file."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ipfund.web.accounts import roles
from ipfund.web.jobs.kinds import kinds
from ipfund.web.jobs.models import Job
from ipfund.web.jobs.selectors import job_get_for, jobs_of
from ipfund.web.jobs.services import job_file_open, job_request
from ipfund.web.common.policy import page_policy, policy_choices, policy_facts
from ipfund.web.common.views import error_messages, flash_errors, role_required
from ipfund.web.rounds.models import ApplicationRound

STAFF = (roles.REVIEWER, roles.APPROVER, roles.FINANCE, roles.ADMIN)


def _job(request, pk) -> Job:
    try:
        return job_get_for(request.user, pk)
    except Job.DoesNotExist:
        raise Http404 from None


@role_required(*STAFF)
def exports(request):
    policy = page_policy(request.GET.get("policy"))
    user = request.user
    allowed = {k for k, spec in kinds().items() if any(roles.has_role(user, r) for r in spec.roles)}
    return render(
        request,
        "portal/staff/exports.html",
        {
            "policy": policy_facts(policy),
            "policies": policy_choices(),
            "rounds": ApplicationRound.objects.filter(policy=policy.id),
            "allowed": allowed,
            "year": timezone.localdate().year,
            "jobs": jobs_of(user)[:20],
            "retention_days": f"{settings.IPFUND_EXPORT_RETENTION_DAYS:g}",
        },
    )


@role_required(*STAFF)
@require_POST
def job_start(request):
    try:
        job = job_request(actor=request.user, kind=request.POST.get("kind", ""), params=request.POST)
    except ValidationError as exc:
        flash_errors(request, error_messages(exc))
    except PermissionDenied as exc:
        flash_errors(request, [str(exc)])
    else:
        return redirect("portal:job_detail", pk=job.pk)
    back = request.POST.get("back", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("portal:exports")


@role_required(*STAFF)
def job_detail(request, pk):
    job = _job(request, pk)
    spec = kinds()[job.kind]
    result = spec.result_url(job) if spec.result_url is not None and job.state == Job.DONE else None
    return render(request, "portal/staff/job.html", {"job": job, "title": spec.title, "result_url": result})


@role_required(*STAFF)
def job_file(request, pk):
    job = _job(request, pk)
    if job.state != Job.DONE:
        raise Http404
    try:
        handle = job_file_open(actor=request.user, job=job)
    except FileNotFoundError:  # removed from disk since: ask for the export again
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=job.filename, content_type=job.content_type)
