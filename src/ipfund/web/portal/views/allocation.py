"""资金分配 (the bureau's approver): budgets that a package cuts pro rata after the round, each
with its preview (every award before and after, the ratio, the remainder) and the step that
applies it once; services in web/allocation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ipfund.web.accounts import roles
from ipfund.web.allocation.models import ProRataCut
from ipfund.web.allocation.services import pro_rata_apply, pro_rata_declared, pro_rata_preview
from ipfund.web.budgets.models import Budget
from ipfund.web.budgets.selectors import policy_title
from ipfund.web.portal.views.common import role_required

APPLIED = "已按同一比例核减：比例 {ratio}，{count} 项资助核减后合计 {total} 元。"


@role_required(roles.APPROVER)
def allocation(request):
    rows = []
    for budget in Budget.objects.select_related("round").order_by("-year", "policy", "round_id"):
        if pro_rata_declared(budget) is None:
            continue
        preview, problem = None, ""
        try:
            preview = pro_rata_preview(actor=request.user, budget=budget)
        except ValidationError as exc:
            problem = "；".join(exc.messages)
        cut = ProRataCut.objects.filter(budget=budget).first()
        lines = [(preview.claims[line.key], line) for line in preview.plan.lines] if preview and not cut else []
        rows.append({"budget": budget, "title": policy_title(budget.policy), "preview": preview, "lines": lines,
                     "cut": cut, "problem": problem})
    return render(request, "portal/staff/allocation.html", {"rows": rows})


@role_required(roles.APPROVER)
@require_POST
def allocation_apply(request, pk):
    budget = get_object_or_404(Budget, pk=pk)
    try:
        cut = pro_rata_apply(actor=request.user, budget=budget)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, APPLIED.format(ratio=cut.ratio, count=cut.lines.count(), total=cut.after_total))
    return redirect("portal:allocation")
