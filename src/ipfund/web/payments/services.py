"""Payments for finance (财务): the payee's account (one reader, every reveal audited), payment_record,
payment_batch_record (one bank reference, a result per claim), payment_fail, and the second-person
confirmation of an account changed while an award waits for payment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ipfund.web.accounts import roles
from ipfund.web.accounts.models import ApplicantProfile
from ipfund.web.accounts.selectors import users_with_role
from ipfund.web.audit.services import audit_record
from ipfund.web.claims import duties
from ipfund.web.audit.actions import AuditAction
from ipfund.web.claims.models import Claim
from ipfund.web.claims.services import claim_lock, claim_transition
from ipfund.web.claims.workflow import Action, State
from ipfund.web.ledger.selectors import award_net
from ipfund.web.masking import mask_bank_account
from ipfund.web.notifications.services import notification_send
from ipfund.web.pii.blind_index import account_key
from ipfund.web.accounts.pii import profile_protect

from .installments import after_payment, installment_to_pay
from .models import BankAccountChange, Installment, Payment, PaymentBatch, PaymentFailure
from .signals import payment_recording

REFERENCE_REQUIRED = "请填写拨付凭证号。"
REASON_REQUIRED = "请填写拨付失败原因。"
ALREADY_PAID = "该资助已拨付，不能重复拨付。"
DATE_IN_FUTURE = "拨付日期不能晚于今天。"
NOTHING_TO_PAY = "该申报在资助台账中没有可拨付的金额。"
NO_ACCOUNT = "申报单位尚未填写完整的开户银行和银行账号，不能拨付。"
ACCOUNT_CHANGE_PENDING = "申报单位的银行账户变更尚待复核确认，确认前不能拨付。"
ACCOUNT_FAILED_BEFORE = (
    "{date} 向该账户（{bank} 尾号 {last4}）拨付失败（{reason}）。"
    "须由申报单位变更银行账户并经复核确认后，才能再次拨付。"
)
ONLY_FINANCE = "只有财务人员可以查看完整的银行账户。"
NOTHING_SELECTED = "请至少选择一项待拨付资助。"
BATCH_HANDLED = "批量拨付不能包含您申报、初审、审定或退回过的申报（{refs}），请移出后重试，由其他财务人员另行办理。"
CHANGE_NOT_PENDING = "该账户变更已处理，不能再次处理。"
CHANGE_SAME_PERSON = "账户变更须由提出变更以外的另一名工作人员复核确认。"
CHANGE_WHO = "只有财务人员或管理员可以复核银行账户变更。"
CHANGE_REASON_REQUIRED = "请填写不通过的理由，申报单位将看到该理由。"
CHANGE_INCOMPLETE = "请完整填写开户银行、银行账号和账户户名。"
CHANGE_SUPERSEDED = "已被新的变更申请取代。"

NOTIFY_CHANGE_STAFF = "{name} 在资助审定后申请变更银行账户（新账号 {account}），请另一名工作人员复核确认；确认前暂停拨付。"
NOTIFY_CHANGE_CONFIRMED = "您的银行账户变更已复核确认，资助资金将拨付到尾号 {last4} 的账户。"
NOTIFY_CHANGE_REJECTED = "您的银行账户变更未通过复核：{reason}。资助资金仍拨付到原账户；如需变更请重新提交。"

# While an award waits for payment in these states, a new account needs a second person.
AWAITING_PAYMENT = (State.APPROVED, State.IN_NOTICE, State.FINAL, State.PAYMENT_FAILED, State.PARTLY_PAID)
BANK_FIELDS = ("bank_name", "bank_account", "bank_holder")
REVIEWERS_OF_CHANGES = (roles.FINANCE, roles.ADMIN)


@dataclass(frozen=True)
class PayeeAccount:
    bank_name: str
    bank_account: str
    bank_holder: str

    @property
    def masked_account(self) -> str:
        return mask_bank_account(self.bank_account)

    @property
    def complete(self) -> bool:
        return bool(self.bank_name.strip() and self.bank_account.strip() and self.bank_holder.strip())


def payee_account(profile: ApplicantProfile) -> PayeeAccount:
    """The account an applicant is paid to. The one place that reads the stored account number
    (decryption at rest plugs in here); people see it only through account_for_finance. An account
    whose holder (户名) was never given is held in the applicant's own name."""
    return PayeeAccount(profile.bank_name or "", profile.bank_account or "", profile.bank_holder or profile.name)


