"""Ledger services: award_grant (inside an approval), award_revoke (a reversing entry: the whole
net taken back) and award_reduce (a reducing entry: part of it, the award still standing).

Both run inside the caller's transaction. award_grant first locks the cap buckets of the claim
(SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions already hold the write
lock), then asks the engine again against the ledger as it is under that lock, so two approvals
at the same instant are decided one after the other; then it locks the budget rows the award
counts against and refuses an award that would exceed one (budgets.services.budget_guard). The unique duplicate key and the CHECK
used <= cap are the database's own guard should anything slip past.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ipfund.web.audit.services import audit_record
from ipfund.web.audit.actions import AuditAction
from ipfund.web.budgets.services import budget_charge, budget_guard, budget_release
from ipfund.web.engine_door import Decision, decide_claim, ledger_fields, ledger_index_names, ledger_scope

from .models import AwardEntry, CapBucket, DuplicateKey, LedgerName
from .selectors import award_net

AWARD_DUPLICATE = "同一事项已获资助，不能重复资助。"
AWARD_CAP_REACHED = "该项目的资助上限已用完，不能再审定资助。"
AWARD_NOT_ELIGIBLE = "按当前台账重新计算，该申报不符合资助条件：{reasons}。"
AWARD_INVALID = "申报数据无效：{message}"
AWARD_NOTHING_TO_REVOKE = "该申报没有可撤销的资助。"
AWARD_REDUCE_POSITIVE = "核减金额须大于零、以分为单位。"
AWARD_REDUCE_TOO_MUCH = "核减金额 {amount} 元不小于该资助的现有净额 {net} 元；全部收回请撤销资助。"
AWARD_REDUCE_REASON = "请填写核减原因。"

_REASON_MESSAGES = {"duplicate": AWARD_DUPLICATE, "cap_reached": AWARD_CAP_REACHED}


class AwardRefused(ValidationError):
    """The ledger refuses an award; `.reason` is the contract's reason code."""

    def __init__(self, message: str, reason: str):
        super().__init__(message, code=reason)
        self.reason = reason


@dataclass(frozen=True)
class Grant:
    entry: AwardEntry
    decision: Decision
    engine_amount: Decimal


def _lock_buckets(groups) -> dict[str, CapBucket]:
    """Lock the cap buckets of the groups, each filed under its ledger scope (an item a successor
    policy continues shares its predecessor's buckets: one cap over both policies)."""
    if not groups:
        return {}
    CapBucket.objects.bulk_create(
        [CapBucket(policy=ledger_scope(g.group)[0], item=ledger_scope(g.group)[1], group=g.group,
                   cap=g.limit or Decimal(0), used=0) for g in groups],
        ignore_conflicts=True,
    )
    return _locked(g.group for g in groups)


def _locked(names) -> dict[str, CapBucket]:
    # Ordered by group so two approvals touching the same buckets lock them in the same order.
    by_scope: dict[tuple[str, str], list[str]] = {}
    for name in names:
        by_scope.setdefault(ledger_scope(name), []).append(name)
    found: dict[str, CapBucket] = {}
    for (policy_id, item), group_names in sorted(by_scope.items()):
        rows = CapBucket.objects.select_for_update().filter(policy=policy_id, item=item, group__in=group_names)
        found.update((bucket.group, bucket) for bucket in rows.order_by("group"))
    return found


def _refusal(decision: Decision) -> AwardRefused:
    if decision.error is not None:
        return AwardRefused(AWARD_INVALID.format(message=decision.error.message), "invalid_input")
    reasons = decision.reasons or ("condition_not_met",)
    first = reasons[0]
    return AwardRefused(_REASON_MESSAGES.get(first, AWARD_NOT_ELIGIBLE.format(reasons="、".join(reasons))), first)


