"""Applicant pages: what I can claim, my claims, the claim form, estimate, submit, withdraw, correct."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ipfund.web.accounts import roles
from ipfund.web.accounts.selectors import applicant_of
from ipfund.web.engine_door import known_policies, policy_by_id, policy_of, stored_decision
from ipfund.web.claims.models import Claim
from ipfund.web.claims.selectors import claim_get_for, claim_timeline, claims_visible_to
from ipfund.web.claims.services import (
    claim_draft_create,
    claim_draft_update,
    claim_estimate,
    claim_policy_for,
    claim_submit,
    claim_withdraw,
    evidence_missing,
)
from ipfund.web.claims.workflow import EDITABLE, Action, IllegalTransition, State, actions_from
from ipfund.web.payments.selectors import latest_failure
from ipfund.web.payments.services import bank_change_pending
from ipfund.web.portal.views.installments import installments_context
from ipfund.web.portal import timeline
from ipfund.web.portal.claim_files import files_attach, files_chosen, files_keep, form_data
from ipfund.web.common.facts import ADD_LINE, display_facts, facts_form, judged_nothing
from ipfund.web.common.forms import ClaimMetaForm, evidence_form
from ipfund.web.common.policy import items_open_to, policy_facts
from ipfund.web.common.views import error_messages, flash_errors, new_form_token, role_required, show_service_error
from ipfund.web.rounds.selectors import round_last_closed_for, round_next_for, round_open_for

DRAFT_SAVED = _("申报草稿已保存。请核对预计金额，确认无误后提交。")
RETURNED_SAVED = _("补正内容已保存，尚未重新提交。请核对后点击“重新提交”，初审人员才会收到。")
SUBMITTED = _("申报已提交，请等待初审。")
WITHDRAWN = _("申报已撤回。")
FILES_KEPT = _("已选择的文件已暂存在下方“已上传、待保存”中，无需重新选择；修改有误的内容后保存即可。")
NOT_FOR_YOUR_KIND = _("您的申报主体类型不能申报该项目。")


def _applicant_or_404(request):
    applicant = applicant_of(request.user)
    if applicant is None:
        raise Http404
    return applicant


def _own_claim(request, pk) -> Claim:
    try:
        return claim_get_for(request.user, pk)
    except Claim.DoesNotExist:
        raise Http404 from None


@role_required(roles.APPLICANT)
def eligible(request):
    """我可以申报什么: per installed policy (those in force first, an expired one shown as expired
    with its dates), the items open to the applicant's kind, with amounts, the policy sentence and
    the round that takes them."""
    applicant = _applicant_or_404(request)
    sections = []
    for policy in known_policies():
        items = [
            {
                "spec": item,
                "round": round_open_for(policy.id, item.id),
                "closed": round_last_closed_for(policy.id, item.id),
                "next": round_next_for(policy.id, item.id),
            }
            for item in items_open_to(applicant.kind, policy)
        ]
        if items:
            facts = policy_facts(policy)
            # An expired policy still takes late claims while one of its rounds is open.
            facts["open"] = any(row["round"] or row["next"] for row in items)
            sections.append({"policy": facts, "items": items})
    return render(request, "portal/applicant/eligible.html", {"applicant": applicant, "sections": sections})


@role_required(roles.APPLICANT)
def my_claims(request):
    applicant = _applicant_or_404(request)
    claims = claims_visible_to(request.user).order_by("-created_at", "-id")
    return render(request, "portal/applicant/my_claims.html", {"applicant": applicant, "claims": claims})


@role_required(roles.APPLICANT)
def claim_new(request, item, policy=None):
    applicant = _applicant_or_404(request)
    if policy is None:  # an item without its policy: the one whose open round takes it
        try:
            policy = claim_policy_for(item)
        except ValidationError as exc:
            flash_errors(request, error_messages(exc))
            return redirect("portal:eligible")
    package = policy_by_id(policy)
    spec = package.items.get(item) if package is not None else None
    if spec is None:
        raise Http404
    if spec not in items_open_to(applicant.kind, package):  # type: ignore[arg-type]  # (an Optional not checked here, as before (issue 23: typed later))
        messages.error(request, NOT_FOR_YOUR_KIND)
        return redirect("portal:eligible")
    data, token = form_data(request) if request.method == "POST" else (None, "")
    meta = ClaimMetaForm(data=data, initial={"idempotency_key": new_form_token()})
    facts = facts_form(spec, data=data)
    files = evidence_form(spec, data=data, files=request.FILES if data else None)
    staged = []
    if request.method == "POST":
        existing = claims_visible_to(request.user).filter(idempotency_key=token).first()
        if existing is not None:  # a double-clicked submit: the first click made the claim, show it
            return redirect("portal:claim_detail", pk=existing.pk)
        valid = meta.is_valid() & facts.is_valid() & files.is_valid()
        chosen = files_chosen(request, files, token)
        more_lines = bool(data.get(ADD_LINE))  # type: ignore[union-attr]  # (data is the POST here)
        if valid and not files.errors and not more_lines:
            try:
                with transaction.atomic():  # the draft and all its files, or nothing
                    claim = claim_draft_create(
                        actor=request.user,
                        item=spec.id,
                        policy=package.id,  # type: ignore[union-attr]  # (an Optional not checked here, as before (issue 23: typed later))
                        event_date=meta.cleaned_data["event_date"],
                        facts=facts.contract_facts(),
                        idempotency_key=token,
                    )
                    files_attach(actor=request.user, claim=claim, chosen=chosen)
            except ValidationError as exc:
                flash_errors(request, show_service_error(exc, [facts, meta], fallback_form=meta))
            else:
                messages.success(request, DRAFT_SAVED)
                return redirect("portal:claim_detail", pk=claim.pk)
        staged = files_keep(actor=request.user, chosen=chosen, files_form=files)
        if staged:
            messages.warning(request, FILES_KEPT)
        if more_lines:  # one more row asked for: the form again as typed, nothing judged
            judged_nothing(meta, facts, files)
    return render(
        request,
        "portal/applicant/claim_form.html",
        {
            "spec": spec, "meta": meta, "facts_form": facts, "files_form": files, "claim": None, "applicant": applicant,
            "staged": staged, "policy": policy_facts(package),  # type: ignore[arg-type]  # (an Optional not checked here, as before (issue 23: typed later))
        },
    )


def _render_edit(request, claim, spec, meta, facts, files, staged=()):
    meta = meta or ClaimMetaForm(initial={"event_date": claim.event_date, "idempotency_key": new_form_token()})
    facts = facts or facts_form(spec, initial_facts=claim.facts)
    return render(
        request,
        "portal/applicant/claim_form.html",
        {
            "spec": spec,
            "meta": meta,
            "facts_form": facts,
            "files_form": files,
            "claim": claim,
            "evidence": list(claim.evidence.all()),
            "staged": list(staged),
            "applicant": claim.applicant,
            "policy": policy_facts(policy_of(claim)),
        },
    )


@role_required(roles.APPLICANT)
def claim_edit(request, pk):
    claim = _own_claim(request, pk)
    spec = policy_of(claim).items[claim.item]
    if claim.state not in EDITABLE:
        return redirect("portal:claim_detail", pk=claim.pk)
    have = set(claim.evidence.values_list("requirement", flat=True))
    if request.method != "POST":
        return _render_edit(request, claim, spec, None, None, evidence_form(spec, have=have))
    data, token = form_data(request)
    meta = ClaimMetaForm(data=data)
    facts = facts_form(spec, data=data)
    files = evidence_form(spec, data=data, files=request.FILES, have=have)
    valid = meta.is_valid() & facts.is_valid() & files.is_valid()
    chosen = files_chosen(request, files, token)
    more_lines = bool(data.get(ADD_LINE))
    if valid and not files.errors and not more_lines:
        try:
            with transaction.atomic():  # the changes and all the files, or nothing (and no edit audited)
                claim_draft_update(
                    actor=request.user, claim=claim, event_date=meta.cleaned_data["event_date"],
                    facts=facts.contract_facts(),
                )
                files_attach(actor=request.user, claim=claim, chosen=chosen)
        except ValidationError as exc:
            flash_errors(request, show_service_error(exc, [facts, meta], fallback_form=meta))
        else:
            messages.success(request, RETURNED_SAVED if claim.state == State.RETURNED else DRAFT_SAVED)
            return redirect("portal:claim_detail", pk=claim.pk)
    staged = files_keep(actor=request.user, chosen=chosen, files_form=files)
    if staged:
        messages.warning(request, FILES_KEPT)
    if more_lines:  # one more row asked for: the form again as typed, nothing judged
        judged_nothing(meta, facts, files)
    return _render_edit(request, claim, spec, meta, facts, files, staged)


@role_required(roles.APPLICANT)
def claim_detail(request, pk):
    claim = _own_claim(request, pk)
    policy = policy_of(claim)
    spec = policy.items[claim.item]
    estimate = None
    if claim.state in EDITABLE:
        estimate = claim_estimate(actor=request.user, claim=claim)
    decision = stored_decision(claim.decision) if claim.state not in EDITABLE else None
    possible = actions_from(claim.state)
    return render(
        request,
        "portal/applicant/claim_detail.html",
        {
            "claim": claim,
            "spec": spec,
            "facts": display_facts(spec, claim.facts),
            "evidence": list(claim.evidence.all()),
            "missing": evidence_missing(claim) if claim.state in EDITABLE else [],
            "estimate": estimate,
            "decision": decision,
            "clause": policy.clause(spec.clause),
            "policy": policy_facts(policy),
            "events": timeline.applicant_timeline(claim_timeline(claim)),
            "coming": timeline.coming_steps(claim.state),
            "can_edit": claim.state in EDITABLE,
            "can_submit": Action.SUBMIT in possible,
            "can_withdraw": Action.WITHDRAW in possible,
            "open_round": round_open_for(claim.policy, claim.item) if claim.state == State.DRAFT else None,
            "payment": claim.payment if claim.state == State.PAID else None,
            "pro_rata": getattr(claim, "pro_rata_line", None),
            "payment_failure": latest_failure(claim) if claim.state == State.PAYMENT_FAILED else None,
            "pending_change": bank_change_pending(claim.applicant) if claim.state == State.PAYMENT_FAILED else None,
            **installments_context(request, claim),
        },
    )


@role_required(roles.APPLICANT)
@require_POST
def claim_submit_view(request, pk):
    claim = _own_claim(request, pk)
    try:
        claim_submit(actor=request.user, claim=claim)
    except (ValidationError, IllegalTransition, PermissionDenied) as exc:
        flash_errors(request, _messages_of(exc))
    else:
        messages.success(request, SUBMITTED)
    return redirect("portal:claim_detail", pk=claim.pk)


@role_required(roles.APPLICANT)
@require_POST
def claim_withdraw_view(request, pk):
    claim = _own_claim(request, pk)
    try:
        claim_withdraw(actor=request.user, claim=claim)
    except (ValidationError, IllegalTransition, PermissionDenied) as exc:
        flash_errors(request, _messages_of(exc))
    else:
        messages.success(request, WITHDRAWN)
    return redirect("portal:claim_detail", pk=claim.pk)


def _messages_of(exc) -> list[str]:
    if isinstance(exc, ValidationError):
        return error_messages(exc)
    return [str(exc)]