def proposed_account(change: BankAccountChange) -> PayeeAccount:
    """The account a pending change proposes (stored like the profile's; decryption plugs in here)."""
    return PayeeAccount(change.bank_name, change.bank_account, change.bank_holder)


def _reveal(*, actor, obj, account: PayeeAccount, purpose: str) -> PayeeAccount:
    if not roles.has_role(actor, roles.FINANCE):
        raise PermissionDenied(ONLY_FINANCE)
    audit_record(actor=actor, action=AuditAction.BANK_ACCOUNT_REVEAL, obj=obj, after={"purpose": purpose, "account": account.masked_account})
    return account


def account_for_finance(*, actor, applicant: ApplicantProfile, purpose: str) -> PayeeAccount:
    """The full account, bank and holder for finance only; every reveal is an audit event."""
    return _reveal(actor=actor, obj=applicant, account=payee_account(applicant), purpose=purpose)


def change_for_finance(*, actor, change: BankAccountChange, purpose: str) -> PayeeAccount:
    """A pending change's full account for the finance person confirming it; audited likewise."""
    return _reveal(actor=actor, obj=change, account=proposed_account(change), purpose=purpose)


def bank_change_pending(applicant: ApplicantProfile) -> BankAccountChange | None:
    return BankAccountChange.objects.filter(applicant=applicant, state=BankAccountChange.PENDING).first()


def _digits(account: str) -> str:
    return "".join((account or "").split())


def failed_account(applicant: ApplicantProfile, account: PayeeAccount | None = None) -> PaymentFailure | None:
    """The failed payment that bars paying ``applicant`` now, if any: a failure to the very account
    it would be paid to (any claim of the applicant), or — for a failure recorded before failures
    kept their account — one not followed by a confirmed change of account."""
    account = account or payee_account(applicant)
    failures = list(PaymentFailure.objects.filter(claim__applicant=applicant).order_by("-recorded_at", "-id"))
    if not failures:
        return None
    confirmed = list(
        BankAccountChange.objects.filter(applicant=applicant, state=BankAccountChange.CONFIRMED).values_list("decided_at", flat=True)
    )
    for failure in failures:
        if failure.bank_account:
            if _digits(failure.bank_account) == _digits(account.bank_account):
                return failure
        elif not any(at and at > failure.recorded_at for at in confirmed):
            return failure
    return None


def failed_account_message(failure: PaymentFailure) -> str:
    account = failure.bank_account or ""
    return ACCOUNT_FAILED_BEFORE.format(
        date=f"{failure.failed_on:%Y-%m-%d}", bank=failure.bank_name or "原", last4=account[-4:] or "—",
        reason=failure.reason.rstrip("。．."),
    )


def awaiting_payment(applicant: ApplicantProfile) -> bool:
    return Claim.objects.filter(applicant=applicant, state__in=AWAITING_PAYMENT).exists()


# --- payments ---------------------------------------------------------------------------------


def _check_payment_fields(paid_on: dt.date, reference: str) -> str:
    errors = {}
    if not (reference or "").strip():
        errors["reference"] = [REFERENCE_REQUIRED]
    if paid_on > timezone.localdate():
        errors["paid_on"] = [DATE_IN_FUTURE]
    if errors:
        raise ValidationError(errors)
    return reference.strip()


