"""The explanation is the computation's trace: the evaluation records each claim's steps as it
computes them (trace.ClaimTrace: validity bounds, conditions, formula, ledger, known facts,
installments) and the explanation renders that record. Rendered with every way of evaluating
disabled — no condition can be tested, no formula, parameter, cap, validity period or installment
computed, no evaluator or ledger is left — a recorded trace still gives the decision's explanation
word for word, for every golden case of every package under every interpretation option."""

from __future__ import annotations

import ast
import copy
import gc
from pathlib import Path

import pytest

from ipfund.engine import evaluate_claims
from ipfund.engine import dates, explain, installments, ledger, validity, vocabulary
from ipfund.engine.authoring.golden import load_cases
from ipfund.engine.evaluation import Evaluator
from ipfund.engine.policy import Params, load_policy
from ipfund.engine.trace import ClaimTrace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policies"
PACKAGES = ["zhaoqing-hitech-ip-2022", *sorted(p.name for p in FIXTURES.iterdir() if (p / "golden").is_dir())]
EXPLAIN = Path(explain.__file__)


@pytest.fixture(autouse=True)
def _installed(monkeypatch):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))


def _options(policy):
    yield {}
    for iid, interp in policy.interpretations.items():
        for option in interp.options:
            if option != interp.default:
                yield {iid: option}


def _decided(policy, case, interp) -> list[dict]:
    """The contract's decisions of a golden case, with their explanations."""
    history = {"policy": policy.id, "awarded": copy.deepcopy(case["history"])} if "history" in case else None
    return evaluate_claims(policy, copy.deepcopy(case["claims"]), history=history, interpretations=interp,
                           registers=case.get("registers"))["decisions"]


def _boom(*_args, **_kwargs):
    raise AssertionError("the explanation evaluated something: it must only render the recorded trace")


def _evaluation_disabled(monkeypatch, policy) -> None:
    """Every way of computing a decision made to fail, for the rendering that follows."""
    for cls in (vocabulary.Table, vocabulary.Fixed, vocabulary.Rate, vocabulary.Amount, vocabulary.AtMost,
                vocabulary.PerUnit, vocabulary.Less, vocabulary.Residual, vocabulary.Tiers):
        monkeypatch.setattr(cls, "compute", _boom)
    monkeypatch.setattr(vocabulary.Condition, "trace", _boom)
    for item in policy.items.values():
        for cond in item.conditions:
            monkeypatch.setattr(cond, "applies", _boom)
            monkeypatch.setattr(cond, "traced", _boom)
    for name in ("money_fen", "number", "date", "rate", "table_fen", "table_has", "tier_amounts", "money_fen_one",
                 "table_fen_one", "rate_one", "tiers_one", "value_one"):
        monkeypatch.setattr(Params, name, _boom)
    for name in ("first_last", "bounds", "outside", "validity", "admits", "end_shift", "start_shift"):
        monkeypatch.setattr(validity, name, _boom)
    for name in ("one_by_one", "shared_one_by_one", "keys_at_once", "caps_at_once"):
        monkeypatch.setattr(ledger, name, _boom)
    for name in ("static", "ledger_pass", "trace_of", "decide", "_ledger_fields", "_shared_fields"):
        monkeypatch.setattr(Evaluator, name, _boom)
    monkeypatch.setattr(installments, "plan", _boom)
    monkeypatch.setattr(dates, "add_years", _boom)


@pytest.mark.parametrize("package", PACKAGES)
def test_a_recorded_trace_renders_the_explanation_with_nothing_left_to_evaluate(package, monkeypatch):
    policy = load_policy(package)
    recorded: list = []
    render = explain.explanation_of

    def spy(trace, decision):  # the real rendering, remembering what it was given and gave
        explanation = render(trace, decision)
        recorded.append((trace, dict(decision), explanation.as_dicts()))
        return explanation

    with monkeypatch.context() as m:
        m.setattr(explain, "explanation_of", spy)
        for _file, case in load_cases(policy.path):
            for chosen in _options(policy):
                interp = {**{str(k): str(v) for k, v in (case.get("interpret") or {}).items()}, **chosen}
                _decided(policy, case, interp)
    gc.collect()  # the evaluators and their ledgers are gone: only the traces are left
    assert recorded
    with monkeypatch.context() as m:
        _evaluation_disabled(m, policy)
        for trace, decision, steps in recorded:
            assert isinstance(trace, ClaimTrace)
            assert explain.explanation_of(trace, decision).as_dicts() == steps, (package, trace.row["id"])


# The names of the evaluation: the explanation calls none of them and imports none of its modules.
EVALUATING = {
    "applies", "trace", "traced", "compute", "static", "ledger_pass", "trace_of", "first_last", "bounds", "outside",
    "plan", "value_one", "money_fen", "money_fen_one", "table_fen", "table_fen_one", "rate", "rate_one",
    "tiers_one", "tier_amounts", "number", "add_years", "apply_rate_half_up", "one_by_one", "shared_one_by_one",
}
EVALUATING_MODULES = {"evaluation", "validity", "ledger", "bulk", "door", "known", "claims", "allocation"}


def test_the_explanation_module_calls_no_evaluation():
    tree = ast.parse(EXPLAIN.read_text(encoding="utf-8"))
    called = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            called.add(f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", ""))
    assert not called & EVALUATING, sorted(called & EVALUATING)
    imported = {(n.module or "").split(".")[-1] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name.split(".")[-1] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and not n.module
                 for a in n.names}
    assert not imported & EVALUATING_MODULES, sorted(imported & EVALUATING_MODULES)
    assert not hasattr(explain, "_OneRow")  # no column view to ask a condition about one claim again


def test_a_claim_evaluated_without_recording_has_no_trace_to_explain():
    """Bulk records nothing: a result made without `trace` cannot be explained (nothing recomputes it)."""
    policy = load_policy("zhaoqing-hitech-ip-2022")
    ev = Evaluator(policy)
    claim = {"id": "t1", "item": "service_revenue", "event_date": "2023-03-31",
             "applicant": {"id": "91441200MA0000058N", "kind": "service_agency", "in_zone": True},
             "facts": {"year": 2022, "ip_service_revenue": "1500000"}}
    ev.read_many([claim])
    (r,) = [ev.static(cols) for cols in ev.reader.columns()]
    assert r.trace is None
    with pytest.raises(ValueError):
        ev.trace_of(r, 0)
