"""Orphan uploads (a file on disk that no row names) are swept once past the grace period; files
that rows name, and young orphans whose row may still be on its way, are kept."""

from __future__ import annotations

import datetime as dt
import os
import time

from ipfund.web.claims.models import Evidence
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.jobs.models import Job
from ipfund.web.upload_sweep import uploads_sweep


def test_orphans_past_the_grace_period_are_removed(enterprise, open_round, staff, settings):
    claim = flow.submitted_from_sample(enterprise, sample("custody_sme"))
    root = settings.MEDIA_ROOT
    kept = [root / e.file.name for e in Evidence.objects.filter(claim=claim)]
    export = root / "exports" / "queue.xlsx"  # a finished job's file: a path column, not a FileField
    export.parent.mkdir(parents=True)
    export.write_bytes(b"PK")
    Job.objects.create(kind="queue_export", requested_by=staff.reviewer, state=Job.DONE, file="exports/queue.xlsx")
    kept.append(export)
    old_orphan, young_orphan = root / "evidence" / "2026" / "01" / "dead.pdf", root / "evidence" / "young.pdf"
    for path in (old_orphan, young_orphan):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.4 orphan")
    two_days_ago = time.time() - 2 * 86400
    for path in [old_orphan, *kept]:
        os.utime(path, (two_days_ago, two_days_ago))

    planned = uploads_sweep(dry_run=True)
    assert planned.removed == ("evidence/2026/01/dead.pdf",) and old_orphan.exists()

    result = uploads_sweep(grace=dt.timedelta(hours=24))
    assert result.removed == ("evidence/2026/01/dead.pdf",)
    assert result.kept == len(kept) and result.young == 1
    assert not old_orphan.exists() and young_orphan.exists() and all(p.exists() for p in kept)
