"""The read model of a policy for people: what a platform shows of a package, typed and frozen.

A `PolicyView` is built once per loaded policy (`view_of`) from the engine's `Policy`: its items
with their facts (types, labels, options and their texts), its clauses and their passages, its
interpretations and their options, and what a person reads of the package (文号, issuer, date,
versions, the predecessor it continues). Nothing in it decides: the rules, parameters, caps and
ledger names stay inside the engine. The platform hands a view back to the door (`decide`,
`validity`, `state_on`, `check_package`, …), which decides with the policy it was built from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    from .policy import Policy
    from .vocabulary import Fact, Item, LineColumns


@dataclass(frozen=True, eq=False)  # (identity, as the engine's own objects: views hold mappings)
class FactView:
    """One fact a claim states: its name, type (year | money | bool | enum | text | date | number
    | uscc_list | lines), label, for an enum its options and their texts, and for a `lines` fact
    (清单) its columns (category with its options, count, object)."""

    name: str
    type: str
    label: str
    options: tuple[str, ...] = ()
    option_labels: Mapping[str, str] | None = None
    optional: bool = False
    default: object = None
    normal: str | None = None  # "identifier" | "patent_number": compared in a normal form
    positive: bool = False
    whole: bool = False
    # Where its value comes from: "declared" (the applicant), "confirmed" (the applicant, a
    # reviewer confirms it) or "platform" (derived, read from the ledger or a register: known.py).
    source: str = "declared"
    columns: "LineColumns | None" = None  # a lines fact's columns (vocabulary.LineColumns)


@dataclass(frozen=True, eq=False)  # (identity, as the engine's own objects: views hold mappings)
class ParameterView:
    """A parameter as people read it: its name, title and kind (money, rate, number, money_table,
    tiers, date …); its values are read through the door (`parameter_value`)."""

    name: str
    title: str
    kind: str
    clause: str = ""


@dataclass(frozen=True, eq=False)  # (identity, as the engine's own objects: views hold mappings)
class ItemView:
    """One funding item as the policy states it."""

    id: str
    clause: str
    title: str
    source: str  # the sentence of the policy text the item rests on
    summary: str
    kinds: tuple[str, ...]  # the applicant kinds that may claim it
    facts: tuple[FactView, ...]
    evidence: tuple[str, ...] = ()  # the documents a claim is filed with
    interpretations: tuple[str, ...] = ()  # the interpretations its decisions may rely on
    kinds_by: tuple[str, Mapping[str, tuple[str, ...]]] | None = None  # (fact, {value: kinds}) overrides `kinds`
    continues: str | None = None  # "policy/item" of the predecessor's item it continues
    applicant_gates: frozenset[str] = frozenset()  # "not_in_zone", "not_sme" as its conditions declare
    ledger_id: str = ""  # "policy/item" its awards are filed under (a continued item: its predecessor's)
    installments: tuple[object, ...] = ()  # the stages (分期拨付) it is paid in, as declared (installments.Stage); empty: at once
    promise: object = None  # the promise (承诺) its claims carry (vocabulary.Promise), or None

    def gates(self) -> frozenset[str]:
        return self.applicant_gates

    def fact(self, name: str) -> FactView:
        for f in self.facts:
            if f.name == name:
                return f
        raise KeyError(name)


@dataclass(frozen=True, eq=False)  # (identity, as the engine's own objects: views hold mappings)
class ClauseView:
    """A clause of the policy text: its number, title and passages (each with its role)."""

    number: str
    title: str
    source: tuple[str, ...]
    monetary: bool
    roles: tuple[str, ...] = ()

    @property
    def passages(self) -> tuple[tuple[str, str], ...]:
        return tuple(zip(self.roles, self.source))


@dataclass(frozen=True, eq=False)  # (identity, as the engine's own objects: views hold mappings)
class InterpretationView:
    """A question the text leaves open, its options (id → text) and the default reading."""

    id: str
    question: str
    clause: str
    options: Mapping[str, str]
    default: str
    selectable: bool
    reason: str = ""
    explicit: bool = False


@dataclass(frozen=True, eq=False)  # (identity, as the engine's own objects: views hold mappings)
class PolicyView:
    """A policy package as people read it. `versions`: (date, 文号, what) of the text and of each
    amending document, by date. `predecessor`: 文号《标题》 of the policy it continues ("" for none;
    the id alone with 未安装 when that policy is not installed)."""

    id: str
    title: str
    document_number: str
    issuer: str
    issued_on: dt.date
    version: str
    items: Mapping[str, ItemView]
    clauses: tuple[ClauseView, ...]
    interpretations: Mapping[str, InterpretationView]
    kind_labels: Mapping[str, str]
    versions: tuple[tuple[dt.date, str, str], ...]
    predecessor_id: str | None
    continued: Mapping[str, str]  # this policy's item → the predecessor's item it continues
    source_text: str = field(repr=False, default="")
    parameters: Mapping[str, ParameterView] = field(default_factory=dict)
    allocation: object = None  # what the package says of allocation after the round (allocation.Allocation)
    _policy: "Policy | None" = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return f"PolicyView({self.id!r}, {self.document_number!r}, {len(self.items)} items)"

    def clause(self, number: str) -> ClauseView | None:
        for c in self.clauses:
            if c.number == number:
                return c
        return None

    @property
    def defaults(self) -> dict[str, str]:
        return {iid: i.default for iid, i in self.interpretations.items()}


def _fact(f: "Fact") -> FactView:
    labels = f.option_labels
    return FactView(
        name=f.name, type=f.type, label=f.label, options=tuple(f.options or ()),
        option_labels=None if labels is None else MappingProxyType({str(k): str(v) for k, v in labels.items()}),
        optional=bool(f.optional), default=f.default, normal=f.normal, positive=bool(f.positive), whole=bool(f.whole),
        source=_source(f), columns=f.columns,
    )


def _source(f: "Fact") -> str:
    from .known import known

    return "platform" if known(f) else str(getattr(f, "source", "declared"))


def _item(item: "Item") -> ItemView:
    kinds_by = item.kinds_by
    return ItemView(
        id=item.id, clause=item.clause, title=item.title, source=item.source, summary=item.summary,
        kinds=tuple(item.kinds), facts=tuple(_fact(f) for f in item.facts), evidence=tuple(item.evidence),
        interpretations=tuple(item.interpretations),
        kinds_by=None if not kinds_by else (str(kinds_by[0]), MappingProxyType(
            {str(k): tuple(v) for k, v in kinds_by[1].items()})),
        continues=item.continues, applicant_gates=frozenset(item.gates()),
        ledger_id=item.ledger_id, installments=tuple(getattr(item, "installments", ()) or ()),
        promise=getattr(item, "promise", None),
    )


def view_of(policy: "Policy") -> PolicyView:
    """The read model of a loaded policy (built once per loaded policy, kept with it)."""
    built: PolicyView | None = policy.__dict__.get("_view")
    if built is not None:
        return built
    view = PolicyView(
        id=policy.id, title=policy.title, document_number=policy.document_number,
        issuer=str(policy.data.get("issuer") or ""), issued_on=policy.issued_on, version=policy.version,
        items=MappingProxyType({iid: _item(item) for iid, item in policy.items.items()}),
        clauses=tuple(ClauseView(c.number, c.title, tuple(c.source), c.monetary, tuple(c.roles)) for c in policy.clauses),
        interpretations=MappingProxyType({
            iid: InterpretationView(i.id, i.question, i.clause, MappingProxyType({str(k): str(v) for k, v in i.options.items()}),
                                    i.default, i.selectable, i.reason, i.explicit)
            for iid, i in policy.interpretations.items()
        }),
        kind_labels=MappingProxyType(dict(policy.kind_labels)), versions=tuple(policy.versions()),
        predecessor_id=policy.predecessor_id, continued=MappingProxyType(dict(policy.continued)),
        source_text=policy.source_text, _policy=policy,
        parameters=MappingProxyType({name: ParameterView(name, p.title, p.kind, p.clause) for name, p in policy.parameters.items()}),
        allocation=getattr(policy, "allocation", None),
    )
    policy.__dict__["_view"] = view
    return view


def predecessor_view(view: PolicyView) -> PolicyView | None:
    """The installed policy a package continues (None for none; a BatchError names it when it is
    not installed)."""
    if view._policy is None or not view.predecessor_id:
        return None
    pred = view._policy.predecessor()
    return None if pred is None else view_of(pred)