def award_grant(*, actor, claim, limit: Decimal) -> Grant:
    """Write the award of an approved claim: min(limit, the engine's amount now)."""
    keys, judged = ledger_fields(claim)
    if keys.invalid:
        raise _refusal(keys)
    buckets = _lock_buckets(keys.cap_groups)

    decision = decide_claim(claim)  # under the locks: the ledger as it is now
    engine_amount = decision.amount
    if not decision.eligible or engine_amount <= 0:
        raise _refusal(decision)
    amount = min(limit, engine_amount)
    # After the cap buckets, under the same transaction: the budgets the award counts against.
    from ipfund.web.allocation.services import already_allocated, over_allowed, quota_guard

    quota_guard(claim)  # a quota (择优名额): filled from the ranking, this claim selected, room left
    budget_guard(policy=decision.policy, round_id=claim.round_id, on=timezone.localdate(), amount=amount,
                 over_allowed=over_allowed(decision.policy), allocated=already_allocated(decision.policy))

    entry = AwardEntry.objects.create(
        claim=claim,
        applicant=claim.applicant,
        policy=decision.policy,
        item=claim.item,
        kind=AwardEntry.GRANT,
        amount=amount,
        claim_data=judged,
        duplicate_key=keys.duplicate_key or "",
        cap_groups=[g.group for g in keys.cap_groups],
        created_by=actor,
    )
    try:
        with transaction.atomic():
            if keys.duplicate_key:
                scope_policy, scope_item = ledger_scope(keys.duplicate_key)
                DuplicateKey.objects.create(policy=scope_policy, item=scope_item, key=keys.duplicate_key, entry=entry)
    except IntegrityError:
        raise AwardRefused(AWARD_DUPLICATE, "duplicate") from None
    try:
        with transaction.atomic():
            for group in keys.cap_groups:
                bucket = buckets[group.group]
                if group.limit is None:
                    # A top-up bucket's cap follows the entitlement the engine just applied.
                    used = bucket.used + amount
                    CapBucket.objects.filter(pk=bucket.pk).update(used=used, cap=max(bucket.cap, used))
                else:
                    CapBucket.objects.filter(pk=bucket.pk).update(used=F("used") + amount, cap=group.limit)
    except IntegrityError:
        raise AwardRefused(AWARD_CAP_REACHED, "cap_reached") from None
    _file_names(entry, amount, *ledger_index_names(claim))

    audit_record(
        actor=actor,
        action=AuditAction.AWARD_GRANT,
        obj=entry,
        after={"claim": claim.pk, "item": claim.item, "amount": amount, "engine_amount": engine_amount,
               "duplicate_key": entry.duplicate_key, "cap_groups": entry.cap_groups},
    )
    return Grant(entry, decision, engine_amount)


def _file_names(entry: AwardEntry, amount: Decimal, keys, buckets) -> None:
    """File the award in the ledger's index under every name a decision may look it up by: its key
    and buckets under the options in force and under each other option of the interpretations that
    shape them, each name marked with the options it was computed under."""
    LedgerName.objects.bulk_create(
        [LedgerName(kind=LedgerName.KEY, name=k, entry=entry, amount=amount) for k in keys]
        + [LedgerName(kind=LedgerName.BUCKET, name=b, entry=entry, amount=amount) for b in buckets]
    )


def _take_back(*, actor, claim, grant: AwardEntry, buckets, kind: str, amount: Decimal, reason: str) -> AwardEntry:
    """Post `amount` of a standing grant back (a reversal or a reduction), under the grant's
    cap-bucket locks (`buckets`, held by the caller): the entry, its names in the index (negated), the cap
    buckets and the budgets it counted against all free `amount`."""
    entry = AwardEntry.objects.create(
        claim=claim,
        applicant=grant.applicant,
        policy=grant.policy,
        item=grant.item,
        kind=kind,
        amount=-amount,
        reverses=grant if kind == AwardEntry.REVERSAL else None,
        reduces=grant if kind == AwardEntry.REDUCTION else None,
        claim_data=grant.claim_data,
        duplicate_key=grant.duplicate_key,
        cap_groups=grant.cap_groups,
        reason=reason,
        created_by=actor,
    )
    LedgerName.objects.bulk_create([LedgerName(kind=n.kind, name=n.name, entry=entry, amount=-amount)
                                    for n in grant.names.all()])
    for bucket in buckets:
        CapBucket.objects.filter(pk=bucket.pk).update(used=F("used") - amount)
    budget_release(policy=grant.policy, round_id=claim.round_id, approved_on=timezone.localdate(grant.created_at), amount=amount)
    return entry


