"""The statistics dashboard (统计) of the bureau and finance, and the administrator's budgets (资金预算)."""

from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipfund.web.accounts import roles
from ipfund.web.budgets.selectors import budget_statuses, waivers
from ipfund.web.budgets.services import budget_set, budget_waive
from ipfund.web.engine_door import known_policies
from ipfund.web.portal.finance_forms import BudgetForm, BudgetWaiverForm
from ipfund.web.common.views import role_required, run_service
from ipfund.web.rounds.models import ApplicationRound
from ipfund.web.statistics.selectors import Filters, budget_label, dashboard, years_with_data

BUDGET_SAVED = _("资金预算已保存。")
WAIVER_SAVED = _("已记录“不设预算”，该政策该年度的审定不再要求预算。")
ALL_YEARS = "all"


def _filters(request) -> Filters:
    """The dashboard's filters from the query string; anything unreadable falls back to the default."""
    year_text = request.GET.get("year") or str(timezone.localdate().year)
    year = int(year_text) if year_text.isdigit() else None
    policies = {p.id for p in known_policies()}
    policy = request.GET.get("policy") if request.GET.get("policy") in policies else None
    round_text = request.GET.get("round") or ""
    round_id = int(round_text) if round_text.isdigit() and ApplicationRound.objects.filter(pk=round_text).exists() else None
    return Filters(year=year, policy=policy, round_id=round_id)


@role_required(roles.REVIEWER, roles.APPROVER, roles.FINANCE, roles.ADMIN)
def statistics(request):
    filters = _filters(request)
    board = dashboard(filters)
    return render(
        request,
        "portal/staff/statistics.html",
        {
            "board": board,
            "chart_data": board.chart_data(),
            "years": years_with_data(),
            "policies": known_policies(),
            "rounds": ApplicationRound.objects.all(),
            "selected": {"year": str(filters.year) if filters.year else ALL_YEARS, "policy": filters.policy or "",
                         "round": str(filters.round_id or "")},
            "budget_labels": {s.budget.pk: budget_label(s.budget) for s in board.budgets},
        },
    )


@role_required(roles.ADMIN)
def budgets(request):
    waiving = request.POST.get("action") == "waive"
    form = BudgetForm(data=None if waiving else request.POST or None, initial={"year": timezone.localdate().year})
    waiver_form = BudgetWaiverForm(data=request.POST if waiving else None, initial={"year": timezone.localdate().year})
    if waiving and waiver_form.is_valid():
        data = waiver_form.cleaned_data
        if run_service(
            request, lambda: budget_waive(actor=request.user, policy=data["policy"], year=data["year"], note=data["note"]),
            form=waiver_form, success=WAIVER_SAVED,
        ):
            return redirect("portal:admin_budgets")
    if request.method == "POST" and not waiving and form.is_valid():
        data = form.cleaned_data
        if run_service(
            request,
            lambda: budget_set(actor=request.user, policy=data["policy"], year=data["year"], amount=data["amount"],
                               round=data["round"], note=data["note"]),
            form=form,
            success=BUDGET_SAVED,
        ):
            return redirect("portal:admin_budgets")
    statuses = budget_statuses()
    return render(
        request,
        "portal/staff/budgets.html",
        {"form": form, "waiver_form": waiver_form, "statuses": statuses, "waivers": waivers(),
         "budget_labels": {s.budget.pk: budget_label(s.budget) for s in statuses}},
    )
