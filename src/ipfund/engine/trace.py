"""A decision's explanation as data: a tree of steps, each naming its clause, parameters and
values, rendered to Chinese or English text by whoever shows it (a page, the API, the CLI).

The Chinese rendering is the explanation the calculator contract prints; the tree is what the
platform stores and the API returns, so a reader can tell which parameter gave which value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
