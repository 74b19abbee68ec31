"""Administrators' oversight pages: role changes awaiting a second administrator, and the log of
who saw whose personal data in full."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ipfund.web.accounts import roles
from ipfund.web.accounts.models import RoleChange
from ipfund.web.accounts.role_changes import role_change_confirm, role_change_reject
from ipfund.web.portal.reveal_log import reveal_events, reveals_described
from ipfund.web.common.forms import RevealLogForm
from ipfund.web.common.views import error_messages, flash_errors, role_required

REVEALS_PAGE_SIZE = 50

ROLE_CHANGE_CONFIRMED = _("角色变更已确认，立即生效。")
ROLE_CHANGE_REJECTED = _("角色变更已驳回。")


@role_required(roles.ADMIN)
def role_changes(request):
    pending = RoleChange.objects.filter(state=RoleChange.PENDING).select_related("user", "requested_by")
    decided = RoleChange.objects.exclude(state=RoleChange.PENDING).select_related("user", "requested_by", "decided_by")[:50]
    return render(request, "portal/staff/role_changes.html", {"pending": pending, "decided": decided})


@role_required(roles.ADMIN)
@require_POST
def role_change_decide(request, pk, action):
    change = get_object_or_404(RoleChange, pk=pk)
    try:
        if action == "confirm":
            role_change_confirm(actor=request.user, change=change)
            messages.success(request, ROLE_CHANGE_CONFIRMED)
        elif action == "reject":
            role_change_reject(actor=request.user, change=change, reason=request.POST.get("reason", ""))
            messages.success(request, ROLE_CHANGE_REJECTED)
        else:
            raise PermissionDenied
    except ValidationError as exc:
        flash_errors(request, error_messages(exc))
    except PermissionDenied as exc:
        flash_errors(request, [str(exc)] if str(exc) else [])
    return redirect("portal:admin_role_changes")


@role_required(roles.ADMIN)
def reveal_log(request):
    """Who saw whose ID number, phone or bank account in full, and when and why: from the audit chain."""
    form = RevealLogForm(data=request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events = reveal_events(**{k: v for k, v in filters.items() if v})
    page = Paginator(events, REVEALS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "portal/staff/reveal_log.html", {
        "form": form, "page": page, "rows": reveals_described(page.object_list), "query": query.urlencode(),
    })
