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
from typing import Iterable, Mapping, Protocol, Sequence, runtime_checkable

import numpy as np

from .errors import BatchError
from .known import Earlier, RegisterList, by_applicant, earlier_of_awards
from .installments import Planned, plan
from .money import fen_to_yuan, yuan_to_fen
from .policy import Policy, load_policy
from .trace import Explanation, Step
from .view import PolicyView

ELIGIBLE, INELIGIBLE, INVALID = "eligible", "ineligible", "invalid"
CAP, TOP_UP, MATTER = "cap", "top_up", "matter"

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
class Holder:
    """Who holds a duplicate key in the ledger: the claim and its applicant, as explanations name them."""

    claim_id: str
    applicant: str
    name: str
    kind: str
    event_date: dt.date


@runtime_checkable
class LedgerLookup(Protocol):
    """What was already awarded, looked up by name — never a list of every award of an item.

    `holders` answers for the duplicate keys asked (a key not held is left out); `amounts` for the
    buckets asked (cap buckets: what their awards used; top-up and matter buckets: what was paid),
    in yuan (a bucket never posted to is left out). A platform answers both with indexed queries;
    `AwardIndex` answers them from a list of awards (the CLI's --history, tests)."""

    def holders(self, keys: Sequence[str]) -> Mapping[str, Holder]: ...

    def amounts(self, buckets: Sequence[str]) -> Mapping[str, Decimal]: ...


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
    # The cap groups that cut the amount (each cap that bound it); recorded as the claim is decided
    # one by one with its steps, so a decision taken with explain=False leaves it empty.
    cut_by: tuple[str, ...] = ()
    # Facts the platform knows, each (fact, value as text, where it came from: the register with
    # its version and import date, the earlier award, the arithmetic).
    readings: tuple[tuple[str, str, str], ...] = ()
    # Stages (分期拨付): the installments of the award as the item declares them (empty: paid at
    # once). `installments_for(amount)` plans another amount (an approval below the engine's).
    installments: tuple[Planned, ...] = ()

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
            if self.cut_by:
                out["cut_by"] = list(self.cut_by)
            if self.installments:
                out["installments"] = [p.as_record() for p in self.installments]
            out["cap_groups"] = [
                {"group": g.group, "kind": g.kind, "limit": None if g.limit is None else f"{g.limit:.2f}",
                 "parameter": g.parameter, "label": g.label} for g in self.cap_groups
            ]
            if self.explanation is not None:
                out["steps"] = self.explanation.as_dicts()
            if self.readings:
                out["readings"] = [list(r) for r in self.readings]
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
            cut_by=tuple(data.get("cut_by") or ()),
            readings=tuple(tuple(r) for r in data.get("readings") or ()),
            installments=tuple(Planned.from_record(p) for p in data.get("installments") or ()),
        )


def _step(data: Mapping) -> Step:
    return Step(
        kind=data["kind"], zh=data["zh"], en=data["en"], passed=data.get("passed"), clause=data.get("clause"),
        parameters=tuple(data.get("parameters") or ()), values=tuple((data.get("values") or {}).items()),
        children=tuple(_step(c) for c in data.get("children") or ()),
    )


def _loaded(policy: "Policy | PolicyView | str") -> Policy:
    """The engine's policy for what a caller names: an installed id, a view (the policy it was
    built from) or a policy already loaded."""
    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, PolicyView):
        return policy._policy if policy._policy is not None else load_policy(policy.id)
    return load_policy(policy)


def decide(policy: "Policy | PolicyView | str", claims: Iterable[Claim], *, history: "Iterable[Award] | LedgerLookup" = (),
           interpretations: Mapping[str, str] | None = None, explain: bool | str = True,
           registers: "Mapping[str, RegisterList] | None" = None) -> list[Decision]:
    """Decide claims in order, as if one after another, against `history`: a `LedgerLookup`
    (the ledger asked for exactly the keys and buckets these claims touch: the cost of a decision
    does not grow with the ledger), or a list of awards (read into an `AwardIndex` first).

    Facts the platform knows (known.py) are filled first: earlier awards read back through the
    lookup's `earlier(applicants)` when it has one, registers from `registers` (code → the
    version in force); each decision's `readings` say where each such value came from.

    Raises BatchError when the policy is unknown, an interpretation choice is unusable or the
    history cannot be read (an award the ledger holds must be a valid claim). `explain="eligible"`:
    the eligible decisions explained, the others not (each as `explain=True` / `False` gives it)."""
    from .evaluation import Evaluator

    policy = _loaded(policy)
    claims = list(claims)
    interpretations = dict(interpretations or {})
    lookup = history if isinstance(history, LedgerLookup) else AwardIndex(policy, history, interpretations)
    ev = Evaluator(policy, interpretations)
    return _decided(ev, [c.as_contract() for c in claims], [c.item for c in claims], lookup, explain, registers=registers)


