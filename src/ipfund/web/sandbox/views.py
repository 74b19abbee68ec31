"""Pages of the policy sandbox (政策沙盘): scenarios, a new one, a run's progress and results with
its charts and Excel file, two runs side by side. Thin: services decide, results.py adds up."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ipfund.web.accounts import roles
from ipfund.web.engine_door import parameter_in_force
from ipfund.web.common.policy import page_policy, policy_choices
from ipfund.web.common.views import error_messages, flash_errors, role_required

from . import services
from .models import Scenario, ScenarioRun
from .results import side_by_side

ROLES = (roles.FINANCE, roles.ADMIN)
ROWS = 3  # parameter changes a new scenario's form offers
OPTION_ROWS = 2
RUN_ASKED = "已开始测算，完成后本页显示结果。"


def _parameter_choices(policy) -> list[tuple[str, str]]:
    """(form value, label) of every parameter a scenario may change: one per entry of a money table."""
    today = timezone.localdate()
    out = [("", "（不修改）")]
    for name, par in policy.parameters.items():
        value = parameter_in_force(policy, name, today)
        if par.kind == "money_table" and isinstance(value, dict):
            for key, amount in value.items():
                out.append((f"{name}[{key}]", f"{par.title}·{services._option_label(policy, key)}（现为 {services._value_text('money', amount)}）"))
        elif par.kind != "tiers":
            try:
                shown = services._value_text(par.kind, value)
            except (ArithmeticError, ValueError):
                shown = str(value)
            out.append((name, f"{par.title}（现为 {shown}）"))
    return out


def _option_choices(policy, chosen: dict[str, str]) -> list[tuple[str, str]]:
    out = [("", "（不修改）")]
    for iid, interp in policy.interpretations.items():
        if interp.explicit or len(interp.options) < 2:
            continue
        current = chosen.get(iid, interp.default)
        for option, label in interp.options.items():
            if option != current:
                out.append((f"{iid}={option}", f"{interp.question} → {label}"))
    return out


def _new_form_context(policy, data=None) -> dict:
    from ipfund.web.rounds.selectors import interpretations_in_force

    data = data or {}
    return {
        "policy": policy, "policies": policy_choices(),
        "parameters": _parameter_choices(policy),
        "options": _option_choices(policy, interpretations_in_force(policy=policy.id)),
        "rows": [{"n": n, "param": data.get(f"param_{n}", ""), "value": data.get(f"value_{n}", ""),
                  "start": data.get(f"start_{n}", "")} for n in range(1, ROWS + 1)],
        "option_rows": [{"n": n, "value": data.get(f"option_{n}", "")} for n in range(1, OPTION_ROWS + 1)],
        "name": data.get("name", ""), "note": data.get("note", ""),
        "include_register": data.get("include_register", "on") == "on" if data else True,
    }


@role_required(*ROLES)
def scenarios(request):
    return render(request, "sandbox/scenarios.html", {
        "scenarios": Scenario.objects.select_related("created_by")[:50],
        "runs": ScenarioRun.objects.select_related("scenario", "requested_by")[:30],
    })


@role_required(*ROLES)
def scenario_new(request):
    policy = page_policy(request.POST.get("policy") or request.GET.get("policy"))
    if request.method != "POST":
        return render(request, "sandbox/new.html", _new_form_context(policy))
    lines = []
    for n in range(1, ROWS + 1):
        param, value, start = (request.POST.get(f"{f}_{n}", "").strip() for f in ("param", "value", "start"))
        if param:
            lines.append(f"{param}={value}" + (f"@{start}" if start else ""))
    try:
        overrides = services.parse_settings(lines)
        options = services.parse_options(request.POST.get(f"option_{n}", "") for n in range(1, OPTION_ROWS + 1))
        scenario = services.scenario_create(
            actor=request.user, name=request.POST.get("name", ""), policy=policy.id, overrides=overrides,
            interpretations=options, draft=request.FILES.get("draft"),
            include_register=request.POST.get("include_register") == "on", note=request.POST.get("note", ""))
    except ValidationError as exc:
        context = _new_form_context(policy, request.POST)
        context["errors"] = error_messages(exc)
        return render(request, "sandbox/new.html", context, status=400)
    return redirect("sandbox:scenario", pk=scenario.pk)


@role_required(*ROLES)
def scenario(request, pk):
    s = get_object_or_404(Scenario, pk=pk)
    return render(request, "sandbox/scenario.html", {"scenario": s, "words": services.describe(s), "runs": s.runs.all()})


@role_required(*ROLES)
@require_POST
def run_start(request, pk):
    s = get_object_or_404(Scenario, pk=pk)
    try:
        run = services.run_request(actor=request.user, scenario=s)
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, error_messages(exc) if isinstance(exc, ValidationError) else [str(exc)])
        return redirect("sandbox:scenario", pk=s.pk)
    return redirect("sandbox:run", pk=run.pk)


def _chart_data(results: dict) -> dict:
    return {
        "item": {"labels": [r["label"] for r in results.get("by_item", [])],
                 "base": [r["base"] for r in results.get("by_item", [])],
                 "scenario": [r["scenario"] for r in results.get("by_item", [])]},
        "year": {"labels": [r["label"] for r in results.get("by_year", [])],
                 "base": [r["base"] for r in results.get("by_year", [])],
                 "scenario": [r["scenario"] for r in results.get("by_year", [])]},
        "item_year": results.get("item_year", {"years": [], "items": []}),
    }


@role_required(*ROLES)
def run(request, pk):
    r = get_object_or_404(ScenarioRun.objects.select_related("scenario", "job", "requested_by"), pk=pk)
    others = ScenarioRun.objects.filter(state=ScenarioRun.DONE).exclude(pk=r.pk).select_related("scenario")[:30]
    return render(request, "sandbox/run.html", {
        "run": r, "scenario": r.scenario, "words": services.describe(r.scenario), "results": r.results,
        "chart_data": _chart_data(r.results) if r.state == ScenarioRun.DONE else None,
        "can_download": r.job is not None and r.job.requested_by_id == request.user.pk and r.job.state == "done",
        "others": others,
    })


@role_required(*ROLES)
def compare(request):
    def pick(name):
        value = request.GET.get(name, "")
        return get_object_or_404(ScenarioRun.objects.select_related("scenario"), pk=int(value), state=ScenarioRun.DONE) \
            if value.isdigit() else None

    left, right = pick("left"), pick("right")
    tables: list[dict] = []
    if left is not None and right is not None:
        for key, title in (("by_source", "按来源"), ("by_item", "按项目"), ("by_year", "按预算年度"),
                           ("by_kind", "按申报主体类型"), ("by_budget", "按预算")):
            tables.append({"key": key, "title": title, "rows": side_by_side(left.results, right.results, key)})
    rows = tables[1]["rows"] if tables else []
    chart = {"labels": [r["label"] for r in rows],
             "left": [(r["left"] or {}).get("delta", "0.00") for r in rows],
             "right": [(r["right"] or {}).get("delta", "0.00") for r in rows],
             "left_name": left.scenario.name if left else "", "right_name": right.scenario.name if right else ""}
    return render(request, "sandbox/compare.html", {
        "left": left, "right": right, "tables": tables, "chart_data": chart,
        "runs": ScenarioRun.objects.filter(state=ScenarioRun.DONE).select_related("scenario")[:50],
    })
