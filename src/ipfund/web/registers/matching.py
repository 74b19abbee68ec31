"""免申即享: every award list's newest rows matched against every policy in force.

For each row resolved to a credit code, the enterprise register gives the applicant (kind, SME,
in-zone from the registered address) and the engine decides the claim the row stands for, against
the ledger, through the engine door's `decide_claim` — the same call an ordinary claim is decided
by. An eligible decision becomes a proposal, keyed by its duplicate key in the ledger, so nothing
already proposed, claimed or awarded is proposed twice and a rerun proposes only what is new. An
enterprise with an account gets the proposal as a claim in state 待确认; it confirms (with its
bank account) and the claim goes to review, or declines with a 放弃声明.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ipfund.web.accounts.models import ApplicantProfile
from ipfund.web.accounts.services import applicant_profile_update
from ipfund.web.audit.actions import AuditAction
from ipfund.web.audit.services import audit_record
from ipfund.web.claims.contract import coerce_facts
from ipfund.web.claims.models import Claim
from ipfund.web.claims.reference import CLAIM, reference_next
from ipfund.web.claims.services import claim_lock, claim_snapshot, claim_transition
from ipfund.web.claims.workflow import Action, State
from ipfund.web.engine_door import (
    REASON_LABELS,
    decide_candidates,
    decide_claim,
    ledger_fields,
    policies_in_force,
    policy_by_id,
    stored_decision,
)
from ipfund.web.notifications.adapters import message_send
from ipfund.web.notifications.services import notification_send
from ipfund.web.rounds.selectors import round_open_for

from .models import MatchRun, Proposal, Register, RegisterRow
from .selectors import enterprise_rows, latest_versions, proposals_waiting_for
from .services import clerk_check

POLICY_NOT_IN_FORCE = "政策 {policy} 在 {on} 不是现行政策，不能据以匹配。"
WHY_UNMATCHED = "单位名称未能匹配到统一社会信用代码，待人工确认"
WHY_AMBIGUOUS = "有多个同名单位，待人工确认"
WHY_NO_ENTERPRISE = "企业名录中没有统一社会信用代码 {code}"
WHY_NOT_ORGANISATION = "个人不适用免申即享"
STATEMENT_REQUIRED = "请填写放弃声明。"
NOT_PROPOSED = "该申报不是待确认的免申即享申报。"
NOT_YOURS = "只能确认本单位的免申即享申报。"
NO_LONGER = "该项资助已不能直接享受：{reasons}。"
BANK_REQUIRED = "请填写收款银行、账号和户名。"
PROPOSED_MESSAGE = "您可直接享受《{policy}》{title}，资助金额 {amount} 元（依据{register}）。请登录确认享受意愿和收款账户，或提交放弃声明。"
PROPOSED_SUBJECT = "【知识产权专项资金】可直接享受的资助"
# A claim in these states no longer holds its duplicate key: the same facts may be proposed.
#: Proposals written per INSERT (bulk_create, in order).
PROPOSALS_AT_ONCE = 1000
RELEASED = frozenset({State.REJECTED, State.WITHDRAWN, State.REVOKED, State.DECLINED})


@dataclass(frozen=True)
class _RegisterApplicant:
    """The applicant a register row stands for, as the engine door reads a profile."""

    ledger_identity: str
    kind: str
    in_zone: bool
    sme: bool
    name: str


@dataclass(frozen=True)
class _Candidate:
    """A claim a register row stands for, as the engine door reads a stored claim."""

    pk: str
    policy: str
    item: str
    applicant: _RegisterApplicant
    event_date: dt.date
    facts: dict
    source: str = ""  # the row as a person reads it (register_candidates)


@dataclass
class MatchResult:
    run: MatchRun
    lines: list[dict] = field(default_factory=list)  # proposals, then rows left out, each with why


def _source(row: RegisterRow) -> dict:
    register = row.version.register
    return {"register": register.code, "register_name": register.name, "version": row.version.version,
            "row": row.number, "name": row.name, "data": row.data}


def _fallback_key(policy, item: str, code: str, event_date, facts: dict) -> str:
    body = json.dumps([code, str(event_date), facts], sort_keys=True, ensure_ascii=False, default=str)
    return f"{policy.id}/{item}#" + hashlib.sha256(body.encode()).hexdigest()[:32]


def _held_keys(items: set[str]) -> set[str]:
    """The duplicate keys of claims that hold them (any state but rejected, withdrawn, revoked, declined)."""
    held = set()
    for claim in Claim.objects.filter(item__in=items).exclude(state__in=RELEASED).select_related("applicant"):
        decision = stored_decision(claim.decision)
        if decision is None:
            decision, _ = ledger_fields(claim)
        if decision.duplicate_key:
            held.add(decision.duplicate_key)
    return held


def _rows_of(version) -> list[RegisterRow]:
    """A version's rows in order, each holding the one version read — not a copy of it per row, with
    the file as uploaded (select_related would read the file again for every row)."""
    rows = list(version.register_rows.order_by("number"))
    for row in rows:
        row.version = version
    return rows


def _line(kind: str, row: RegisterRow, **more) -> dict:
    return {"type": kind, "credit_code": row.credit_code, "name": row.name, **more, "source": _source(row)}


def _row_applicant(row: RegisterRow, enterprise: RegisterRow) -> _RegisterApplicant:
    """The applicant a resolved row stands for: kind, SME and in-zone as the enterprise register has them."""
    return _RegisterApplicant(row.credit_code, enterprise.data.get("kind") or "enterprise",
                              bool(enterprise.data.get("in_zone")), bool(enterprise.data.get("sme")),
                              enterprise.name or row.name)


def register_candidates(policy) -> list[_Candidate]:
    """The claims the award lists' newest rows stand for under `policy`, as `match_run` builds them
    before deciding them — read only: nothing is proposed, stored or audited (the 政策沙盘 decides
    them under a scenario). Rows left out by matching (unresolved, ignored, no enterprise, a person)
    are left out here too, and so are rows whose proposal already became a claim (that claim is
    counted as a claim). Ordered as matching reads them."""
    versions = [v for v in latest_versions(Register.AWARDS) if v.register.item in policy.items]
    rows = [row for v in versions for row in _rows_of(v)]
    claimed = set(Proposal.objects.filter(row__in=rows, claim__isnull=False).values_list("row_id", flat=True))
    enterprises = enterprise_rows({row.credit_code for row in rows if row.credit_code})
    out = []
    for row in rows:
        if row.state == RegisterRow.IGNORED or row.state in RegisterRow.WAITING or row.pk in claimed:
            continue
        enterprise = enterprises.get(row.credit_code)
        if enterprise is None:
            continue
        applicant = _row_applicant(row, enterprise)
        if applicant.kind == "person":
            continue
        item = row.version.register.item
        try:
            event_date = dt.date.fromisoformat(row.data["event_date"])
        except (KeyError, TypeError, ValueError):
            continue  # a row without its date cannot stand for a claim (matching reports it)
        facts = coerce_facts(policy.items[item], row.data.get("facts") or {})
        register = row.version.register
        out.append(_Candidate(f"row-{row.pk}", policy.id, item, applicant, event_date, facts,
                              f"{register.name} 第 {row.version.version} 版第 {row.number} 行"))
    return out


def match_run(*, actor, on: dt.date | None = None, policy: str | None = None, progress=None,
              job_pk: int | None = None) -> MatchResult:
    """Match every award list's newest rows against the policies in force on `on` (today).
    `progress(done, total)` is told the chunks of candidate claims decided, policy by policy.
    The candidates are decided first (no transaction open, so that progress is seen), then the run,
    its proposals and its audit are written in one transaction, against what is proposed, claimed
    or awarded by then. `job_pk`: the background job running it (registers/jobs.py)."""
    clerk_check(actor)
    on = on or timezone.localdate()
    policies = policies_in_force(on)
    if policy:
        policies = [p for p in policies if p.id == policy]
        if not policies:
            raise ValidationError({"policy": [POLICY_NOT_IN_FORCE.format(policy=policy, on=on.isoformat())]})
    user = actor if getattr(actor, "is_authenticated", False) else None
    versions = latest_versions(Register.AWARDS)
    items = {v.register.item for v in versions}
    rows = [row for v in versions for row in _rows_of(v)]
    enterprises = enterprise_rows({row.credit_code for row in rows if row.credit_code})
    # The rows' candidate claims first (each with its place among the rows left out), then all of
    # them decided at once, each alone against the ledger (engine_door.decide_candidates: on Dask
    # for a large run), then proposals and rows left out in the rows' order, as one by one.
    candidates: list[tuple[RegisterRow, object, str, _RegisterApplicant, dt.date, dict, _Candidate]] = []
    steps: list[dict | int] = []  # a line left out, or the index of a candidate
    for row in rows:
        if row.state == RegisterRow.IGNORED:
            continue
        if row.state in RegisterRow.WAITING:
            steps.append(_line("unresolved", row, why=WHY_AMBIGUOUS if row.state == RegisterRow.AMBIGUOUS else WHY_UNMATCHED))
            continue
        enterprise = enterprises.get(row.credit_code)
        if enterprise is None:
            steps.append(_line("unresolved", row, why=WHY_NO_ENTERPRISE.format(code=row.credit_code)))
            continue
        applicant = _row_applicant(row, enterprise)
        if applicant.kind == "person":
            steps.append(_line("unresolved", row, why=WHY_NOT_ORGANISATION))
            continue
        item = row.version.register.item
        for pol in policies:
            spec = pol.items.get(item)
            if spec is None:
                continue
            event_date = dt.date.fromisoformat(row.data["event_date"])
            facts = coerce_facts(spec, row.data.get("facts") or {})
            steps.append(len(candidates))
            candidates.append((row, pol, item, applicant, event_date, facts,
                               _Candidate(f"row-{row.pk}", pol.id, item, applicant, event_date, facts)))
    decisions = _decide_all(candidates, progress)
    with transaction.atomic():
        return _match_write(actor, user, on, policy, job_pk, items, steps, candidates, decisions)


def _match_write(actor, user, on: dt.date, policy: str | None, job_pk: int | None, items: set[str], steps: list,
                 candidates: list, decisions: list) -> MatchResult:
    """The run written: its proposals (each keyed by its duplicate key, none already taken), the
    rows left out, the audit, and the proposals made into claims of enterprises with an account."""
    run = MatchRun.objects.create(started_by=user, on=on, policy=policy or "", job_pk=job_pk)
    result = MatchResult(run)
    taken = set(Proposal.objects.values_list("key", flat=True)) | _held_keys(items)
    left_out: list[dict] = []
    made: list[tuple[Proposal, dict]] = []  # each proposal with its line's fields (the line names its id once written)
    for step in steps:
        if isinstance(step, dict):
            left_out.append(step)
            continue
        row, pol, item, applicant, event_date, facts, _ = candidates[step]
        decision = decisions[step]
        if decision.error is not None:
            left_out.append(_line("unresolved", row, policy=pol.id, item=item, why=decision.error.message))
            continue
        if not decision.eligible or decision.amount <= 0:
            why = "；".join(REASON_LABELS.get(r, r) for r in decision.reasons) or "不符合条件"
            left_out.append(_line("ineligible", row, policy=pol.id, item=item, why=why))
            continue
        key = decision.duplicate_key or _fallback_key(pol, item, row.credit_code, event_date, facts)
        if key in taken:
            continue  # proposed, claimed or awarded already
        taken.add(key)
        proposal = Proposal(run=run, row=row, key=key, credit_code=row.credit_code, name=applicant.name, policy=pol.id,
                            item=item, event_date=event_date, facts=facts, amount=decision.amount,
                            decision=decision.as_record())
        made.append((proposal, dict(policy=pol.id, item=item, amount=f"{decision.amount:.2f}",
                                    event_date=event_date.isoformat(), facts=facts)))
    proposed = [p for p, _more in made]
    for i in range(0, len(proposed), PROPOSALS_AT_ONCE):  # written in order: ids as one by one gives them
        Proposal.objects.bulk_create(proposed[i:i + PROPOSALS_AT_ONCE])
    for proposal, more in made:
        result.lines.append(_line("proposal", proposal.row, **more, proposal=proposal.pk))
    result.lines.extend(left_out)
    run.proposed = len(proposed)
    run.unresolved = sum(1 for line in left_out if line["type"] == "unresolved")
    run.ineligible = len(left_out) - run.unresolved
    run.left_out = left_out
    run.save()
    audit_record(actor=actor or "system", action=AuditAction.MATCH_RUN, obj=run,
                 after={"on": on, "policy": policy or "", "proposed": run.proposed, "unresolved": run.unresolved,
                        "ineligible": run.ineligible})
    codes = {p.credit_code for p in proposed}
    for profile in ApplicantProfile.objects.filter(ledger_identity__in=codes, erased_at__isnull=True).exclude(kind="person"):
        proposals_materialise(profile=profile)
    return result


def _decide_all(candidates: list, progress) -> list:
    """The decisions of the candidates (row, policy, …, _Candidate), policy by policy, in their order."""
    decisions: list = [None] * len(candidates)
    by_policy: dict[str, list[int]] = {}
    for i, candidate in enumerate(candidates):
        by_policy.setdefault(candidate[1].id, []).append(i)
    for indexes in by_policy.values():
        pol = candidates[indexes[0]][1]
        for i, decision in zip(indexes, decide_candidates(pol, [candidates[i][6] for i in indexes], progress=progress)):
            decisions[i] = decision
    return decisions


def _claim_from(proposal: Proposal, profile: ApplicantProfile) -> Claim:
    claim = Claim.objects.create(applicant=profile, policy=proposal.policy, item=proposal.item,
                                 event_date=proposal.event_date, facts=proposal.facts, state=State.PROPOSED)
    decision = decide_claim(claim)  # as an ordinary claim of these facts is decided
    claim.decision, claim.engine_amount, claim.policy_version = decision.as_record(), decision.amount, decision.policy_version
    claim.save()
    proposal.claim = claim
    proposal.save(update_fields=["claim"])
    row = proposal.row
    source = f"依据{row.version.register.name}第 {row.version.version} 版第 {row.number} 行（{row.name}）"
    audit_record(actor="system", action=AuditAction.CLAIM_PROPOSE, obj=claim, after={**claim_snapshot(claim), "note": source})
    return claim


@transaction.atomic
def proposals_materialise(*, profile: ApplicantProfile) -> list[Claim]:
    """An enterprise's proposals made into its claims (待确认), each told in the site and by the
    message adapter. Runs after matching and whenever the enterprise opens 可直接享受."""
    made = []
    for proposal in (proposals_waiting_for(profile.ledger_identity).select_for_update()
                     .select_related("row__version__register").defer("row__version__content").order_by("id")):
        claim = _claim_from(proposal, profile)
        policy = policy_by_id(claim.policy)
        message = PROPOSED_MESSAGE.format(policy=policy.title, title=policy.items[claim.item].title,
                                          amount=f"{claim.engine_amount:,.2f}", register=proposal.row.version.register.name)
        notification_send(user=profile.user, claim=claim, message=message)
        message_send(user=profile.user, subject=PROPOSED_SUBJECT, message=message)
        made.append(claim)
    return made


def _proposed_claim(actor, claim: Claim) -> Claim:
    claim = claim_lock(claim)
    if claim.applicant.user_id != actor.pk:
        raise PermissionDenied(NOT_YOURS)
    if claim.state != State.PROPOSED:
        raise ValidationError(NOT_PROPOSED)
    return claim


@transaction.atomic
def proposal_confirm(*, actor, claim: Claim, bank_name: str = "", bank_account: str = "", bank_holder: str = "") -> Claim:
    """The enterprise wants it: its bank account saved (through the profile's own service) and the
    claim submitted for review, decided again against the ledger now."""
    claim = _proposed_claim(actor, claim)
    profile = claim.applicant
    changes = {k: v.strip() for k, v in {"bank_name": bank_name, "bank_account": bank_account,
                                         "bank_holder": bank_holder}.items() if v and v.strip()}
    if changes:
        profile = applicant_profile_update(actor=actor, profile=profile, **changes)
    if not (profile.bank_name and profile.bank_account and profile.bank_holder):
        raise ValidationError({"bank_account": [BANK_REQUIRED]})
    decision = decide_claim(claim)
    if not decision.eligible:
        reasons = "；".join(REASON_LABELS.get(r, r) for r in decision.reasons) or "不符合条件"
        raise ValidationError(NO_LONGER.format(reasons=reasons))
    now = timezone.now()
    return claim_transition(
        actor=actor, claim=claim, action=Action.CONFIRM, round=round_open_for(claim.policy, claim.item, at=now),
        submitted_at=now, reference=claim.reference or reference_next(CLAIM, at=now), decision=decision.as_record(),
        policy_version=decision.policy_version, engine_amount=decision.amount)


@transaction.atomic
def proposal_decline(*, actor, claim: Claim, statement: str) -> Claim:
    """The enterprise declines, in its own words (the 放弃声明, kept as the claim's reason)."""
    statement = (statement or "").strip()
    if not statement:
        raise ValidationError({"statement": [STATEMENT_REQUIRED]})
    claim = _proposed_claim(actor, claim)
    return claim_transition(actor=actor, claim=claim, action=Action.DECLINE, note=statement, decision_reason=statement)
