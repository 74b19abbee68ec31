"""Claim services: drafts, evidence, submission, withdrawal, estimates, and the one transition
function every workflow move (here and in review, notices, payments) goes through."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ipfund.web.accounts import roles
from ipfund.web.accounts.selectors import applicant_of
from ipfund.web.audit.services import audit_record
from ipfund.web.audit.actions import AuditAction
from ipfund.web.notifications.services import notification_send
from ipfund.web.engine_door import (
    BatchError,
    Decision,
    decide_claim,
    decide_draft,
    known_policies,
    policy_by_id,
)
from ipfund.web.rounds.selectors import round_last_closed_for, round_open_for, rounds_open
from ipfund.web.uploads import check_upload

from . import duties
from .contract import coerce_facts
from .models import Claim, Evidence
from .signals import claim_submitting
from .reference import CLAIM, reference_next
from .workflow import ACTION_ROLE, EDITABLE, Action, State, next_state

NOT_AN_APPLICANT = "只有已绑定申报主体的账户可以申报。"
NOT_YOUR_CLAIM = "只能操作本人的申报。"
NOT_ALLOWED = "您没有执行此操作的权限。"
UNKNOWN_ITEM = "未知申报项目：{item}。"
UNKNOWN_POLICY = "未安装的政策：{policy}。"
ITEM_NOT_IN_POLICY = "《{title}》没有申报项目 {item}。"
POLICY_AMBIGUOUS = "项目 {item} 在多项政策的开放批次中均可申报，请指定政策（policy）：{policies}。"
NOT_EDITABLE = "申报已提交，当前状态下不能修改。"
ROUND_CLOSED = "申报已截止：“{round}”已于 {closed} 结束，逾期申报不予受理。"
NO_OPEN_ROUND = "该项目当前没有开放的申报批次，暂不能提交。"
EVIDENCE_MISSING = "请上传以下证明材料：{labels}。"
EVIDENCE_UNKNOWN = "该项目不需要此证明材料：{label}。"
EVENT_DATE_REQUIRED = "请填写事件日期。"
IDEMPOTENCY_REUSED = "该 Idempotency-Key 已用于内容不同的请求；请为新的申报使用新的 Idempotency-Key。"


class IdempotencyKeyReused(ValidationError):
    """The key of an earlier create came back with a different body (the API answers 422)."""

NOTIFY = {
    Action.SUBMIT: "您的申报 {id}（{title}）已提交，等待初审。",
    Action.WITHDRAW: "您的申报 {id}（{title}）已撤回。",
    Action.RETURN: "您的申报 {id}（{title}）被退回补正：{note}。",
    Action.REJECT: "您的申报 {id}（{title}）不予资助：{note}。",
    Action.RECOMMEND: "您的申报 {id}（{title}）已通过初审，等待审定。",
    Action.APPROVE: "您的申报 {id}（{title}）已审定通过，资助金额 {amount} 元，将进行公示。",
    Action.SEND_BACK: "您的申报 {id}（{title}）已退回初审重新审核。",
    Action.PUBLISH: "您的申报 {id}（{title}）资助结果正在公示。",
    Action.REVOKE: "您的申报 {id}（{title}）因公示异议成立，资助已撤销：{note}。",
    Action.FINALIZE: "您的申报 {id}（{title}）公示期满无异议，资助确定，等待拨付。",
    Action.PAY: "您的申报 {id}（{title}）资助资金 {amount} 元已拨付。",
    Action.PAY_FAIL: "您的申报 {id}（{title}）资助资金拨付未成功：{note}。我们将重新拨付。",
    Action.CONFIRM: "您已确认享受“{title}”，已转入初审，受理编号 {id}。",
    Action.DECLINE: "您已放弃享受“{title}”。",
    Action.QUOTA_REFUSE: "您的申报 {id}（{title}）不予资助：{note}。",
    Action.PAY_PART: "您的申报 {id}（{title}）{note}。",
    Action.CLOSE: "您的申报 {id}（{title}）已结案：{note}。",
}


def claim_snapshot(claim: Claim) -> dict:
    return {
        "reference": claim.reference,
        "state": claim.state,
        "item": claim.item,
        "event_date": claim.event_date,
        "facts": claim.facts,
        "round": claim.round_id,
        "engine_amount": claim.engine_amount,
        "recommended_amount": claim.recommended_amount,
        "approved_amount": claim.approved_amount,
        "reviewer": claim.reviewer_id,
        "approver": claim.approver_id,
    }


def claim_lock(claim: Claim | int) -> Claim:
    """The claim re-read under a row lock, so two moves of one claim run one after the other."""
    pk = claim.pk if isinstance(claim, Claim) else claim
    return Claim.objects.select_for_update(of=("self",)).select_related("applicant", "applicant__user").get(pk=pk)


# The moves the platform makes on its own, recorded as 系统 (the audit trail's label "system").
SYSTEM = "system"
SYSTEM_ACTIONS = frozenset({Action.FINALIZE})


def claim_transition(*, actor, claim: Claim, action: str, note: str = "", **changes) -> Claim:
    """Move a (locked) claim by the workflow table, apply ``changes``, audit it, tell the applicant."""
    role = ACTION_ROLE[action]
    if actor == SYSTEM and action in SYSTEM_ACTIONS:
        pass  # the platform itself: a notice closed at the end of its period (notices_close_due)
    elif not roles.has_role(actor, role):
        raise PermissionDenied(NOT_ALLOWED)
    if role == roles.APPLICANT and claim.applicant.user_id != actor.pk:
        raise PermissionDenied(NOT_YOUR_CLAIM)
    if role != roles.APPLICANT and actor != SYSTEM:
        duties.check_not_own_claim(actor, claim)
    if action == Action.APPROVE:
        duties.check_may_approve(actor, claim)
    if action in (Action.PAY, Action.PAY_FAIL, Action.PAY_PART):
        duties.check_may_pay(actor, claim)
    before = claim_snapshot(claim)
    claim.state = next_state(claim.state, action)
    for field, value in changes.items():
        setattr(claim, field, value)
    claim.save()
    audit_record(
        actor=actor,
        action=AuditAction(f"claim_{action}"),
        obj=claim,
        before=before,
        after={**claim_snapshot(claim), **({"note": note} if note else {})},
    )
    title = _item_spec(claim.policy, claim.item).title
    amount = claim.approved_amount if claim.approved_amount is not None else claim.recommended_amount
    notification_send(
        user=claim.applicant.user,
        claim=claim,
        # A note ends its own sentence in the message: its own full stop is dropped, never doubled.
        message=NOTIFY[action].format(id=claim.number, title=title, note=note.strip().rstrip("。.；;"), amount=amount),  # type: ignore[index]  # (as written before types were checked (issue 23: typed later))
    )
    return claim


# --- drafting --------------------------------------------------------------------------------


def _applicant(actor):
    profile = applicant_of(actor)
    if profile is None or not roles.has_role(actor, roles.APPLICANT):
        raise PermissionDenied(NOT_AN_APPLICANT)
    return profile


def _own(actor, claim: Claim) -> None:
    if claim.applicant.user_id != actor.pk:
        raise PermissionDenied(NOT_YOUR_CLAIM)


def _policy(policy_id: str):
    policy = policy_by_id(policy_id)
    if policy is None:
        raise ValidationError({"policy": [UNKNOWN_POLICY.format(policy=policy_id)]})
    return policy


def _item_spec(policy_id: str, item: str):
    policy = _policy(policy_id)
    spec = policy.items.get(item)
    if spec is None:
        raise ValidationError({"item": [ITEM_NOT_IN_POLICY.format(title=policy.title, item=item)]})
    return spec


def claim_policy_for(item: str, policy: str | None = None) -> str:
    """The policy a new claim of `item` is made under: the one named; else the policy whose open
    round accepts the item (refused when several do: the applicant must say which); else the
    default policy. Field errors name `policy` or `item`."""
    if policy:
        _item_spec(policy, item)
        return policy
    open_under = sorted({rnd.policy for rnd in rounds_open() if rnd.covers(item)})
    if len(open_under) > 1:
        titles = "、".join(f"{p}（{_policy(p).title}）" for p in open_under)
        raise ValidationError({"policy": [POLICY_AMBIGUOUS.format(item=item, policies=titles)]})
    if open_under:
        return open_under[0]
    # No round takes it now: the first policy holding the item, those in force first.
    holding = [p.id for p in known_policies() if item in p.items]
    if not holding:
        raise ValidationError({"item": [UNKNOWN_ITEM.format(item=item)]})
    return holding[0]


def claim_facts_check(profile, item: str, event_date, raw_facts: dict, *, policy: str) -> tuple[dt.date, dict, Decision]:
    """Facts in the contract's types, checked by the engine under `policy`; field errors name the fact."""
    spec = _item_spec(policy, item)
    if not event_date:
        raise ValidationError({"event_date": [EVENT_DATE_REQUIRED]})
    if isinstance(event_date, str):
        try:
            event_date = dt.date.fromisoformat(event_date)
        except ValueError:
            raise ValidationError({"event_date": ["应为 YYYY-MM-DD 格式的有效日期"]}) from None
    facts = coerce_facts(spec, raw_facts or {})
    try:
        decision = decide_draft(profile, policy=_policy(policy), item=item, event_date=event_date, facts=facts)
    except BatchError as exc:  # a package that cannot decide (its predecessor missing, say)
        raise ValidationError({"policy": [str(exc)]}) from None
    if decision.error is not None:
        field = decision.error.field.removeprefix("facts.")
        if field.startswith("applicant"):
            field = "__all__"
        raise ValidationError({field or "__all__": [decision.error.message]})
    return event_date, facts, decision