@transaction.atomic
def payment_record(*, actor, claim: Claim, paid_on: dt.date, reference: str, batch: PaymentBatch | None = None) -> Payment:
    reference = _check_payment_fields(paid_on, reference)
    claim = claim_lock(claim)
    duties.check_may_pay(actor, claim)
    # An award paid in stages (分期拨付) is paid installment by installment, in order, each when due.
    staged = Installment.objects.filter(claim=claim).exists()
    installment = installment_to_pay(claim) if staged else None
    if installment is None and Payment.objects.filter(claim=claim).exists():
        raise ValidationError(ALREADY_PAID, code="already_paid")
    net = award_net(claim=claim)
    amount = installment.amount if installment is not None else net
    if net <= 0 or amount <= 0:
        raise ValidationError(NOTHING_TO_PAY, code="nothing_to_pay")
    paid_before = sum((p.amount for p in Payment.objects.filter(claim=claim)), Decimal("0.00"))
    if paid_before + amount > net:  # the payments never exceed the award's net
        raise ValidationError(NOTHING_TO_PAY, code="nothing_to_pay")
    # 按同一比例核减: allocation (built on payments) says why the claim waits for its cut, if it does.
    waits = [answer for _receiver, answer in payment_recording.send(sender=Payment, claim=claim) if answer]
    if waits:
        raise ValidationError(waits[0], code="allocation_pending")
    profile = ApplicantProfile.objects.select_for_update().get(pk=claim.applicant_id)
    if bank_change_pending(profile) is not None:
        raise ValidationError(ACCOUNT_CHANGE_PENDING, code="account_change_pending")
    account = payee_account(profile)
    if not (account.bank_name.strip() and account.bank_account.strip()):
        raise ValidationError(NO_ACCOUNT, code="no_account")
    failure = failed_account(profile, account)
    if failure is not None:
        raise ValidationError(failed_account_message(failure), code="account_failed_before")
    action, note = after_payment(claim, installment) if installment is not None else (Action.PAY, "")
    claim_transition(actor=actor, claim=claim, action=action, note=note)
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                claim=claim, amount=amount, paid_on=paid_on, reference=reference, recorded_by=actor, batch=batch,
                bank_name=account.bank_name, bank_account=account.bank_account,
                bank_holder=account.bank_holder, installment=installment,
            )
            if installment is not None:
                installment.state = Installment.PAID
                installment.save(update_fields=["state"])
    except IntegrityError:
        raise ValidationError(ALREADY_PAID, code="already_paid") from None
    audit_record(
        actor=actor, action=AuditAction.PAYMENT_RECORD, obj=payment,
        after={"claim": claim.pk, "amount": amount, "paid_on": paid_on, "reference": payment.reference,
               "batch": batch.pk if batch else None, "account": account.masked_account, "bank_name": account.bank_name,
               **({"installment": installment.number} if installment is not None else {})},
    )
    return payment


@dataclass(frozen=True)
class BatchLine:
    claim_id: int
    paid: bool
    message: str
    payment: Payment | None = None
    number: str = "—"  # the claim's reference, as the result table shows it


@dataclass
class BatchResult:
    batch: PaymentBatch | None
    lines: list[BatchLine] = field(default_factory=list)

    @property
    def paid(self) -> list[BatchLine]:
        return [line for line in self.lines if line.paid]

    @property
    def refused(self) -> list[BatchLine]:
        return [line for line in self.lines if not line.paid]


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(m for errors in exc.error_dict.values() for e in errors for m in e.messages)
    return "；".join(exc.messages)


