"""Pages of promises (承诺) and recovery (追回): the register by due date, a promise with its letter
and the breach form, a recovery case with its notice, repayments and write-offs. Thin: the services decide."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from ipfund.web.accounts import roles
from ipfund.web.documents.recovery_notice import recovery_notice_filename, recovery_notice_issue
from ipfund.web.filed import file_serve
from ipfund.web.common.views import role_required, run_service

from . import services
from .forms import BreachForm, DecideForm, RepaymentForm, WriteOffForm
from .models import Promise, RecoveryCase, WriteOff
from .selectors import promise_board, promises_by_due, recoveries_open

READERS = (roles.REVIEWER, roles.APPROVER, roles.FINANCE, roles.ADMIN)
BREACH_RECORDED = _("已登记违反承诺并立案追回，资助台账已冲减。")
REPAID = _("已登记归还。")
WRITE_OFF_ASKED = _("已提交核销申请，须由另一名工作人员批准。")
WRITE_OFF_DONE = _("已处理核销申请。")


@role_required(*READERS)
def promise_list(request):
    services.promises_refresh()
    state = request.GET.get("state", "")
    state = state if state in Promise.STATES else ""
    return render(request, "promises/list.html", {
        "promises": promises_by_due(state=state)[:500], "state": state, "states": Promise.STATES,
        "cases": recoveries_open(), "board": promise_board(),
    })


def _promise_page(request, promise, form=None):
    form = form or BreachForm(breaches=promise.breaches, initial={
        "breach": promise.flag_breach, "breached_on": promise.flag_on, "note": promise.flag_note})
    return render(request, "promises/detail.html", {
        "promise": promise, "form": form, "case": getattr(promise, "recovery", None),
        "may_record": roles.has_role(request.user, roles.REVIEWER) or roles.has_role(request.user, roles.ADMIN),
    })


@role_required(*READERS)
def promise_detail(request, pk):
    promise = get_object_or_404(Promise.objects.select_related("claim__applicant", "evidence"), pk=pk)
    if request.method != "POST":
        return _promise_page(request, promise)
    form = BreachForm(request.POST, request.FILES, breaches=promise.breaches)
    if form.is_valid():
        d = form.cleaned_data
        holder: dict = {}

        def call():
            holder["case"] = services.recovery_open(
                actor=request.user, promise=promise, breach=d["breach"], breached_on=d["breached_on"], note=d["note"],
                upload=d["evidence"], source="register" if promise.flag_breach else "staff")

        if run_service(request, call, form=form, success=BREACH_RECORDED):
            return redirect("promises:case", pk=holder["case"].pk)
    return _promise_page(request, promise, form)


@role_required(*READERS)
@xframe_options_sameorigin
def promise_letter(request, pk):
    promise = get_object_or_404(Promise.objects.select_related("evidence"), pk=pk)
    if promise.evidence is None:
        raise Http404
    return file_serve(promise.evidence.file, promise.evidence.content_type, promise.evidence.original_name)


def _case_page(request, case, *, repay_form=None, write_off_form=None):
    user = request.user
    return render(request, "promises/case.html", {
        "case": case, "promise": case.promise, "repayments": case.repayments.select_related("recorded_by"),
        "write_offs": case.write_offs.select_related("requested_by", "decided_by"),
        "repay_form": repay_form or RepaymentForm(), "write_off_form": write_off_form or WriteOffForm(),
        "decide_form": DecideForm(),
        "is_finance": roles.has_role(user, roles.FINANCE),
        "may_write_off": roles.has_role(user, roles.FINANCE) or roles.has_role(user, roles.ADMIN),
    })


def _case(pk) -> RecoveryCase:
    return get_object_or_404(RecoveryCase.objects.select_related("claim__applicant", "promise", "entry"), pk=pk)


@role_required(*READERS)
def case_detail(request, pk):
    return _case_page(request, _case(pk))


@role_required(*READERS)
@require_POST
def case_repay(request, pk):
    case = _case(pk)
    form = RepaymentForm(request.POST)
    if form.is_valid() and run_service(request, lambda: services.recovery_repay(
            actor=request.user, case=case, amount=form.cleaned_data["amount"], paid_on=form.cleaned_data["paid_on"],
            reference=form.cleaned_data["reference"]), form=form, success=REPAID):
        return redirect("promises:case", pk=case.pk)
    return _case_page(request, case, repay_form=form)


@role_required(*READERS)
@require_POST
def case_write_off(request, pk):
    case = _case(pk)
    form = WriteOffForm(request.POST)
    if form.is_valid() and run_service(request, lambda: services.recovery_write_off_request(
            actor=request.user, case=case, amount=form.cleaned_data["amount"], reason=form.cleaned_data["reason"]),
            form=form, success=WRITE_OFF_ASKED):
        return redirect("promises:case", pk=case.pk)
    return _case_page(request, case, write_off_form=form)


@role_required(*READERS)
@require_POST
def write_off_decide(request, pk):
    write_off = get_object_or_404(WriteOff, pk=pk)
    form = DecideForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    if form.is_valid():
        run_service(request, lambda: services.recovery_write_off_decide(
            actor=request.user, write_off=write_off, approve=approve, note=form.cleaned_data["note"]),
            form=form, success=WRITE_OFF_DONE)
    return redirect("promises:case", pk=write_off.case_id)


@role_required(*READERS)
def case_notice(request, pk):
    return _notice_response(request, _case(pk))


def _notice_response(request, case) -> HttpResponse:
    pdf, number = recovery_notice_issue(actor=request.user, case=case)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quoted(recovery_notice_filename(case, number))}"
    response["Cache-Control"] = "private, no-store"
    return response


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@role_required(*READERS)
@xframe_options_sameorigin
def case_evidence(request, pk):
    case = _case(pk)
    return file_serve(case.evidence, case.evidence_content_type, f"违反承诺证明-{case.pk}")


# -- the applicant's own ---------------------------------------------------------------------------


@role_required(roles.APPLICANT)
def my_promises(request):
    """The applicant's promises with their terms, and any recovery with its notice."""
    rows = (Promise.objects.filter(claim__applicant__user=request.user).select_related("claim")
            .prefetch_related("recovery__repayments", "recovery__write_offs").order_by("term_end", "id"))
    return render(request, "promises/mine.html", {"promises": rows})


@role_required(roles.APPLICANT)
def my_notice(request, pk):
    case = get_object_or_404(RecoveryCase.objects.select_related("claim__applicant", "promise"), pk=pk,
                             claim__applicant__user=request.user)
    return _notice_response(request, case)
