"""The engine's door for a platform: typed claims in, typed decisions out.

`decide(policy, claims, history=…, interpretations=…)` decides claims in order against what was
already awarded, exactly as the calculator contract does (it runs the same evaluator), and returns
one frozen `Decision` per claim: the amount as Decimal, the outcome and reasons, the citation, the
interpretations relied on, the duplicate key and the cap groups the claim falls in with their
limits, and the explanation as a tree of steps. A platform never re-derives any of these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Mapping

import numpy as np

from .errors import BatchError
from .money import fen_to_yuan
from .policy import Policy, load_policy
from .trace import Explanation, Step

ELIGIBLE, INELIGIBLE, INVALID = "eligible", "ineligible", "invalid"
CAP, TOP_UP = "cap", "top_up"

# How the platform's ledger names a duplicate key or a cap group: the item's ledger id and the
# key's parts (identifiers already in the engine's normal form), joined.
LEDGER_SEPARATOR = "|"


@dataclass(frozen=True)
class Applicant:
    id: str
    kind: str
    in_zone: bool
    sme: bool = False
    name: str = ""


@dataclass(frozen=True)
class Claim:
    """A claim as the engine reads it: the platform fills it from what it stored."""

    id: str
    item: str
    applicant: Applicant
    event_date: dt.date | str
    facts: Mapping = field(default_factory=dict)

    def as_contract(self) -> dict:
        a = self.applicant
        event = self.event_date.isoformat() if isinstance(self.event_date, dt.date) else self.event_date
        return {
            "id": self.id,
            "item": self.item,
            "applicant": {"id": a.id, "kind": a.kind, "name": a.name, "in_zone": a.in_zone, "sme": a.sme},
            "event_date": event,
            "facts": dict(self.facts),
        }


@dataclass(frozen=True)
class Award:
    """What was already awarded for a claim: it takes its key and counts against its caps."""

    claim: Claim
    amount: Decimal
    policy: str | None = None  # a predecessor's award, when the claim was decided under it

    def as_contract(self) -> dict:
        out = {**self.claim.as_contract(), "amount": f"{Decimal(self.amount):.2f}"}
        if self.policy is not None:
            out["policy"] = self.policy
        return out


@dataclass(frozen=True)
class InputError:
    """Why a claim could not be read: the offending field (dotted path) and a Chinese message."""

    field: str
    message: str
    code: str = "invalid_input"


@dataclass(frozen=True)
class CapGroup:
    """A group of awards whose sum is limited (`kind` cap, `limit` in yuan), or the awards of a
    top-up item to one applicant (`kind` top_up, no limit: each pays entitlement minus paid)."""

    group: str
    kind: str
    limit: Decimal | None
    parameter: str | None = None
    label: str = ""


@dataclass(frozen=True)
class Decision:
    claim_id: str | None
    policy: str
    item: str | None
    outcome: str  # eligible / ineligible / invalid
    amount: Decimal
    capped: bool = False
    reasons: tuple[str, ...] = ()
    citation: str = ""
    interpretations: tuple[str, ...] = ()  # "A10=event_date"
    duplicate_key: str | None = None
    cap_groups: tuple[CapGroup, ...] = ()
    explanation: Explanation | None = None
    error: InputError | None = None
    policy_version: str = ""  # Policy.version of the package that decided

    @property
    def eligible(self) -> bool:
        return self.outcome == ELIGIBLE

    @property
    def invalid(self) -> bool:
        return self.outcome == INVALID

    def as_contract(self) -> dict:
        """The calculator contract's decision object (explanation as its Chinese lines)."""
        if self.error is not None:
            return {"id": self.claim_id, "error": {"code": self.error.code, "field": self.error.field,
                                                   "message": self.error.message}}
        out = {
            "id": self.claim_id, "item": self.item, "eligible": self.eligible, "amount": f"{self.amount:.2f}",
            "capped": self.capped, "reasons": list(self.reasons), "citation": self.citation,
            "interpretations": list(self.interpretations),
        }
        if self.explanation is not None:
            out["explanation"] = self.explanation.render("zh")
        return out

    def as_record(self) -> dict:
        """The decision as JSON data to store (the contract's fields, the ledger fields and the
        explanation both as its Chinese lines and as the tree); `from_record` reads it back."""
        out = {**self.as_contract(), "policy": self.policy, "item": self.item}
        if self.policy_version:
            out["policy_version"] = self.policy_version
        if self.error is None:
            out["duplicate_key"] = self.duplicate_key
            out["cap_groups"] = [
                {"group": g.group, "kind": g.kind, "limit": None if g.limit is None else f"{g.limit:.2f}",
                 "parameter": g.parameter, "label": g.label} for g in self.cap_groups
            ]
            if self.explanation is not None:
                out["steps"] = self.explanation.as_dicts()
        return out

    @classmethod
    def from_record(cls, data: Mapping) -> "Decision":
        """A stored decision read back (a record of `as_record`, or an older one holding only the
        contract's fields: its explanation then has one plain step per line)."""
        policy = data.get("policy", "")
        if "error" in data:
            e = data["error"]
            return cls(claim_id=data.get("id"), policy=policy, item=data.get("item"), outcome=INVALID,
                       amount=Decimal("0.00"), error=InputError(e.get("field", ""), e.get("message", ""),
                                                                e.get("code", "invalid_input")),
                       policy_version=data.get("policy_version", ""))
        if "steps" in data:
            explanation = Explanation(tuple(_step(s) for s in data["steps"]))
        elif "explanation" in data:
            explanation = Explanation(tuple(Step("line", line, line) for line in data["explanation"]))
        else:
            explanation = None
        return cls(
            claim_id=data.get("id"), policy=policy, item=data.get("item"),
            outcome=ELIGIBLE if data.get("eligible") else INELIGIBLE, amount=Decimal(data.get("amount") or "0.00"),
            capped=bool(data.get("capped")), reasons=tuple(data.get("reasons") or ()), citation=data.get("citation", ""),
            interpretations=tuple(data.get("interpretations") or ()), duplicate_key=data.get("duplicate_key"),
            cap_groups=tuple(
                CapGroup(g["group"], g["kind"], None if g.get("limit") is None else Decimal(g["limit"]),
                         g.get("parameter"), g.get("label", "")) for g in data.get("cap_groups") or ()
            ),
            explanation=explanation, policy_version=data.get("policy_version", ""),
        )


