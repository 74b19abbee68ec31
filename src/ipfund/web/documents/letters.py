"""A batch of decision letters (资助决定书) of a round or a policy, one PDF each, in one ZIP."""

from __future__ import annotations

import io
import zipfile

from ipfund.web.documents.decision_letter import LETTER_STATES, decision_letter_filename, decision_letter_pdf

from ipfund.web.exports.claim_rows import claims_in, round_filename
from ipfund.web.exports.xlsx import CHUNK


def letter_claims(params: dict):
    return claims_in(params, LETTER_STATES).select_related("applicant", "round").order_by("id")


def export_letters(job, path, progress) -> int:
    claims = letter_claims(job.params)
    total = claims.count()
    progress(0, total)
    done = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for claim in claims.iterator(chunk_size=CHUNK):
            buffer = io.BytesIO()
            decision_letter_pdf(claim, buffer)
            archive.writestr(decision_letter_filename(claim), buffer.getvalue())
            done += 1
            if done % 20 == 0:
                progress(done, total)
    return done


def filename(params: dict) -> str:
    return round_filename(params, "资助决定书", ".zip")
