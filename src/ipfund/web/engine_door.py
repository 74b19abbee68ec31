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
from typing import Mapping, Sequence

from django.conf import settings
from django.utils import timezone

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
    Earlier,
    Explanation,
    FactView,
    Holder,
    ItemView,
    PolicyView,
    canonical,
    Planned,
    PromiseTerms,
    RegisterList,
    decide,
    evaluate_batch,
    installed_ids,
    installment_plan,
    ledger_names,
    policy_view,
    promise_end,
    promise_terms,
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
    "default_policy", "evaluate_batch", "installments_of", "known_policies", "Planned", "ledger_fields", "ledger_index_names", "ledger_index_names_of_record", "ledger_scope", "policies_in_force",
    "policy_by_id", "policy_named", "PromiseTerms", "claim_promise", "promise_end", "policy_of", "policy_state", "policy_state_label", "policy_validity",
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


# -- what the door reads of the apps built on it ------------------------------------------------
# Every app reaches the engine through this door, so the door imports none of them: the apps whose
# tables a decision reads hand the door their reads in their AppConfig.ready — the ledger its
# history (filed_buckets, standing_grant, held_keys, bucket_amounts, standing_awards_of), the
# registers their lists (list_register_rows), the rounds the interpretations in force.

_reads: dict = {}


def door_reads_set(**reads) -> None:
    """Called by an app's AppConfig.ready with the reads (selectors) it supplies, by name."""
    _reads.update(reads)


def _read(name: str):
    try:
        return _reads[name]
    except KeyError:
        raise RuntimeError(f"engine_door: {name} is supplied by an app's AppConfig.ready, not run yet") from None


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
        filed_buckets, standing_grant = _read("filed_buckets"), _read("standing_grant")

        self.own_pk = None
        self.own_groups: frozenset = frozenset()
        self.own_net = Decimal("0.00")
        if leave_out is not None and isinstance(leave_out.pk, int):  # a stored claim (a register row has none)
            grant, net = standing_grant(claim=leave_out)
            if grant is not None and net > 0:
                self.own_pk, self.own_groups, self.own_net = leave_out.pk, filed_buckets(entry=grant), net

    def holders(self, keys):
        held_keys = _read("held_keys")

        out = {}
        for name, (claim_pk, data) in held_keys(keys).items():
            if claim_pk == self.own_pk:
                continue
            a = data["applicant"]
            out[name] = Holder(f"claim-{claim_pk}", a["id"], a.get("name") or "", a["kind"],
                               dt.date.fromisoformat(data["event_date"]))
        return out

    def amounts(self, buckets):
        bucket_amounts = _read("bucket_amounts")

        found = bucket_amounts(buckets)
        for name in self.own_groups & found.keys():
            found[name] -= self.own_net
        return found

    def earlier(self, applicants):
        """The standing awards of these applicants, as facts the platform knows read them back."""
        standing_awards_of = _read("standing_awards_of")

        out: dict[str, list[Earlier]] = {}
        for pid, item_id, claim_pk, who, data, net in standing_awards_of(applicants, leave_out=self.own_pk):
            ledger_item = _ledger_item(pid, item_id)
            try:
                event = dt.date.fromisoformat(str(data.get("event_date")))
            except ValueError:
                continue
            out.setdefault(who.upper(), []).append(Earlier(ledger_item, f"claim-{claim_pk}", who.upper(), event,
                                                           dict(data.get("facts") or {}), net))
        return out


def _ledger_item(policy_id: str, item_id: str) -> str:
    policy = policy_by_id(policy_id)
    item = policy.items.get(item_id) if policy is not None else None
    return item.ledger_id if item is not None else f"{policy_id}/{item_id}"


def _registers(policy: Policy, claim: Claim) -> dict[str, RegisterList]:
    """The lists the policy's facts read, each as its newest imported version holds the claim's
    applicant (a list never imported is said so in the decision, and holds no one)."""
    from ipfund.engine import registers_used
    list_register_rows = _read("list_register_rows")

    out = {}
    for code in registers_used(policy):
        found = list_register_rows(code, [claim.applicant.id])
        if found is None or found[1] is None:
            label = found[0].name if found is not None else code
            out[code] = RegisterList(code, label, "", None, {})
            continue
        register, version, rows = found
        entries: dict[str, list] = {}
        for credit_code, listed_on, until in rows:
            entries.setdefault(credit_code.upper(), []).append((_iso(listed_on), _iso(until)))
        imported = timezone.localdate(version.imported_at) if version.imported_at else None
        out[code] = RegisterList(code, register.name, str(version.version), imported,
                                 {k: tuple(v) for k, v in entries.items()})
    return out


