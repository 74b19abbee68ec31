"""Stages (分期拨付) for reviewers: the installments waiting for their condition (验收合格…), and
recording one's outcome with the evidence (a thin view over payments.installments)."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ipfund.web.accounts import roles
from ipfund.web.claims import duties
from ipfund.web.claims.models import Claim
from ipfund.web.claims.selectors import claim_get_for
from ipfund.web.payments.installments import OPEN_STATES, installment_outcome, installments_for, waiting_installments
from ipfund.web.payments.models import Installment
from ipfund.web.common.forms import InstallmentOutcomeForm
from ipfund.web.common.views import error_messages, flash_errors, role_required

MET = _("已确认第 %(n)d 期条件已满足（%(label)s），本期转为待拨付。")
FAILED = _("已确认第 %(n)d 期条件未满足（%(label)s），本期及以后各期已取消。")
NO_SUCH = _("该申报没有待确认条件的第 %(n)d 期。")


@role_required(roles.REVIEWER)
def installments_waiting(request):
    return render(request, "portal/staff/installments.html", {"rows": waiting_installments(user=request.user)})


@role_required(roles.REVIEWER)
@require_POST
def installment_outcome_view(request, pk, number):
    try:
        claim = claim_get_for(request.user, pk)
    except Claim.DoesNotExist:
        raise Http404 from None
    if duties.is_own_claim(request.user, claim):
        raise PermissionDenied(duties.OWN_CLAIM.format(id=claim.pk))
    installment = Installment.objects.filter(claim=claim, number=number).first()
    if installment is None:
        flash_errors(request, [str(NO_SUCH % {"n": number})])
        return redirect("portal:staff_claim", pk=claim.pk)
    form = InstallmentOutcomeForm(request.POST, request.FILES, number=number)
    if not form.is_valid():
        flash_errors(request, [f"{form.fields[name].label}：{e}" if name in form.fields else str(e)
                               for name, errors in form.errors.items() for e in errors])
        return redirect("portal:staff_claim", pk=claim.pk)
    met = form.cleaned_data["met"]
    label = installment.condition_label if met else installment.failed_label
    try:
        installment_outcome(actor=request.user, installment=installment, met=met, note=form.cleaned_data["note"],
                            upload=form.cleaned_data["evidence"])
    except ValidationError as exc:
        flash_errors(request, error_messages(exc))
    else:
        messages.success(request, (MET if met else FAILED) % {"n": number, "label": label})
    return redirect("portal:staff_claim", pk=claim.pk)


def installments_context(request, claim, *, forms: bool = False) -> dict:
    """The installments panel of a claim page (portal/includes/installments.html); `forms`: the
    outcome forms for a reviewer who may record a waiting installment's condition now."""
    rows = installments_for(claim)
    outcome_forms = {}
    if forms and rows and roles.has_role(request.user, roles.REVIEWER) and not duties.is_own_claim(request.user, claim) \
            and claim.state in OPEN_STATES:
        outcome_forms = {i.number: InstallmentOutcomeForm(number=i.number) for i in rows if i.state == Installment.WAITING}
    return {
        "installments": rows,
        "installments_total": sum((i.amount for i in rows), Decimal("0.00")),
        "installments_paid": sum((i.amount for i in rows if i.state == Installment.PAID), Decimal("0.00")),
        "installments_cancelled": sum((i.amount for i in rows if i.state == Installment.CANCELLED), Decimal("0.00")),
        "outcome_forms": outcome_forms,
    }
