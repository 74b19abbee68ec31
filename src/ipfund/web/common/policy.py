"""The pages' view of the installed policies: which one a page shows, its state, and which of
its items an applicant kind may claim. Every installed policy runs at once; a claim, round or
award is always shown with its own policy."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ipfund.web.engine_door import (
    Policy,
    default_policy,
    known_policies,
    policies_in_force,
    policy_by_id,
    policy_state,
    policy_state_label,
    policy_validity,
)

__all__ = ["item_kinds", "items_open_to", "page_policy", "policy_choices", "policy_facts"]


def page_policy(policy_id: str | None) -> Policy:
    """The policy a page was asked to show (`?policy=`): an installed one, else the first policy in
    force today, else the default policy."""
    policy = policy_by_id(policy_id) if policy_id else None
    if policy is not None:
        return policy
    in_force = policies_in_force()
    return in_force[0] if in_force else default_policy()


def policy_facts(policy: Policy, on: dt.date | None = None) -> dict:
    """What a page says about a policy: title, 文号, issuer, validity and state (现行/未生效/已失效)."""
    on = on or timezone.localdate()
    start, end = policy_validity(policy, on)
    return {
        "id": policy.id, "title": policy.title, "document_number": policy.document_number,
        "issuer": policy.issuer, "start": start, "end": end,
        "state": policy_state(policy, on), "state_label": policy_state_label(policy, on), "policy": policy,
    }


def policy_choices(on: dt.date | None = None) -> list[tuple[str, str]]:
    """(id, 《title》（文号）· state) of every installed policy, in force first."""
    on = on or timezone.localdate()
    return [(p.id, f"{p.title}（{p.document_number}）· {policy_state_label(p, on)}") for p in known_policies(on)]


def item_kinds(item) -> set[str]:
    """Every applicant kind that may claim the item at some value of its facts."""
    kinds = set(item.kinds)
    kinds_by = getattr(item, "kinds_by", None)
    if kinds_by:
        for allowed in kinds_by[1].values():
            kinds.update(allowed)
    return kinds


def items_open_to(kind: str, policy: Policy) -> list:
    """The items of `policy` an applicant of this kind may claim, in the policy's order."""
    return [item for item in policy.items.values() if kind in item_kinds(item)]