def _iso(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _one(policy: Policy, claim: Claim, *, history: "_LedgerRows | tuple" = (), explain: bool = True) -> Decision:
    interpretations_in_force = _read("interpretations_in_force")

    return decide(policy, [claim], history=history, interpretations=interpretations_in_force(policy=policy.id),
                  explain=explain, registers=_registers(policy, claim))[0]


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


def claim_promise(claim) -> PromiseTerms | None:
    """The promise (承诺) a claim carries under its policy, read under the interpretations in force
    today, or None if its item carries none."""
    interpretations_in_force = _read("interpretations_in_force")

    policy = policy_named(claim.policy)
    return promise_terms(policy, claim.item, claim.event_date, interpretations_in_force(policy=policy.id))


def ledger_fields(claim) -> tuple[Decision, dict]:
    """What the ledger needs before it locks anything: the claim's duplicate key and cap groups
    (an undecided look: no history), and the claim as the engine read it, for the award row."""
    engine_claim = _claim(claim)
    return _one(policy_of(claim), engine_claim, explain=False), engine_claim.as_contract()


def ledger_index_names(claim) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(duplicate keys, buckets) an award of the claim is filed under in the ledger's index: under
    the interpretations in force and under every other option that would file it elsewhere."""
    interpretations_in_force = _read("interpretations_in_force")

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


def installments_of(policy_id: str, item: str, amount: Decimal) -> tuple[Planned, ...]:
    """Stages (分期拨付): the installments an award of `amount` to the item is paid in, as its
    policy package declares them (empty: paid at once). Each has a number, an amount to the fen,
    `when` ("approval" or the package's condition), its Chinese `label` and `failed_label`."""
    return installment_plan(policy_named(policy_id), item, amount)


def reason_label(code: str) -> str:
    return REASON_LABELS.get(code, code)


# -- the policy library (政策库) --------------------------------------------------------------
# The installed packages as the administrator's 政策库 page shows them (built-in, IPFUND_POLICY_PATH,
# the policy store), each package's `check` and golden `test`, and `diff` between two packages.
# The store is named by settings.IPFUND_POLICY_STORE; the policylib app hands it to the engine at
# start (`policy_store_use`), and the engine's cache of loaded policies follows the store's contents.

from dataclasses import dataclass as _dataclass  # noqa: E402 - this section is kept apart from the top
from pathlib import Path as _Path  # noqa: E402
import functools as _functools  # noqa: E402
from dataclasses import replace as _replace  # noqa: E402

ORIGIN_BUILTIN, ORIGIN_PATH, ORIGIN_STORE = "内置", "部署配置的政策目录", "政策库上传"
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
    return PackageReport(problems, True, report.ok, _without_id(report.summary, policy.id), tuple(report.failures))


def _without_id(summary: str, policy_id: str) -> str:
    """The test's summary as a page shows it: "402 个案例全部通过", without the package's id in front."""
    return summary[len(policy_id) + 1:] if summary.startswith(f"{policy_id}：") else summary


def _unreadable(message: str) -> PackageReport:
    return PackageReport((message,), False, False, "政策包无法读取，测试案例未运行", ())


def policy_package_report(policy_id: str) -> PackageReport:
    """`check` and `test` of an installed package: run once per content (the package's files, those
    of the packages it continues, the engine's code) and kept in IPFUND_CACHE_DIR, so that the
    package's page answers at once (running the golden cases of the 2022 package takes seconds)."""
    try:
        policy = policy_view(policy_id)
        key = _report_key(policy)
        cached = _report_cached(key)
        if cached is not None:
            return _replace(cached, test_summary=_without_id(cached.test_summary, policy_id))
        report = _report(policy)
        _report_keep(key, report)
        return report
    except BatchError as exc:
        return _unreadable(str(exc))


def _files_digest(digest, folder: _Path) -> None:
    for f in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(f.relative_to(folder).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")


@_functools.lru_cache(maxsize=1)
def _engine_digest() -> str:
    """sha256 of the engine's own code (a changed engine may judge the golden cases otherwise)."""
    import hashlib

    import ipfund.engine

    digest = hashlib.sha256()
    _files_digest(digest, _Path(ipfund.engine.__file__).parent)
    return digest.hexdigest()


def _report_key(policy: Policy) -> str:
    import hashlib

    from ipfund.engine import package_folder, predecessor_view

    digest = hashlib.sha256(_engine_digest().encode())
    seen: set[str] = set()
    current: Policy | None = policy
    while current is not None and current.id not in seen:  # the package and every package it continues
        seen.add(current.id)
        digest.update(current.id.encode() + b"\0")
        _files_digest(digest, package_folder(current))
        try:
            current = predecessor_view(current) if current.predecessor_id else None
        except BatchError:
            current = None
    return digest.hexdigest()[:40]


def _report_file(key: str) -> _Path:
    import os

    cache_dir = _Path(os.environ.get("IPFUND_CACHE_DIR") or _Path.home() / ".cache" / "ipfund")
    return cache_dir / f"package-report-{key}.json"


def _report_cached(key: str) -> PackageReport | None:
    """A kept report, read only from this user's own private cache (as the policy cache is)."""
    import json

    from ipfund.engine import is_private

    path = _report_file(key)
    if not (is_private(path.parent) and is_private(path)):
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return PackageReport(tuple(map(str, data["check_problems"])), True, bool(data["test_ok"]), str(data["test_summary"]),
                             tuple(map(str, data["test_failures"])))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _report_keep(key: str, report: PackageReport) -> None:
    import json
    import os

    from ipfund.engine import is_private

    path = _report_file(key)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not is_private(path.parent):
            return
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"check_problems": list(report.check_problems), "test_ok": report.test_ok,
                       "test_summary": report.test_summary, "test_failures": list(report.test_failures)}, fh, ensure_ascii=False)
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        pass  # a read-only cache only costs running the cases again


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
    if fact.type == "lines" and fact.columns is not None:  # one line of the first category
        line: dict = {"category": next(iter(fact.columns.options)), "count": 1}
        if fact.columns.object_label is not None:
            line["object"] = _PROBE_TEXT.get(fact.columns.object_normal or "", "雷达")
        return [line]
    return _PROBE_TEXT.get(fact.normal or "", "雷达")


def item_outlook(policy: Policy, item: str, *, kind: str, in_zone: bool, sme: bool, on: dt.date,
                 name: str = "") -> tuple[tuple[str, ...], Decimal | None, Decimal | None]:
    """What the engine says of an item for an applicant of these attributes on a day, before any
    facts are known: the reasons that bar the applicant itself (zone, SME, kind), and — for an item
    whose amount follows from its options alone (no money facts) — the lowest and highest amount
    over every option. Decided as the calculator decides, with no history."""
    spec = policy.items[item]
    typed = applicant_facts(spec)
    enums = [f for f in typed if f.type == "enum" and f.options]
    base = {f.name: _probe_value(f, on) for f in typed if f.type != "enum" or not f.options}
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


# -- facts the platform knows ------------------------------------------------------------------

FACT_SOURCES = {"declared": "申请人申报", "confirmed": "申请人申报，审核人员核对", "platform": "平台认定（不由申请人填写）"}


def fact_source(fact) -> str:
    """Where a fact's value comes from: declared, confirmed (a reviewer confirms it) or platform."""
    return str(fact.source)  # the read model says it: declared, confirmed or platform


def applicant_facts(spec) -> list:
    """The facts of an item an applicant states (the platform fills the others)."""
    return [f for f in spec.facts if fact_source(f) != "platform"]


def facts_to_confirm(spec, facts: Mapping) -> list:
    """The facts of a claim a reviewer must confirm before recommending it (the package marks them
    `from: confirmed`), among those the claim states."""
    return [f for f in spec.facts if fact_source(f) == "confirmed" and facts.get(f.name) not in (None, "")]


__all__ += ["FACT_SOURCES", "applicant_facts", "fact_source", "facts_to_confirm"]
# -- 政策沙盘: deciding under a scenario ----------------------------------------------------------
# A scenario is the policy with some parameter values changed (ipfund.engine.scenario), other
# interpretation choices, or a draft package read from a folder (never installed). The sandbox
# decides the ledger's history, the pending claims and the register's potential claims with it,
# all through `decide_scenario`: the one engine call of a sandbox run, so that a runner for large
# runs (Dask) can take it over in one place.

from ipfund.engine import Override as ParameterOverride  # noqa: E402 - this section is kept apart
from ipfund.engine import parameter_value as _parameter_value  # noqa: E402
from ipfund.engine import with_parameters  # noqa: E402
from typing import Sequence as _Sequence  # noqa: E402

_SCENARIO_POLICIES: dict[tuple, Policy] = {}
_SCENARIO_KEPT = 16  # derived policies kept: a rerun of a scenario reuses its policy (and the engine's caches of it)


def scenario_policy(base: Policy, overrides: "list[ParameterOverride] | tuple[ParameterOverride, ...]",
                    *, label: str = "") -> Policy:
    """`base` with the overrides' parameter values (BatchError naming the parameter when a value
    does not fit it); `base` itself when there are none."""
    key = (id(base), base.version, tuple((o.parameter, str(o.value), o.start, o.key) for o in overrides), label)
    found = _SCENARIO_POLICIES.get(key)
    if found is None:
        found = with_parameters(base, overrides, label=label)
        if len(_SCENARIO_POLICIES) >= _SCENARIO_KEPT:
            _SCENARIO_POLICIES.pop(next(iter(_SCENARIO_POLICIES)))
        _SCENARIO_POLICIES[key] = found
    return found


def scenario_interpretations(policy: Policy, chosen: Mapping[str, str] | None) -> dict[str, str]:
    """Every interpretation of the policy with `chosen` overlaid (BatchError for an unknown one or option)."""
    from ipfund.engine import interpretations_resolved

    return interpretations_resolved(policy, chosen)


def draft_policy_load(folder: _Path) -> Policy:
    """A draft package (a folder, never installed) read for a scenario; one with Python rules is
    refused unread (loading it would run its code). BatchError says what is wrong, in Chinese."""
    from ipfund.engine import policy_view_at

    if (_Path(folder) / "rules.py").exists():
        raise BatchError(RULES_REFUSED)
    return policy_view_at(folder)


def parameter_in_force(policy: Policy, name: str, on: dt.date):
    """A parameter's value on a day as policy.yaml writes it (None for a parameter it lacks)."""
    return _parameter_value(policy, name, on)


def contract_of_claim(claim) -> dict:
    """A stored claim (or a register row's candidate) as the engine reads it: the calculator contract's claim."""
    return _claim(claim).as_contract()


@_dataclass(frozen=True)
class ScenarioDecision:
    """A claim's outcome in a sandbox run: whether it is eligible and for how much (no explanation)."""

    claim_id: str | None
    eligible: bool
    amount: Decimal
    capped: bool = False
    reasons: tuple[str, ...] = ()
    error: str = ""  # why the claim could not be read (an item the policy lacks, a fact it does not take)


def decide_scenario(policy: Policy, claims: "_Sequence[Mapping]", *,
                    interpretations: Mapping[str, str]) -> list[ScenarioDecision]:
    """Claims (the contract's claim objects) decided in order, one after another, from an empty
    ledger: each earlier eligible claim takes its key and counts against its caps — the calculator
    contract's batch, without explanations (a run decides every claim the ledger ever held). An
    unreadable claim, or one of an item the policy does not have, is an ineligible decision with its
    error, not an error of the run. The one engine call of a sandbox run: a run of
    IPFUND_DASK_MIN_CLAIMS claims or more (or any run, when IPFUND_DASK_SCHEDULER names a cluster)
    is decided on Dask, partitioned by key closure — the same decisions, byte for byte."""
    if len(claims) >= settings.IPFUND_DASK_MIN_CLAIMS or settings.IPFUND_DASK_SCHEDULER:
        decided = _scenario_on_dask(policy, claims, interpretations)
    else:
        from ipfund.engine import evaluate_claims

        decided = evaluate_claims(policy, [dict(c) for c in claims], interpretations=dict(interpretations),
                                  explain=False)["decisions"]
    out = []
    for d in decided:
        if "error" in d:
            out.append(ScenarioDecision(d.get("id"), False, Decimal("0.00"), error=str(d["error"].get("message", ""))))
        else:
            out.append(ScenarioDecision(d.get("id"), bool(d["eligible"]), Decimal(d["amount"]), bool(d.get("capped")),
                                        tuple(d.get("reasons") or ())))
    return out


def _scenario_on_dask(policy: Policy, claims: "_Sequence[Mapping]", interpretations: Mapping[str, str]) -> list[dict]:
    """The contract's decisions of `claims` (one per claim, in order) from the Dask cluster the
    settings name: the bulk path's lines, read back."""
    import orjson

    from ipfund.engine import dask_client, decide_jsonl

    lines = [orjson.dumps(dict(c)) for c in claims]
    with dask_client(settings.IPFUND_DASK_WORKERS, settings.IPFUND_DASK_SCHEDULER or None) as client:
        blob = b"".join(decide_jsonl(policy, lines, client, interpretations=dict(interpretations)))
    return [orjson.loads(line) for line in blob.splitlines() if line.strip()]


__all__ += ["ParameterOverride", "ScenarioDecision", "contract_of_claim", "decide_scenario", "draft_policy_load", "parameter_in_force",
            "scenario_interpretations", "scenario_policy"]
# -- bulk runs on Dask ---------------------------------------------------------------------------
# A large run (the sandbox's, matching's) decided on a Dask cluster: the claims partitioned by what
# links their decisions (keys, caps, matters, ids), each part decided in order on a worker — the same
# decisions as `decide` in this process. IPFUND_DASK_SCHEDULER names a running scheduler; empty, a
# LocalCluster of IPFUND_DASK_WORKERS processes is started for the run. (The sandbox goes through
# `_scenario_on_dask` above, matching through `decide_candidates` below.)


def _ledger_snapshot(keys: list[str], buckets: list[str]):
    """What the ledger holds for these names, read in slices (an IN list of bounded length)."""
    from ipfund.engine import LedgerSnapshot

    rows = _LedgerRows()
    holders: dict = {}
    amounts: dict = {}
    step = 2000
    for i in range(0, len(keys), step):
        holders.update(rows.holders(keys[i:i + step]))
    for i in range(0, len(buckets), step):
        amounts.update(rows.amounts(buckets[i:i + step]))
    return LedgerSnapshot(holders, amounts)


def decide_candidates(policy: Policy, candidates: Sequence, *, progress=None) -> list[Decision]:
    """Unsaved claims (register rows' candidates: pk, item, applicant, event_date, facts, as a
    stored claim) each decided alone against the ledger now — what `decide_claim` gives for each,
    explained when eligible (an ineligible one without its explanation) — in bulk: on the Dask cluster the settings name when there are IPFUND_DASK_MIN_CLAIMS of them or
    more (or a scheduler is named), else in this process. `progress(done, total)`: chunks decided."""
    from ipfund.engine import dask_client, decide_each
    interpretations_in_force = _read("interpretations_in_force")

    claims = [_claim(c) for c in candidates]
    interpretations = interpretations_in_force(policy=policy.id)

    def told(phase: str, done: int, total: int) -> None:
        if progress is not None and phase != "names":
            progress(done, total)

    def run(client):
        return decide_each(policy, claims, client, snapshot_of=_ledger_snapshot, interpretations=interpretations,
                           explain="eligible", progress=told)

    if not claims:
        return []
    if settings.IPFUND_DASK_SCHEDULER or len(claims) >= settings.IPFUND_DASK_MIN_CLAIMS:
        with dask_client(settings.IPFUND_DASK_WORKERS, settings.IPFUND_DASK_SCHEDULER or None) as client:
            return run(client)
    return run(None)


__all__ += ["decide_candidates"]
# ------------------------------------------------------------------------------------------
# Allocation after a round closes (engine/allocation.py): a package's pro-rata cut and quotas,
# and the exact arithmetic of both.
from ipfund.engine import (  # noqa: E402 - this section is kept apart from the top
    ALLOCATION_BY, ALLOCATION_OVER, ALLOCATION_REMAINDERS, ALLOCATION_TIES,
    Allocation, ProRataPlan, Quota, Ranked,
)
from ipfund.engine import pro_rata as _pro_rata  # noqa: E402
from ipfund.engine import rank as _rank  # noqa: E402

__all_allocation__ = (ALLOCATION_BY, ALLOCATION_OVER, ALLOCATION_REMAINDERS, ALLOCATION_TIES, Quota, Ranked)


def policy_allocation(policy_id: str) -> Allocation:
    """What the package says about allocation after the round (empty where the text is silent)."""
    policy = policy_by_id(policy_id)
    return getattr(policy, "allocation", None) or Allocation()


def pro_rata_plan(budget: Decimal, awards, remainder: str) -> ProRataPlan:
    return _pro_rata(budget, awards, remainder)


def quota_ranking(entries, by: str, ties: str) -> list[Ranked]:
    return _rank(entries, by, ties)
