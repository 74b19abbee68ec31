"""Back-office pages: reviewer (初审) queue and claim page, approver (审定), finance (财务), audit history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ipfund.web.accounts import roles
from ipfund.web.accounts.selectors import applicants_sharing_account
from ipfund.web.audit.selectors import audit_history
from ipfund.web.claims import duties
from ipfund.web.claims.models import Claim
from ipfund.web.claims.selectors import claim_get_for, claim_timeline, claims_to_pay, review_queue
from ipfund.web.claims.services import claim_estimate
from ipfund.web.claims.workflow import Action, IllegalTransition, State, actions_from
from ipfund.web.ledger.selectors import award_net, awards_of_applicant
from ipfund.web.notices.models import Objection
from ipfund.web.payments.models import Payment
from ipfund.web.payments.services import payment_fail, payment_record
from ipfund.web.portal import labels, timeline
from ipfund.web.portal.facts import display_facts, facts_form
from ipfund.web.portal.forms import (
    PaymentFailForm,
    PaymentForm,
    RecommendForm,
    RejectForm,
    ReturnForm,
    SendBackForm,
)
from ipfund.web.portal.ledger_view import caps_used
from ipfund.web.portal.policy import current_policy
from ipfund.web.portal.views.common import error_messages, flash_errors, role_required, show_service_error
from ipfund.web.review.services import (
    approval_approve,
    approval_send_back,
    review_recommend,
    review_reject,
    review_return,
)
from ipfund.web.rounds.models import ApplicationRound

RETURNED = _("已退回申请人补正。")
REJECTED = _("已作不予资助处理。")
RECOMMENDED = _("已初审推荐，等待审定。")
APPROVED = _("已审定通过，资助已记入台账。")
SENT_BACK = _("已退回初审。")
PAID = _("已记录拨付。")
PAY_FAILED = _("已记录拨付失败，待重新拨付。")

STAFF = (roles.REVIEWER, roles.APPROVER, roles.FINANCE, roles.ADMIN)


def _claim_or_404(request, pk) -> Claim:
    try:
        return claim_get_for(request.user, pk)
    except Claim.DoesNotExist:
        raise Http404 from None


def _errors(exc) -> list[str]:
    return error_messages(exc) if isinstance(exc, ValidationError) else [str(exc)]


@login_required
def claim_link(request, pk):
    """Where a notification about a claim leads: the applicant's page, or the staff page."""
    if roles.is_staff_member(request.user):
        return redirect("portal:staff_claim", pk=pk)
    return redirect("portal:claim_detail", pk=pk)


def _queue(request, *, state_default: str, template: str, title):
    policy = current_policy()
    round_id = request.GET.get("round") or ""
    item = request.GET.get("item") or ""
    if item not in policy.items:  # only the policy's own item codes filter (a NUL byte broke PostgreSQL)
        item = ""
    state = request.GET.get("state") or state_default
    if state not in State.values:
        state = state_default
    rnd = ApplicationRound.objects.filter(pk=round_id).first() if round_id.isdigit() else None
    claims = review_queue(user=request.user, round=rnd, item=item or None, state=state).select_related("applicant")
    return render(
        request,
        template,
        {
            "title": title,
            "claims": claims,
            "rounds": ApplicationRound.objects.filter(policy=policy.id),
            "items": policy.items.values(),
            "states": [(s, labels.status_label(s)) for s in State.values if s != State.DRAFT],
            "selected": {"round": round_id, "item": item, "state": state},
        },
    )


@role_required(roles.REVIEWER)
def review_queue_view(request):
    return _queue(request, state_default=State.SUBMITTED, template="portal/staff/queue.html", title=_("初审队列"))


@role_required(roles.APPROVER)
def approval_queue_view(request):
    return _queue(request, state_default=State.RECOMMENDED, template="portal/staff/queue.html", title=_("审定队列"))


def _claim_page(request, claim, forms=None, confirm_form=None, status=200):
    spec = current_policy().items[claim.item]
    possible = actions_from(claim.state)
    user = request.user
    estimate = claim_estimate(actor=user, claim=claim)
    earlier = [entry for entry in awards_of_applicant(applicant=claim.applicant) if entry.claim_id != claim.pk]
    forms = forms or {}
    own_claim = duties.is_own_claim(user, claim)
    context = {
        "claim": claim,
        "spec": spec,
        "clause": current_policy().clause(spec.clause),
        "facts": display_facts(spec, claim.facts),
        "evidence": list(claim.evidence.all()),
        "estimate": estimate,
        "earlier_awards": earlier,
        "caps": caps_used(claim),
        "net_award": award_net(claim=claim),
        "events": timeline.staff_timeline(claim_timeline(claim)),
        "is_reviewer": roles.has_role(user, roles.REVIEWER),
        "is_approver": roles.has_role(user, roles.APPROVER),
        "own_claim": own_claim,
        "shared_account": applicants_sharing_account(claim.applicant),
        "can_review": not own_claim and roles.has_role(user, roles.REVIEWER) and Action.RECOMMEND in possible,
        "can_approve": not own_claim and roles.has_role(user, roles.APPROVER) and Action.APPROVE in possible,
        "own_review": user.pk in duties.recommenders_of(claim),
        "return_form": forms.get("return") or ReturnForm(),
        "reject_form": forms.get("reject") or RejectForm(),
        "recommend_form": forms.get("recommend") or RecommendForm(),
        "confirm_form": confirm_form or facts_form(spec, initial_facts=claim.facts),
        "send_back_form": forms.get("send_back") or SendBackForm(),
    }
    return render(request, "portal/staff/claim.html", context, status=status)


