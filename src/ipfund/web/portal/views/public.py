"""Public pages, no login: home, the policy calculator, the policy overview."""

from django.shortcuts import render

from ipfund.web.portal import labels
from ipfund.web.portal.calculator import run_calculator
from ipfund.web.portal.policy import current_policy, item_kinds, items_open_to
from ipfund.web.rounds.selectors import rounds_open


def home(request):
    policy = current_policy()
    monetary = [clause for clause in policy.clauses if clause.monetary]
    return render(
        request,
        "portal/public/home.html",
        {"item_count": len(policy.items), "clause_count": len(monetary), "rounds": rounds_open().order_by("closes_at")},
    )


def calculator(request):
    main, facts, outcome = run_calculator(request.GET)
    policy = current_policy()
    item_spec = policy.items.get(request.GET.get("item") or "")
    kind = request.GET.get("kind") or ""
    items_for_kind = items_open_to(kind) if kind else []
    return render(
        request,
        "portal/public/calculator.html",
        {
            "form": main,
            "facts_form": facts,
            "outcome": outcome,
            "item_spec": item_spec,
            "kind": kind,
            "items_for_kind": items_for_kind,
        },
    )


def sorted_kinds(kinds: set[str]) -> list[str]:
    return [k for k, _label in labels.kind_choices() if k in kinds]


def policy_overview(request):
    policy = current_policy()
    sections = []
    for clause in policy.clauses:
        items = [item for item in policy.items.values() if item.clause == clause.number]
        sections.append(
            {
                "clause": clause,
                "items": [
                    {"spec": item, "kinds": [labels.kind_label(k) for k in sorted_kinds(item_kinds(item))]}
                    for item in items
                ],
            }
        )
    return render(
        request,
        "portal/public/policy.html",
        {"policy": policy, "sections": sections, "interpretations": policy.interpretations.values()},
    )
