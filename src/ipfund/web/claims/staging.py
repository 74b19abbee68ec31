"""Files chosen on a claim form whose save failed: browsers cannot fill a file input again, so each
checked file is kept here for the same person and the same form (its token), shown on the form as
already uploaded, and attached as evidence when the form is saved. Unsaved ones are swept."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from ipfund.web.uploads import check_upload

from .models import Claim, Evidence, StagedUpload
from .services import evidence_attach


def upload_stage(*, actor, token: str, requirement: str, upload) -> StagedUpload:
    """Keep one chosen file (checked by content, like any evidence) for the form ``token``."""
    checked = check_upload(upload)
    staged = StagedUpload(
        owner=actor,
        token=token,
        requirement=requirement,
        original_name=(getattr(upload, "name", "") or "upload")[-255:],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    staged.file.save("upload", upload, save=False)
    try:
        staged.save()
    except Exception:
        staged.file.delete(save=False)
        raise
    return staged


def staged_for(*, actor, token: str, ids) -> list[StagedUpload]:
    """The staged files of this person's form among ``ids`` (ids of anyone else's are ignored)."""
    wanted = [int(i) for i in ids if str(i).isdigit()]
    if not token or not wanted:
        return []
    return list(StagedUpload.objects.filter(owner=actor, token=token, pk__in=wanted))


def staged_attach(*, actor, claim: Claim, staged: StagedUpload) -> Evidence:
    """Attach a staged file as evidence (checked and audited by evidence_attach), then let it go."""
    with staged.file.open("rb") as handle:
        evidence = evidence_attach(
            actor=actor, claim=claim, requirement=staged.requirement, upload=File(handle, name=staged.original_name)
        )
    name = staged.file.name
    storage = staged.file.storage
    staged.delete()
    # The staged copy goes only when the evidence is committed: a rolled-back save keeps it.
    transaction.on_commit(lambda: storage.delete(name))
    return evidence


def staged_sweep(*, older_than: dt.timedelta | None = None, now=None) -> int:
    """Remove staged files older than IPFUND_STAGED_UPLOAD_HOURS (rows and files). Returns how many."""
    if older_than is None:
        older_than = dt.timedelta(hours=settings.IPFUND_STAGED_UPLOAD_HOURS)
    cutoff = (now or timezone.now()) - older_than
    removed = 0
    for staged in StagedUpload.objects.filter(created_at__lt=cutoff).iterator():
        staged.file.delete(save=False)
        staged.delete()
        removed += 1
    return removed
