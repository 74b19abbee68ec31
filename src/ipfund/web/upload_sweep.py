"""Orphan uploads: files in the upload directory that no row names (a worker died between storing
the file and committing its row, or the row's transaction rolled back). They are removed once
older than a grace period, so a file whose row is still being written is never touched."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

DEFAULT_GRACE = dt.timedelta(hours=24)
# Text columns that hold a path relative to the upload directory (not a FileField).
PATH_COLUMNS = (("jobs", "Job", "file"),)


@dataclass(frozen=True)
class SweepResult:
    kept: int
    removed: tuple[str, ...]  # paths relative to the upload directory
    young: int  # orphans still inside the grace period


def referenced_files() -> set[str]:
    """Every file name held by a FileField of any model of the platform, or by a path column."""
    columns = [(model, field.name) for model in apps.get_models() for field in model._meta.get_fields()
               if isinstance(field, models.FileField)]
    for app_label, model_name, name in PATH_COLUMNS:
        if apps.is_installed(f"ipfund.web.{app_label}"):
            columns.append((apps.get_model(app_label, model_name), name))
    names: set[str] = set()
    for model, name in columns:
        names.update(n for n in model._base_manager.exclude(**{name: ""}).values_list(name, flat=True) if n)
    return names


def uploads_sweep(*, grace: dt.timedelta = DEFAULT_GRACE, dry_run: bool = False) -> SweepResult:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return SweepResult(0, (), 0)
    referenced = referenced_files()
    cutoff = time.time() - grace.total_seconds()
    kept, young, removed = 0, 0, []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        if name in referenced:
            kept += 1
        elif path.stat().st_mtime > cutoff:
            young += 1
        else:
            if not dry_run:
                path.unlink()
            removed.append(name)
    return SweepResult(kept, tuple(removed), young)