def _same_request(existing: Claim, request_digest: str) -> Claim:
    if request_digest and existing.idempotency_digest and existing.idempotency_digest != request_digest:
        raise IdempotencyKeyReused({"Idempotency-Key": [IDEMPOTENCY_REUSED]}, code="idempotency_key_reused")
    return existing


@transaction.atomic
def claim_draft_create(
    *, actor, item: str, event_date, facts: dict, policy: str | None = None, idempotency_key: str | None = None,
    request_digest: str = "",
) -> Claim:
    """A draft claim of `item` under `policy` (claim_policy_for when none is named); a second call
    with the same idempotency key returns the first claim (and refuses, when ``request_digest`` is
    given, a second call whose body differs)."""
    profile = _applicant(actor)
    if idempotency_key:
        existing = Claim.objects.filter(applicant=profile, idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_request(existing, request_digest)
    policy = claim_policy_for(item, policy)
    event_date, facts, decision = claim_facts_check(profile, item, event_date, facts, policy=policy)
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                applicant=profile,
                policy=policy,
                policy_version=decision.policy_version,
                item=item,
                event_date=event_date,
                facts=facts,
                idempotency_key=idempotency_key or None,
                idempotency_digest=request_digest if idempotency_key else "",
            )
    except IntegrityError:  # the same key arrived twice at once: the other request made it
        return _same_request(Claim.objects.get(applicant=profile, idempotency_key=idempotency_key), request_digest)
    audit_record(actor=actor, action=AuditAction.CLAIM_DRAFT_CREATE, obj=claim, after=claim_snapshot(claim))
    return claim


