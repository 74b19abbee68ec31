"""What a sandbox run found, as kept JSON: every claim's amount under today's rules and under the
scenario, added up by source, item, year, applicant kind and budget line, with the applicants who
gain or lose most. Amounts are decimal strings (exact), labels already in Chinese."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

ZERO = Decimal("0.00")
TOP = 10  # gainers and losers shown

SOURCE_LABELS = {"award": "已入台账的资助（重算）", "pending": "待决申报", "register": "名单中的潜在申报（免申即享）"}
SOURCES = tuple(SOURCE_LABELS)


@dataclass(frozen=True)
class Case:
    """One claim a run decides twice: where it comes from and how it is counted."""

    source: str  # award / pending / register
    ref: str  # the claim's reference, or the register row as a person reads it
    applicant: str  # the applicant's ledger identity
    name: str
    kind: str
    item: str
    year: int  # the budget year it counts in
    budget: str  # the key of its budget line (results["by_budget"])


@dataclass(frozen=True)
class Outcome:
    case: Case
    base: Decimal
    scenario: Decimal

    @property
    def delta(self) -> Decimal:
        return self.scenario - self.base


def _money(d: Decimal) -> str:
    return f"{d:.2f}"


class _Sums:
    def __init__(self) -> None:
        self.rows: dict[str, list] = {}  # key → [count, base, scenario, changed]

    def add(self, key: str, o: Outcome) -> None:
        row = self.rows.setdefault(key, [0, ZERO, ZERO, 0])
        row[0] += 1
        row[1] += o.base
        row[2] += o.scenario
        row[3] += o.base != o.scenario

    def out(self, labels: dict[str, str], order: Iterable[str] | None = None) -> list[dict]:
        keys = list(order) if order is not None else sorted(self.rows)
        return [
            {"key": k, "label": labels.get(k, k), "count": self.rows[k][0], "base": _money(self.rows[k][1]),
             "scenario": _money(self.rows[k][2]), "delta": _money(self.rows[k][2] - self.rows[k][1]), "changed": self.rows[k][3]}
            for k in keys if k in self.rows
        ]


def summarise(outcomes: list[Outcome], *, item_labels: dict[str, str], kind_labels: dict[str, str],
              budget_lines: dict[str, dict], item_order: list[str]) -> dict:
    """The kept results of a run (JSON: Decimal strings). `budget_lines`: key → {label, amount or None}."""
    sums = {dim: _Sums() for dim in ("source", "item", "year", "kind", "budget")}
    item_year: dict[tuple[str, int], list] = {}
    people: dict[str, list] = {}  # applicant → [name, kind, base, scenario, count]
    base = scenario = ZERO
    changed = 0
    for o in outcomes:
        c = o.case
        base += o.base
        scenario += o.scenario
        changed += o.base != o.scenario
        sums["source"].add(c.source, o)
        sums["item"].add(c.item, o)
        sums["year"].add(str(c.year), o)
        sums["kind"].add(c.kind, o)
        sums["budget"].add(c.budget, o)
        cell = item_year.setdefault((c.item, c.year), [ZERO, ZERO])
        cell[0] += o.base
        cell[1] += o.scenario
        person = people.setdefault(c.applicant, [c.name, c.kind, ZERO, ZERO, 0])
        person[2] += o.base
        person[3] += o.scenario
        person[4] += 1
    years = sorted({y for _i, y in item_year})
    items = [i for i in item_order if any((i, y) in item_year for y in years)]
    items += sorted({i for i, _y in item_year} - set(items))
    by_budget = sums["budget"].out({k: v["label"] for k, v in budget_lines.items()})
    for row in by_budget:
        amount = budget_lines.get(row["key"], {}).get("amount")
        row["budget"] = amount
        row["remaining"] = None if amount is None else _money(Decimal(amount) - Decimal(row["scenario"]))
    ranked = sorted(((p[3] - p[2], aid, p) for aid, p in people.items()), key=lambda t: (t[0], t[1]))

    def one(t: tuple) -> dict:
        return {"applicant": t[1], "name": t[2][0], "kind": kind_labels.get(t[2][1], t[2][1]),
                "count": t[2][4], "base": _money(t[2][2]), "scenario": _money(t[2][3]), "delta": _money(t[0])}

    return {
        "totals": {"count": len(outcomes), "changed": changed, "base": _money(base), "scenario": _money(scenario),
                   "delta": _money(scenario - base)},
        "by_source": sums["source"].out(SOURCE_LABELS, SOURCES),
        "by_item": sums["item"].out(item_labels, items),
        "by_year": sums["year"].out({str(y): f"{y} 年" for y in years}),
        "by_kind": sums["kind"].out(kind_labels),
        "by_budget": by_budget,
        "item_year": {
            "years": [str(y) for y in years],
            "items": [{"key": i, "label": item_labels.get(i, i),
                       "base": [_money(item_year.get((i, y), [ZERO, ZERO])[0]) for y in years],
                       "scenario": [_money(item_year.get((i, y), [ZERO, ZERO])[1]) for y in years],
                       "delta": [_money(item_year.get((i, y), [ZERO, ZERO])[1] - item_year.get((i, y), [ZERO, ZERO])[0])
                                 for y in years]} for i in items],
        },
        "gainers": [one(t) for t in reversed(ranked) if t[0] > 0][:TOP],
        "losers": [one(t) for t in ranked if t[0] < 0][:TOP],
    }


def side_by_side(left: dict, right: dict, table: str) -> list[dict]:
    """Two runs' rows of one table matched by key: label, each run's scenario amount and change."""
    rows: dict[str, dict] = {}
    for side, results in (("left", left), ("right", right)):
        for r in results.get(table, []):
            row = rows.setdefault(r["key"], {"key": r["key"], "label": r["label"], "left": None, "right": None})
            row[side] = {"base": r["base"], "scenario": r["scenario"], "delta": r["delta"]}
    return list(rows.values())
