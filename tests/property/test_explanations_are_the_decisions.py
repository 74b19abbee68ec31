"""The explanation states the amount decided: for every golden case of every package (the built-in
2022 policy and the fictional packages of tests/fixtures) under every option of every selectable
interpretation, the amount in the explanation's conclusion is the decision's amount."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from ipfund.engine import evaluate_claims
from ipfund.engine.policy import load_policy
from ipfund.engine.authoring.golden import load_cases
from ipfund.engine.policy import load_policy_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policies"
PACKAGES = ["zhaoqing-hitech-ip-2022", *sorted(p.name for p in FIXTURES.iterdir() if (p / "golden").is_dir())]
CONCLUSION = re.compile(r"^结论：(?:资助 (\d+\.\d\d) 元|不予资助（.*），金额 (\d+\.\d\d) 元)")


@pytest.fixture(autouse=True)
def _installed(monkeypatch):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))


def _options(policy):
    yield {}
    for iid, interp in policy.interpretations.items():
        if interp.selectable:
            for option in interp.options:
                if option != interp.default:
                    yield {iid: option}


@pytest.mark.parametrize("package", PACKAGES)
def test_the_conclusion_states_the_decided_amount(package):
    policy = load_policy(package)
    checked = 0
    for _file, case in load_cases(policy.path):
        history = {"policy": policy.id, "awarded": copy.deepcopy(case["history"])} if "history" in case else None
        for chosen in _options(policy):
            interpret = {**{str(k): str(v) for k, v in (case.get("interpret") or {}).items()}, **chosen}
            decisions = evaluate_claims(policy, copy.deepcopy(case["claims"]), history=history,
                                        interpretations=interpret, registers=case.get("registers"))["decisions"]
            for d in decisions:
                if "error" in d:
                    continue
                (line,) = [x for x in d["explanation"] if x.startswith("结论：")]
                match = CONCLUSION.match(line)
                assert match, line
                assert (match.group(1) or match.group(2)) == d["amount"], (case["name"], chosen, line, d["amount"])
                checked += 1
    assert checked > 0


def test_a_package_outside_the_path_is_read_too():
    policy = load_policy_path(FIXTURES / "fictional-county-fund-2026")
    assert policy.caps and policy.exclusive_groups
