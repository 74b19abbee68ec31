"""Reviewer (初审) and approver (审定) services.

A reviewer confirms the facts and recommends the engine's amount computed against the ledger —
lower with a reason, never higher. An approver, never the claim's reviewer, approves: the award
is written to the ledger at min(recommended, the engine's amount at that instant).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ipfund.web.promises.services import promise_record

from ipfund.web.accounts import roles
from ipfund.web.claims import duties
from ipfund.web.claims.models import Claim
from ipfund.web.claims.selectors import claim_get_for
from ipfund.web.claims.services import NOT_ALLOWED, claim_estimate, claim_facts_check, claim_lock, claim_transition
from ipfund.web.claims.workflow import Action, next_state
from ipfund.web.audit.actions import AuditAction
from ipfund.web.audit.services import audit_record
from ipfund.web.engine_door import facts_to_confirm, policy_of, reason_label
from ipfund.web.ledger.services import award_grant
from ipfund.web.payments.installments import installments_plan

COMMENT_REQUIRED = "请填写退回补正的意见，申请人将看到该意见。"
REASON_REQUIRED = "请填写理由。"
AMOUNT_ABOVE_ENGINE = "推荐金额不能高于按政策计算的金额 {engine} 元。"
AMOUNT_INVALID = "推荐金额应为大于零、最多两位小数的金额。"
REDUCTION_REASON_REQUIRED = "推荐金额低于按政策计算的金额 {engine} 元，请说明调减理由。"
NOT_ELIGIBLE = "按政策计算该申报不符合资助条件（{reasons}），请作不予资助处理。"
CONFIRM_REQUIRED = "推荐前请逐项核对并勾选以下由审核人员核对的事实：{facts}。"
APPROVER_IS_REVIEWER = duties.RECOMMENDED_BEFORE


def _required(text: str, field: str, message: str) -> str:
    if not (text or "").strip():
        raise ValidationError({field: [message]})
    return text.strip()


@transaction.atomic
def review_return(*, actor, claim: Claim, comment: str) -> Claim:
    comment = _required(comment, "comment", COMMENT_REQUIRED)
    claim = claim_lock(claim)
    return claim_transition(actor=actor, claim=claim, action=Action.RETURN, note=comment, review_comment=comment, reviewer=actor)


@transaction.atomic
def review_reject(*, actor, claim: Claim, reason: str) -> Claim:
    reason = _required(reason, "reason", REASON_REQUIRED)
    claim = claim_lock(claim)
    return claim_transition(actor=actor, claim=claim, action=Action.REJECT, note=reason, decision_reason=reason, reviewer=actor)


def _money(value) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": [AMOUNT_INVALID]}) from None
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": [AMOUNT_INVALID]})
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def review_recommend(
    *, actor, claim: Claim, confirmed_facts: dict | None = None, amount=None, reason: str = "",
    confirmations=None,
) -> Claim:
    """Recommend with the facts as confirmed; the engine recomputes against the ledger. A fact the
    package marks "reviewer confirms" (`from: confirmed`) must be among `confirmations` (the names
    the reviewer ticked): each confirmation is audited."""
    claim = claim_lock(claim)
    next_state(claim.state, Action.RECOMMEND)
    if not roles.has_role(actor, roles.REVIEWER):
        raise PermissionDenied(NOT_ALLOWED)
    duties.check_not_own_claim(actor, claim)
    facts = claim.facts
    if confirmed_facts is not None:
        _, facts, _ = claim_facts_check(claim.applicant, claim.item, claim.event_date, confirmed_facts,
                                        policy=claim.policy)
    from ipfund.web.alliances.services import alliance_claim_gate  # 二（四）: the confirmed 联盟编号 too

    alliance_claim_gate(claim, facts)
    _confirmations_check(actor, claim, facts, confirmations)
    decision = claim_estimate(actor=actor, claim=claim, facts=facts)
    engine = decision.amount
    if not decision.eligible or engine <= 0:
        reasons = "、".join(map(reason_label, decision.reasons)) or (decision.error.message if decision.error else "")
        raise ValidationError(NOT_ELIGIBLE.format(reasons=reasons), code="not_eligible")
    recommended = engine if amount in (None, "") else _money(amount)
    if recommended > engine:
        raise ValidationError({"amount": [AMOUNT_ABOVE_ENGINE.format(engine=engine)]})
    reason = (reason or "").strip()
    if recommended < engine and not reason:
        raise ValidationError({"reason": [REDUCTION_REASON_REQUIRED.format(engine=engine)]})
    return claim_transition(
        actor=actor,
        claim=claim,
        action=Action.RECOMMEND,
        facts=facts,
        decision=decision.as_record(),
        policy_version=decision.policy_version,
        engine_amount=engine,
        recommended_amount=recommended,
        reduction_reason=reason if recommended < engine else "",
        reviewer=actor,
    )


def _confirmations_check(actor, claim: Claim, facts: dict, confirmations) -> None:
    """Every fact to confirm ticked, or a ValidationError naming those that are not; the ticked
    ones recorded (fact, label and value as confirmed) in the audit chain."""
    spec = policy_of(claim).items[claim.item]
    wanted = facts_to_confirm(spec, facts)
    if not wanted:
        return
    ticked = {str(n) for n in confirmations or ()}
    missing = [f for f in wanted if f.name not in ticked]
    if missing:
        raise ValidationError({"confirmations": [CONFIRM_REQUIRED.format(facts="、".join(f.label for f in missing))]})
    audit_record(actor=actor, action=AuditAction.CLAIM_FACTS_CONFIRM, obj=claim,
                 after={"facts": {f.name: {"label": f.label, "value": facts.get(f.name)} for f in wanted}})


@transaction.atomic
def approval_approve(*, actor, claim: Claim) -> Claim:
    """Approve: the ledger re-decides under its lock; a cap reached or a duplicate refuses."""
    claim = claim_lock(claim)
    next_state(claim.state, Action.APPROVE)
    # claim_transition checks these too; checking first means a refused approver never locks buckets.
    if not roles.has_role(actor, roles.APPROVER):
        raise PermissionDenied(NOT_ALLOWED)
    duties.check_may_approve(actor, claim)
    grant = award_grant(actor=actor, claim=claim, limit=claim.recommended_amount)  # type: ignore[arg-type]  # (an Optional not checked here, as before (issue 23: typed later))
    promise_record(actor=actor, claim=claim)  # an item whose policy declares a promise (承诺): recorded with its letter
    claim = claim_transition(
        actor=actor,
        claim=claim,
        action=Action.APPROVE,
        approver=actor,
        approved_amount=grant.entry.amount,
        decision=grant.decision.as_record(),
        policy_version=grant.decision.policy_version,
    )
    # Stages (分期拨付): the approved amount's installments, each paid when due.
    installments_plan(actor=actor, claim=claim, grant=grant.entry)
    return claim


@transaction.atomic
def approval_send_back(*, actor, claim: Claim, reason: str) -> Claim:
    reason = _required(reason, "reason", REASON_REQUIRED)
    claim = claim_lock(claim)
    return claim_transition(
        actor=actor, claim=claim, action=Action.SEND_BACK, note=reason, decision_reason=reason, recommended_amount=None
    )


@dataclass(frozen=True)
class BatchResult:
    """What one claim of a batch came to: done, or the message that refused it."""

    claim_id: int
    reference: str
    ok: bool
    message: str


BATCH_ACTIONS = {"recommend": "初审推荐", "approve": "审定通过"}
BATCH_EMPTY = "请至少选择一件申报。"
BATCH_TOO_MANY = "一次最多批量处理 {limit} 件申报。"
BATCH_LIMIT = 200
BATCH_DONE = "已{action}"


def review_batch(*, actor, action: str, claim_ids) -> list[BatchResult]:
    """Recommend (at the engine's amount) or approve several claims, each in its own transaction
    through the same service as a single action, so caps, duplicate keys and separation of duties
    hold claim by claim; one refusal does not undo the others."""
    if action not in BATCH_ACTIONS:
        raise ValidationError({"action": ["未知的批量操作。"]})
    ids = list(dict.fromkeys(int(i) for i in claim_ids))
    if not ids:
        raise ValidationError({"claims": [BATCH_EMPTY]})
    if len(ids) > BATCH_LIMIT:
        raise ValidationError({"claims": [BATCH_TOO_MANY.format(limit=BATCH_LIMIT)]})
    service = review_recommend if action == "recommend" else approval_approve
    results = []
    for pk in ids:
        try:
            claim = claim_get_for(actor, pk)
        except Claim.DoesNotExist:
            results.append(BatchResult(pk, "", False, "未找到该申报。"))
            continue
        try:
            done = service(actor=actor, claim=claim)
        except ValidationError as exc:
            results.append(BatchResult(pk, claim.reference or "", False, "；".join(_texts(exc))))
        except PermissionDenied as exc:
            results.append(BatchResult(pk, claim.reference or "", False, str(exc) or NOT_ALLOWED))
        else:
            results.append(BatchResult(pk, done.reference or "", True, BATCH_DONE.format(action=BATCH_ACTIONS[action])))
    return results


def _texts(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for errors in exc.error_dict.values() for e in errors for m in e.messages]
    return [str(m) for m in exc.messages]
