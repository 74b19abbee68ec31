"""Golden cases of 肇高管办〔2022〕2号, written as data in the policy package's golden/ folder.

Each case is run through the engine's batch entry point and through the bulk path, and the
fields it lists are checked against the calculator contract. Each case names the sentence of
the policy text it checks; that sentence must occur in the source text (whitespace removed).
"""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
PACKAGE = REPO / "src" / "ipfund" / "policies" / "zhaoqing_hitech_ip_2022"
GOLDEN = PACKAGE / "golden"
POLICY_ID = "zhaoqing-hitech-ip-2022"

CASE_KEYS = {"name", "sentence", "interpret", "history", "claims", "expect", "note"}
EXPECT_KEYS = {"eligible", "amount", "capped", "reasons", "first_reason", "citation", "item",
               "error", "interpretations"}
REASON_ORDER = ["outside_validity", "not_in_zone", "applicant_kind", "not_sme",
                "condition_not_met", "funded_elsewhere", "below_threshold", "duplicate",
                "cap_reached"]
AMOUNT_RE = re.compile(r"^(0|[1-9][0-9]*)\.[0-9]{2}$")


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps ISO dates as strings, as they are in a JSON batch."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _no_ws(text: str) -> str:
    return re.sub(r"\s+", "", text)


SOURCE = _no_ws((PACKAGE / "source.txt").read_text(encoding="utf-8"))


def load_cases() -> list[tuple[str, dict]]:
    cases = []
    for path in sorted(GOLDEN.glob("*.yaml")):
        entries = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or []
        assert isinstance(entries, list), f"{path.name}: a golden file is a list of cases"
        for i, entry in enumerate(entries):
            if i == 0 and set(entry) == {"anchors"}:
                continue
            cases.append((path.name, entry))
    return cases


CASES = load_cases()


def _history(case: dict) -> dict | None:
    if "history" not in case:
        return None
    return {"policy": POLICY_ID, "awarded": copy.deepcopy(case["history"])}


def _interpret(case: dict) -> dict | None:
    return {str(k): str(v) for k, v in case["interpret"].items()} if "interpret" in case else None


def run_batch(case: dict) -> dict:
    from ipfund.engine import evaluate_batch

    batch = {"policy": POLICY_ID, "claims": copy.deepcopy(case["claims"])}
    return evaluate_batch(batch, history=_history(case), interpretations=_interpret(case))


def check_decision(cid: str, want: dict, got: dict) -> list[str]:
    """The package runner's own comparison (`ipfund policy test` runs these cases the same way)."""
    from ipfund.engine.authoring.golden import check_decision as compare

    problems = compare(cid, want, got)
    if problems:
        shown = {k: v for k, v in got.items() if k != "explanation"}
        problems.append(f"{cid}: full decision {json.dumps(shown, ensure_ascii=False)}")
    return problems


def _ids(cases):
    return [case.get("name", f"{fname}#{i}") for i, (fname, case) in enumerate(cases)]


# --- the data itself ---------------------------------------------------------------------


def test_golden_cases_exist_for_every_file_and_names_are_unique():
    assert CASES, "no golden cases found"
    names = [case.get("name") for _, case in CASES]
    dupes = sorted({n for n in names if names.count(n) > 1})
    assert not dupes, f"golden case names must be unique: {dupes}"


@pytest.mark.parametrize("fname,case", CASES, ids=_ids(CASES))
def test_case_is_well_formed_and_cites_the_text(fname, case):
    assert set(case) <= CASE_KEYS, f"unknown keys {set(case) - CASE_KEYS}"
    for key in ("name", "sentence", "claims", "expect"):
        assert key in case, f"{fname}: case without {key}"
    sentence = _no_ws(case["sentence"])
    assert sentence in SOURCE, f"sentence not found verbatim in the policy text: {sentence}"
    ids = [c.get("id") for c in case["claims"]]
    assert len(ids) == len(set(ids)), f"claim ids repeat: {ids}"
    for cid, want in case["expect"].items():
        assert cid in ids, f"expect names unknown claim {cid}"
        assert set(want) <= EXPECT_KEYS, f"{cid}: unknown expectation keys {set(want) - EXPECT_KEYS}"
        if "amount" in want:
            assert AMOUNT_RE.match(want["amount"]), f"{cid}: write amounts as 'yuan.fen' strings"


