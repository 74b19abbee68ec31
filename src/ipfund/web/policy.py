"""The platform's one door to the engine: the policy it runs and evaluation of contract claims."""

from __future__ import annotations

from django.conf import settings

from ipfund.engine import BatchError, evaluate_batch, load_policy

__all__ = ["BatchError", "current_policy", "evaluate_one", "known_policies", "policy_by_id"]


def current_policy():
    return load_policy(settings.IPFUND_POLICY_ID)


def known_policies() -> list:
    """Every policy package the engine knows, the one the platform runs first."""
    from ipfund.policies import REGISTRY

    current = current_policy()
    return [current] + [load_policy(pid) for pid in REGISTRY if pid != current.id]


def policy_by_id(policy_id: str):
    """The policy package a stored row names (a claim's, an award's, a budget's), or None if unknown."""
    try:
        return load_policy(policy_id)
    except BatchError:  # an id no package answers to: the caller shows what it has
        return None


def evaluate_one(claim: dict, *, history: list[dict], interpretations: dict[str, str]) -> dict:
    """The engine's decision for one contract claim given the ledger's awards as history."""
    policy_id = current_policy().id
    result = evaluate_batch(
        {"policy": policy_id, "claims": [claim]},
        history={"policy": policy_id, "awarded": history},
        interpretations=interpretations,
    )
    return result["decisions"][0]