@transaction.atomic
def claim_create(
    *, actor, item: str, event_date, facts: dict, policy: str | None = None, idempotency_key: str | None = None,
    request_digest: str = "", submit: bool = False,
) -> tuple[Claim, bool]:
    """Create (and, when asked, submit) in one transaction: a refused submission leaves no draft.
    Returns the claim and whether this call created it (False for a retried key)."""
    profile = _applicant(actor)
    earlier = bool(idempotency_key) and Claim.objects.filter(applicant=profile, idempotency_key=idempotency_key).exists()
    claim = claim_draft_create(
        actor=actor, item=item, event_date=event_date, facts=facts, policy=policy, idempotency_key=idempotency_key,
        request_digest=request_digest,
    )
    if submit and claim.state == State.DRAFT:
        claim = claim_submit(actor=actor, claim=claim)
    return claim, not earlier


@transaction.atomic
def claim_draft_update(*, actor, claim: Claim, event_date=None, facts: dict | None = None) -> Claim:
    claim = claim_lock(claim)
    _own(actor, claim)
    if claim.state not in EDITABLE:
        raise ValidationError(NOT_EDITABLE, code="not_editable")
    before = claim_snapshot(claim)
    claim.event_date, claim.facts, decision = claim_facts_check(
        claim.applicant, claim.item, event_date or claim.event_date, claim.facts if facts is None else facts,
        policy=claim.policy,
    )
    after = claim_snapshot(claim)
    if after == before:  # nothing changed (a save of files only, say): not an edit of the claim
        return claim
    claim.policy_version = decision.policy_version
    claim.save()
    audit_record(actor=actor, action=AuditAction.CLAIM_DRAFT_UPDATE, obj=claim, before=before, after=after)
    return claim


