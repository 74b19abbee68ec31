"""Checks on uploaded files: type by content (magic bytes), not by name; size limit; no active
content (a PDF that is also an HTML page, or carries a JavaScript or launch action); digest.
Whatever passes is still served as a download only (portal/views/files.py)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

UPLOAD_TYPE = "只接受 PDF、JPEG 或 PNG 文件（按文件内容识别，而非扩展名）。"
UPLOAD_TOO_LARGE = "文件过大：单个文件不得超过 {limit} MB。"
UPLOAD_EMPTY = "文件为空。"
UPLOAD_ACTIVE = "文件含有脚本或网页内容（如 JavaScript、HTML），不予接受；请上传普通的 PDF 或图片（可重新打印为 PDF 后上传）。"
# Markers of active content: PDF actions that run code or programs, and HTML that a browser
# sniffing the bytes would render (a polyglot). Checked across chunk boundaries.
ACTIVE_CONTENT = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFile|RichMedia)(?![A-Za-z])|<\s*(?:script|html|svg|iframe)\b",
                            re.IGNORECASE)
_OVERLAP = 32

# The first bytes of each accepted format.
MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    size: int
    sha256: str


def sniff(head: bytes) -> str | None:
    for magic, content_type in MAGIC:
        if head.startswith(magic):
            return content_type
    return None


def check_upload(upload, *, field: str = "file") -> CheckedUpload:
    """Refuse anything but a non-empty PDF/JPEG/PNG within the size limit; leaves the file at 0."""
    limit = settings.IPFUND_MAX_UPLOAD_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError({field: [UPLOAD_TOO_LARGE.format(limit=limit // (1024 * 1024))]})
    digest, total, head, tail = hashlib.sha256(), 0, b"", b""
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        if len(head) < 16:
            head += chunk[:16]
        if ACTIVE_CONTENT.search(tail + chunk):
            upload.seek(0)
            raise ValidationError({field: [UPLOAD_ACTIVE]})
        tail = chunk[-_OVERLAP:]
        digest.update(chunk)
        total += len(chunk)
        if total > limit:
            raise ValidationError({field: [UPLOAD_TOO_LARGE.format(limit=limit // (1024 * 1024))]})
    upload.seek(0)
    if total == 0:
        raise ValidationError({field: [UPLOAD_EMPTY]})
    content_type = sniff(head)
    if content_type is None:
        raise ValidationError({field: [UPLOAD_TYPE]})
    return CheckedUpload(content_type, total, digest.hexdigest())