@transaction.atomic
def payment_batch_record(*, actor, claim_ids, paid_on: dt.date, reference: str) -> BatchResult:
    """Record one bank batch: each listed claim paid under ``reference``, or refused with its reason.

    A refused claim does not stop the others; a batch in which nothing could be paid is not kept."""
    if not roles.has_role(actor, roles.FINANCE):
        raise PermissionDenied(ONLY_FINANCE)
    reference = _check_payment_fields(paid_on, reference)
    ids = list(dict.fromkeys(int(i) for i in claim_ids))
    if not ids:
        raise ValidationError({"claims": [NOTHING_SELECTED]})
    claims = {c.pk: c for c in Claim.objects.filter(pk__in=ids).select_related("applicant")}
    # Separation of duties refuses the whole batch, not one line: a batch that lists a claim its
    # recorder handled must not be recorded at all (the bank file leaves such claims out too).
    barred = [c for c in claims.values() if not duties.may_pay(actor, c)]
    if barred:
        raise PermissionDenied(BATCH_HANDLED.format(refs="、".join(c.number for c in barred)))
    batch = PaymentBatch.objects.create(reference=reference, paid_on=paid_on, recorded_by=actor)
    result = BatchResult(batch)
    for claim_id in ids:
        claim = claims.get(claim_id)
        if claim is None:
            result.lines.append(BatchLine(claim_id, False, "未找到该申报。"))
            continue
        try:
            with transaction.atomic():
                payment = payment_record(actor=actor, claim=claim, paid_on=paid_on, reference=reference, batch=batch)
        except ValidationError as exc:
            result.lines.append(BatchLine(claim_id, False, _messages(exc), number=claim.number))
        except PermissionDenied as exc:
            result.lines.append(BatchLine(claim_id, False, str(exc), number=claim.number))
        else:
            result.lines.append(BatchLine(claim_id, True, "已拨付", payment, number=claim.number))
    if not result.paid:
        batch.delete()  # created in this transaction and referenced by nothing
        result.batch = None
        return result
    audit_record(
        actor=actor, action=AuditAction.PAYMENT_BATCH_RECORD, obj=batch,
        after={"reference": reference, "paid_on": paid_on, "paid": [line.claim_id for line in result.paid],
               "refused": {str(line.claim_id): line.message for line in result.refused},
               "total": sum((line.payment.amount for line in result.paid), start=0)},  # type: ignore[misc,union-attr]  # (an Optional not checked here, as before (issue 23: typed later))
    )
    return result


@transaction.atomic
def payment_fail(*, actor, claim: Claim, reason: str, failed_on: dt.date | None = None) -> PaymentFailure:
    if not (reason or "").strip():
        raise ValidationError({"reason": [REASON_REQUIRED]})
    reason = reason.strip()
    claim = claim_lock(claim)
    duties.check_may_pay(actor, claim)
    # The notification adds its own full stop after the reason.
    claim_transition(actor=actor, claim=claim, action=Action.PAY_FAIL, note=reason.rstrip("。．."))
    account = payee_account(claim.applicant)  # the account the failed transfer went to
    failure = PaymentFailure.objects.create(
        claim=claim, reason=reason, failed_on=failed_on or timezone.localdate(), recorded_by=actor,
        bank_name=account.bank_name, bank_account=account.bank_account, bank_holder=account.bank_holder,
    )
    audit_record(actor=actor, action=AuditAction.PAYMENT_FAIL, obj=failure,
                 after={"claim": claim.pk, "reason": failure.reason, "account": account.masked_account, "bank_name": account.bank_name})
    return failure


# --- account changes while an award waits for payment ------------------------------------------


def _change_snapshot(change: BankAccountChange) -> dict:
    return {"applicant": change.applicant_id, "bank_name": change.bank_name, "bank_account": mask_bank_account(change.bank_account),
            "bank_account_key": account_key(change.bank_account), "bank_holder": change.bank_holder, "state": change.state}


def bank_account_hold(sender, *, actor, profile: ApplicantProfile, bank: dict, **kwargs) -> bool:
    """Receiver of accounts' bank_account_changing (connected in PaymentsConfig.ready): while an award
    waits for payment, the new account is held until a second person confirms it (True: held)."""
    if not awaiting_payment(profile):
        return False
    proposed = dataclasses.replace(payee_account(profile), **bank)
    bank_change_request(actor=actor, profile=profile, account=proposed)
    return True


