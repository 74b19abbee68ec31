"""An applicant removes or replaces one evidence file of a draft or returned claim, after confirming."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from ipfund.web.accounts import roles
from ipfund.web.claims.evidence_changes import EVIDENCE_LOCKED, evidence_remove, evidence_replace
from ipfund.web.claims.models import Claim, Evidence
from ipfund.web.claims.selectors import claim_get_for
from ipfund.web.claims.workflow import EDITABLE
from ipfund.web.common.forms import EvidenceReplaceForm
from ipfund.web.common.views import error_messages, flash_errors, role_required

REMOVED = _("证明材料“{name}”已删除。提交前请确认所需材料齐全。")
REPLACED = _("证明材料“{old}”已替换为“{new}”。")


@role_required(roles.APPLICANT)
def evidence_change(request, pk, evidence_pk):
    """GET: the confirmation (删除 / 替换); POST action=remove or action=replace with a file."""
    try:
        claim = claim_get_for(request.user, pk)
        evidence = claim.evidence.get(pk=evidence_pk)
    except (Claim.DoesNotExist, Evidence.DoesNotExist):
        raise Http404 from None
    if claim.applicant.user_id != request.user.pk:
        raise Http404
    if claim.state not in EDITABLE:
        messages.error(request, EVIDENCE_LOCKED)
        return redirect("portal:claim_detail", pk=claim.pk)
    form = EvidenceReplaceForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "remove":
                evidence_remove(actor=request.user, evidence=evidence)
                messages.success(request, str(REMOVED).format(name=evidence.original_name))
                return redirect("portal:claim_edit", pk=claim.pk)
            if action == "replace":
                form = EvidenceReplaceForm(files=request.FILES)
                if form.is_valid():
                    new = evidence_replace(actor=request.user, evidence=evidence, upload=form.cleaned_data["file"])
                    messages.success(request, str(REPLACED).format(old=evidence.original_name, new=new.original_name))
                    return redirect("portal:claim_edit", pk=claim.pk)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):  # the new file was refused: said beside its input
                form.add_error("file", error_messages(exc))
            else:
                flash_errors(request, error_messages(exc))
        except PermissionDenied as exc:
            flash_errors(request, [str(exc)])
    return render(request, "portal/applicant/evidence_change.html", {"claim": claim, "evidence": evidence, "form": form})
