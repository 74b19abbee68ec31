"""PDF documents: the public notice (anyone), a claim's receipt and decision letter (the applicant
and staff), finance's payment list."""

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from ipfund.web.accounts import roles
from ipfund.web.claims.models import Claim
from ipfund.web.claims.selectors import claim_get_for
from ipfund.web.documents.decision_letter import LETTER_STATES, decision_letter_filename, decision_letter_pdf
from ipfund.web.documents.notice import notice_filename, notice_pdf
from ipfund.web.documents.receipt import receipt_filename, receipt_pdf
from ipfund.web.documents.services import payment_list_issue
from ipfund.web.notices.selectors import notices_public
from ipfund.web.common.views import role_required


def _pdf(data: bytes, filename: str) -> FileResponse:
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type="application/pdf")


def _render(build, obj) -> bytes:
    buffer = io.BytesIO()
    build(obj, buffer)
    return buffer.getvalue()


def _claim(request, pk) -> Claim:
    try:
        return claim_get_for(request.user, pk)
    except Claim.DoesNotExist:
        raise Http404 from None


def notice_document(request, pk):
    notice = get_object_or_404(notices_public(), pk=pk)
    return _pdf(_render(notice_pdf, notice), notice_filename(notice))


@login_required
def receipt_document(request, pk):
    claim = _claim(request, pk)
    if not claim.reference or not claim.submitted_at:
        raise Http404
    return _pdf(_render(receipt_pdf, claim), receipt_filename(claim))


@login_required
def decision_letter_document(request, pk):
    claim = _claim(request, pk)
    if claim.state not in LETTER_STATES:
        raise Http404
    return _pdf(_render(decision_letter_pdf, claim), decision_letter_filename(claim))


@role_required(roles.FINANCE)
def payment_list_document(request):
    return _pdf(payment_list_issue(actor=request.user), "拨付清单.pdf")
