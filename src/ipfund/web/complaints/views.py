"""Pages of complaints and rights assistance (三): the public form and status look-up, and the
bureau's list and case page. Thin: the services decide."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST
from django.http import Http404

from ipfund.web.accounts import roles
from ipfund.web.filed import file_serve
from ipfund.web.common.views import flash_errors, role_required, run_service, show_service_error
from ipfund.web.throttle import client_hash, rate_allow

from . import services
from .forms import ComplaintForm, LinkForm, LookupForm, UpdateForm
from .models import Complaint
from .selectors import complaints_search

HANDLERS = (roles.REVIEWER, roles.ADMIN)
LOOKUP_MISS = _("投诉编号或查询码不正确。")
LOOKUP_LIMIT = _("查询过于频繁，请一分钟后再试。")
UPDATED = _("已记录办理结果。")
LINKED = _("已关联专利侵权诉讼资助申报。")
SESSION_KEY = "complaint_filed"


def complaint_new(request):
    form = ComplaintForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint, code = services.complaint_file(
                kind=data["kind"], right_type=data["right_type"], description=data["description"],
                right_number=data["right_number"], respondent=data["respondent"], name=data["name"],
                contact=data["contact"], upload=data.get("evidence"), client=client_hash(request),
            )
        except ValidationError as exc:
            flash_errors(request, show_service_error(exc, [form], fallback_form=form))
        else:
            request.session[SESSION_KEY] = {"reference": complaint.reference, "code": code}
            return redirect("complaints:filed")
    return render(request, "complaints/new.html", {"form": form})


def complaint_filed(request):
    """The reference and the query code, shown once after filing."""
    filed = request.session.pop(SESSION_KEY, None)
    if filed is None:
        return redirect("complaints:status")
    return render(request, "complaints/filed.html", filed)


def complaint_status(request):
    """Look a case up by reference and query code (POSTed: the code never goes into a URL or a log)."""
    form = LookupForm(request.POST or None)
    complaint = None
    if request.method == "POST" and form.is_valid():
        limit = settings.IPFUND_COMPLAINT_LOOKUPS_PER_MINUTE
        if not rate_allow("complaint_lookup", client_hash(request), limit=limit, window_seconds=60):
            form.add_error(None, LOOKUP_LIMIT)
        else:
            complaint = services.complaint_lookup(reference=form.cleaned_data["reference"], code=form.cleaned_data["code"])
            if complaint is None:
                form.add_error(None, LOOKUP_MISS)
    return render(request, "complaints/status.html", {"form": form, "complaint": complaint})


@role_required(*HANDLERS)
def complaint_list(request):
    q, state, kind = (request.GET.get(k, "").strip() for k in ("q", "state", "kind"))
    return render(request, "complaints/list.html", {
        "complaints": complaints_search(q=q, state=state if state in Complaint.STATES else "",
                                        kind=kind if kind in Complaint.KINDS else "")[:200],
        "q": q, "state": state, "kind": kind, "states": Complaint.STATES, "kinds": Complaint.KINDS,
    })


def _case_page(request, complaint, *, update_form=None, link_form=None):
    return render(request, "complaints/detail.html", {
        "complaint": complaint, "steps": complaint.steps.select_related("actor"),
        "update_form": update_form or UpdateForm(complaint=complaint), "link_form": link_form or LinkForm(),
    })


@role_required(*HANDLERS)
def complaint_detail(request, pk):
    complaint = get_object_or_404(Complaint, pk=pk)
    if request.method != "POST":
        return _case_page(request, complaint)
    form = UpdateForm(request.POST, complaint=complaint)
    if form.is_valid():
        d = form.cleaned_data
        if run_service(request, lambda: services.complaint_update(
                actor=request.user, complaint=complaint, state=d["state"], note=d["note"], public_note=d["public_note"],
                route=d["route"], route_to=d["route_to"]), form=form, success=UPDATED):
            return redirect("complaints:detail", pk=complaint.pk)
    return _case_page(request, complaint, update_form=form)


@role_required(*HANDLERS)
@require_POST
def complaint_link(request, pk):
    complaint = get_object_or_404(Complaint, pk=pk)
    form = LinkForm(request.POST)
    if form.is_valid() and run_service(request, lambda: services.complaint_link_claim(
            actor=request.user, complaint=complaint, claim_reference=form.cleaned_data["claim_reference"]),
            form=form, success=LINKED):
        return redirect("complaints:detail", pk=complaint.pk)
    return _case_page(request, complaint, link_form=form)


@role_required(*HANDLERS)
@xframe_options_sameorigin
def complaint_file(request, pk):
    complaint = get_object_or_404(Complaint, pk=pk)
    if not complaint.evidence:
        raise Http404
    return file_serve(complaint.evidence, complaint.evidence_content_type, f"{complaint.reference}")