@role_required(*STAFF)
def staff_claim(request, pk):
    claim = _claim_or_404(request, pk)
    return _claim_page(request, claim)


@role_required(roles.REVIEWER, roles.APPROVER)
@require_POST
def claim_action(request, pk, action):
    """One reviewer or approver action on a claim; a refused action re-renders the page with its errors."""
    claim = _claim_or_404(request, pk)
    spec = current_policy().items[claim.item]
    user = request.user
    forms = {}
    confirm = None
    try:
        if action == "return":
            form = forms["return"] = ReturnForm(request.POST)
            if form.is_valid():
                review_return(actor=user, claim=claim, comment=form.cleaned_data["comment"])
                messages.success(request, RETURNED)
                return redirect("portal:review_queue")
        elif action == "reject":
            form = forms["reject"] = RejectForm(request.POST)
            if form.is_valid():
                review_reject(actor=user, claim=claim, reason=form.cleaned_data["reason"])
                messages.success(request, REJECTED)
                return redirect("portal:review_queue")
        elif action == "recommend":
            form = forms["recommend"] = RecommendForm(request.POST)
            confirm = facts_form(spec, data=request.POST)
            if form.is_valid() & confirm.is_valid():
                review_recommend(
                    actor=user,
                    claim=claim,
                    confirmed_facts=confirm.contract_facts(),
                    amount=form.cleaned_data.get("amount"),
                    reason=form.cleaned_data.get("reason", ""),
                )
                messages.success(request, RECOMMENDED)
                return redirect("portal:review_queue")
        elif action == "approve":
            form = None
            approval_approve(actor=user, claim=claim)
            messages.success(request, APPROVED)
            return redirect("portal:approval_queue")
        elif action == "send_back":
            form = forms["send_back"] = SendBackForm(request.POST)
            if form.is_valid():
                approval_send_back(actor=user, claim=claim, reason=form.cleaned_data["reason"])
                messages.success(request, SENT_BACK)
                return redirect("portal:approval_queue")
        else:
            raise Http404
    except ValidationError as exc:
        owners = [f for f in (form, confirm) if f is not None]
        flash_errors(request, show_service_error(exc, owners))
    except IllegalTransition as exc:
        flash_errors(request, _errors(exc))
    except PermissionDenied as exc:  # refused by the rules (role, separation of duties): said, and a 403
        flash_errors(request, _errors(exc))
        claim.refresh_from_db()
        return _claim_page(request, claim, forms=forms, confirm_form=confirm, status=403)
    claim.refresh_from_db()
    return _claim_page(request, claim, forms=forms, confirm_form=confirm)


@role_required(*STAFF)
def claim_audit(request, pk):
    """Every audit event of a claim and of what hangs on it (files, payments, objections), in chain order."""
    claim = _claim_or_404(request, pk)
    events = list(claim_timeline(claim))
    related = [
        *claim.evidence.all(),
        *claim.payment_failures.all(),
        *Payment.objects.filter(claim=claim),
        *Objection.objects.filter(entry__claim=claim),
    ]
    for obj in related:
        events.extend(audit_history(object_type=obj._meta.label_lower, object_id=obj.pk))
    events.sort(key=lambda e: e.seq)
    rows = [{"event": e, "changes": timeline.audit_changes(e)} for e in events]
    return render(
        request,
        "portal/staff/audit.html",
        {"claim": claim, "rows": rows, "labels": {**timeline.ACTION_LABELS, **timeline.FILE_ACTION_LABELS}},
    )


@role_required(roles.FINANCE)
def finance_queue(request):
    claims = claims_to_pay(user=request.user).select_related("applicant")
    rows = [{"claim": c, "net": award_net(claim=c), "failures": list(c.payment_failures.all())} for c in claims]
    return render(request, "portal/staff/finance.html", {"rows": rows, "today": timezone.localdate()})


@role_required(roles.FINANCE)
def finance_claim(request, pk):
    claim = _claim_or_404(request, pk)
    pay_form = PaymentForm(initial={"paid_on": timezone.localdate()})
    fail_form = PaymentFailForm()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "fail":
                fail_form = PaymentFailForm(request.POST)
                if fail_form.is_valid():
                    payment_fail(actor=request.user, claim=claim, reason=fail_form.cleaned_data["reason"])
                    messages.success(request, PAY_FAILED)
                    return redirect("portal:finance_queue")
            else:
                pay_form = PaymentForm(request.POST)
                if pay_form.is_valid():
                    payment_record(
                        actor=request.user,
                        claim=claim,
                        paid_on=pay_form.cleaned_data["paid_on"],
                        reference=pay_form.cleaned_data["reference"],
                    )
                    messages.success(request, PAID)
                    return redirect("portal:finance_queue")
        except ValidationError as exc:
            target = fail_form if request.POST.get("action") == "fail" else pay_form
            flash_errors(request, show_service_error(exc, [target]))
        except (IllegalTransition, PermissionDenied) as exc:
            flash_errors(request, _errors(exc))
        claim.refresh_from_db()
    return render(
        request,
        "portal/staff/finance_claim.html",
        {
            "claim": claim,
            "net": award_net(claim=claim),
            "failures": list(claim.payment_failures.all()),
            "payment": getattr(claim, "payment", None) if claim.state == State.PAID else None,
            "pay_form": pay_form,
            "fail_form": fail_form,
            "can_pay": claim.state in (State.FINAL, State.PAYMENT_FAILED),
        },
    )
