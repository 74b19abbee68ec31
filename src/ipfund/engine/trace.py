"""A decision's trace and its explanation.

The trace (`ClaimTrace`) is what the computation recorded for one claim as it computed it: the
validity period it applied, each condition's outcome (and what the test compared), the formula's
steps (`Formula.compute(…, rec=…)`), the ledger pass's steps (the duplicate key and who holds it,
the top-up, each exclusive group and cap with what was used before and whether it cut the amount),
the facts the platform filled and where from, the installments planned. It is kept only for
claims that are explained (the bulk path records nothing).

The explanation (explain.py) renders a trace, with the policy's own text (clauses, sentences,
labels), as a tree of steps, each naming its clause, parameters and values, rendered to Chinese or
English text by whoever shows it (a page, the API, the CLI). The Chinese rendering is the
explanation the calculator contract prints; the tree is what the platform stores and the API
returns, so a reader can tell which parameter gave which value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

LANGUAGES = ("zh", "en")
INDENT = "  "


@dataclass(frozen=True)
class Step:
    """One step of an explanation.

    `kind` says what the step checks or computes (a code, for machines); `passed` is True/False
    for a check, None for a statement; `parameters` are the parameter ids the step read and
    `values` the values it used, as text (money in yuan with two decimals)."""

    kind: str
    zh: str
    en: str
    passed: bool | None = None
    clause: str | None = None
    parameters: tuple[str, ...] = ()
    values: tuple[tuple[str, str], ...] = ()
    children: tuple["Step", ...] = ()

    def text(self, lang: str = "zh") -> str:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}: one of {', '.join(LANGUAGES)}")
        return self.zh if lang == "zh" else self.en

    def lines(self, lang: str = "zh", depth: int = 0) -> list[str]:
        out = [INDENT * depth + self.text(lang)]
        for child in self.children:
            out.extend(child.lines(lang, depth + 1))
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "zh": self.zh,
            "en": self.en,
            "passed": self.passed,
            "clause": self.clause,
            "parameters": list(self.parameters),
            "values": dict(self.values),
            "children": [c.as_dict() for c in self.children],
        }


@dataclass(frozen=True)
class Explanation:
    """The steps of one decision, in the order they were taken."""

    steps: tuple[Step, ...] = field(default_factory=tuple)

    def render(self, lang: str = "zh") -> list[str]:
        """One line per step, children indented under their step."""
        out: list[str] = []
        for step in self.steps:
            out.extend(step.lines(lang))
        return out

    def as_dicts(self) -> list[dict[str, object]]:
        return [s.as_dict() for s in self.steps]

    def find(self, kind: str) -> list[Step]:
        """Every step of a kind, depth first."""
        found: list[Step] = []

        def walk(steps: tuple[Step, ...]) -> None:
            for s in steps:
                if s.kind == kind:
                    found.append(s)
                walk(s.children)

        walk(self.steps)
        return found


# -- the trace -------------------------------------------------------------------------------


def objects(values: list[Any]) -> Any:
    """A list as a numpy array of Python objects (a record's per-claim values that are no numbers)."""
    out = np.empty(len(values), dtype=object)
    for j, v in enumerate(values):
        out[j] = v
    return out


def one_claim(record: Any, i: int) -> Any:
    """Claim i's part of a record of per-claim arrays (dicts of them, nested): each array's entry
    i as Python values; what is no array (the same for every claim) as it is."""
    if isinstance(record, dict):
        return {k: one_claim(v, i) for k, v in record.items()}
    if isinstance(record, np.ndarray):
        if record.ndim == 0:
            return record.item()
        value = record[i]
        return value.tolist() if isinstance(value, np.ndarray) else (value.item() if isinstance(value, np.generic) else value)
    if isinstance(record, np.generic):
        return record.item()
    return record


@dataclass(frozen=True)
class Checked:
    """One condition of the item as the static pass tested it for a claim."""

    condition: Any  # vocabulary.Condition (its reason, words and detail: the package's text)
    in_force: bool  # under the interpretations chosen
    failed: bool  # the condition's reason applies to the claim
    values: dict[str, Any] | None = None  # what the test compared (the anniversary of a years test), if anything


@dataclass(frozen=True)
class ClaimTrace:
    """What the computation recorded for one claim, as it computed it: everything its explanation
    states besides the policy's own text. Made by `Evaluator.trace_of` from the record of the
    static pass (`StaticResult.trace`) and of the ledger pass (`StaticResult.info`); rendered by
    `explain.explanation_of`, which computes nothing."""

    policy: Any  # the policy whose text is quoted (clauses, sentences, labels, parameter titles)
    item: Any
    interp: dict[str, str]  # the interpretations chosen (resolved)
    row: dict[str, Any]  # the claim as read: the facts as the rules read them, and as declared
    validity: tuple[int, int]  # the first and last day of the validity period applied (ordinals)
    checked: tuple[Checked, ...]  # each condition of the item, in its order
    formula: dict[str, Any]  # the formula's record for this claim (`Formula.compute(…, rec)`, one_claim)
    ledger: dict[str, Any]  # the ledger pass's record (ledger.one_by_one / shared_one_by_one `info`)
    key_fields: tuple[str, ...]  # the parts of the duplicate key the ledger filed the claim under
    cap_fields: tuple[str, ...]  # the parts of the item's cap group
    known: tuple[tuple[str, str, str], ...] = ()  # (fact, value, where it came from) of each fact the platform filled
    installments: tuple[Any, ...] = ()  # installments.Planned of an eligible award paid in stages
