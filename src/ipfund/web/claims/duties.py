"""Separation of duties (职责分离): who may not act on a claim even while holding the role.

The services ask here, never the views, so the pages, the API and the CLI refuse alike:

- nobody acts as staff on a claim they applied for — the same account, or the same applicant
  (their own applicant profile, or the organisation their staff account is affiliated with);
- one person never both recommends (初审推荐) and approves (审定) one claim — any earlier
  recommendation counts, not only the last one, so a send-back cannot launder the roles;
- nobody resolves an objection against a claim they handled (returned, rejected, recommended,
  approved or sent back);
- nobody who applied for or handled a claim (including recording an installment's condition,
  验收合格 or not) pays it: records it paid or failed, or puts it in a
  bank batch (the payment services and the bank batch file ask check_may_pay / may_pay).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from ipfund.web.audit.models import AuditEvent

OWN_CLAIM = "不能以工作人员身份处理本人（或本单位）提交的申报 {id}。"
RECOMMENDED_BEFORE = "审定人不能是该申报的初审推荐人。"
HANDLED_BEFORE = "处理过申报 {id} 的人员不能处理针对该申报的异议。"
PAY_HANDLED = "申报 {ref} 由您申报、初审、审定或退回过，不能由您办理拨付（含记录拨付失败、列入批量拨付），请由其他财务人员办理。"

# The moves that count as having handled a claim (publishing and closing a notice are bulk
# moves of the whole notice and are not a judgement on one claim).
HANDLING_ACTIONS = ("claim_return", "claim_reject", "claim_recommend", "claim_approve", "claim_send_back",
                    # stages (分期拨付): whoever confirmed an installment's condition (验收) does not pay it
                    "installment_confirm", "installment_fail")


def _actor_applicant_id(actor):
    try:
        return actor.applicant.pk
    except Exception:  # no applicant profile (the usual staff account)
        return None


def is_own_claim(actor, claim) -> bool:
    """True when ``actor`` applied for ``claim`` (same account or same applicant)."""
    applicant = claim.applicant
    if applicant.user_id == actor.pk:
        return True
    if _actor_applicant_id(actor) == applicant.pk:
        return True
    affiliation = (getattr(actor, "affiliation", "") or "").upper()
    return bool(affiliation) and affiliation == (applicant.id_number or "").upper()


def check_not_own_claim(actor, claim) -> None:
    if is_own_claim(actor, claim):
        raise PermissionDenied(OWN_CLAIM.format(id=claim.number))


def _actors_of(claim, actions) -> set[int]:
    return set(
        AuditEvent.objects.filter(
            object_type=claim._meta.label_lower, object_id=str(claim.pk), action__in=list(actions), actor__isnull=False
        ).values_list("actor_id", flat=True)
    )


def recommenders_of(claim) -> set[int]:
    return _actors_of(claim, ["claim_recommend"]) | ({claim.reviewer_id} if claim.reviewer_id else set())


def handlers_of(claim) -> set[int]:
    people = _actors_of(claim, HANDLING_ACTIONS)
    return people | {pk for pk in (claim.reviewer_id, claim.approver_id) if pk}


def check_may_approve(actor, claim) -> None:
    check_not_own_claim(actor, claim)
    if actor.pk in recommenders_of(claim):
        raise PermissionDenied(RECOMMENDED_BEFORE)


def check_may_resolve_objection(actor, claim) -> None:
    check_not_own_claim(actor, claim)
    if actor.pk in handlers_of(claim):
        raise PermissionDenied(HANDLED_BEFORE.format(id=claim.number))


def handled_by(actor) -> set[int]:
    """The ids of every claim ``actor`` ever handled (one query: for lists, instead of one per row)."""
    ids = AuditEvent.objects.filter(object_type="claims.claim", action__in=list(HANDLING_ACTIONS), actor=actor)
    return {int(pk) for pk in ids.values_list("object_id", flat=True).distinct()}


def may_pay(actor, claim, *, handled: set[int] | None = None) -> bool:
    """False when ``actor`` applied for the claim or ever handled it (any earlier step counts).
    ``handled``: handled_by(actor), when a list asks for many claims."""
    if is_own_claim(actor, claim) or actor.pk in (claim.reviewer_id, claim.approver_id):
        return False
    return claim.pk not in handled if handled is not None else actor.pk not in handlers_of(claim)


def check_may_pay(actor, claim) -> None:
    check_not_own_claim(actor, claim)
    if not may_pay(actor, claim):
        raise PermissionDenied(PAY_HANDLED.format(ref=claim.number))
