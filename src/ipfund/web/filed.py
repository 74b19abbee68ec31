"""Files the bureau's registers keep (analysis reports, complaint evidence, alliance charters and
decisions): checked by content, stored under a random name, served after a permission check."""

from __future__ import annotations

import secrets

from django.http import FileResponse
from django.utils import timezone

from ipfund.web.uploads import EXTENSIONS, check_upload


def random_name(folder: str, content_type: str) -> str:
    """Where a file goes: the folder and month, a random name, the extension of its checked type."""
    return f"{folder}/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{EXTENSIONS[content_type]}"


def file_keep(obj, field: str, upload, *, form_field: str | None = None) -> None:
    """Check ``upload`` (PDF/JPEG/PNG by content, size) and attach it to ``obj.<field>`` without
    saving ``obj``; its content type goes to ``obj.<field>_content_type``. Errors name ``form_field``."""
    checked = check_upload(upload, field=form_field or field)
    setattr(obj, f"{field}_content_type", checked.content_type)
    getattr(obj, field).save("upload", upload, save=False)


def file_serve(file_field, content_type: str, download_name: str) -> FileResponse:
    response = FileResponse(file_field.open("rb"), content_type=content_type, as_attachment=False, filename=download_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