def _standing(claim) -> tuple[AwardEntry, Decimal, list[CapBucket]]:
    """The claim's grant, its net read under the grant's cap-bucket locks (taken here), and the
    locked buckets."""
    grant = AwardEntry.objects.filter(claim=claim, kind=AwardEntry.GRANT).first()
    if grant is None:
        raise ValidationError(AWARD_NOTHING_TO_REVOKE, code="nothing_to_revoke")
    buckets = list(_locked(grant.cap_groups).values())
    net = award_net(claim=claim)
    if net <= 0:
        raise ValidationError(AWARD_NOTHING_TO_REVOKE, code="nothing_to_revoke")
    return grant, net, buckets


def award_revoke(*, actor, claim, reason: str) -> AwardEntry:
    """Reverse a claim's standing award: a negative entry of its whole net; its duplicate key and
    cap are freed."""
    grant, net, buckets = _standing(claim)
    reversal = _take_back(actor=actor, claim=claim, grant=grant, buckets=buckets, kind=AwardEntry.REVERSAL, amount=net,
                          reason=reason)
    DuplicateKey.objects.filter(entry=grant, released_by__isnull=True).update(released_by=reversal)
    audit_record(
        actor=actor,
        action=AuditAction.AWARD_REVOKE,
        obj=reversal,
        before={"claim": claim.pk, "amount": net},
        after={"claim": claim.pk, "amount": Decimal("0.00"), "reason": reason},
    )
    return reversal


def award_reduce(*, actor, claim, amount: Decimal, reason: str) -> AwardEntry:
    """Take part of a standing award back (a pro-rata cut, a cancelled installment, a recovery in
    proportion): a reducing entry of -amount against the grant. The award stands, smaller: its
    duplicate key stays held; its cap buckets and the index of names free `amount`; the budgets
    it counts against carry the net. Taking the whole net back is a revocation (award_revoke).

    Runs inside the caller's transaction, under the grant's cap-bucket locks."""
    if not reason.strip():
        raise ValidationError({"reason": [AWARD_REDUCE_REASON]})
    if not isinstance(amount, Decimal) or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": [AWARD_REDUCE_POSITIVE]})
    grant, net, buckets = _standing(claim)
    if amount >= net:
        raise ValidationError({"amount": [AWARD_REDUCE_TOO_MUCH.format(amount=amount, net=net)]})
    reduction = _take_back(actor=actor, claim=claim, grant=grant, buckets=buckets, kind=AwardEntry.REDUCTION, amount=amount,
                           reason=reason)
    audit_record(
        actor=actor,
        action=AuditAction.AWARD_REDUCE,
        obj=reduction,
        before={"claim": claim.pk, "amount": net},
        after={"claim": claim.pk, "amount": net - amount, "reduced_by": amount, "reason": reason},
    )
    return reduction


def award_written_off(*, actor, claim, amount: Decimal, reason: str, source: str):
    """What a recovery took back of a claim's award and will never come back (核销): the ledger's
    entries stay as they are (the award stays taken back: its caps, key and index remain free),
    but the money was spent, so the budgets the grant counts against carry `amount` again
    (budgets.services.budget_charge, audited). Inside the write-off's transaction."""
    grant = AwardEntry.objects.filter(claim=claim, kind=AwardEntry.GRANT).first()
    if grant is None:
        raise ValidationError(AWARD_NOTHING_TO_REVOKE, code="nothing_to_revoke")
    return budget_charge(actor=actor, grant=grant, round_id=claim.round_id, amount=amount, reason=reason, source=source)
