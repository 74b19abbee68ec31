"""Stages (分期拨付): an award paid in installments, as its policy package declares them.

- installments_plan: at approval, inside the approval's transaction, one Installment row per
  installment of the approved amount (engine_door.installments_of): the first 待拨付 once final,
  a conditional one 待验收 until a reviewer records its outcome. The whole award is the single
  grant (key, caps, budgets at approval); the rows are its schedule.
- installment_outcome: a reviewer records the condition's outcome (验收合格 / 验收不合格) with the
  evidence they upload, audited on the claim (it counts as handling the claim: whoever confirms
  may not pay it). Met: the installment becomes 待拨付. Failed: it and every later one is
  cancelled — one ledger entry (award_reduce; award_revoke when nothing of the award was paid or
  is still due) freeing caps, budget and index — and, when nothing is left to pay, the claim is
  closed with the Chinese explanation.
- next_installment / installment_to_pay: what payment_record pays next (payments.services).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ipfund.web.accounts import roles
from ipfund.web.audit.actions import AuditAction
from ipfund.web.audit.services import audit_record
from ipfund.web.claims import duties
from ipfund.web.claims.models import Claim
from ipfund.web.claims.services import NOT_ALLOWED, claim_lock, claim_transition, evidence_store
from ipfund.web.claims.workflow import Action, State
from ipfund.web.engine_door import installments_of
from ipfund.web.ledger.selectors import award_net
from ipfund.web.ledger.services import award_reduce, award_revoke

from .models import Installment

NOT_WAITING = "第 {n} 期不在待验收状态（现为「{state}」），不能再次确认。"
NOT_YET = "该申报尚未公示期满，不能确认分期拨付条件。"
NOTE_REQUIRED = "请填写确认意见（如验收结论、验收日期），申请人将看到该意见。"
EVIDENCE_REQUIRED = "请上传{label}的证明材料（如验收意见书）。"
INSTALLMENT_HELD = "第 {n} 期 {amount} 元须{label}后拨付，尚未确认，不能拨付。"
NOTHING_DUE = "该申报的各期资助均已拨付或取消，没有待拨付的款项。"
EVIDENCE_LABEL = "{label}证明（第 {n} 期）"

PAID_PART_NOTE = "第 {n} 期资助资金 {amount} 元已拨付（已拨付合计 {paid} 元）；{rest}"
REST_PENDING = "第 {n} 期 {amount} 元待{label}后拨付"
REST_DUE = "第 {n} 期 {amount} 元待拨付"
CANCEL_REASON = "{failed}（第 {n} 期条件未满足）：取消第 {numbers} 期，合计 {amount} 元"
CLOSE_NOTE = "{failed}，第 {numbers} 期资助合计 {amount} 元已取消；已拨付 {paid} 元，本申报结案（{note}）"

# While one of an award's installments waits (its condition, or payment), the claim is in these states.
OPEN_STATES = (State.FINAL, State.PARTLY_PAID, State.PAYMENT_FAILED)


def installments_plan(*, actor, claim: Claim, grant) -> list[Installment]:
    """Plan the installments of an approved award (inside the approval's transaction); none for an
    item paid at once."""
    planned = installments_of(claim.policy, claim.item, grant.amount)
    if not planned:
        return []
    rows = Installment.objects.bulk_create([
        Installment(claim=claim, grant=grant, number=p.number, amount=p.amount, share=p.share, condition=p.when,
                    condition_label=p.label, failed_label=p.failed_label,
                    state=Installment.WAITING if p.conditional else Installment.DUE)
        for p in planned
    ])
    audit_record(actor=actor, action=AuditAction.INSTALLMENTS_PLAN, obj=claim, after={
        "claim": claim.pk, "total": grant.amount,
        "installments": [{"number": r.number, "amount": r.amount, "condition": r.condition_label, "state": r.state}
                         for r in rows]})
    return rows


def installments_for(claim: Claim) -> list[Installment]:
    return list(Installment.objects.filter(claim=claim).select_related("payment", "evidence").order_by("number"))


def next_installment(claim: Claim) -> Installment | None:
    """The installment paid next: the first neither paid nor cancelled (installments are paid in order)."""
    return Installment.objects.filter(claim=claim, state__in=[Installment.DUE, Installment.WAITING]).order_by("number").first()


def installment_to_pay(claim: Claim) -> Installment:
    """The installment a payment pays now, or a ValidationError saying why none can be paid."""
    nxt = next_installment(claim)
    if nxt is None:
        raise ValidationError(NOTHING_DUE, code="nothing_due")
    if nxt.state != Installment.DUE:
        raise ValidationError(INSTALLMENT_HELD.format(n=nxt.number, amount=f"{nxt.amount:.2f}", label=nxt.condition_label),
                              code="installment_held")
    return nxt


def after_payment(claim: Claim, paid: Installment) -> tuple[str, str]:
    """(the workflow action, the note) for a payment of `paid`: PAY when nothing is left after it."""
    rest = Installment.objects.filter(claim=claim, state__in=[Installment.DUE, Installment.WAITING]).exclude(pk=paid.pk)
    nxt = rest.order_by("number").first()
    if nxt is None:
        return Action.PAY, ""
    total = sum((p.amount for p in Installment.objects.filter(claim=claim, state=Installment.PAID)), Decimal("0.00"))
    left = (REST_PENDING.format(n=nxt.number, amount=f"{nxt.amount:.2f}", label=nxt.condition_label)
            if nxt.state == Installment.WAITING else REST_DUE.format(n=nxt.number, amount=f"{nxt.amount:.2f}"))
    return Action.PAY_PART, PAID_PART_NOTE.format(n=paid.number, amount=f"{paid.amount:.2f}",
                                                  paid=f"{total + paid.amount:.2f}", rest=left)


@dataclass(frozen=True)
class Outcome:
    installment: Installment
    cancelled: list[Installment]
    closed: bool


@transaction.atomic
def installment_outcome(*, actor, installment: Installment, met: bool, note: str, upload=None) -> Outcome:
    """A reviewer records whether an installment's condition is met (验收合格) or not (验收不合格)."""
    if not roles.has_role(actor, roles.REVIEWER):
        raise PermissionDenied(NOT_ALLOWED)
    claim = claim_lock(installment.claim)
    duties.check_not_own_claim(actor, claim)
    installment = Installment.objects.select_for_update().get(pk=installment.pk)
    if installment.state != Installment.WAITING:
        raise ValidationError(NOT_WAITING.format(n=installment.number, state=installment.state_label), code="not_waiting")
    if claim.state not in OPEN_STATES:
        raise ValidationError(NOT_YET, code="not_final")
    note = (note or "").strip()
    errors = {}
    if not note:
        errors["note"] = [NOTE_REQUIRED]
    if upload is None:
        errors["evidence"] = [EVIDENCE_REQUIRED.format(label=installment.condition_label)]
    if errors:
        raise ValidationError(errors)
    evidence = evidence_store(actor=actor, claim=claim, upload=upload,
                              requirement=EVIDENCE_LABEL.format(label=installment.condition_label, n=installment.number))
    installment.confirmed_by, installment.confirmed_at = actor, timezone.now()
    installment.outcome_note, installment.evidence = note, evidence
    label = installment.condition_label if met else installment.failed_label
    if met:
        installment.state = Installment.DUE
        installment.save(update_fields=["state", "confirmed_by", "confirmed_at", "outcome_note", "evidence"])
        audit_record(actor=actor, action=AuditAction.INSTALLMENT_CONFIRM, obj=claim, after={
            "claim": claim.pk, "installment": installment.number, "amount": installment.amount, "outcome": label,
            "note": note, "evidence": evidence.sha256})
        return Outcome(installment, [], False)
    installment.save(update_fields=["confirmed_by", "confirmed_at", "outcome_note", "evidence"])
    audit_record(actor=actor, action=AuditAction.INSTALLMENT_FAIL, obj=claim, after={
        "claim": claim.pk, "installment": installment.number, "amount": installment.amount, "outcome": label,
        "note": note, "evidence": evidence.sha256})
    return _cancel_from(actor=actor, claim=claim, failed=installment, note=note)


def _cancel_from(*, actor, claim: Claim, failed: Installment, note: str) -> Outcome:
    """Cancel `failed` and every later installment not paid: one ledger entry for them all."""
    doomed = list(Installment.objects.select_for_update().filter(
        claim=claim, number__gte=failed.number, state__in=[Installment.DUE, Installment.WAITING]).order_by("number"))
    amount = sum((i.amount for i in doomed), Decimal("0.00"))
    numbers = "、".join(str(i.number) for i in doomed)
    reason = CANCEL_REASON.format(failed=failed.failed_label, n=failed.number, numbers=numbers, amount=f"{amount:.2f}")
    net = award_net(claim=claim)
    entry = (award_revoke(actor=actor, claim=claim, reason=reason) if amount >= net
             else award_reduce(actor=actor, claim=claim, amount=amount, reason=reason))
    for i in doomed:
        i.state, i.cancelled_by = Installment.CANCELLED, entry
        i.save(update_fields=["state", "cancelled_by"])
        audit_record(actor=actor, action=AuditAction.INSTALLMENT_CANCEL, obj=i,
                     after={"claim": claim.pk, "installment": i.number, "amount": i.amount, "ledger_entry": entry.pk,
                            "reason": reason})
    left = Installment.objects.filter(claim=claim, state__in=[Installment.DUE, Installment.WAITING]).exists()
    closed = False
    if not left and claim.state != State.PAYMENT_FAILED:
        paid = sum((i.amount for i in Installment.objects.filter(claim=claim, state=Installment.PAID)), Decimal("0.00"))
        explanation = CLOSE_NOTE.format(failed=failed.failed_label, numbers=numbers, amount=f"{amount:.2f}",
                                        paid=f"{paid:.2f}", note=note.rstrip("。．."))
        claim_transition(actor=actor, claim=claim, action=Action.CLOSE, note=explanation, decision_reason=explanation)
        closed = True
    return Outcome(failed, doomed, closed)


def paid_total(claim: Claim) -> Decimal:
    return sum((i.amount for i in Installment.objects.filter(claim=claim, state=Installment.PAID)), Decimal("0.00"))


@dataclass(frozen=True)
class Waiting:
    installment: Installment
    claim: Claim
    paid: Decimal


def waiting_installments(*, user) -> list[Waiting]:
    """For reviewers: every installment waiting for its condition (待验收) on a claim they may see
    and act on (never their own), oldest claim first."""
    from ipfund.web.claims.selectors import claims_visible_to

    claims = claims_visible_to(user).filter(state__in=OPEN_STATES)
    rows = (Installment.objects.filter(state=Installment.WAITING, claim__in=claims)
            .select_related("claim__applicant").order_by("claim_id", "number"))
    out = []
    for inst in rows:
        if duties.is_own_claim(user, inst.claim):
            continue
        out.append(Waiting(inst, inst.claim, paid_total(inst.claim)))
    return out


INSTALLMENTS_TOO_LITTLE = "分期拨付的未拨付各期合计 {left} 元，不足核减的 {amount} 元（已拨付的资金须追回，不能核减未拨付的分期）。"


CENT = Decimal("0.01")
SHARE_LINE = "第 {n} 期 {before} 元核减 {cut} 元为 {after} 元"
SHARES_TEXT = ("本项分期拨付，核减额按未拨付各期的金额比例分摊（计算到分，舍去不足 1 分的部分，"
               "尾差计入最后一期未拨付的款项），各期保持原定比例：{lines}。")


def unpaid_installments(claim: Claim) -> list[Installment]:
    """An award's installments not yet paid nor cancelled (待拨付, 待验收), first first."""
    return list(Installment.objects.filter(claim=claim, state__in=[Installment.DUE, Installment.WAITING]).order_by("number"))


def cut_shares(amounts: list[Decimal], cut: Decimal) -> list[Decimal]:
    """Split `cut` over `amounts` (the unpaid installments, first first) in proportion to each, to
    the fen: each share rounded down, the remainder on the last; a share never passes its
    installment (what would, goes to the one before, the last first)."""
    left = sum(amounts, Decimal("0.00"))
    if not amounts or cut <= 0 or left <= 0:
        return [Decimal("0.00") for _ in amounts]
    shares = [(cut * a / left).quantize(CENT, rounding=ROUND_DOWN) for a in amounts]
    shares[-1] += cut - sum(shares, Decimal("0.00"))
    spill = Decimal("0.00")
    for i in range(len(shares) - 1, -1, -1):
        shares[i] += spill
        spill = max(shares[i] - amounts[i], Decimal("0.00"))
        shares[i] -= spill
    return shares


def cut_shares_text(claim: Claim, cut: Decimal) -> str:
    """The sentence a pro-rata explanation adds for an award paid in stages (empty otherwise)."""
    rows = unpaid_installments(claim)
    if not rows or cut <= 0:
        return ""
    shares = cut_shares([i.amount for i in rows], cut)
    return SHARES_TEXT.format(lines="；".join(
        SHARE_LINE.format(n=i.number, before=f"{i.amount:.2f}", cut=f"{s:.2f}", after=f"{i.amount - s:.2f}")
        for i, s in zip(rows, shares, strict=True)))


def installments_after_reduction(*, actor, claim: Claim, amount: Decimal, entry, proportional: bool = False) -> list[Installment]:
    """Keep an award paid in stages whole after a reduction that did not cancel installments (a
    pro-rata cut, a recovery of what is not yet paid): the unpaid installments shrink by `amount`,
    the last first — or, `proportional` (a pro-rata cut: each installment keeps its share, e.g.
    立项50%/验收50%), each by its share of `amount` (cut_shares); one left with nothing is cancelled
    by `entry` (the reduction). Call it in the reduction's transaction, after award_reduce; nothing
    to do for an award paid at once. What was already paid is recovered (追回), not cut here: a
    reduction larger than the unpaid installments is refused."""
    rows = list(Installment.objects.select_for_update().filter(
        claim=claim, state__in=[Installment.DUE, Installment.WAITING]).order_by("-number"))
    if not Installment.objects.filter(claim=claim).exists():
        return []
    left = sum((i.amount for i in rows), Decimal("0.00"))
    if amount > left:
        raise ValidationError({"amount": [INSTALLMENTS_TOO_LITTLE.format(left=f"{left:.2f}", amount=f"{amount:.2f}")]})
    if proportional:
        shares = dict(zip(reversed(rows), cut_shares([i.amount for i in reversed(rows)], amount), strict=True))
    else:
        shares, rest = {}, amount
        for inst in rows:
            shares[inst] = min(rest, inst.amount)
            rest -= shares[inst]
    changed = []
    for inst in rows:
        cut = shares[inst]
        if cut <= 0:
            continue
        before = inst.amount
        if cut == inst.amount:
            inst.state, inst.cancelled_by = Installment.CANCELLED, entry
            inst.save(update_fields=["state", "cancelled_by"])
            action = AuditAction.INSTALLMENT_CANCEL
        else:
            inst.amount = inst.amount - cut
            inst.save(update_fields=["amount"])
            action = AuditAction.INSTALLMENT_REDUCE
        audit_record(actor=actor, action=action, obj=inst, before={"amount": before},
                     after={"claim": claim.pk, "installment": inst.number, "amount": inst.amount, "reduced_by": cut,
                            "ledger_entry": entry.pk})
        changed.append(inst)
    return changed
