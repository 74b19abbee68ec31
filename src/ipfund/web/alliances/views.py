"""Pages of the alliance review (二（四））: the secretariat's application, the bureau's panel, the
members' declarations and scores, the chair's decision. Thin: the services decide."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from ipfund.web.accounts import roles
from ipfund.web.filed import file_serve
from ipfund.web.common.views import role_required, run_service

from . import services
from .forms import ApplyForm, DeclareForm, DecideForm, PanelForm, ScoreForm
from .models import CRITERIA, CRITERIA_SHORT, AllianceApplication, PanelMember, mean_of
from .selectors import applications_for_staff, applications_of_applicant, may_read_files

APPLIED = _("评审申请已提交，等待主管部门组织评审。")
PANEL_FORMED = _("评审专家组已确定，已通知各位专家。")
DECLARED = _("已记录利益冲突声明。")
SCORED = _("评分已保存。")
DECIDED = _("评审结论已作出。")


@role_required(roles.APPLICANT)
def my_applications(request):
    form = ApplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        made = {}

        def call():
            made["a"] = services.alliance_apply(actor=request.user, **form.cleaned_data)

        if run_service(request, call, form=form, success=APPLIED):
            return redirect("alliances:own", pk=made["a"].pk)
    return render(request, "alliances/mine.html", {
        "form": form, "applications": applications_of_applicant(request.user),
    })


@role_required(roles.APPLICANT)
def own_application(request, pk):
    application = applications_of_applicant(request.user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return render(request, "alliances/own.html", {"application": application, "items": services.ALLIANCE_ITEMS})


@role_required(*roles.STAFF_ROLES)
def staff_list(request):
    return render(request, "alliances/list.html", {
        "applications": applications_for_staff(request.user),
        "is_admin": roles.has_role(request.user, roles.ADMIN),
    })


def _staff_application(request, pk) -> AllianceApplication:
    application = applications_for_staff(request.user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def _detail_context(request, application, **forms):
    panel = list(application.panel.select_related("user"))
    me = next((m for m in panel if m.user_id == request.user.pk), None)
    panel_ids = [m.user_id for m in panel]
    chair = next((m.user_id for m in panel if m.is_chair), None)
    context = {
        "application": application, "panel": panel, "me": me, "criteria": CRITERIA_SHORT.values(),
        "mean_so_far": mean_of(totals) if (totals := [m.total for m in panel
                                                      if m.declaration == PanelMember.CLEAR and m.total is not None]) else None,
        "is_admin": roles.has_role(request.user, roles.ADMIN),
        "pass_score": settings.IPFUND_ALLIANCE_PASS_SCORE, "panel_min": settings.IPFUND_ALLIANCE_PANEL_MIN,
        "panel_form": PanelForm(initial={"members": panel_ids, "chair": chair}),
        "declare_form": DeclareForm(),
        "score_form": ScoreForm(initial={**({f: getattr(me, f) for f in CRITERIA} if me else {}),
                                         "comment": me.comment if me else ""}),
        "decide_form": DecideForm(),
        "scored": [m for m in panel if m.scored_at is not None],
    }
    context.update(forms)
    return context


@role_required(*roles.STAFF_ROLES)
def staff_detail(request, pk):
    application = _staff_application(request, pk)
    return render(request, "alliances/detail.html", _detail_context(request, application))


def _act(request, application, name, form, call, success):
    if form.is_valid() and run_service(request, lambda: call(form.cleaned_data), form=form, success=success):
        return redirect("alliances:detail", pk=application.pk)
    return render(request, "alliances/detail.html", _detail_context(request, application, **{name: form}))


@role_required(roles.ADMIN)
@require_POST
def panel_form(request, pk):
    application = _staff_application(request, pk)
    return _act(request, application, "panel_form", PanelForm(request.POST), lambda d: services.alliance_panel_form(
        actor=request.user, application=application, members=list(d["members"]), chair=d["chair"]), PANEL_FORMED)


@role_required(*roles.STAFF_ROLES)
@require_POST
def declare(request, pk):
    application = _staff_application(request, pk)
    return _act(request, application, "declare_form", DeclareForm(request.POST), lambda d: services.alliance_declare(
        actor=request.user, application=application, conflict=d["conflict"], note=d["note"]), DECLARED)


@role_required(*roles.STAFF_ROLES)
@require_POST
def score(request, pk):
    application = _staff_application(request, pk)
    return _act(request, application, "score_form", ScoreForm(request.POST), lambda d: services.alliance_score(
        actor=request.user, application=application, scores={f: d[f] for f in CRITERIA}, comment=d["comment"]), SCORED)


@role_required(*roles.STAFF_ROLES)
@require_POST
def decide(request, pk):
    application = _staff_application(request, pk)
    form = DecideForm(request.POST, request.FILES)
    return _act(request, application, "decide_form", form, lambda d: services.alliance_decide(
        actor=request.user, application=application, passed=d["passed"], note=d["note"],
        decision_number=d["decision_number"], document=d["document"]), DECIDED)


def _file(request, pk, *, decision: bool):
    application = AllianceApplication.objects.filter(pk=pk).first()
    if application is None or not may_read_files(request.user, application, decision=decision):
        raise Http404
    field, content_type = ((application.decision_document, application.decision_document_content_type) if decision
                           else (application.charter, application.charter_content_type))
    if not field:
        raise Http404
    return file_serve(field, content_type, application.reference)


@login_required
@xframe_options_sameorigin
def charter_file(request, pk):
    return _file(request, pk, decision=False)


@login_required
@xframe_options_sameorigin
def decision_file(request, pk):
    return _file(request, pk, decision=True)


