"""The engine: evaluates claims of a policy into decisions — pure Python, no Django, no clock,
no database. This module is its one door: the web, the HTTP API and the CLI import nothing else
of the engine (an import-linter contract in pyproject.toml says so). Everything below it is private.

Deciding
    `decide(policy, claims, history=…, interpretations=…)` → frozen `Decision`s (typed claims and
    awards in, amount as Decimal, reasons, duplicate key and cap groups, explanation tree).
    `evaluate_batch` is the calculator contract (dicts in, dicts out): the same decision pass,
    written with `Decision.as_contract`; `evaluate_jsonl` the contract's bulk form.
Reading a policy (the read model, `PolicyView`, `ItemView`, `FactView`, `ClauseView`,
`InterpretationView`)
    `policy_view(id)`, `policy_view_at(folder)`, `open_package(target)`; `validity_of` and `state_on`
    a day; `REASON_LABELS`, `STATE_LABELS`; identifiers (`canonical`, `uscc_valid`, `ric_valid`).
Packages
    `package_refs`, `installed_ids`, `check_package`, `check_folder`, `golden_test`, `diff_packages`,
    `install_package`, `use_policy_store`, `forget_loaded`, `scaffold`, `show_policy`, `show_item`.

Built-in packages are found like any other package: by folder, on the policy path (packages.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .authoring.scaffold import ScaffoldError, scaffold
    from .bulk import evaluate_jsonl
    from .distributed import LedgerSnapshot, dask_client, decide_claims, decide_each, decide_jsonl, evaluate_jsonl_on_dask

from .door import (
    CAP,
    ELIGIBLE,
    INELIGIBLE,
    INVALID,
    LEDGER_SEPARATOR,
    MATTER,
    TOP_UP,
    Applicant,
    Award,
    AwardIndex,
    CapGroup,
    Claim,
    Decision,
    Holder,
    InputError,
    LedgerLookup,
    decide,
    evaluate_batch,
    evaluate_claims,
    ledger_names,
)
from .errors import BAD_INTERPRET_ARG, NO_CLAIMS, NOT_JSON, NOT_OBJECT, TOO_DEEP, TOO_LARGE, BatchError, InvalidInput, StaleBuild
from .identifiers import PSEUDONYM_PREFIX, canonical, ric_valid, uscc_valid
from .library import (
    GoldenReport,
    PackageRef,
    check_folder,
    check_package,
    diff_packages,
    field_words,
    folder_package_id,
    forget_loaded,
    golden_test,
    install_package,
    installed_ids,
    open_package,
    package_folder,
    package_refs,
    package_summary,
    policy_view,
    policy_view_at,
    show_item,
    show_policy,
    state_label,
    state_on,
    use_policy_store,
    validity_of,
)
from .allocation import BY as ALLOCATION_BY
from .allocation import OVER as ALLOCATION_OVER
from .allocation import REMAINDERS as ALLOCATION_REMAINDERS
from .allocation import TIES as ALLOCATION_TIES
from .allocation import Allocation, ProRataPlan, Quota, Ranked, pro_rata, rank
from .door import Planned, PromiseTerms, installment_plan, promise_end, promise_terms
from .known import Earlier, RegisterList, registers_used
from .yamlfile import _private as is_private
from .scenario import Override
from .trace import Explanation, Step
from .validity import EXPIRED, IN_FORCE, NOT_YET, STATE_LABELS, Validity
from .view import ClauseView, FactView, InterpretationView, ItemView, PolicyView, predecessor_view
from .vocabulary import REASON_LABELS

__all__ = [
    # deciding
    "Applicant", "Award", "AwardIndex", "CapGroup", "Claim", "Decision", "Explanation", "Holder", "InputError",
    "LedgerLookup", "Step", "decide", "evaluate_batch", "evaluate_claims", "evaluate_jsonl", "ledger_names",
    "CAP", "ELIGIBLE", "INELIGIBLE", "INVALID", "LEDGER_SEPARATOR", "MATTER", "TOP_UP",
    # errors
    "BAD_INTERPRET_ARG", "NO_CLAIMS", "NOT_JSON", "NOT_OBJECT", "TOO_DEEP", "TOO_LARGE", "BatchError", "InvalidInput",
    "StaleBuild",
    # the read model
    "ClauseView", "FactView", "InterpretationView", "ItemView", "PolicyView", "open_package", "policy_view",
    "policy_view_at", "predecessor_view", "state_label", "state_on", "validity_of", "Validity", "EXPIRED", "IN_FORCE",
    "NOT_YET", "STATE_LABELS", "REASON_LABELS", "PSEUDONYM_PREFIX", "canonical", "ric_valid", "uscc_valid",
    # packages
    "GoldenReport", "PackageRef", "check_folder", "check_package", "diff_packages", "field_words", "folder_package_id",
    "forget_loaded", "golden_test", "install_package", "installed_ids", "package_folder", "package_refs",
    "package_summary", "scaffold", "ScaffoldError", "show_item", "show_policy", "use_policy_store",
    # facts the platform knows (known.py): earlier awards read back, a register's version
    "Earlier", "RegisterList", "registers_used",
    # stages (分期拨付) and promises (承诺)
    "Planned", "installment_plan", "PromiseTerms", "promise_terms", "promise_end",
    # allocation after the round (allocation.py)
    "ALLOCATION_BY", "ALLOCATION_OVER", "ALLOCATION_REMAINDERS", "ALLOCATION_TIES", "Allocation", "ProRataPlan",
    "Quota", "Ranked", "pro_rata", "rank",
    # the policy sandbox (scenario.py): a policy with other parameter values
    "Override", "parameter_value", "with_parameters", "interpretations_resolved", "is_private",
    # bulk runs on Dask (distributed.py; imported when asked for)
    "evaluate_jsonl_on_dask", "dask_client", "decide_claims", "decide_each", "decide_jsonl", "LedgerSnapshot",
]


def __getattr__(name: str) -> object:
    # Imported only when asked for: `policy new`'s scaffold, and the bulk path (processes, buffers).
    if name in ("scaffold", "ScaffoldError"):
        from .authoring import scaffold as module

        return getattr(module, name)
    if name == "evaluate_jsonl":
        from .bulk import evaluate_jsonl

        return evaluate_jsonl
    if name in ("dask_client", "decide_claims", "decide_each", "decide_jsonl", "LedgerSnapshot", "evaluate_jsonl_on_dask"):
        from . import distributed

        return getattr(distributed, name)
    raise AttributeError(f"module 'ipfund.engine' has no attribute {name!r}")


def with_parameters(policy: "PolicyView", overrides, *, label: str = "") -> "PolicyView":
    """The sandbox's scenario: `policy` with the overrides' parameter values (`Override`s, each from
    a date or on all dates), as a read model the door decides with. BatchError names a parameter
    whose value does not fit it. The original is left as it was."""
    from .scenario import with_parameters as derive
    from .view import view_of

    base = policy._policy if isinstance(policy, PolicyView) and policy._policy is not None else policy
    return view_of(derive(base, overrides, label=label))  # type: ignore[arg-type]


def parameter_value(policy: "PolicyView", name: str, on):
    """A parameter's value on a day as policy.yaml writes it (None for a parameter it lacks)."""
    from .scenario import parameter_value as value

    base = policy._policy if isinstance(policy, PolicyView) and policy._policy is not None else policy
    return value(base, name, on)  # type: ignore[arg-type]


def interpretations_resolved(policy: "PolicyView", chosen) -> dict[str, str]:
    """Every interpretation of the policy with `chosen` overlaid (BatchError names an unknown one
    or option)."""
    base = policy._policy if isinstance(policy, PolicyView) and policy._policy is not None else policy
    return base.resolve_interpretations(dict(chosen or {}))  # type: ignore[union-attr]
