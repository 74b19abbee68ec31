"""The platform's one door to the engine: the policy it runs and evaluation of contract claims."""

from __future__ import annotations

from django.conf import settings

from ipfund.engine import BatchError, evaluate_batch, load_policy

__all__ = ["BatchError", "current_policy", "evaluate_one"]


def current_policy():
    return load_policy(settings.IPFUND_POLICY_ID)


def evaluate_one(claim: dict, *, history: list[dict], interpretations: dict[str, str]) -> dict:
    """The engine's decision for one contract claim given the ledger's awards as history."""
    policy_id = current_policy().id
    result = evaluate_batch(
        {"policy": policy_id, "claims": [claim]},
        history={"policy": policy_id, "awarded": history},
        interpretations=interpretations,
    )
    return result["decisions"][0]
