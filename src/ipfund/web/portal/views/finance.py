"""Finance's pages (财务): the list to pay with batch payment, one award's payment, failed payments by
reason, and the second-person review of accounts changed while an award waits for payment."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ipfund.web.accounts import roles
from ipfund.web.claims import duties
from ipfund.web.claims.models import Claim
from ipfund.web.claims.selectors import claim_get_for
from ipfund.web.claims.workflow import State
from ipfund.web.exports.bank_formats import bank_templates
from ipfund.web.ledger.selectors import award_net
from ipfund.web.payments import selectors
from ipfund.web.payments.models import BankAccountChange
from ipfund.web.payments.services import (
    account_for_finance,
    bank_change_confirm,
    bank_change_pending,
    bank_change_reject,
    change_for_finance,
    payee_account,
    payment_batch_record,
    payment_fail,
    payment_record,
)
from ipfund.web.portal.finance_forms import BankChangeRejectForm, BatchPaymentForm
from ipfund.web.common.forms import PaymentFailForm, PaymentForm
from ipfund.web.portal.views.installments import installments_context
from ipfund.web.common.views import flash_errors, role_required, run_service, show_service_error

PAID = _("已记录拨付。")
PAY_FAILED = _("已记录拨付失败，待重新拨付。")
CHANGE_CONFIRMED = _("账户变更已确认，此后按新账户拨付。")
CHANGE_REJECTED = _("账户变更未通过，已通知申报单位。")
REVEAL_FOR_PAYMENT = "办理拨付"
REVEAL_FOR_CHANGE = "复核账户变更"


def _queue_page(request, form, result=None):
    rows = selectors.to_pay(user=request.user)
    return render(
        request,
        "portal/staff/finance.html",
        {
            "rows": rows,
            "failed_groups": selectors.failed_by_reason(rows),
            "pending_changes": list(selectors.account_changes(pending_only=True)),
            "batches": list(selectors.recent_batches()),
            "form": form,
            "result": result,
            "today": timezone.localdate(),
            "bank_templates": list(bank_templates().values()),
        },
    )


@role_required(roles.FINANCE)
def finance_queue(request):
    return _queue_page(request, BatchPaymentForm(initial={"paid_on": timezone.localdate()}))


@role_required(roles.FINANCE)
@require_POST
def finance_batch(request):
    """Record one bank batch for the ticked awards; the page then shows each claim's result."""
    ids = [c.pk for c in Claim.objects.filter(state__in=[State.FINAL, State.PAYMENT_FAILED, State.PARTLY_PAID])]
    form = BatchPaymentForm(request.POST, claim_ids=ids)
    result = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = payment_batch_record(actor=request.user, claim_ids=data["claims"], paid_on=data["paid_on"], reference=data["reference"])
        except ValidationError as exc:
            flash_errors(request, show_service_error(exc, [form]))
        except PermissionDenied as exc:
            flash_errors(request, [str(exc)])
        else:
            if result.paid:
                messages.success(request, _("已按凭证号 %(ref)s 拨付 %(n)d 项。") % {"ref": data["reference"].strip(), "n": len(result.paid)})
            if result.refused:
                messages.error(request, _("%(n)d 项未能拨付，原因见下表。") % {"n": len(result.refused)})
            form = BatchPaymentForm(initial={"paid_on": data["paid_on"]})
    return _queue_page(request, form, result)


@role_required(roles.FINANCE)
def finance_claim(request, pk):
    try:
        claim = claim_get_for(request.user, pk)
    except Claim.DoesNotExist:
        raise Http404 from None
    pay_form = PaymentForm(initial={"paid_on": timezone.localdate()})
    fail_form = PaymentFailForm()
    if request.method == "POST":
        if request.POST.get("action") == "fail":
            fail_form = PaymentFailForm(request.POST)
            if fail_form.is_valid() and run_service(
                request, lambda: payment_fail(actor=request.user, claim=claim, reason=fail_form.cleaned_data["reason"]),
                form=fail_form, success=PAY_FAILED,
            ):
                return redirect("portal:finance_queue")
        else:
            pay_form = PaymentForm(request.POST)
            if pay_form.is_valid() and run_service(
                request,
                lambda: payment_record(
                    actor=request.user, claim=claim,
                    paid_on=pay_form.cleaned_data["paid_on"], reference=pay_form.cleaned_data["reference"],
                ),
                form=pay_form, success=PAID,
            ):
                return redirect("portal:finance_queue")
        claim.refresh_from_db()
    # Who applied for or handled the claim sees it but never pays it (nor sees the full account).
    barred = "" if duties.may_pay(request.user, claim) else duties.PAY_HANDLED.format(ref=claim.number)
    staged = installments_context(request, claim)
    waiting = next((i for i in staged["installments"] if i.state in (i.DUE, i.WAITING)), None)
    held = waiting is not None and waiting.state == waiting.WAITING  # the next installment waits for its condition
    can_pay = claim.state in (State.FINAL, State.PAYMENT_FAILED, State.PARTLY_PAID) and not barred and not held
    payment = claim.payment if claim.state == State.PAID and not staged["installments"] else None
    return render(
        request,
        "portal/staff/finance_claim.html",
        {
            "claim": claim,
            "net": award_net(claim=claim),
            "failures": list(claim.payment_failures.all()),
            "payment": payment,
            # The account to transfer to, while there is something to pay: shown in full, audited.
            "account": account_for_finance(actor=request.user, applicant=claim.applicant, purpose=REVEAL_FOR_PAYMENT) if can_pay else None,
            "pending_change": bank_change_pending(claim.applicant),
            "pay_form": pay_form,
            "fail_form": fail_form,
            "can_pay": can_pay,
            "barred": barred,
            **staged,
            "show_reference": True,
            "next_installment": waiting,
        },
    )


@role_required(roles.FINANCE, roles.ADMIN)
def account_changes(request):
    return render(request, "portal/staff/account_changes.html", {"changes": list(selectors.account_changes())})


@role_required(roles.FINANCE, roles.ADMIN)
def account_change(request, pk):
    change = get_object_or_404(BankAccountChange.objects.select_related("applicant", "requested_by", "decided_by"), pk=pk)
    reject_form = BankChangeRejectForm()
    if request.method == "POST":
        if request.POST.get("action") == "reject":
            reject_form = BankChangeRejectForm(request.POST)
            done = reject_form.is_valid() and run_service(
                request, lambda: bank_change_reject(actor=request.user, change=change, reason=reject_form.cleaned_data["reason"]),
                form=reject_form, success=CHANGE_REJECTED,
            )
        else:
            done = run_service(request, lambda: bank_change_confirm(actor=request.user, change=change), form=reject_form, success=CHANGE_CONFIRMED)
        if done:
            return redirect("portal:account_changes")
        change.refresh_from_db()
    finance = roles.has_role(request.user, roles.FINANCE)
    pending = change.state == BankAccountChange.PENDING
    return render(
        request,
        "portal/staff/account_change.html",
        {
            "change": change,
            # Finance compares both accounts in full (each reveal audited); an administrator sees them masked.
            "proposed": change_for_finance(actor=request.user, change=change, purpose=REVEAL_FOR_CHANGE) if finance and pending else None,
            "current": account_for_finance(actor=request.user, applicant=change.applicant, purpose=REVEAL_FOR_CHANGE) if finance and pending else None,
            "current_masked": payee_account(change.applicant),
            "own_request": change.requested_by_id == request.user.pk,
            "reject_form": reject_form,
        },
    )
