"""The platform's one door to the engine: the only web module that imports `ipfund.engine` — and it
imports that module only, the engine's own door (no `ipfund.engine.*` below it: an import-linter
contract says so, with no exemption). Policies reach the web as the engine's read model
(`PolicyView`: items, facts, clauses, interpretations, frozen); never the engine's `Policy`.

It turns what the platform stores (an applicant profile, a claim, the award ledger's rows) into
the engine's typed claims and awards, asks `ipfund.engine.decide`, and hands back frozen
`Decision`s — amount, reasons, duplicate key and cap groups with their limits, explanation tree.
Nothing else in the web layer builds a claim for the engine, derives a key or a cap, or reads an
engine answer as a dict. An import-linter contract (pyproject.toml) keeps it so.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Mapping

from django.conf import settings

from ipfund.engine import (
    EXPIRED,
    IN_FORCE,
    LEDGER_SEPARATOR,
    NOT_YET,
    PSEUDONYM_PREFIX,
    REASON_LABELS,
    STATE_LABELS,
    Applicant,
    BatchError,
    CapGroup,
    Claim,
    Decision,
    Explanation,
    FactView,
    Holder,
    ItemView,
    PolicyView,
    canonical,
    decide,
    evaluate_batch,
    installed_ids,
    ledger_names,
    policy_view,
    ric_valid,
    state_on,
    uscc_valid,
    validity_of,
)

# The read model under the name the web has always used for a policy.
Policy = PolicyView

__all__ = [
    "EXPIRED", "IN_FORCE", "NOT_YET", "PSEUDONYM_PREFIX", "STATE_LABELS", "BatchError", "CapGroup", "Decision",
    "Explanation", "FactView", "ItemView", "Policy", "PolicyView", "REASON_LABELS", "canonical", "decide_calculator", "decide_claim", "decide_draft",
    "default_policy", "evaluate_batch", "known_policies", "ledger_fields", "ledger_index_names", "ledger_index_names_of_record", "ledger_scope", "policies_in_force",
    "policy_by_id", "policy_named", "policy_of", "policy_state", "policy_state_label", "policy_validity",
    "ric_valid", "stored_decision", "stored_explanation", "uscc_valid",
]

# The calculator is anonymous, but the engine requires a verified identifier for the applicant.
# These two are well-formed (check characters computed with python-stdnum) and stand for "the
# visitor"; a one-claim batch without history cannot collide with anyone.
VISITOR_ORGANISATION_ID = "91441200MA4W0Q9X3H"
VISITOR_PERSON_ID = "441203199001010010"


def policy_named(policy_id: str) -> Policy:
    """An installed policy package by its id (BatchError when none is installed under it)."""
    return policy_view(policy_id)


def default_policy() -> Policy:
    """The policy a context without one falls back to (the demo's data, an API call naming none):
    the setting IPFUND_DEFAULT_POLICY. Claims, rounds, awards and budgets name their own."""
    return policy_named(settings.IPFUND_DEFAULT_POLICY)


def policy_of(obj) -> Policy:
    """The policy a stored row (claim, round, award, budget) was made under: always its own."""
    return policy_named(obj.policy)


def policy_state(policy: Policy, on: dt.date) -> str:
    """现行 / 未生效 / 已失效 on a day, by the policy's validity parameters (packages.STATE_LABELS)."""
    return state_on(policy, on)


def policy_state_label(policy: Policy, on: dt.date) -> str:
    return STATE_LABELS[state_on(policy, on)]


def known_policies(on: dt.date | None = None) -> list[Policy]:
    """Every installed policy package (built-in, IPFUND_POLICY_PATH): those in force on `on`
    (today by default) first, then those not yet in force, then the expired; newest first within each."""
    from django.utils import timezone

    on = on or timezone.localdate()
    order = {IN_FORCE: 0, NOT_YET: 1, EXPIRED: 2}
    policies = [policy_view(pid) for pid in installed_ids()]
    return sorted(policies, key=lambda p: (order[state_on(p, on)], -p.issued_on.toordinal(), p.id))


def policies_in_force(on: dt.date | None = None) -> list[Policy]:
    from django.utils import timezone

    on = on or timezone.localdate()
    return [p for p in known_policies(on) if state_on(p, on) == IN_FORCE]


def policy_by_id(policy_id: str) -> Policy | None:
    """The policy package a stored row names (a claim's, an award's, a budget's), or None if unknown."""
    try:
        return policy_view(policy_id)
    except BatchError:  # an id no package answers to: the caller shows what it has
        return None


def policy_validity(policy: Policy, on: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last event date the policy admits, as its validity parameters read on a day
    (decided by ipfund.engine.validity, as the rules decide it)."""
    v = validity_of(policy, on)
    return v.first, v.last


def ledger_scope(name: str) -> tuple[str, str]:
    """The (policy, item) a duplicate key or cap group is filed under in the ledger's tables: the
    engine's ledger id at the head of the name (`policy/item|…`). An item a successor continues
    files under its predecessor's item, so one unique row holds across both policies."""
    head = name.split(LEDGER_SEPARATOR, 1)[0]
    policy_id, _, item = head.partition("/")
    return policy_id, item


# -- claims as the engine reads them --------------------------------------------------------


def _applicant(profile) -> Applicant:
    # The engine, and so the ledger and the audit chain, know a person by the keyed pseudonym,
    # never by the resident ID number (web/pii/pseudonyms.py).
    return Applicant(id=profile.ledger_identity, kind=profile.kind, in_zone=profile.in_zone, sme=profile.sme,
                     name=profile.name)


def _claim(claim, *, facts: Mapping | None = None) -> Claim:
    return Claim(id=f"claim-{claim.pk}", item=claim.item, applicant=_applicant(claim.applicant),
                 event_date=claim.event_date, facts=claim.facts if facts is None else facts)


class _LedgerRows:
    """The engine's `LedgerLookup` over the ledger's tables: the keys and buckets a decision asks
    for, read by their unique indexes — never the awards of an item. With `leave_out`, the claim's
    own standing award is left out (a decided claim checked again is not its own duplicate)."""

    def __init__(self, leave_out=None):
        from ipfund.web.ledger.selectors import filed_buckets, standing_grant

        self.own_pk = None
        self.own_groups: frozenset = frozenset()
        self.own_net = Decimal("0.00")
        if leave_out is not None and isinstance(leave_out.pk, int):  # a stored claim (a register row has none)
            grant, net = standing_grant(claim=leave_out)
            if grant is not None and net > 0:
                self.own_pk, self.own_groups, self.own_net = leave_out.pk, filed_buckets(entry=grant), net

    def holders(self, keys):
        from ipfund.web.ledger.selectors import held_keys

        out = {}
        for name, (claim_pk, data) in held_keys(keys).items():
            if claim_pk == self.own_pk:
                continue
            a = data["applicant"]
            out[name] = Holder(f"claim-{claim_pk}", a["id"], a.get("name") or "", a["kind"],
                               dt.date.fromisoformat(data["event_date"]))
        return out

    def amounts(self, buckets):
        from ipfund.web.ledger.selectors import bucket_amounts

        found = bucket_amounts(buckets)
        for name in self.own_groups & found.keys():
            found[name] -= self.own_net
        return found


def _one(policy: Policy, claim: Claim, *, history: "_LedgerRows | tuple" = (), explain: bool = True) -> Decision:
    from ipfund.web.rounds.selectors import interpretations_in_force

    return decide(policy, [claim], history=history, interpretations=interpretations_in_force(policy=policy.id),
                  explain=explain)[0]


# -- decisions -------------------------------------------------------------------------------


def decide_claim(claim, *, facts: Mapping | None = None) -> Decision:
    """A stored claim decided against the ledger now, its own standing award left out (``facts``,
    already in the engine's types, replace the claim's own: a reviewer's confirmed facts)."""
    return _one(policy_of(claim), _claim(claim, facts=facts), history=_LedgerRows(leave_out=claim))


def decide_draft(profile, *, policy: Policy, item: str, event_date: dt.date, facts: Mapping) -> Decision:
    """A claim being drafted under `policy`, decided alone: the engine's check of its facts."""
    claim = Claim(id="draft", item=item, applicant=_applicant(profile), event_date=event_date, facts=facts)
    return _one(policy, claim)


def decide_calculator(*, policy: Policy, kind: str, in_zone: bool, sme: bool, item: str, event_date: dt.date,
                      facts: Mapping, name: str = "") -> Decision:
    """The public calculator's one claim, made by "the visitor" (named `name` in the explanation)."""
    visitor = Applicant(id=VISITOR_PERSON_ID if kind == "person" else VISITOR_ORGANISATION_ID, kind=kind,
                        in_zone=in_zone, sme=sme, name=name)
    return _one(policy, Claim(id="calculator", item=item, applicant=visitor, event_date=event_date, facts=facts))


def ledger_fields(claim) -> tuple[Decision, dict]:
    """What the ledger needs before it locks anything: the claim's duplicate key and cap groups
    (an undecided look: no history), and the claim as the engine read it, for the award row."""
    engine_claim = _claim(claim)
    return _one(policy_of(claim), engine_claim, explain=False), engine_claim.as_contract()


def ledger_index_names(claim) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(duplicate keys, buckets) an award of the claim is filed under in the ledger's index: under
    the interpretations in force and under every other option that would file it elsewhere."""
    from ipfund.web.rounds.selectors import interpretations_in_force

    policy = policy_of(claim)
    return ledger_names(policy, _claim(claim), interpretations_in_force(policy=policy.id))


def ledger_index_names_of_record(policy_id: str, claim_data: Mapping) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """`ledger_index_names` of an award as the ledger stored its claim (its contract form), under
    the policy's defaults (every option that shapes a name is filed anyway); None when the policy
    is not installed."""
    try:
        policy = policy_named(policy_id)
    except BatchError:
        return None
    a = claim_data.get("applicant") or {}
    if not a.get("id") or not claim_data.get("item") or not claim_data.get("event_date"):
        return None  # a record too old or too thin to be read again: filed under what it was posted to
    claim = Claim(id=str(claim_data.get("id") or "ledger"), item=claim_data["item"], event_date=claim_data["event_date"],
                  facts=claim_data.get("facts") or {},
                  applicant=Applicant(id=a["id"], kind=a.get("kind", ""), in_zone=bool(a.get("in_zone")),
                                      sme=bool(a.get("sme", False)), name=a.get("name") or ""))
    return ledger_names(policy, claim)


def stored_decision(record: Mapping | None) -> Decision | None:
    """A decision the platform stored (`Decision.as_record()`), read back."""
    return None if not record else Decision.from_record(record)


def stored_explanation(record: Mapping | None, lang: str = "zh") -> list[str]:
    """The explanation of a stored decision as lines of text (none for an invalid claim)."""
    decision = stored_decision(record)
    return decision.explanation.render(lang) if decision and decision.explanation else []


def reason_label(code: str) -> str:
    return REASON_LABELS.get(code, code)


# -- the policy library (政策库) --------------------------------------------------------------
# The installed packages as the administrator's 政策库 page shows them (built-in, IPFUND_POLICY_PATH,
# the policy store), each package's `check` and golden `test`, and `diff` between two packages.
# The store is named by settings.IPFUND_POLICY_STORE; the policylib app hands it to the engine at
# start (`policy_store_use`), and the engine's cache of loaded policies follows the store's contents.

from dataclasses import dataclass as _dataclass  # noqa: E402 - this section is kept apart from the top
from pathlib import Path as _Path  # noqa: E402

ORIGIN_BUILTIN, ORIGIN_PATH, ORIGIN_STORE = "内置", "IPFUND_POLICY_PATH", "政策库上传"
RULES_REFUSED = "政策包含有 Python 程序（rules.py）：上传的政策包只能由数据写成"


@_dataclass(frozen=True)
class PackageInfo:
    """One policy package as the 政策库 lists it (dates as its validity parameters read on a day)."""

    id: str
    title: str
    document_number: str
    issuer: str
    issued_on: dt.date
    start: dt.date
    end: dt.date
    state: str
    state_label: str
    origin: str
    predecessor: str  # 文号《标题》 of the policy it continues ("" for none)
    predecessor_id: str
    continued: int  # how many of the predecessor's items it continues
    items: int
    versions: tuple  # (date, 文号, what) of the text and each amending document


@_dataclass(frozen=True)
class PackageReport:
    """`ipfund policy check` and `ipfund policy test` of one package, in Chinese."""

    check_problems: tuple[str, ...]
    test_ran: bool
    test_ok: bool
    test_summary: str
    test_failures: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.check_problems and self.test_ok


def policy_store_use() -> None:
    """Hand the policy store (settings.IPFUND_POLICY_STORE) to the engine, and forget loaded policies."""
    from ipfund.engine import use_policy_store

    use_policy_store(settings.IPFUND_POLICY_STORE)


def policy_package_install(folder: _Path, policy_id: str) -> _Path:
    """Move a checked package folder into the policy store under its id (one atomic rename: OSError
    when a package of that name is there), and forget loaded policies."""
    from ipfund.engine import install_package

    return install_package(folder, policy_store(), policy_id)


def policy_store() -> _Path:
    return _Path(settings.IPFUND_POLICY_STORE)


def policy_library_changed() -> None:
    """Forget every loaded policy: the next look-up reads the installed packages again."""
    from ipfund.engine import forget_loaded

    forget_loaded()


def _package_info(policy: Policy, origin: str, on: dt.date) -> PackageInfo:
    from ipfund.engine import predecessor_view

    start, end = policy_validity(policy, on)
    state = state_on(policy, on)
    predecessor = ""
    if policy.predecessor_id:
        try:
            pred = predecessor_view(policy)
            predecessor = f"{pred.document_number}《{pred.title}》" if pred is not None else ""
        except BatchError:
            predecessor = f"{policy.predecessor_id}（未安装）"
    return PackageInfo(
        id=policy.id, title=policy.title, document_number=policy.document_number,
        issuer=policy.issuer, issued_on=policy.issued_on, start=start, end=end,
        state=state, state_label=STATE_LABELS[state], origin=origin, predecessor=predecessor,
        predecessor_id=policy.predecessor_id or "", continued=len(policy.continued), items=len(policy.items),
        versions=policy.versions,
    )


def _origin(ref) -> str:
    return ORIGIN_BUILTIN if ref.builtin else ORIGIN_STORE if ref.stored else ORIGIN_PATH


def policy_library(on: dt.date) -> tuple[list[PackageInfo], list[str]]:
    """Every installed package, built-ins first, and the problems met finding or reading them (Chinese)."""
    from ipfund.engine import package_refs

    found, problems = package_refs()
    out = []
    for ref in found.values():
        try:
            out.append(_package_info(policy_view(ref.id), _origin(ref), on))
        except BatchError as exc:
            problems.append(f"{ref.id}：{exc}")
    return out, problems


def policy_installed_ids() -> list[str]:
    return installed_ids()


def policy_package(policy_id: str, on: dt.date) -> PackageInfo | None:
    """An installed package by id (None when none is installed under it or it cannot be read)."""
    from ipfund.engine import package_refs

    ref = package_refs()[0].get(policy_id)
    if ref is None:
        return None
    try:
        return _package_info(policy_view(policy_id), _origin(ref), on)
    except BatchError:
        return None


def _report(policy: Policy) -> PackageReport:
    from ipfund.engine import check_package, golden_test

    problems = tuple(check_package(policy))
    report = golden_test(policy)
    return PackageReport(problems, True, report.ok, report.summary, report.failures)


def _unreadable(message: str) -> PackageReport:
    return PackageReport((message,), False, False, "政策包无法读取，测试案例未运行", ())


def policy_package_report(policy_id: str) -> PackageReport:
    """`check` and `test` of an installed package."""
    try:
        return _report(policy_view(policy_id))
    except BatchError as exc:
        return _unreadable(str(exc))


def policy_folder_id(folder: _Path) -> str | None:
    """The id a package folder's policy.yaml declares (None when it declares none); ValueError when unreadable."""
    from ipfund.engine import folder_package_id

    return folder_package_id(folder)


def policy_folder_examine(folder: _Path, on: dt.date) -> tuple[PackageInfo | None, PackageReport]:
    """A package not yet installed (an upload, unpacked): what it is, and its `check` and `test`.
    A package with Python rules is refused unread: loading it would run its code."""
    from ipfund.engine import policy_view_at

    if (folder / "rules.py").exists():
        return None, _unreadable(RULES_REFUSED)
    try:
        policy = policy_view_at(folder)
        return _package_info(policy, ORIGIN_STORE, on), _report(policy)
    except BatchError as exc:
        return None, _unreadable(str(exc))
    except Exception as exc:  # noqa: BLE001 - any broken package is reported to its uploader, never a 500
        return None, _unreadable(f"政策包无法读取：{exc}")


def policy_package_diff(old_id: str, new_id: str) -> list[str]:
    """`ipfund policy diff OLD NEW` of two installed packages, as lines of Chinese text."""
    from ipfund.engine import diff_packages

    return diff_packages(policy_view(old_id), policy_view(new_id))


__all__ += [
    "ORIGIN_BUILTIN", "ORIGIN_PATH", "ORIGIN_STORE", "PackageInfo", "PackageReport", "policy_folder_examine",
    "policy_folder_id", "policy_installed_ids", "policy_library", "policy_library_changed", "policy_package",
    "policy_package_diff", "policy_package_install", "policy_package_report", "policy_store", "policy_store_use",
]


# -- 政策雷达: what an applicant's attributes alone say about an item ------------------------------

import itertools as _itertools  # noqa: E402 - this section is kept apart from the top

APPLICANT_REASONS = frozenset({"not_in_zone", "not_sme", "applicant_kind"})
_PROBE_TEXT = {"patent_number": "ZL201910000001.2", "identifier": "RADAR-1"}
_RANGE_TYPES = frozenset({"enum", "bool", "text", "year", "date"})
_RANGE_LIMIT = 64  # enum combinations decided at most for one item's range


def _probe_value(fact, on: dt.date):
    if fact.type == "year":
        return on.year
    if fact.type == "date":
        return on.isoformat()
    if fact.type == "bool":
        return fact.default if isinstance(fact.default, bool) else True
    if fact.type == "money":
        return "100000"
    if fact.type == "number":
        return 1
    if fact.type == "uscc_list":
        return [VISITOR_ORGANISATION_ID]
    return _PROBE_TEXT.get(fact.normal or "", "雷达")


def item_outlook(policy: Policy, item: str, *, kind: str, in_zone: bool, sme: bool, on: dt.date,
                 name: str = "") -> tuple[tuple[str, ...], Decimal | None, Decimal | None]:
    """What the engine says of an item for an applicant of these attributes on a day, before any
    facts are known: the reasons that bar the applicant itself (zone, SME, kind), and — for an item
    whose amount follows from its options alone (no money facts) — the lowest and highest amount
    over every option. Decided as the calculator decides, with no history."""
    spec = policy.items[item]
    enums = [f for f in spec.facts if f.type == "enum" and f.options]
    base = {f.name: _probe_value(f, on) for f in spec.facts if f.type != "enum" or not f.options}
    combos = list(_itertools.islice(_itertools.product(*[f.options for f in enums]), _RANGE_LIMIT))
    amounts, gates = [], set()
    for combo in combos or [()]:
        facts = {**base, **{f.name: value for f, value in zip(enums, combo)}}
        decision = decide_calculator(policy=policy, kind=kind, in_zone=in_zone, sme=sme, item=item, event_date=on,
                                     facts=facts, name=name)
        if decision.error is not None:
            continue
        gates |= APPLICANT_REASONS.intersection(decision.reasons)
        if decision.eligible:
            amounts.append(decision.amount)
    ranged = all(f.type in _RANGE_TYPES for f in spec.facts) and amounts
    return tuple(sorted(gates)), (min(amounts) if ranged else None), (max(amounts) if ranged else None)


__all__ += ["APPLICANT_REASONS", "item_outlook"]