def bank_change_request(*, actor, profile: ApplicantProfile, account: PayeeAccount) -> BankAccountChange:
    """Hold a new account for confirmation (inside the profile update's transaction) and tell staff."""
    if not account.complete:
        raise ValidationError({"bank_account": [CHANGE_INCOMPLETE]})
    for old in BankAccountChange.objects.select_for_update().filter(applicant=profile, state=BankAccountChange.PENDING):
        old.state, old.decided_at, old.decision_note = BankAccountChange.REJECTED, timezone.now(), CHANGE_SUPERSEDED
        old.save(update_fields=["state", "decided_at", "decision_note"])
        audit_record(actor=actor, action=AuditAction.BANK_CHANGE_SUPERSEDED, obj=old, after=_change_snapshot(old))
    change = BankAccountChange.objects.create(
        applicant=profile, bank_name=account.bank_name.strip(), bank_account=account.bank_account.strip(),
        bank_holder=account.bank_holder.strip(), requested_by=actor,
    )
    audit_record(actor=actor, action=AuditAction.BANK_CHANGE_REQUEST, obj=change, after=_change_snapshot(change))
    staff = {u.pk: u for role in REVIEWERS_OF_CHANGES for u in users_with_role(role)}
    for user in staff.values():
        if user.pk != actor.pk:
            notification_send(user=user, message=NOTIFY_CHANGE_STAFF.format(name=profile.name, account=account.masked_account))
    return change


def _decidable(actor, change: BankAccountChange) -> BankAccountChange:
    if not any(roles.has_role(actor, role) for role in REVIEWERS_OF_CHANGES):
        raise PermissionDenied(CHANGE_WHO)
    change = BankAccountChange.objects.select_for_update().select_related("applicant__user").get(pk=change.pk)
    if change.state != BankAccountChange.PENDING:
        raise ValidationError(CHANGE_NOT_PENDING, code="change_not_pending")
    if change.requested_by_id == actor.pk:
        raise PermissionDenied(CHANGE_SAME_PERSON)
    return change


@transaction.atomic
def bank_change_confirm(*, actor, change: BankAccountChange) -> BankAccountChange:
    """A second person confirms: the new account replaces the old one; payments use it from now on."""
    change = _decidable(actor, change)
    profile = ApplicantProfile.objects.select_for_update().get(pk=change.applicant_id)
    before = {"bank_name": profile.bank_name, "bank_account": mask_bank_account(profile.bank_account), "bank_holder": profile.bank_holder}
    profile.bank_name, profile.bank_account, profile.bank_holder = change.bank_name, change.bank_account, change.bank_holder
    profile_protect(profile)  # the account's blind index follows it (the shared-account flag reads it)
    profile.save(update_fields=[*BANK_FIELDS, "bank_account_index"])
    change.state, change.decided_by, change.decided_at = BankAccountChange.CONFIRMED, actor, timezone.now()
    change.save(update_fields=["state", "decided_by", "decided_at"])
    audit_record(actor=actor, action=AuditAction.BANK_CHANGE_CONFIRM, obj=change, before=before, after=_change_snapshot(change))
    notification_send(user=change.applicant.user, message=NOTIFY_CHANGE_CONFIRMED.format(last4=change.bank_account[-4:]))
    return change


@transaction.atomic
def bank_change_reject(*, actor, change: BankAccountChange, reason: str) -> BankAccountChange:
    if not (reason or "").strip():
        raise ValidationError({"reason": [CHANGE_REASON_REQUIRED]})
    change = _decidable(actor, change)
    change.state, change.decided_by, change.decided_at = BankAccountChange.REJECTED, actor, timezone.now()
    change.decision_note = reason.strip()
    change.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit_record(actor=actor, action=AuditAction.BANK_CHANGE_REJECT, obj=change, after={**_change_snapshot(change), "reason": change.decision_note})
    notification_send(user=change.applicant.user, message=NOTIFY_CHANGE_REJECTED.format(reason=change.decision_note.rstrip("。")))
    return change
