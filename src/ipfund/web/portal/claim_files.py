"""The files of one post of the claim form: newly chosen ones (checked by content before anything is
saved) and those kept from an earlier post of the same form whose save failed (claims/staging.py).

A save either keeps everything (the claim and all its files) or changes nothing on the claim: when
any field or file is refused, the good files are staged and the form shows them as uploaded."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ipfund.web.claims.services import evidence_attach
from ipfund.web.claims.staging import staged_attach, staged_for, upload_stage
from ipfund.web.uploads import check_upload

from ipfund.web.common.views import error_messages, new_form_token

STAGED_FIELD = "staged"
ALREADY_STAGED = _("已上传（待保存），无需重新选择；也可再选择补充文件")


@dataclass
class ChosenFiles:
    token: str
    new: list = field(default_factory=list)  # (requirement, upload), each already checked
    staged: list = field(default_factory=list)  # StagedUpload of this person's form


def form_data(request):
    """The posted data with the form's token (made here when an old page posted none)."""
    data = request.POST.copy()
    if not data.get("idempotency_key"):
        data["idempotency_key"] = new_form_token()
    return data, data["idempotency_key"]


def files_chosen(request, files_form, token: str) -> ChosenFiles:
    """Call after ``files_form.is_valid()``: each refused file's reason goes beside its input."""
    chosen = ChosenFiles(token=token)
    cleaned = getattr(files_form, "cleaned_data", {})
    for name, requirement in files_form.requirements.items():
        upload = cleaned.get(name)
        if not upload:
            continue
        try:
            check_upload(upload)
        except ValidationError as exc:
            files_form.add_error(name, error_messages(exc))
        else:
            chosen.new.append((requirement, upload))
    requirements = set(files_form.requirements.values())
    chosen.staged = [
        s for s in staged_for(actor=request.user, token=token, ids=request.POST.getlist(STAGED_FIELD))
        if s.requirement in requirements
    ]
    return chosen


def files_attach(*, actor, claim, chosen: ChosenFiles) -> None:
    """Inside the save's transaction: every chosen and staged file becomes evidence of the claim."""
    for requirement, upload in chosen.new:
        evidence_attach(actor=actor, claim=claim, requirement=requirement, upload=upload)
    for staged in chosen.staged:
        staged_attach(actor=actor, claim=claim, staged=staged)


def files_keep(*, actor, chosen: ChosenFiles, files_form) -> list:
    """The save failed: the newly chosen files are staged, and their inputs no longer marked as
    still needed; returns every staged file to show."""
    for requirement, upload in chosen.new:
        chosen.staged.append(upload_stage(actor=actor, token=chosen.token, requirement=requirement, upload=upload))
    chosen.new = []
    have = {s.requirement for s in chosen.staged}
    for name, requirement in files_form.requirements.items():
        if requirement in have:
            files_form.fields[name].needed = False
            files_form.fields[name].help_text = files_form[name].help_text = ALREADY_STAGED
    return chosen.staged
