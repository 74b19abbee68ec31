"""Request size limits, checked before a byte of the body is read.

Django streams a multipart upload to a temporary file and only then can a form see it is too
large: a 100 MB anonymous upload was read in full. This middleware refuses (413) any request
whose declared length is over the limit — ``IPFUND_MAX_ANONYMOUS_REQUEST_BYTES`` for someone not
signed in (one file and a form), ``IPFUND_MAX_REQUEST_BYTES`` otherwise — without reading it.
A body without a declared length is not read by Django at all. Each file is then held to
``IPFUND_MAX_UPLOAD_BYTES`` by the form (uploads.py), and other form data to
``DATA_UPLOAD_MAX_MEMORY_SIZE``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse

TOO_LARGE = "提交的内容过大（{size}），上限为 {limit}；单个文件不得超过 {file}。请压缩或拆分后再提交。"


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n} 字节"


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        signed_in = getattr(request, "user", None) is not None and request.user.is_authenticated
        token = request.META.get("HTTP_AUTHORIZATION", "").startswith("Bearer ")
        limit = settings.IPFUND_MAX_REQUEST_BYTES if (signed_in or token) else settings.IPFUND_MAX_ANONYMOUS_REQUEST_BYTES
        if length > limit:
            message = TOO_LARGE.format(size=_mb(length), limit=_mb(limit), file=_mb(settings.IPFUND_MAX_UPLOAD_BYTES))
            if request.path.startswith("/api/"):
                response = JsonResponse({"detail": message, "errors": {}}, status=413)
            else:
                response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
            response["Connection"] = "close"  # the unread body is not taken as the next request
            return response
        return self.get_response(request)
