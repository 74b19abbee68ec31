"""Pages of the analysis-review register (二（一）): the archive with search, registration,
assignment, the report and its acceptance. Thin: the services decide, the selectors filter."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from ipfund.web.accounts import roles
from ipfund.web.audit.models import AuditEvent
from ipfund.web.filed import file_serve
from ipfund.web.common.views import role_required, run_service

from . import services
from .forms import ACCEPT, ActivityForm, AssignForm, ConcludeForm, ReportForm, SearchForm
from .models import Activity
from .selectors import activities_search, activities_visible_to, activity_get_for

ASSIGNED = _("已分派承办人。")
REPORTED = _("评议报告已提交，等待验收。")
ACCEPTED = _("已验收，办结归档。")
RETURNED = _("已退回承办人修改。")
ACTION_LABELS = {
    "analysis_register": _("登记"),
    "analysis_assign": _("分派承办"),
    "analysis_report": _("提交评议报告"),
    "analysis_accept": _("验收办结"),
    "analysis_return": _("退回修改"),
    "analysis_remind": _("期限提醒"),
}


def _visible(request, pk) -> Activity:
    try:
        return activity_get_for(request.user, pk)
    except Activity.DoesNotExist:
        raise Http404 from None


@login_required
def activity_list(request):
    visible = activities_visible_to(request.user)
    if not roles.is_staff_member(request.user) and not visible.exists():  # an agency with work assigned
        raise PermissionDenied(_("您没有访问此页面的权限。"))
    form = SearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    activities = activities_search(request.user, **{k: v or "" for k, v in filters.items()})[:200]
    return render(request, "analysis/list.html", {
        "form": form, "activities": activities, "today": timezone.localdate(),
        "is_admin": roles.has_role(request.user, roles.ADMIN),
    })


@role_required(roles.ADMIN)
def activity_new(request):
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = {}

        def call():
            made["a"] = services.activity_register(actor=request.user, **form.cleaned_data)

        if run_service(request, call, form=form, success=_("已登记分析评议。")):
            return redirect("analysis:detail", pk=made["a"].pk)
    return render(request, "analysis/new.html", {"form": form})


def _detail_context(request, activity, **forms):
    events = AuditEvent.objects.filter(object_type=activity._meta.label_lower, object_id=str(activity.pk)).order_by("seq")
    context = {
        "activity": activity, "is_admin": roles.has_role(request.user, roles.ADMIN),
        "is_assignee": services.is_assignee(request.user, activity), "today": timezone.localdate(),
        "assign_form": AssignForm(initial={"analyst": activity.analyst_id, "agency": activity.agency_id,
                                           "contract_ref": activity.contract_ref, "due_on": activity.due_on}),
        "report_form": ReportForm(), "conclude_form": ConcludeForm(),
        "events": [(e, ACTION_LABELS.get(e.action, _("其他操作"))) for e in events],
    }
    context.update(forms)
    return context


@login_required
def activity_detail(request, pk):
    activity = _visible(request, pk)
    return render(request, "analysis/detail.html", _detail_context(request, activity))


def _act(request, activity, name, form, call, success):
    """Run one action of the detail page; a refusal shows the page again with the form as typed."""
    if form.is_valid() and run_service(request, lambda: call(form.cleaned_data), form=form, success=success):
        return redirect("analysis:detail", pk=activity.pk)
    return render(request, "analysis/detail.html", _detail_context(request, activity, **{name: form}))


@role_required(roles.ADMIN)
@require_POST
def activity_assign(request, pk):
    activity = _visible(request, pk)
    form = AssignForm(request.POST)
    return _act(request, activity, "assign_form", form, lambda d: services.activity_assign(
        actor=request.user, activity=activity, analyst=d["analyst"], agency=d["agency"],
        contract_ref=d["contract_ref"], due_on=d["due_on"]), ASSIGNED)


@login_required
@require_POST
def activity_report(request, pk):
    activity = _visible(request, pk)
    if not services.is_assignee(request.user, activity):
        raise PermissionDenied(services.NOT_ASSIGNED)
    form = ReportForm(request.POST, request.FILES)
    return _act(request, activity, "report_form", form, lambda d: services.activity_report(
        actor=request.user, activity=activity, upload=d["report"], conclusion=d["conclusion"],
        findings=d["findings"], recommendation=d["recommendation"]), REPORTED)


@role_required(roles.ADMIN)
@require_POST
def activity_conclude(request, pk):
    activity = _visible(request, pk)
    form = ConcludeForm(request.POST)
    accept = request.POST.get("decision") == ACCEPT
    return _act(request, activity, "conclude_form", form, lambda d: services.activity_conclude(
        actor=request.user, activity=activity, accept=d["decision"] == ACCEPT, note=d["note"]),
        ACCEPTED if accept else RETURNED)


@login_required
@xframe_options_sameorigin
def report_file(request, pk):
    activity = _visible(request, pk)
    if not activity.report:
        raise Http404
    return file_serve(activity.report, activity.report_content_type, f"{activity.reference}.pdf"
                      if activity.report_content_type == "application/pdf" else activity.reference)
