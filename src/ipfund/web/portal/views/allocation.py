"""资金分配 (the bureau's approver): budgets that a package cuts pro rata after the round, each
with its preview (every award before and after, the ratio, the remainder) and the step that
applies it once; quotas, each with its ranking and the step that fills it. A scorer (初审人员,
e.g. the clerk typing in the expert panel's scores) enters a whole quota's scores or places on
the same page until it is filled, then sees them read-only; services in web/allocation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ipfund.web.accounts import roles
from ipfund.web.allocation.models import ProRataCut
from ipfund.web.allocation.models import QuotaFill
from ipfund.web.allocation.services import (
    ALREADY_FILLED, NO_CUT_RATIO, ONCE_WHY, pro_rata_apply, pro_rata_declared, pro_rata_preview, quota_fill, quota_preview, quota_scores_enter,
    quota_sheet,
)
from ipfund.web.engine_door import known_policies, policy_allocation
from ipfund.web.rounds.models import ApplicationRound
from ipfund.web.budgets.models import Budget
from ipfund.web.budgets.selectors import policy_title
from ipfund.web.common.views import role_required

APPLIED = "已按同一比例核减：比例 {ratio}，{count} 项资助核减后合计 {total} 元。"
CONFIRMED = "已确认：审定总额 {total} 元未超过预算 {budget} 元，无需核减，资金分配已办理，可以拨付。"


@role_required(roles.APPROVER, roles.REVIEWER)
def allocation(request):
    return _page(request)


def _page(request, *, entered: dict | None = None, status: int = 200):
    """The page; ``entered``: a refused sheet ({"key", "values", "errors"}) shown again as typed."""
    approver = roles.has_role(request.user, roles.APPROVER)
    rows = []
    budgets = Budget.objects.select_related("round").order_by("-year", "policy", "round_id") if approver else []
    for budget in budgets:
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
                     "cut": cut, "problem": problem, "no_cut": cut is not None and cut.ratio == NO_CUT_RATIO})
    return render(request, "portal/staff/allocation.html",
                  {"rows": rows, "quotas": _quotas(request.user, entered), "approver": approver, "once_why": ONCE_WHY},
                  status=status)


def _sheet_key(policy: str, quota: str, year, round_id) -> str:
    return f"{policy}:{quota}:{year or ''}:{round_id or ''}"


def _quotas(user, entered: dict | None = None) -> list[dict]:
    """Every quota of every installed policy, per year (of its rounds' closing) or per round: the
    ranking so far, or the fill once made (approvers); the user's scoring sheet (scorers)."""
    approver, scorer = roles.has_role(user, roles.APPROVER), roles.has_role(user, roles.REVIEWER)
    out = []
    for policy in known_policies():
        for quota in policy_allocation(policy.id).quotas:
            rounds = list(ApplicationRound.objects.filter(policy=policy.id).order_by("-closes_at"))
            periods: list[tuple[int | None, int | None, str]] = (
                [(None, r.pk, r.name) for r in rounds] if quota.per == "round" else
                [(y, None, f"{y} 年度") for y in sorted({r.closes_at.year for r in rounds}, reverse=True)])
            for year, round_id, name in periods:
                fill = QuotaFill.objects.filter(policy=policy.id, quota=quota.id, year=year, round_id=round_id).first()
                preview = None if fill or not approver else quota_preview(actor=user, policy=policy.id, quota_id=quota.id,
                                                                          year=year, round_id=round_id)
                sheet = quota_sheet(actor=user, policy=policy.id, quota_id=quota.id, year=year, round_id=round_id) \
                    if scorer else None
                key = _sheet_key(policy.id, quota.id, year, round_id)
                typed = entered if entered and entered["key"] == key else None
                lines = [{"claim": c, "value": typed["values"].get(c.pk, "") if typed else
                          (f"{sheet.values[c.pk].normalize():f}" if c.pk in sheet.values else "")}
                         for c in sheet.claims] if sheet else []
                period = {"year": year, "round_id": round_id, "name": name}
                out.append({"policy": policy, "quota": quota, "period": period, "fill": fill, "preview": preview,
                            "places": list(fill.places.select_related("claim")) if fill and approver else [],
                            "sheet": sheet, "lines": lines, "errors": typed["errors"] if typed else [],
                            "key": key})
    return out


SCORES_SAVED = "已保存 {count} 件申报的{field}（记入审计）；名额确定前可以修改。"
NO_SCORES = "没有填写任何{field}。"


@role_required(roles.REVIEWER)
@require_POST
def allocation_quota_scores(request):
    """A scorer's sheet: every value typed checked by the same service as the API, all saved or none."""
    policy, quota_id = request.POST.get("policy", ""), request.POST.get("quota", "")
    year, round_id = _number(request.POST.get("year")), _number(request.POST.get("round"))
    try:
        sheet = quota_sheet(actor=request.user, policy=policy, quota_id=quota_id, year=year, round_id=round_id)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("portal:allocation")
    typed = {c.pk: request.POST.get(f"value-{c.pk}", "").strip() for c in sheet.claims}
    if sheet.fill is not None:
        messages.error(request, ALREADY_FILLED.format(at=timezone.localtime(sheet.fill.filled_at).strftime("%Y-%m-%d %H:%M")))
        return redirect("portal:allocation")
    try:
        saved = quota_scores_enter(actor=request.user, sheet=sheet, raw=typed)
    except ValidationError as exc:
        return _page(request, entered={"key": _sheet_key(policy, quota_id, year, round_id), "values": typed,
                                       "errors": exc.messages}, status=400)
    if saved:
        messages.success(request, SCORES_SAVED.format(count=len(saved), field=sheet.field))
    else:
        messages.warning(request, NO_SCORES.format(field=sheet.field))
    return redirect("portal:allocation")


def _number(raw) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() else None


QUOTA_FILLED = "已按评审排名确定名额：入选 {selected} 件，未入选 {refused} 件（已通知申请人）。"


@role_required(roles.APPROVER)
@require_POST
def allocation_quota_fill(request):
    try:
        fill = quota_fill(actor=request.user, policy=request.POST.get("policy", ""), quota_id=request.POST.get("quota", ""),
                          year=_number(request.POST.get("year")), round_id=_number(request.POST.get("round")))
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
        if cut.ratio == NO_CUT_RATIO:
            messages.success(request, CONFIRMED.format(total=cut.approved_total, budget=cut.budget_amount))
        else:
            messages.success(request, APPLIED.format(ratio=cut.ratio, count=cut.lines.count(), total=cut.after_total))
    return redirect("portal:allocation")
