"""Uploaded files, served only after the selectors say the user may see them."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.clickjacking import xframe_options_sameorigin

from ipfund.web.claims.models import Evidence
from ipfund.web.claims.selectors import evidence_get_for
from ipfund.web.notices.models import Objection
from ipfund.web.notices.selectors import objection_get_for


def _serve(file_field, content_type: str, download_name: str) -> FileResponse:
    """A download, never a page of ours: whatever a file is made to look like (a PDF that is
    also HTML, a PDF with a script), it opens outside the platform's origin, in the reader the
    person chose, with no script of ours and no cookie of ours in reach."""
    response = FileResponse(file_field.open("rb"), content_type=content_type, as_attachment=True, filename=download_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@login_required
@xframe_options_sameorigin  # reviewers see PDFs inline, in a frame of our own page
def evidence_file(request, pk):
    try:
        evidence = evidence_get_for(request.user, pk)
    except Evidence.DoesNotExist:
        raise Http404 from None
    return _serve(evidence.file, evidence.content_type, evidence.original_name)


@login_required
@xframe_options_sameorigin
def objection_file(request, pk):
    try:
        objection = objection_get_for(request.user, pk)
    except Objection.DoesNotExist:
        raise Http404 from None
    if not objection.evidence:
        raise Http404
    return _serve(objection.evidence, objection.evidence_content_type, f"objection-{objection.pk}")
