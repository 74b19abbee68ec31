"""Back-office pages: reviewer (初审) queue and claim page, approver (审定), audit history (finance: finance.py)."""

from urllib.parse import urlencode

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
from ipfund.web.budgets.selectors import budget_warnings
from ipfund.web.claims import duties
from ipfund.web.claims.models import Claim, Evidence
from ipfund.web.claims.selectors import (
    QUEUE_SORTS,
    claim_get_for,
    claim_timeline,
    queue_tallies,
    review_queue,
)
from ipfund.web.claims.counting import CappedPaginator
from ipfund.web.claims.services import claim_estimate
from ipfund.web.claims.workflow import Action, IllegalTransition, State, actions_from
from ipfund.web.ledger.selectors import award_net, awards_of_applicant
from ipfund.web.notices.models import Objection
from ipfund.web.payments.models import Payment
from ipfund.web.portal.views.installments import installments_context
from ipfund.web.common import labels
from ipfund.web.portal import timeline
from ipfund.web.common.facts import ADD_LINE, display_facts, facts_form, judged_nothing
from ipfund.web.common.forms import (
    RecommendForm,
    RejectForm,
    ReturnForm,
    SendBackForm,
)
from ipfund.web.portal.ledger_view import caps_used
from ipfund.web.common.policy import policy_facts
from ipfund.web.engine_door import facts_to_confirm, known_policies, policy_of, stored_decision
from ipfund.web.common.views import FORBIDDEN, error_messages, flash_errors, role_required, show_service_error
from ipfund.web.review.services import (
    BATCH_ACTIONS,
    approval_approve,
    approval_send_back,
    review_batch,
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


QUEUE_PAGE_SIZE = 50
# The columns a queue sorts by, with their headings (the selector knows the orders).
SORT_HEADINGS = [
    ("reference", _("受理编号")),
    ("applicant", _("申报主体")),
    ("item", _("项目")),
    ("submitted", _("提交时间")),
    ("engine_amount", _("政策计算金额")),
    ("recommended_amount", _("推荐金额")),
]


def _queue(request, *, state_default: str, template: str, title, batch_action: str | None, export_kind: str, results=None):
    policies = known_policies()
    round_id = request.GET.get("round") or ""
    item = request.GET.get("item") or ""
    search = (request.GET.get("q") or "")[:100]
    sort = request.GET.get("sort") or "submitted"
    if sort.removeprefix("-") not in QUEUE_SORTS:
        sort = "submitted"
    state = request.GET.get("state") or state_default
    if state not in State.values:
        state = state_default
    # An item is chosen under its policy ("policy:item"): item ids repeat across policies.
    item_groups = [(p, [(f"{p.id}:{i.id}", i) for i in p.items.values()]) for p in policies]
    # A bare item id (an older link, an export's filter) filters that item under every policy.
    if item not in {v for _p, rows in item_groups for value, i in rows for v in (value, i.id)}:
        item = ""
    rnd = ApplicationRound.objects.filter(pk=round_id).first() if round_id.isdigit() else None
    claims = review_queue(user=request.user, round=rnd, item=item or None, state=state, search=search, sort=sort)
    counts, total = queue_tallies(user=request.user, state=state, round=rnd, item=item or None, search=search)
    page = CappedPaginator(claims.select_related("applicant", "round"), QUEUE_PAGE_SIZE, tally=total).get_page(request.GET.get("page"))
    keep = {"round": round_id, "item": item, "state": state, "q": search}
    return render(
        request,
        template,
        {
            "title": title,
            "claims": page.object_list,
            "page": page,
            "rounds": ApplicationRound.objects.order_by("-opens_at", "-id"),
            "item_groups": item_groups,
            "kind_labels": dict(labels.kind_choices()),  # read once, not once a row
            "states": [(s, labels.status_label(s), counts[s].shown) for s in State.values if s != State.DRAFT],
            "selected": {**keep, "sort": sort},
            "query": urlencode({k: v for k, v in keep.items() if v}),
            "query_sorted": urlencode({k: v for k, v in {**keep, "sort": sort}.items() if v}),
            "headings": [(key, label, _sort_link(key, sort)) for key, label in SORT_HEADINGS],
            "batch_action": batch_action if state == state_default else None,
            "batch_label": BATCH_ACTIONS.get(batch_action or ""),
            "results": results,
            "export_kind": export_kind,
            "budget_warnings": [w for p in policies
                                for w in budget_warnings(policy=p.id, on=timezone.localdate(), round_id=rnd.pk if rnd else None)]
            if roles.has_role(request.user, roles.APPROVER) else [],
        },
    )


def _sort_link(key: str, current: str) -> dict:
    """The ?sort= value a column heading links to, and the arrow it shows now."""
    if current == key:
        return {"value": f"-{key}", "arrow": "↑"}
    if current == f"-{key}":
        return {"value": key, "arrow": "↓"}
    return {"value": key, "arrow": ""}


@role_required(roles.REVIEWER)
def review_queue_view(request):
    return _queue(
        request, state_default=State.SUBMITTED, template="portal/staff/queue.html", title=_("初审队列"), batch_action="recommend",
        export_kind="queue_review",
    )


@role_required(roles.APPROVER)
def approval_queue_view(request):
    return _queue(
        request, state_default=State.RECOMMENDED, template="portal/staff/queue.html", title=_("审定队列"), batch_action="approve",
        export_kind="queue_approval",
    )


@role_required(roles.REVIEWER, roles.APPROVER)
@require_POST
def queue_batch(request, action):
    """Batch recommend (reviewers) or approve (approvers): one result per claim, shown above the queue."""
    if action == "recommend" and roles.has_role(request.user, roles.REVIEWER):
        view = dict(state_default=State.SUBMITTED, title=_("初审队列"))
    elif action == "approve" and roles.has_role(request.user, roles.APPROVER):
        view = dict(state_default=State.RECOMMENDED, title=_("审定队列"))
    else:
        raise PermissionDenied(FORBIDDEN)
    ids = [pk for pk in request.POST.getlist("claims") if pk.isdigit()]
    try:
        results = review_batch(actor=request.user, action=action, claim_ids=ids)
    except ValidationError as exc:
        flash_errors(request, error_messages(exc))
        results = None
    return _queue(request, template="portal/staff/queue.html", batch_action=action, results=results, export_kind={"recommend": "queue_review", "approve": "queue_approval"}[action], **view)  # type: ignore[arg-type]  # (as written before types were checked (issue 23: typed later))


#: States in which a claim has been decided by the approver (its stored decision is the approval's).
DECIDED = frozenset({State.APPROVED, State.IN_NOTICE, State.FINAL, State.PAID, State.PAYMENT_FAILED, State.REVOKED,
                     State.PARTLY_PAID, State.CLOSED})


def _claim_page(request, claim, forms=None, confirm_form=None, status=200):
    policy = policy_of(claim)
    spec = policy.items[claim.item]
    possible = actions_from(claim.state)
    user = request.user
    # A decided claim shows the decision it was decided by (its award, its caps then), never a
    # recomputation against a ledger that has moved on; an undecided one the engine's look now.
    decided = stored_decision(claim.decision) if claim.state in DECIDED else None
    estimate = decided or claim_estimate(actor=user, claim=claim)
    earlier = [entry for entry in awards_of_applicant(applicant=claim.applicant) if entry.claim_id != claim.pk]
    forms = forms or {}
    own_claim = duties.is_own_claim(user, claim)
    context = {
        "claim": claim,
        "spec": spec,
        "clause": policy.clause(spec.clause),
        "policy": policy_facts(policy),
        "facts": display_facts(spec, claim.facts),
        "evidence": list(claim.evidence.all()),
        "estimate": estimate,
        "earlier_awards": earlier,
        "caps": caps_used(estimate),
        "net_award": award_net(claim=claim),
        "events": timeline.staff_timeline(claim_timeline(claim)),
        "coming": timeline.coming_steps(claim.state),
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
        # facts the package marks "reviewer confirms": a checkbox each, all ticked before recommending
        "to_confirm": _to_confirm(spec, claim.facts),
        "send_back_form": forms.get("send_back") or SendBackForm(),
        "budget_warnings": budget_warnings(policy=claim.policy, on=timezone.localdate(), round_id=claim.round_id)
        if Action.APPROVE in possible else [],
        **installments_context(request, claim, forms=True),
        "show_reference": True,
    }
    return render(request, "portal/staff/claim.html", context, status=status)


def _to_confirm(spec, facts: dict) -> list[tuple[str, str, str]]:
    """(name, label, value as shown) of each fact the reviewer must tick."""
    wanted = facts_to_confirm(spec, facts)
    shown = dict(display_facts(spec, {f.name: facts[f.name] for f in wanted}))
    return [(f.name, f.label, shown.get(f.label, "")) for f in wanted]


@role_required(*STAFF)
def staff_claim(request, pk):
    claim = _claim_or_404(request, pk)
    return _claim_page(request, claim)


@role_required(roles.REVIEWER, roles.APPROVER)
@require_POST
def claim_action(request, pk, action):
    """One reviewer or approver action on a claim; a refused action re-renders the page with its errors."""
    claim = _claim_or_404(request, pk)
    spec = policy_of(claim).items[claim.item]
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
            form = forms["reject"] = RejectForm(request.POST)  # type: ignore[assignment]  # (as written before types were checked (issue 23: typed later))
            if form.is_valid():
                review_reject(actor=user, claim=claim, reason=form.cleaned_data["reason"])
                messages.success(request, REJECTED)
                return redirect("portal:review_queue")
        elif action == "recommend":
            form = forms["recommend"] = RecommendForm(request.POST)  # type: ignore[assignment]  # (as written before types were checked (issue 23: typed later))
            confirm = facts_form(spec, data=request.POST)
            if request.POST.get(ADD_LINE):  # one more row of a lines fact: the page again, nothing recommended
                judged_nothing(form, confirm)
            elif form.is_valid() & confirm.is_valid():
                review_recommend(
                    actor=user,
                    claim=claim,
                    confirmed_facts=confirm.contract_facts(),
                    amount=form.cleaned_data.get("amount"),
                    reason=form.cleaned_data.get("reason", ""),
                    confirmations=request.POST.getlist("confirm_fact"),
                )
                messages.success(request, RECOMMENDED)
                return redirect("portal:review_queue")
        elif action == "approve":
            form = None
            approval_approve(actor=user, claim=claim)
            messages.success(request, APPROVED)
            return redirect("portal:approval_queue")
        elif action == "send_back":
            form = forms["send_back"] = SendBackForm(request.POST)  # type: ignore[assignment]  # (an Optional not checked here, as before (issue 23: typed later))
            if form.is_valid():  # type: ignore[union-attr]  # (an Optional not checked here, as before (issue 23: typed later))
                approval_send_back(actor=user, claim=claim, reason=form.cleaned_data["reason"])  # type: ignore[union-attr]  # (an Optional not checked here, as before (issue 23: typed later))
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
        *Evidence.with_removed.filter(claim=claim),  # removed and replaced files too
        *claim.payment_failures.all(),
        *Payment.objects.filter(claim=claim),
        *Objection.objects.filter(entry__claim=claim),
    ]
    for obj in related:
        events.extend(audit_history(object_type=obj._meta.label_lower, object_id=obj.pk))
    events.sort(key=lambda e: e.seq)
    rows = [
        {"event": e, "actor": timeline.actor_name(e), "changes": timeline.audit_changes(e, claim=claim)} for e in events
    ]
    return render(
        request,
        "portal/staff/audit.html",
        {"claim": claim, "rows": rows, "labels": {**timeline.ACTION_LABELS, **timeline.FILE_ACTION_LABELS}},
    )
