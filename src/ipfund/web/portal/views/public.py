"""Public pages, no login: home, the policy calculator, the policy overview."""

from django.shortcuts import render

from ipfund.web.common import labels
from ipfund.web.portal.calculator import run_calculator
from ipfund.web.engine_door import known_policies
from ipfund.web.common.policy import item_kinds, items_open_to, page_policy, policy_choices, policy_facts
from ipfund.web.rounds.selectors import rounds_open


def home(request):
    """The policies of the zone side by side (in force first, expired ones with their dates) and
    the rounds taking claims now."""
    policies = [policy_facts(p) for p in known_policies()]
    titles = {p["id"]: p["title"] for p in policies}
    rounds = [{"round": r, "policy_title": titles.get(r.policy, r.policy)} for r in rounds_open().order_by("closes_at")]
    return render(request, "portal/public/home.html", {"policies": policies, "rounds": rounds})


def calculator(request):
    main, facts, outcome = run_calculator(request.GET)
    policy = page_policy(request.GET.get("policy"))
    item_spec = policy.items.get(request.GET.get("item") or "")
    kind = request.GET.get("kind") or ""
    items_for_kind = items_open_to(kind, policy) if kind else []
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


def sorted_kinds(kinds: set[str], policy=None) -> list[str]:
    return [k for k, _label in labels.kind_choices(policy) if k in kinds]


def policy_overview(request):
    policy = page_policy(request.GET.get("policy"))
    sections = []
    for clause in policy.clauses:
        items = [item for item in policy.items.values() if item.clause == clause.number]
        sections.append(
            {
                "clause": clause,
                "items": [
                    {"spec": item, "kinds": [labels.kind_label(k, policy) for k in sorted_kinds(item_kinds(item), policy)]}
                    for item in items
                ],
            }
        )
    return render(
        request,
        "portal/public/policy.html",
        {"policy": policy, "facts": policy_facts(policy), "policies": policy_choices(), "sections": sections,
         "interpretations": policy.interpretations.values()},
    )