def _step(data: Mapping) -> Step:
    return Step(
        kind=data["kind"], zh=data["zh"], en=data["en"], passed=data.get("passed"), clause=data.get("clause"),
        parameters=tuple(data.get("parameters") or ()), values=tuple((data.get("values") or {}).items()),
        children=tuple(_step(c) for c in data.get("children") or ()),
    )


def decide(policy: Policy | str, claims: Iterable[Claim], *, history: Iterable[Award] = (),
           interpretations: Mapping[str, str] | None = None, explain: bool = True) -> list[Decision]:
    """Decide claims in order, as if one after another, against `history`.

    Raises BatchError when the policy is unknown, an interpretation choice is unusable or the
    history cannot be read (an award the ledger holds must be a valid claim)."""
    from .evaluation import Evaluator, _outcome, no_gc
    from .explain import explanation_of

    if not isinstance(policy, Policy):
        policy = load_policy(policy)
    claims = list(claims)
    version = policy.version
    ev = Evaluator(policy, dict(interpretations or {}))
    ev.add_history([a.as_contract() for a in history])
    out: list[Decision | None] = [None] * len(claims)
    with no_gc():
        errors = ev.read_many([c.as_contract() for c in claims])
        results = [ev.static(cols) for cols in ev.reader.columns()]
        # Keys and groups of every readable claim, taken before the ledger pass changes anything.
        fields = [_ledger_fields(ev, r) for r in results]
        ev.ledger_pass(results, True)
    for p, err in errors.items():
        e = err["error"]
        out[p] = Decision(claim_id=err["id"], policy=policy.id, item=claims[p].item, outcome=INVALID,
                          amount=Decimal("0.00"), error=InputError(e["field"], e["message"], e["code"]),
                          policy_version=version)
    for r, (keys, groups) in zip(results, fields):
        item, cols = r.cols.item, r.cols
        relied = tuple(ev._relied[item.id])
        flags, status, final, capped = r.flags.tolist(), r.status.tolist(), r.final.tolist(), r.capped.tolist()
        for i in range(cols.n):
            reasons, eligible, cut = _outcome(flags[i], status[i], capped[i])
            amount = fen_to_yuan(final[i] if eligible else 0)
            contract = {"eligible": eligible, "amount": amount, "capped": cut, "reasons": reasons,
                        "interpretations": list(relied)}
            out[int(cols.pos[i])] = Decision(
                claim_id=cols.ids[i], policy=policy.id, item=item.id, outcome=ELIGIBLE if eligible else INELIGIBLE,
                amount=Decimal(amount), capped=cut, reasons=tuple(reasons), citation=item.clause,
                interpretations=relied, duplicate_key=keys[i], cap_groups=groups[i],
                explanation=explanation_of(ev, r, i, contract) if explain else None, policy_version=version,
            )
    return out  # type: ignore[return-value]


def _ledger_id(item) -> str:
    # An item continuing a predecessor's (a successor policy) shares its keys and caps.
    return getattr(item, "ledger_id", item.id)


def _joined(parts) -> str:
    return LEDGER_SEPARATOR.join("" if p is None else str(p) for p in parts)


def _ledger_fields(ev, r) -> tuple[list, list]:
    """Per row: the duplicate key (or None) and the cap groups, sorted by name (the order in
    which a platform locks them)."""
    cols, item = r.cols, r.cols.item
    n = cols.n
    keys, tops, groups, caps = ev._ledger_fields(cols, np.arange(n))
    lid = _ledger_id(item)
    key_names = [None] * n if keys is None else [
        _joined((lid, *(k if type(k) is tuple else (k,)))) for k in keys
    ]
    cap_rows: list[tuple[CapGroup, ...]] = []
    caps = caps.tolist() if caps is not None else None
    for i in range(n):
        found = []
        if tops is not None:
            found.append(CapGroup(_joined((lid, TOP_UP, *tops[i][1:])), TOP_UP, None))
        if groups is not None:
            found.append(CapGroup(_joined((lid, *groups[i][1:])), CAP, Decimal(fen_to_yuan(caps[i])),
                                  item.cap.param, item.cap.label))
        cap_rows.append(tuple(sorted(found, key=lambda g: g.group)))
    return key_names, cap_rows


__all__ = ["Applicant", "Award", "BatchError", "CapGroup", "Claim", "Decision", "InputError", "decide",
           "ELIGIBLE", "INELIGIBLE", "INVALID"]