# --- the engine against the data --------------------------------------------------------


@pytest.mark.parametrize("fname,case", CASES, ids=_ids(CASES))
def test_golden(fname, case):
    result = run_batch(case)
    assert result.get("policy") == POLICY_ID
    decisions = result["decisions"]
    assert [d.get("id") for d in decisions] == [c.get("id") for c in case["claims"]], \
        "one decision per claim, in order"
    by_id = {d["id"]: d for d in decisions}
    problems = []
    for cid, want in case["expect"].items():
        problems += check_decision(cid, want, by_id[cid])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("fname,case", CASES, ids=_ids(CASES))
def test_golden_decisions_keep_the_contract_shape(fname, case):
    """Every decision, asserted or not: amount format, reasons order, 0.00 when ineligible."""
    for d in run_batch(case)["decisions"]:
        if "error" in d:
            assert d["error"].get("code") == "invalid_input", d
            assert isinstance(d["error"].get("field"), str) and d["error"]["field"], d
            assert isinstance(d["error"].get("message"), str) and d["error"]["message"], d
            continue
        assert isinstance(d["amount"], str) and AMOUNT_RE.match(d["amount"]), d
        assert isinstance(d["eligible"], bool) and isinstance(d["capped"], bool), d
        reasons = d["reasons"]
        assert all(r in REASON_ORDER for r in reasons), d
        assert reasons == sorted(reasons, key=REASON_ORDER.index), f"reasons out of order: {d}"
        assert len(reasons) == len(set(reasons)), d
        if d["eligible"]:
            assert Decimal(d["amount"]) > 0, d
            assert reasons in ([], ["cap_reached"]), d
            assert d["capped"] == (reasons == ["cap_reached"]), d
        else:
            assert d["amount"] == "0.00", d
            assert reasons, f"an ineligible decision names its reason: {d}"
        assert isinstance(d.get("citation"), str) and d["citation"], d
        expl = d.get("explanation")
        assert isinstance(expl, list) and expl and all(isinstance(s, str) for s in expl), \
            f"decision without an explanation: {d}"


@pytest.mark.parametrize("fname,case", CASES, ids=_ids(CASES))
def test_bulk_path_gives_the_same_decisions(fname, case):
    from ipfund.engine.bulk import evaluate_lines

    whole = run_batch(case)["decisions"]
    lines = [json.dumps(c, ensure_ascii=False).encode("utf-8") for c in case["claims"]]
    bulk = list(evaluate_lines(iter(lines), policy=POLICY_ID, history=_history(case),
                               interpretations=_interpret(case)))
    strip = lambda d: {k: v for k, v in d.items() if k != "explanation"}  # noqa: E731
    assert [strip(d) for d in bulk] == [strip(d) for d in whole]


# --- batch-level errors in-process ------------------------------------------------------


@pytest.mark.parametrize("batch,kwargs", [
    ({"policy": POLICY_ID}, {}),
    ({"policy": POLICY_ID, "claims": {"id": "c1"}}, {}),
    ({"policy": "no-such-policy", "claims": []}, {}),
    ({"policy": POLICY_ID, "claims": []}, {"interpretations": {"A99": "x"}}),
    ({"policy": POLICY_ID, "claims": []}, {"interpretations": {"A7": "per_decade"}}),
], ids=["no-claims", "claims-not-a-list", "unknown-policy", "unknown-interpretation",
        "unknown-option"])
def test_unusable_batch_raises_batch_error(batch, kwargs):
    from ipfund.engine import BatchError, evaluate_batch

    with pytest.raises(BatchError):
        evaluate_batch(batch, **kwargs)


def test_empty_claims_list_gives_empty_decisions():
    from ipfund.engine import evaluate_batch

    assert evaluate_batch({"policy": POLICY_ID, "claims": []})["decisions"] == []


def test_engine_does_not_mutate_its_input():
    from ipfund.engine import evaluate_batch

    fname, case = next((f, c) for f, c in CASES if c["name"] == "中国专利金奖奖励30万元")
    batch = {"policy": POLICY_ID, "claims": copy.deepcopy(case["claims"])}
    before = copy.deepcopy(batch)
    evaluate_batch(batch)
    assert batch == before