def _decided(ev, claims: list, items: list, lookup: "LedgerLookup | None", explain: bool | str, *,
             registers: "Mapping[str, RegisterList] | None" = None, earlier=None) -> list[Decision]:
    """The one decision pass every door takes (`decide`, `evaluate_batch`): the claims (in the
    contract's form) read, decided statically, their ledger fields taken, the ledger seeded from
    `lookup` (None: the evaluator's ledger already holds the history), the ledger pass, and a
    `Decision` per claim in batch order."""
    from .evaluation import _outcome, no_gc
    from .explain import explanation_of

    policy = ev.policy
    version = policy.version
    out: list[Decision | None] = [None] * len(claims)
    # Facts the platform knows filled first: earlier awards read back through the lookup (or, for
    # the contract's batch, the history), registers as given.
    contracts, refused = ev.fill_known(list(claims), earlier=earlier or getattr(lookup, "earlier", None),
                                       registers=registers)
    with no_gc():
        errors = ev.read_many(contracts, refused=refused)
        results = [ev.static(cols, explain) for cols in ev.reader.columns()]
        # Keys and groups of every readable claim, taken before the ledger pass changes anything.
        fields = [_ledger_fields(ev, r) for r in results]
        if lookup is not None:
            _seed(ev, results, lookup)
        ev.ledger_pass(results, True)
    for p, err in errors.items():
        e = err["error"]
        out[p] = Decision(claim_id=err["id"], policy=policy.id, item=items[p], outcome=INVALID,
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
            info = r.info.get(i, {})
            planned = plan(item.installments, Decimal(amount)) if eligible and item.installments else ()
            out[int(cols.pos[i])] = Decision(
                claim_id=cols.ids[i], policy=policy.id, item=item.id, outcome=ELIGIBLE if eligible else INELIGIBLE,
                amount=Decimal(amount), capped=cut, reasons=tuple(reasons), citation=item.clause,
                interpretations=relied, duplicate_key=keys[i], cap_groups=groups[i],
                explanation=explanation_of(ev.trace_of(r, i, planned), contract) if explain is True or (explain and eligible)
                else None,
                policy_version=version,
                cut_by=tuple(_joined(g) for g in info.get("cut_by", ())),
                readings=tuple(ev.known_notes.get(cols.ids[i], ())),
                installments=planned,
            )
    return out  # type: ignore[return-value]


def installment_plan(policy: "Policy | PolicyView | str", item_id: str, amount: Decimal) -> tuple[Planned, ...]:
    """The installments (分期拨付) an award of `amount` to an item is paid in: empty when the item
    pays at once. The platform plans the amount it approves (which may be below the engine's)."""
    policy = _loaded(policy)
    item = policy.items.get(item_id)
    stages = getattr(item, "installments", ()) if item is not None else ()
    return plan(stages, Decimal(amount)) if stages and Decimal(amount) > 0 else ()


# -- the calculator contract: dicts in, dicts out, through the same decision pass --------------


def evaluate_batch(batch: dict, *, history: dict | None = None, interpretations: dict | None = None,
                   explain: bool = True, registers: dict | None = None) -> dict:
    """The contract's DECISIONS for a batch (a dict as read from JSON), claims decided in order:
    `decide`'s decisions as the contract writes them (`Decision.as_contract`).

    Raises BatchError when the batch, history or interpretation choices are unusable.
    """
    from .errors import NOT_OBJECT

    if type(batch) is not dict:
        raise BatchError(NOT_OBJECT)
    # (load_policy refuses an id that is no string, evaluate_claims claims that are no list: BatchError)
    policy = load_policy(batch.get("policy"))  # type: ignore[arg-type]
    return evaluate_claims(policy, batch.get("claims"), history=history, interpretations=interpretations,  # type: ignore[arg-type]
                           explain=explain, registers=registers)


def evaluate_claims(policy: "Policy | PolicyView", claims: list, *, history: dict | None = None,
                    interpretations: dict | None = None, explain: bool = True, registers: dict | None = None) -> dict:
    """`evaluate_batch` for a policy already loaded (a package being written, not yet installed).
    `registers`: the lists the package's facts read ({code: {label, version, imported_on, entries}},
    as in a --registers file); the history's awards are the ledger its facts read back."""
    from .errors import NO_CLAIMS
    from .evaluation import Evaluator, _history_claims

    policy = _loaded(policy)
    if type(claims) is not list:
        raise BatchError(NO_CLAIMS)
    from .known import read_registers

    ev = Evaluator(policy, interpretations)
    awarded = _history_claims(policy, history)
    ev.add_history(awarded)
    items = [c.get("item") if type(c) is dict and type(c.get("item")) is str else None for c in claims]
    decisions = _decided(ev, claims, items, None, explain, registers=read_registers(registers),
                         earlier=lambda a: by_applicant(earlier_of_awards(policy, awarded, load=load_policy))(a))
    return {"policy": policy.id, "decisions": [d.as_contract() for d in decisions]}


def _ledger_id(item) -> str:
    # An item continuing a predecessor's (a successor policy) shares its keys and caps.
    return getattr(item, "ledger_id", item.id)


def _joined(parts) -> str:
    return LEDGER_SEPARATOR.join("" if p is None else str(p) for p in parts)


def _key_name(lid: str, key) -> str:
    return _joined((lid, *(key if type(key) is tuple else (key,))))


def _top_name(lid: str, top: tuple) -> str:
    return _joined((lid, TOP_UP, *top[1:]))


def _group_name(lid: str, group: tuple) -> str:
    return _joined((lid, *group[1:]))


def _ledger_fields(ev, r) -> tuple[list, list]:
    """Per row: the duplicate key (or None) and the cap groups — the item's own cap and top-up,
    the caps spanning items and the matters of its exclusive groups — sorted by name (the order
    in which a platform locks them)."""
    cols, item = r.cols, r.cols.item
    n = cols.n
    every = np.arange(n)
    keys, tops, groups, caps = ev._ledger_fields(cols, every)
    shared_caps, matters = ev._shared_fields(cols, every) if ev.shared(item) else ([()] * n, [()] * n)
    lid = _ledger_id(item)
    key_names = [None] * n if keys is None else [_key_name(lid, k) for k in keys]
    cap_rows: list[tuple[CapGroup, ...]] = []
    limits: list = caps.tolist() if caps is not None else []  # (a cap per row whenever groups are)
    for i in range(n):
        found = []
        if tops is not None:
            found.append(CapGroup(_top_name(lid, tops[i]), TOP_UP, None))
        if groups is not None:
            found.append(CapGroup(_group_name(lid, groups[i]), CAP, Decimal(fen_to_yuan(limits[i])),
                                  item.cap.param, item.cap.label))
        for bucket, limit, cap in shared_caps[i]:
            found.append(CapGroup(_joined(bucket), CAP, Decimal(fen_to_yuan(limit)), cap.param, cap.label))
        for matter, grp, _rule in matters[i]:
            found.append(CapGroup(_joined(matter), MATTER, None, None, grp.label))
        cap_rows.append(tuple(sorted(found, key=lambda g: g.group)))
    return key_names, cap_rows


def _seed(ev, results, lookup: LedgerLookup) -> None:
    """Put into the evaluator's ledger what the lookup holds for exactly the keys and buckets
    these claims touch."""
    wanted_keys: dict[str, tuple] = {}  # name → (ledger item, key)
    wanted: dict[str, tuple] = {}  # name → (ledger dict, internal name)
    led = ev.ledger
    for r in results:
        cols, item = r.cols, r.cols.item
        every = np.arange(cols.n)
        keys, tops, groups, _caps = ev._ledger_fields(cols, every)
        lid = _ledger_id(item)
        # Each name as filed by awards decided under the options in force now (plain) and as filed,
        # marked, by awards decided under other options that file them here under ours.
        forms = ("", _qualifier(item, ev.interp)) if _shaping(item) else ("",)
        for q in forms:
            for k in keys or ():
                wanted_keys[_key_name(lid, k) + q] = (item.id, k)
            for t in tops or ():
                wanted[_top_name(lid, t) + q] = (led.paid, t)
            for g in groups or ():
                wanted[_group_name(lid, g) + q] = (led.used, g)
        if ev.shared(item):
            shared_caps, matters = ev._shared_fields(cols, every)
            for row in shared_caps:
                for bucket, _limit, _cap in row:
                    wanted[_joined(bucket)] = (led.used, bucket)
            for row in matters:
                for matter, _grp, _rule in row:
                    wanted[_joined(matter)] = (led.paid, matter)
    if wanted_keys:
        for name, h in lookup.holders(sorted(wanted_keys)).items():
            item_id, key = wanted_keys[name]
            led.taken_for(item_id)[key] = led.holder(h.claim_id)
            if led.holders:
                led.claims[h.claim_id] = (h.applicant, h.name, h.kind, h.event_date.toordinal())
    if wanted:
        for name, amount in lookup.amounts(sorted(wanted)).items():
            target, internal = wanted[name]
            target[internal] = target.get(internal, 0) + yuan_to_fen(f"{Decimal(amount):.2f}")


class AwardIndex:
    """A `LedgerLookup` over a list of awards: read once, as the engine reads history (keys taken,
    caps used, top-ups and matters paid), indexed by the names the ledger files them under."""

    def __init__(self, policy: "Policy | PolicyView", awards: Iterable[Award] = (), interpretations: Mapping[str, str] | None = None):
        from .evaluation import Evaluator

        policy = _loaded(policy)
        awards = list(awards)
        self._holders: dict[str, Holder] = {}
        self._amounts: dict[str, Decimal] = {}
        self._earlier = by_applicant(earlier_of_awards(policy, [a.as_contract() for a in awards], load=load_policy))
        if not awards:
            return
        ev = Evaluator(policy, dict(interpretations or {}))
        ev.add_history([a.as_contract() for a in awards])
        led = ev.ledger
        for lid, taken in led.taken.items():
            for key, cid in taken.items():
                known = led.claims.get(cid)
                applicant, name, kind, event = known if known else ("", "", "", dt.date.min.toordinal())
                self._holders[_key_name(lid, key)] = Holder(
                    cid, applicant, name, kind, dt.date.fromordinal(event))
        for store in (led.used, led.paid):
            for internal, fen in store.items():
                head = internal[0]
                if "/cap:" in head or "/matter:" in head:
                    name = _joined(internal)
                elif store is led.paid:
                    name = _top_name(head, internal)
                else:
                    name = _group_name(head, internal)
                self._amounts[name] = Decimal(fen_to_yuan(fen))

    # Built under the very interpretations the decision is taken under: every award is under the
    # plain names, none under names marked with other options (see _qualifier).
    def holders(self, keys: Sequence[str]) -> dict[str, Holder]:
        return {k: self._holders[k] for k in keys if k in self._holders}

    def amounts(self, buckets: Sequence[str]) -> dict[str, Decimal]:
        return {b: self._amounts[b] for b in buckets if b in self._amounts}

    def earlier(self, applicants: Sequence[str]) -> Mapping[str, list[Earlier]]:
        """The earlier awards of these applicants (upper-case credit codes): what facts the
        platform knows read back ("首次", last year's figure)."""
        return self._earlier(applicants)

__all__ = ["Applicant", "Award", "AwardIndex", "BatchError", "CapGroup", "Claim", "Decision", "Earlier", "Holder",
           "InputError", "LedgerLookup", "RegisterList", "decide", "evaluate_batch", "evaluate_claims", "ELIGIBLE",
           "INELIGIBLE", "INVALID"]


def _qualifier(item, interp: Mapping[str, str]) -> str:
    """What an item's own key and buckets are filed under besides their name: the options of the
    interpretations that shape them ("@A23=fact_year"), so that names filed under one option never
    count under another (the service year 2024 of one reading is not the event year 2024 of the
    other). Empty for an item no interpretation shapes."""
    ids = _shaping(item)
    return "" if not ids else "@" + ",".join(f"{i}={interp.get(i, '')}" for i in ids)


def _spanning(name: str) -> bool:
    head = name.split(LEDGER_SEPARATOR, 1)[0]
    return "/cap:" in head or "/matter:" in head


def _shaping(item) -> list[str]:
    """The interpretations that change the names an item's claims are filed under in the ledger
    (another duplicate key, cap group or top-up under another option)."""
    ids = [iid for iid, _option in item.key_when]
    if item.cap is not None:
        ids += [iid for iid, _option in item.cap.group_when]
        if item.cap.per_year_when:
            ids.append(item.cap.per_year_when[0])
    if isinstance(item.top_up_when, tuple):
        ids.append(item.top_up_when[0])
    return list(dict.fromkeys(ids))


def ledger_names(policy: "Policy | PolicyView | str", claim: Claim, interpretations: Mapping[str, str] | None = None
                 ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(duplicate keys, buckets) a claim's award is filed under: under the interpretations given
    and under every other option of each interpretation that shapes the item's keys and buckets,
    so that a later choice of another option finds this award by the names it then looks up
    (an award keyed per year is found by a key per applicant once "only once" is chosen)."""
    from itertools import product

    from .evaluation import Evaluator

    policy = _loaded(policy)
    base = dict(interpretations or {})
    item = policy.items.get(claim.item)
    shaping = _shaping(item) if item is not None else []
    options = [list(policy.interpretations[iid].options) for iid in shaping if iid in policy.interpretations]
    keys: dict[str, None] = {}
    buckets: dict[str, None] = {}
    for combo in product(*options) if options else [()]:
        ev = Evaluator(policy, {**base, **dict(zip(shaping, combo))})
        if ev.read_many([claim.as_contract()]):
            continue  # unreadable: it is never awarded
        # The options the award is decided under file it under the plain names (as the ledger's
        # guards, DuplicateKey and CapBucket, hold it); every other option under names marked with it.
        q = "" if all(ev.interp.get(i) == policy.resolve_interpretations(base).get(i) for i in shaping) else \
            _qualifier(item, ev.interp)
        for r in (ev.static(cols) for cols in ev.reader.columns()):
            key_names, groups = _ledger_fields(ev, r)
            keys.update(dict.fromkeys(k + q for k in key_names if k is not None))
            buckets.update(dict.fromkeys(g.group if _spanning(g.group) else g.group + q for row in groups for g in row))
    return tuple(keys), tuple(buckets)


__all__ += ["ledger_names", "installment_plan", "Planned"]


# ------------------------------------------------------------------------------------------
# Promises (承诺): what an item's claim promises, and the term and recovery it carries.


@dataclass(frozen=True)
class PromiseTerms:
    """An item's promise as the policy declares it, every reading resolved under the
    interpretations given: the text, the evidence that is the signed letter, the term in years
    (the parameter in force on the event date), when it starts (payment / approval), how much a
    breach recovers (all / proportional), what breaks it, and the interpretations relied on."""

    text: str
    evidence: str
    years: int
    start: str  # payment | approval
    recovery: str  # all | proportional
    breaches: tuple[str, ...]
    interpretations: tuple[str, ...] = ()  # "A37=payment"


def promise_terms(policy: "Policy | PolicyView | str", item: str, on: dt.date,
                  interpretations: Mapping[str, str] | None = None) -> PromiseTerms | None:
    """The promise a claim of `item` with event date `on` carries, or None if the item has none."""
    policy = _loaded(policy)
    spec = policy.items.get(item)
    if spec is None or spec.promise is None:
        return None
    promise = spec.promise
    chosen = policy.resolve_interpretations(dict(interpretations or {}))
    relied = []

    def read(fixed: str | None, by: str | None) -> str:
        if fixed is not None:
            return fixed
        assert by is not None  # the authoring check requires one of the two
        relied.append(f"{by}={chosen[by]}")
        return chosen[by]

    start = read(promise.start, promise.start_by)
    recovery = read(promise.recovery, promise.recovery_by)
    years = int(policy.parameters[promise.years].at(on.toordinal()))
    return PromiseTerms(text=promise.text, evidence=promise.evidence, years=years, start=start, recovery=recovery,
                        breaches=promise.breaches, interpretations=tuple(relied))


def promise_end(start: dt.date, years: int) -> dt.date:
    """The last day of a term of `years` years from `start` (《民法典》第二百零一条、第二百零二条:
    the day it starts is not counted; the term ends on the corresponding day of the last year, or
    on the last day of that month when there is none)."""
    from .dates import _add_years_one

    return dt.date.fromordinal(_add_years_one(start.toordinal(), years))
