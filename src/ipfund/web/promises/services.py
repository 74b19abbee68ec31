"""Services of promises (承诺) and recovery (追回).

- promise_record: at approval, a claim of an item whose policy declares a promise records it —
  its text, the signed letter (the evidence the policy names), the term in years and, when the
  term starts at approval, its dates;
- promises_refresh: a term that starts at payment starts on the first payment; a term that has
  run out without a breach is kept (已履行);
- promise_remind: staff are told of terms ending within IPFUND_PROMISE_REMIND_DAYS, once each;
- promises_flag: an enterprise register import showing the enterprise out of the zone or
  deregistered within the term flags the promise — a proposal staff confirm, never a recovery;
- recovery_open: staff record a breach with evidence; the amount due (all, or the award × the days
  of the term left / the days of the term, rounded half up to the fen) is taken back in the ledger
  (award_revoke for all, award_reduce for a part: caps, budgets and the index freed) and is a
  receivable;
- recovery_repay (finance), recovery_write_off_request and recovery_write_off_decide (a second
  person) bring the receivable to zero; what is written off was spent and will not come back, so
  the budgets the award counted against carry it again (award_written_off →
  budgets.services.budget_charge, audited): the budget the recovery freed shrinks back by it.

Each runs in one transaction under the case's row lock and is audited; amounts are exact Decimals.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ipfund.web.accounts import roles
from ipfund.web.accounts.selectors import users_with_role
from ipfund.web.audit.actions import AuditAction
from ipfund.web.audit.services import audit_record
from ipfund.web.claims import duties
from ipfund.web.claims.models import Claim, Evidence
from ipfund.web.claims.services import claim_lock
from ipfund.web.claims.workflow import State
from ipfund.web.engine_door import claim_promise, promise_end
from ipfund.web.filed import file_keep
from ipfund.web.ledger.selectors import award_net
from ipfund.web.budgets.services import budget_charge
from ipfund.web.ledger.models import AwardEntry
from ipfund.web.ledger.services import AWARD_NOTHING_TO_REVOKE, award_reduce, award_revoke
from ipfund.web.notifications.services import notification_send
from ipfund.web.payments.models import Payment

from .models import BREACH_LABELS, Promise, RecoveryCase, Repayment, WriteOff

CENT = Decimal("0.01")
ONLY_STAFF = "只有初审人员和管理员可以登记违反承诺。"
ONLY_FINANCE = "只有财务人员可以登记追回资金的归还。"
ONLY_FINANCE_OR_ADMIN = "只有财务人员或管理员可以办理核销。"
NOT_ACTIVE = "该承诺为“{state}”，不能再登记违反。"
NOT_STARTED = "承诺期尚未起算（{start}），不能登记违反。"
NOT_PAID = "该申报的资助尚未拨付（状态：{state}），没有可追回的资金；请按程序撤销或暂停拨付。"
BREACH_UNKNOWN = "请选择违反承诺的情形（本项目承诺的违反情形：{known}）。"
BREACH_DATE_OUTSIDE = "违反承诺的日期应在承诺期（{start} 至 {end}）之内。"
BREACH_DATE_FUTURE = "违反承诺的日期不能晚于今天。"
NOTE_REQUIRED = "请填写违反承诺的事实。"
EVIDENCE_REQUIRED = "请上传违反承诺的证明材料（如工商变更登记、注销公告）。"
NOTHING_AWARDED = "该申报在资助台账中没有可追回的资助。"
AMOUNT_INVALID = "请填写以元为单位、最多两位小数的正数金额。"
AMOUNT_TOO_MUCH = "金额 {amount} 元超过尚未归还的 {outstanding} 元。"
AMOUNT_TOO_MUCH_PENDING = "金额 {amount} 元超过尚未归还且未申请核销的 {left} 元。"
DATE_FUTURE = "归还日期不能晚于今天。"
DATE_BEFORE = "归还日期不能早于立案日期 {opened}。"
REFERENCE_REQUIRED = "请填写银行回单号。"
REASON_REQUIRED = "请填写核销理由。"
CASE_SETTLED = "该追回案件已结案。"
ONE_PENDING = "该案件已有一项待批准的核销申请，请先处理。"
WRITE_OFF_SAME_PERSON = "核销须由申请人以外的另一名工作人员批准。"
WRITE_OFF_DECIDED = "该核销申请已处理。"
WRITTEN_OFF_CHARGE = "追回案件 {case} 核销 {amount} 元（{reason}）：该款已拨付且不再收回，重新计入资助当年（批次）的预算。"
HANDLED_CLAIM = "您申报、初审、审定或退回过该申报，不能办理其追回资金（职责分离），请由其他财务人员办理。"
FLAG_NOTE_OUT = "{version} 版企业名录（{register}）登记地址为“{address}”，不在本区。"
FLAG_NOTE_GONE = "{version} 版企业名录（{register}）登记状态为“{status}”。"

REMINDER = "资助承诺即将期满：{name}（申报 {reference}）“{text}”承诺期至 {end}，请核实其是否仍在区内经营。"
NOTIFY_BREACH = ("您单位在承诺期内{breach}（{date}），违反了申请资助时的承诺。依据政策，须退回资助资金 {amount} 元，"
                 "请于 {due} 前归还；追回通知书可在平台“我的承诺”页面查看。")
DEREGISTERED_WORDS = ("注销", "吊销", "撤销登记")


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [AMOUNT_INVALID]}) from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise ValidationError({field: [AMOUNT_INVALID]})
    return amount


def _staff(actor) -> None:
    if not (roles.has_role(actor, roles.REVIEWER) or roles.has_role(actor, roles.ADMIN)):
        raise PermissionDenied(ONLY_STAFF)


def _term(promise: Promise, start: dt.date) -> None:
    promise.term_start, promise.term_end = start, promise_end(start, promise.years)


# -- promises ---------------------------------------------------------------------------------


def promise_record(*, actor, claim: Claim) -> Promise | None:
    """Record the promise an approved claim carries (inside the approval's transaction)."""
    terms = claim_promise(claim)
    if terms is None or Promise.objects.filter(claim=claim).exists():
        return None
    letter = (Evidence.objects.filter(claim=claim, requirement=terms.evidence, removed_at__isnull=True)
              .order_by("-uploaded_at", "-id").first())
    promise = Promise(claim=claim, text=terms.text, evidence=letter, evidence_label=terms.evidence, years=terms.years,
                      start_basis=terms.start, recovery_basis=terms.recovery, breaches=list(terms.breaches),
                      interpretations=list(terms.interpretations))
    if terms.start == "approval":
        _term(promise, timezone.localdate())
    promise.save()
    audit_record(actor=actor, action=AuditAction.PROMISE_RECORD, obj=promise,
                 after={"claim": claim.pk, "years": promise.years, "start": promise.start_basis,
                        "recovery": promise.recovery_basis, "term_start": promise.term_start, "term_end": promise.term_end,
                        "evidence": letter.pk if letter else None, "interpretations": promise.interpretations})
    return promise


def promises_refresh(*, today: dt.date | None = None) -> int:
    """Start the terms that start at payment (the first payment's date) and mark the terms that
    ran out unbroken as kept. Returns how many promises changed."""
    today = today or timezone.localdate()
    changed = 0
    waiting = Promise.objects.filter(state=Promise.ACTIVE, term_start__isnull=True, start_basis="payment")
    for promise in waiting.select_related("claim"):
        paid_on = (Payment.objects.filter(claim_id=promise.claim_id).order_by("paid_on").values_list("paid_on", flat=True)
                   .first())
        if paid_on is None:
            continue
        with transaction.atomic():
            locked = Promise.objects.select_for_update().get(pk=promise.pk)
            if locked.term_start is not None:
                continue
            _term(locked, paid_on)
            locked.save(update_fields=["term_start", "term_end"])
            audit_record(actor="system", action=AuditAction.PROMISE_START, obj=locked,
                         after={"term_start": locked.term_start, "term_end": locked.term_end})
            changed += 1
    # An award revoked (an objection upheld) takes its promise with it; a term run out unbroken is kept.
    changed += _move_active(Promise.objects.filter(state=Promise.ACTIVE, claim__state=State.REVOKED), Promise.VOID,
                            AuditAction.PROMISE_VOID)
    changed += _move_active(Promise.objects.filter(state=Promise.ACTIVE, term_end__lt=today), Promise.KEPT,
                            AuditAction.PROMISE_KEPT)
    return changed


def _move_active(promises, state: str, action: AuditAction) -> int:
    """Move each active promise of the queryset to `state`, one locked row at a time, audited."""
    moved = 0
    for pk in promises.values_list("pk", flat=True):
        with transaction.atomic():
            locked = Promise.objects.select_for_update().get(pk=pk)
            if locked.state != Promise.ACTIVE:
                continue
            locked.state = state
            locked.save(update_fields=["state"])
            audit_record(actor="system", action=action, obj=locked, after={"claim": locked.claim_id, "term_end": locked.term_end})
            moved += 1
    return moved


def promise_remind(*, today: dt.date | None = None) -> int:
    """Tell reviewers of each promise whose term ends within IPFUND_PROMISE_REMIND_DAYS, once."""
    today = today or timezone.localdate()
    promises_refresh(today=today)
    horizon = today + dt.timedelta(days=settings.IPFUND_PROMISE_REMIND_DAYS)
    due = Promise.objects.filter(state=Promise.ACTIVE, term_end__lte=horizon, reminded_on__isnull=True)
    staff = users_with_role(roles.REVIEWER)
    sent = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            promise = Promise.objects.select_for_update(of=("self",)).select_related("claim__applicant").get(pk=pk)
            if promise.reminded_on is not None:
                continue
            message = REMINDER.format(name=promise.claim.applicant.name, reference=promise.claim.reference,
                                      text=promise.text, end=promise.term_end)
            for user in staff:
                notification_send(user=user, message=message, claim=promise.claim)
            promise.reminded_on = today
            promise.save(update_fields=["reminded_on"])
            audit_record(actor="system", action=AuditAction.PROMISE_REMIND, obj=promise, after={"term_end": promise.term_end})
            sent += 1
    return sent


def promises_flag_on_import(sender, *, upload, **kwargs) -> None:
    """Receiver of the registers' register_imported (connected in PromisesConfig.ready)."""
    promises_flag(upload)


def promises_flag(upload) -> int:
    """After an enterprise register import: flag each promise in its term whose enterprise the new
    version shows out of the zone or deregistered. Staff confirm; nothing is recovered here."""
    from ipfund.web.registers.models import Register

    if upload.register.kind != Register.ENTERPRISES:
        return 0
    promises = {p.claim.applicant.ledger_identity: p for p in
                Promise.objects.filter(state=Promise.ACTIVE, term_start__isnull=False).select_related("claim__applicant")}
    if not promises:
        return 0
    on = timezone.localdate(upload.imported_at) if upload.imported_at else timezone.localdate()
    flagged = 0
    for row in upload.register_rows.filter(credit_code__in=list(promises)):
        promise = promises[row.credit_code]
        status = str(row.data.get("status") or "")
        if any(w in status for w in DEREGISTERED_WORDS) and "deregistered" in promise.breaches:
            breach, note = "deregistered", FLAG_NOTE_GONE.format(version=f"第 {upload.version}", register=upload.register.name,
                                                                  status=status)
        elif row.data.get("in_zone") is False and "moved_out_of_zone" in promise.breaches:
            breach, note = "moved_out_of_zone", FLAG_NOTE_OUT.format(version=f"第 {upload.version}", register=upload.register.name,
                                                                      address=row.data.get("address") or "")
        else:
            continue
        if promise.term_end is not None and on > promise.term_end:
            continue
        promise.flag_breach, promise.flag_on, promise.flag_note = breach, on, note
        promise.save(update_fields=["flag_breach", "flag_on", "flag_note"])
        audit_record(actor="system", action=AuditAction.PROMISE_FLAG, obj=promise,
                     after={"breach": breach, "register_import": upload.pk, "version": upload.version})
        flagged += 1
    return flagged


# -- recovery ---------------------------------------------------------------------------------


def recovery_amount(*, awarded: Decimal, basis: str, term_start: dt.date, term_end: dt.date,
                    breached_on: dt.date) -> tuple[Decimal, int, int]:
    """(amount due, days of the term, days left). All: the award. Proportional: the award × the
    days from the breach to the end of the term / the days of the term, rounded half up to the
    fen (0.005 元 → 0.01 元); a breach on the first day recovers all."""
    term_days = (term_end - term_start).days
    days_left = max(0, min(term_days, (term_end - breached_on).days))
    if basis == "all" or days_left == term_days:
        return awarded, term_days, days_left
    due = (awarded * days_left / term_days).quantize(CENT, rounding=ROUND_HALF_UP)
    return due, term_days, days_left


@transaction.atomic
def recovery_open(*, actor, promise: Promise, breach: str, breached_on: dt.date, note: str, upload,
                  source: str = "staff") -> RecoveryCase:
    """Record a breach with its evidence and open the recovery: the ledger takes the amount due
    back (caps, budgets, index freed) and it is owed (a receivable) until repaid or written off."""
    _staff(actor)
    claim = claim_lock(promise.claim_id)
    promise = Promise.objects.select_for_update().get(pk=promise.pk)
    if promise.state != Promise.ACTIVE:
        raise ValidationError(NOT_ACTIVE.format(state=promise.state_label), code="not_active")
    if promise.term_start is None or promise.term_end is None:
        raise ValidationError(NOT_STARTED.format(start=promise.start_label), code="not_started")
    errors: dict[str, list[str]] = {}
    if breach not in promise.breaches:
        errors["breach"] = [BREACH_UNKNOWN.format(known="、".join(BREACH_LABELS[b] for b in promise.breaches))]
    today = timezone.localdate()
    if not isinstance(breached_on, dt.date):
        errors["breached_on"] = ["请填写违反承诺的日期（YYYY-MM-DD）。"]
    elif breached_on > today:
        errors["breached_on"] = [BREACH_DATE_FUTURE]
    elif not promise.term_start <= breached_on <= promise.term_end:
        errors["breached_on"] = [BREACH_DATE_OUTSIDE.format(start=promise.term_start, end=promise.term_end)]
    note = (note or "").replace("\x00", "").strip()
    if not note:
        errors["note"] = [NOTE_REQUIRED]
    if upload is None:
        errors["evidence"] = [EVIDENCE_REQUIRED]
    if errors:
        raise ValidationError(errors)
    duties.check_not_own_claim(actor, claim)
    if claim.state != State.PAID:
        raise ValidationError(NOT_PAID.format(state=claim.state_label), code="not_paid")
    awarded = award_net(claim=claim)
    if awarded <= 0:
        raise ValidationError(NOTHING_AWARDED, code="nothing_awarded")
    due, term_days, days_left = recovery_amount(awarded=awarded, basis=promise.recovery_basis, term_start=promise.term_start,
                                                term_end=promise.term_end, breached_on=breached_on)
    reason = f"违反承诺（{BREACH_LABELS[breach]}，{breached_on}）：{promise.text}"
    if due >= awarded:
        entry = award_revoke(actor=actor, claim=claim, reason=reason)
    else:
        entry = award_reduce(actor=actor, claim=claim, amount=due, reason=reason)
    case = RecoveryCase(promise=promise, claim=claim, breach=breach, breached_on=breached_on, note=note, source=source,
                        awarded=awarded, basis=promise.recovery_basis, term_days=term_days, days_left=days_left,
                        amount_due=due, entry=entry, due_by=today + dt.timedelta(days=settings.IPFUND_RECOVERY_DAYS),
                        opened_by=actor)
    file_keep(case, "evidence", upload)
    try:
        case.save()
    except Exception:
        case.evidence.delete(save=False)
        raise
    promise.state = Promise.BROKEN
    promise.save(update_fields=["state"])
    audit_record(actor=actor, action=AuditAction.PROMISE_BREACH, obj=case,
                 after={"claim": claim.pk, "promise": promise.pk, "breach": breach, "breached_on": breached_on,
                        "awarded": awarded, "basis": case.basis, "term_days": term_days, "days_left": days_left,
                        "amount_due": due, "entry": entry.pk, "source": source})
    notification_send(user=claim.applicant.user, claim=claim, message=NOTIFY_BREACH.format(
        breach=BREACH_LABELS[breach], date=breached_on, amount=f"{due:,.2f}", due=case.due_by))
    return case


def _case_locked(case: RecoveryCase) -> RecoveryCase:
    return RecoveryCase.objects.select_for_update().select_related("claim").get(pk=case.pk)


def _settle_if_done(case: RecoveryCase) -> None:
    if case.outstanding == 0:
        case.state = RecoveryCase.SETTLED
        case.save(update_fields=["state"])


def _not_handler(actor, claim: Claim) -> None:
    duties.check_not_own_claim(actor, claim)
    if actor.pk in duties.handlers_of(claim):
        raise PermissionDenied(HANDLED_CLAIM)


@transaction.atomic
def recovery_repay(*, actor, case: RecoveryCase, amount, paid_on: dt.date, reference: str) -> Repayment:
    """Finance records money repaid (in part or in full); the case settles when nothing is owed."""
    if not roles.has_role(actor, roles.FINANCE):
        raise PermissionDenied(ONLY_FINANCE)
    case = _case_locked(case)
    _not_handler(actor, case.claim)
    if case.state != RecoveryCase.OPEN:
        raise ValidationError(CASE_SETTLED, code="settled")
    amount = _money(amount, "amount")
    errors: dict[str, list[str]] = {}
    outstanding = case.outstanding
    if amount > outstanding:
        errors["amount"] = [AMOUNT_TOO_MUCH.format(amount=f"{amount:,.2f}", outstanding=f"{outstanding:,.2f}")]
    if not isinstance(paid_on, dt.date):
        errors["paid_on"] = ["请填写归还日期（YYYY-MM-DD）。"]
    elif paid_on > timezone.localdate():
        errors["paid_on"] = [DATE_FUTURE]
    elif paid_on < timezone.localdate(case.opened_at):
        errors["paid_on"] = [DATE_BEFORE.format(opened=timezone.localdate(case.opened_at))]
    reference = (reference or "").replace("\x00", "").strip()[:100]
    if not reference:
        errors["reference"] = [REFERENCE_REQUIRED]
    if errors:
        raise ValidationError(errors)
    repayment = Repayment.objects.create(case=case, amount=amount, paid_on=paid_on, reference=reference, recorded_by=actor)
    audit_record(actor=actor, action=AuditAction.RECOVERY_REPAY, obj=repayment,
                 before={"case": case.pk, "outstanding": outstanding},
                 after={"case": case.pk, "amount": amount, "paid_on": paid_on, "reference": reference,
                        "outstanding": outstanding - amount})
    _settle_if_done(case)
    return repayment


def _finance_or_admin(actor) -> None:
    if not (roles.has_role(actor, roles.FINANCE) or roles.has_role(actor, roles.ADMIN)):
        raise PermissionDenied(ONLY_FINANCE_OR_ADMIN)


@transaction.atomic
def recovery_write_off_request(*, actor, case: RecoveryCase, amount, reason: str) -> WriteOff:
    """Ask to give up (part of) what is still owed; another person approves."""
    _finance_or_admin(actor)
    case = _case_locked(case)
    _not_handler(actor, case.claim)
    if case.state != RecoveryCase.OPEN:
        raise ValidationError(CASE_SETTLED, code="settled")
    if case.write_offs.filter(state=WriteOff.PENDING).exists():
        raise ValidationError(ONE_PENDING, code="pending")
    amount = _money(amount, "amount")
    reason = (reason or "").replace("\x00", "").strip()
    errors: dict[str, list[str]] = {}
    if amount > case.outstanding:
        errors["amount"] = [AMOUNT_TOO_MUCH.format(amount=f"{amount:,.2f}", outstanding=f"{case.outstanding:,.2f}")]
    if not reason:
        errors["reason"] = [REASON_REQUIRED]
    if errors:
        raise ValidationError(errors)
    write_off = WriteOff.objects.create(case=case, amount=amount, reason=reason, requested_by=actor)
    audit_record(actor=actor, action=AuditAction.RECOVERY_WRITE_OFF_REQUEST, obj=write_off,
                 after={"case": case.pk, "amount": amount, "reason": reason})
    return write_off


@transaction.atomic
def recovery_write_off_decide(*, actor, write_off: WriteOff, approve: bool, note: str = "") -> WriteOff:
    """A second person (finance or administrator, not the one who asked) approves or rejects."""
    _finance_or_admin(actor)
    case = _case_locked(write_off.case)
    write_off = WriteOff.objects.select_for_update().get(pk=write_off.pk)
    if write_off.state != WriteOff.PENDING:
        raise ValidationError(WRITE_OFF_DECIDED, code="decided")
    if write_off.requested_by_id == actor.pk:
        raise PermissionDenied(WRITE_OFF_SAME_PERSON)
    _not_handler(actor, case.claim)
    note = (note or "").replace("\x00", "").strip()
    outstanding = case.outstanding
    if approve and write_off.amount > outstanding:
        raise ValidationError({"amount": [AMOUNT_TOO_MUCH.format(amount=f"{write_off.amount:,.2f}",
                                                                 outstanding=f"{outstanding:,.2f}")]})
    write_off.state = WriteOff.APPROVED if approve else WriteOff.REJECTED
    write_off.decided_by, write_off.decided_at, write_off.decision_note = actor, timezone.now(), note
    write_off.save()
    audit_record(actor=actor,
                 action=AuditAction.RECOVERY_WRITE_OFF_APPROVE if approve else AuditAction.RECOVERY_WRITE_OFF_REJECT,
                 obj=write_off, before={"case": case.pk, "outstanding": outstanding},
                 after={"case": case.pk, "amount": write_off.amount, "state": write_off.state, "note": note,
                        "outstanding": outstanding - write_off.amount if approve else outstanding})
    if approve:  # the money stays spent: the budgets the award counted against carry it again
        award_written_off(actor=actor, claim=case.claim, amount=write_off.amount, source=f"write_off:{write_off.pk}",
                          reason=WRITTEN_OFF_CHARGE.format(case=case.pk, amount=f"{write_off.amount:,.2f}", reason=write_off.reason))
        _settle_if_done(case)
    return write_off


def award_written_off(*, actor, claim, amount: Decimal, reason: str, source: str):
    """What a recovery took back of a claim's award and will never come back (核销): the ledger's
    entries stay as they are (the award stays taken back: its caps, key and index remain free),
    but the money was spent, so the budgets the grant counts against carry `amount` again
    (budgets.services.budget_charge, audited). Inside the write-off's transaction."""
    grant = AwardEntry.objects.filter(claim=claim, kind=AwardEntry.GRANT).first()
    if grant is None:
        raise ValidationError(AWARD_NOTHING_TO_REVOKE, code="nothing_to_revoke")
    return budget_charge(actor=actor, grant=grant, round_id=claim.round_id, amount=amount, reason=reason, source=source)
