"""The award list (资助名单) of one policy, or of one round of it: every award approved and still
standing or paid, with the ledger's net amount and the payment."""

from __future__ import annotations

from ipfund.web.claims.workflow import State

from .claim_rows import CLAIM_COLUMNS, claim_cells, claims_in, round_filename, with_net
from .xlsx import CHUNK, Column, Sheet, write_workbook

AWARDED = (State.APPROVED, State.IN_NOTICE, State.FINAL, State.PAID, State.PAYMENT_FAILED, State.PARTLY_PAID, State.CLOSED)
COLUMNS = CLAIM_COLUMNS + [
    Column("审定金额", 14, money=True),
    Column("台账净额", 14, money=True),
    Column("拨付日期", 12),
    Column("拨付凭证号", 20),
]


def award_claims(params: dict):
    claims = claims_in(params, AWARDED)
    return with_net(claims.select_related("applicant", "round").prefetch_related("payments").order_by("round_id", "id"))


def export_awards(job, path, progress) -> int:
    claims = award_claims(job.params)
    total = claims_in(job.params, AWARDED).count()  # counted without the ledger's sums

    def rows():
        for c in claims.iterator(chunk_size=CHUNK):
            payment = getattr(c, "payment", None)
            yield [
                *claim_cells(c),
                c.approved_amount,
                c.net,
                payment.paid_on.isoformat() if payment else "",
                payment.reference if payment else "",
            ]

    return write_workbook(path, [Sheet("资助名单", COLUMNS, rows(), total=total)], progress)


def filename(params: dict) -> str:
    return round_filename(params, "资助名单", ".xlsx")
