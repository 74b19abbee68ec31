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
from ipfund.web.allocation.models import QuotaFill
from ipfund.web.allocation.services import (
    pro_rata_apply, pro_rata_declared, pro_rata_preview, quota_fill, quota_preview,
)
from ipfund.web.engine_door import known_policies, policy_allocation
from ipfund.web.rounds.models import ApplicationRound
from ipfund.web.budgets.models import Budget
from ipfund.web.budgets.selectors import policy_title
from ipfund.web.common.views import role_required

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
    return render(request, "portal/staff/allocation.html", {"rows": rows, "quotas": _quotas(request.user)})


def _quotas(user) -> list[dict]:
    """Every quota of every installed policy, per year (of its rounds' closing) or per round: the
    ranking so far, or the fill once made."""
    out = []
    for policy in known_policies():
        for quota in policy_allocation(policy.id).quotas:
            rounds = list(ApplicationRound.objects.filter(policy=policy.id).order_by("-closes_at"))
            periods: list[tuple[int | None, int | None, str]] = (
                [(None, r.pk, r.name) for r in rounds] if quota.per == "round" else
                [(y, None, f"{y} 年度") for y in sorted({r.closes_at.year for r in rounds}, reverse=True)])
            for year, round_id, name in periods:
                fill = QuotaFill.objects.filter(policy=policy.id, quota=quota.id, year=year, round_id=round_id).first()
                preview = None if fill else quota_preview(actor=user, policy=policy.id, quota_id=quota.id,
                                                          year=year, round_id=round_id)
                period = {"year": year, "round_id": round_id, "name": name}
                out.append({"policy": policy, "quota": quota, "period": period, "fill": fill, "preview": preview,
                            "places": list(fill.places.select_related("claim")) if fill else []})
    return out


QUOTA_FILLED = "已按评审排名确定名额：入选 {selected} 件，未入选 {refused} 件（已通知申请人）。"


@role_required(roles.APPROVER)
@require_POST
def allocation_quota_fill(request):
    year, round_id = request.POST.get("year") or None, request.POST.get("round") or None
    try:
        fill = quota_fill(actor=request.user, policy=request.POST.get("policy", ""), quota_id=request.POST.get("quota", ""),
                          year=int(year) if year and year.isdigit() else None,
                          round_id=int(round_id) if round_id and round_id.isdigit() else None)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        places = list(fill.places.all())
        messages.success(request, QUOTA_FILLED.format(selected=sum(p.selected for p in places),
                                                      refused=sum(not p.selected for p in places)))
    return redirect("portal:allocation")


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
