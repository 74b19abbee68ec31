"""The public notice (公示): list, detail, objection form; and the reviewer's publishing and objection pages."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ipfund.web.documents.layout import cited_policies
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ipfund.web.accounts import roles
from ipfund.web.claims.selectors import claim_get_for, claims_visible_to
from ipfund.web.claims.workflow import IllegalTransition, State
from ipfund.web.notices.models import Notice, NoticeEntry, Objection
from ipfund.web.notices.selectors import notice_entries, notices_public, objection_get_for, objections_open
from ipfund.web.notices.services import notice_close, notice_publish, objection_file, objection_resolve
from ipfund.web.common.forms import NoticePublishForm, ObjectionForm, ObjectionResolveForm
from ipfund.web.common.views import error_messages, flash_errors, role_required, show_service_error
from ipfund.web.throttle import client_hash

OBJECTION_FILED = _("异议已收到（异议编号 {reference}），我们将在公示期内核实处理。")
PUBLISHED = _("公示已发布。")
CLOSED = _("公示已结束，无异议的资助已确定，转财务拨付。")
RESOLVED = _("异议已处理。")


def notice_list(request):
    notices = notices_public()
    return render(request, "portal/public/notices.html", {"notices": notices, "now": timezone.now()})


def notice_detail(request, pk):
    notice = get_object_or_404(notices_public(), pk=pk)
    entries = notice_entries(notice)
    return render(
        request,
        "portal/public/notice_detail.html",
        {"notice": notice, "entries": entries, "open": notice.in_period(timezone.now()),
         "cited": cited_policies(entries.values_list("claim__policy", flat=True))},
    )


def objection_new(request, pk, entry_pk):
    notice = get_object_or_404(notices_public(), pk=pk)
    entry = get_object_or_404(notice_entries(notice), pk=entry_pk)
    form = ObjectionForm(data=request.POST or None, files=request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            objection = objection_file(
                entry=entry,
                name=data["name"],
                contact=data["contact"],
                reason=data["reason"],
                upload=data.get("evidence"),
                client=client_hash(request),
            )
        except ValidationError as exc:
            flash_errors(request, show_service_error(exc, [form], fallback_form=form))
        else:
            messages.success(request, str(OBJECTION_FILED).format(reference=objection.reference))
            return redirect("portal:notice_detail", pk=notice.pk)
    return render(
        request,
        "portal/public/objection_form.html",
        {"notice": notice, "entry": entry, "form": form, "open": notice.in_period(timezone.now())},
    )


@role_required(roles.REVIEWER)
def notice_manage(request):
    approved = claims_visible_to(request.user).filter(state=State.APPROVED).select_related("applicant").order_by("id")
    form = NoticePublishForm(
        data=request.POST or None,
        initial={"period_days": _default_period(), "claims": [str(c.pk) for c in approved]},
    )
    form.fields["claims"].choices = [(str(c.pk), c.number) for c in approved]  # type: ignore[attr-defined]  # (a choice field: the stubs type form fields as Field)
    if request.method == "POST" and form.is_valid():
        chosen = [int(pk) for pk in form.cleaned_data["claims"]]
        try:
            notice = notice_publish(
                actor=request.user,
                claims=chosen,
                title=form.cleaned_data["title"],
                period_days=form.cleaned_data["period_days"],
            )
        except ValidationError as exc:
            flash_errors(request, show_service_error(exc, [form], fallback_form=form))
        except (IllegalTransition, PermissionDenied) as exc:
            flash_errors(request, [str(exc)])
        else:
            messages.success(request, PUBLISHED)
            return redirect("portal:notice_detail", pk=notice.pk)
    return render(
        request,
        "portal/staff/notice_manage.html",
        {"form": form, "approved": approved, "notices": notices_public(), "now": timezone.now()},
    )


def _default_period() -> int:
    return settings.IPFUND_NOTICE_DAYS


@role_required(roles.REVIEWER)
@require_POST
def notice_close_view(request, pk):
    notice = get_object_or_404(Notice, pk=pk)
    try:
        notice_close(actor=request.user, notice=notice)
    except ValidationError as exc:
        flash_errors(request, error_messages(exc))
    except (IllegalTransition, PermissionDenied) as exc:
        flash_errors(request, [str(exc)])
    else:
        messages.success(request, CLOSED)
    return redirect("portal:notice_manage")


@role_required(roles.REVIEWER)
def objections(request):
    return render(
        request,
        "portal/staff/objections.html",
        {
            "open": objections_open(user=request.user),
            "resolved": Objection.objects.exclude(state=Objection.OPEN).select_related("entry", "entry__notice")[:50],
        },
    )


@role_required(roles.REVIEWER, roles.ADMIN)
def objection_detail(request, pk):
    try:
        objection = objection_get_for(request.user, pk)
    except Objection.DoesNotExist:
        raise Http404 from None
    form = ObjectionResolveForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            objection_resolve(
                actor=request.user,
                objection=objection,
                upheld=form.cleaned_data["upheld"],
                resolution=form.cleaned_data["resolution"],
            )
        except ValidationError as exc:
            flash_errors(request, show_service_error(exc, [form], fallback_form=form))
        except (IllegalTransition, PermissionDenied) as exc:
            flash_errors(request, [str(exc)])
        else:
            messages.success(request, RESOLVED)
            return redirect("portal:objections")
    entry: NoticeEntry = objection.entry
    claim = claim_get_for(request.user, entry.claim_id)
    return render(
        request,
        "portal/staff/objection_detail.html",
        {"objection": objection, "entry": entry, "claim": claim, "form": form},
    )
