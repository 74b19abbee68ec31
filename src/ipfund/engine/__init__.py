"""The engine: evaluates claims of a policy into decisions — pure Python, no Django, no clock,
no database. Its public API is the names below: `evaluate_batch` is the calculator contract as a
function (dicts in, dicts out) and `evaluate_claims` the same for a policy already loaded; `decide`
is the typed door a platform calls (Claim and Award in, frozen Decision out, with a structured
Explanation). Everything else is private to the engine."""

from __future__ import annotations

from .errors import NO_CLAIMS, NOT_OBJECT, BatchError, InvalidInput
from .door import (
    Applicant, Award, AwardIndex, CapGroup, Claim, Decision, Holder, InputError, LedgerLookup, PromiseTerms, decide, ledger_names,
    promise_end, promise_terms,
)
from .known import Earlier, RegisterList
from .policy import Policy, load_policy
from .trace import Explanation, Step

__all__ = [
    "Applicant", "Award", "AwardIndex", "BatchError", "Earlier", "RegisterList", "Holder", "LedgerLookup", "CapGroup", "Claim", "Decision", "Explanation", "InputError",
    "InvalidInput", "Policy", "PromiseTerms", "Step", "decide", "ledger_names", "evaluate_batch", "evaluate_claims", "load_policy",
    "promise_end", "promise_terms",
]


def _history_claims(policy, history) -> list:
    from .errors import HISTORY_NOT_LIST, HISTORY_POLICY

    if history is None:
        return []
    if type(history) is not dict or type(history.get("awarded")) is not list:
        raise BatchError(HISTORY_NOT_LIST)
    got = history.get("policy", policy.id)
    if got == policy.id:
        return history["awarded"]
    if got not in {p.id for p in policy.ancestors()}:
        raise BatchError(HISTORY_POLICY.format(got=got, want=policy.id))
    # Awards of a predecessor this policy continues: each read under its own policy.
    return [{"policy": got, **a} if type(a) is dict else a for a in history["awarded"]]


def evaluate_batch(batch: dict, *, history: dict | None = None, interpretations: dict | None = None,
                   explain: bool = True, registers: dict | None = None) -> dict:
    """The contract's DECISIONS for a batch (a dict as read from JSON), claims decided in order.

    Raises BatchError when the batch, history or interpretation choices are unusable.
    """
    if type(batch) is not dict:
        raise BatchError(NOT_OBJECT)
    # (load_policy refuses an id that is no string, evaluate_claims claims that are no list: BatchError)
    policy = load_policy(batch.get("policy"))  # type: ignore[arg-type]
    return evaluate_claims(policy, batch.get("claims"), history=history, interpretations=interpretations,  # type: ignore[arg-type]
                           explain=explain, registers=registers)


def evaluate_claims(policy: Policy, claims: list, *, history: dict | None = None,
                    interpretations: dict | None = None, explain: bool = True, registers: dict | None = None) -> dict:
    """`evaluate_batch` for a policy already loaded (a package being written, not yet installed).
    `registers`: the lists the package's facts read ({code: {label, version, imported_on, entries}},
    as in a --registers file); the history's awards are the ledger its facts read back."""
    from .evaluation import Evaluator, no_gc
    from .known import by_applicant, earlier_of_awards, read_registers

    if type(claims) is not list:
        raise BatchError(NO_CLAIMS)
    ev = Evaluator(policy, interpretations)
    awarded = _history_claims(policy, history)
    ev.add_history(awarded)
    claims, refused = ev.fill_known(claims, earlier=lambda a: by_applicant(earlier_of_awards(policy, awarded))(a),
                                    registers=read_registers(registers))
    with no_gc():
        errors = ev.read_many(claims, refused=refused)
        decisions = ev.decide(len(claims), errors, explain)
    return {"policy": policy.id, "decisions": decisions}