@transaction.atomic
def evidence_attach(*, actor, claim: Claim, requirement: str, upload) -> Evidence:
    """Store one uploaded document for one evidence requirement of the claim's item."""
    claim = claim_lock(claim)
    _own(actor, claim)
    if claim.state not in EDITABLE:
        raise ValidationError(NOT_EDITABLE, code="not_editable")
    if requirement not in _item_spec(claim.policy, claim.item).evidence:
        raise ValidationError({"requirement": [EVIDENCE_UNKNOWN.format(label=requirement)]})
    return evidence_store(actor=actor, claim=claim, requirement=requirement, upload=upload)


def evidence_store(*, actor, claim: Claim, requirement: str, upload) -> Evidence:
    """Check and keep one uploaded file as evidence of the claim under `requirement`, audited (the
    applicant's evidence, or what staff upload on the claim such as an acceptance report)."""
    checked = check_upload(upload)
    evidence = Evidence(
        claim=claim,
        requirement=requirement,
        original_name=(getattr(upload, "name", "") or "upload")[-255:],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    evidence.file.save("upload", upload, save=False)
    try:
        evidence.save()
    except Exception:  # no row, no file: an orphan upload would be unreachable personal data
        evidence.file.delete(save=False)
        raise
    audit_record(
        actor=actor,
        action=AuditAction.EVIDENCE_ATTACH,
        obj=evidence,
        after={"claim": claim.pk, "requirement": requirement, "sha256": checked.sha256, "size": checked.size},
    )
    return evidence


def evidence_missing(claim: Claim) -> list[str]:
    have = set(claim.evidence.values_list("requirement", flat=True))
    return [label for label in _item_spec(claim.policy, claim.item).evidence if label not in have]


# --- submission ------------------------------------------------------------------------------


@transaction.atomic
def claim_submit(*, actor, claim: Claim) -> Claim:
    """Submit a draft (inside an open round covering the item) or resubmit a returned claim."""
    claim = claim_lock(claim)
    _own(actor, claim)
    next_state(claim.state, Action.SUBMIT)  # refuse an illegal move before anything else
    now = timezone.now()
    rnd = claim.round
    if claim.state == State.DRAFT:
        rnd = round_open_for(claim.policy, claim.item, at=now)
        if rnd is None:
            closed = round_last_closed_for(claim.policy, claim.item, at=now)
            if closed is not None:
                closed_at = timezone.localtime(closed.closes_at).strftime("%Y-%m-%d %H:%M")
                raise ValidationError(ROUND_CLOSED.format(round=closed.name, closed=closed_at), code="round_closed")
            raise ValidationError(NO_OPEN_ROUND, code="no_open_round")
    missing = evidence_missing(claim)
    if missing:
        raise ValidationError(EVIDENCE_MISSING.format(labels="、".join(missing)), code="evidence_missing")
    claim_submitting.send(sender=Claim, claim=claim)  # 二（四）: alliances refuses an alliance item without a passed review
    decision = claim_estimate(actor=actor, claim=claim)
    return claim_transition(
        actor=actor,
        claim=claim,
        action=Action.SUBMIT,
        round=rnd,
        submitted_at=now,
        reference=claim.reference or reference_next(CLAIM, at=now),
        decision=decision.as_record(),
        policy_version=decision.policy_version,
        engine_amount=decision.amount,
    )


@transaction.atomic
def claim_withdraw(*, actor, claim: Claim) -> Claim:
    claim = claim_lock(claim)
    _own(actor, claim)
    return claim_transition(actor=actor, claim=claim, action=Action.WITHDRAW)


def claim_estimate(*, actor, claim: Claim, facts: dict | None = None) -> Decision:
    """The engine's decision for the claim against the ledger now (no state change).

    Staff see any claim's estimate; an applicant only their own. ``facts`` (already in contract
    types, e.g. a reviewer's confirmed facts) replace the claim's own for this estimate.
    """
    if not roles.is_staff_member(actor):
        _own(actor, claim)
    return decide_claim(claim, facts=facts)


def retire_refuse_undecided(sender, *, policy_id: str, **kwargs) -> None:
    """Receiver of policylib's package_retiring: no retiring while a claim under the package is undecided."""
    from ipfund.web.policylib.services import RETIRE_UNDECIDED, UNDECIDED_STATES

    undecided = Claim.objects.filter(policy=policy_id, state__in=UNDECIDED_STATES).count()
    if undecided:
        raise ValidationError(RETIRE_UNDECIDED.format(count=undecided), code="undecided_claims")
