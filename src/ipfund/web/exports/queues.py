"""A staff queue as the person sees it (the same selector, the same filters), every row of it."""

from __future__ import annotations

from typing import Any

from ipfund.web.claims.selectors import claims_to_pay, review_queue
from ipfund.web.payments.selectors import due_now, with_next_installment
from ipfund.web.rounds.models import ApplicationRound

from .claim_rows import CLAIM_COLUMNS, claim_cells, with_net
from .xlsx import CHUNK, Column, Sheet, write_workbook

QUEUE_TITLES = {"queue_review": "初审队列", "queue_approval": "审定队列", "queue_finance": "待拨付清单"}
AMOUNT_COLUMNS = [Column("政策计算金额", 14, money=True), Column("推荐金额", 14, money=True), Column("审定金额", 14, money=True)]


def queue_claims(*, user, params: dict):
    """The queue of ``user`` filtered by ``params`` (round, item, state, search), in the page's order."""
    round_id = str(params.get("round") or "")
    rnd = ApplicationRound.objects.filter(pk=round_id).first() if round_id.isdigit() else None
    return review_queue(
        user=user,
        round=rnd,
        item=params.get("item") or None,
        state=params.get("state") or None,
        search=(params.get("q") or "")[:100],
        sort=params.get("sort") or "submitted",
    )


def export_queue(job, path, progress) -> int:
    claims = queue_claims(user=job.requested_by, params=job.params).select_related("applicant", "round")
    rows = (
        [*claim_cells(c), c.engine_amount, c.recommended_amount, c.approved_amount]
        for c in claims.iterator(chunk_size=CHUNK)
    )
    sheet = Sheet(QUEUE_TITLES[job.kind], CLAIM_COLUMNS + AMOUNT_COLUMNS, rows, total=claims.count())
    return write_workbook(path, [sheet], progress)


def export_finance_queue(job, path, progress) -> int:
    due = claims_to_pay(user=job.requested_by)
    claims = with_next_installment(with_net(due.select_related("applicant", "round")))
    columns = CLAIM_COLUMNS + [Column("开户银行", 24), Column("银行账号", 14), Column("应拨付金额", 14, money=True),
                               Column("分期拨付", 40)]
    rows = (
        [*claim_cells(c), c.applicant.bank_name, c.applicant.masked_bank_account, due_now(c, c.net)[0], _stage(c)]
        for c in claims.iterator(chunk_size=CHUNK)
    )
    return write_workbook(path, [Sheet("待拨付清单", columns, rows, total=due.count())], progress)


def _stage(claim: Any) -> str:
    """分期拨付: which installment is paid now, or what it waits for ("" for an award paid at once)."""
    if claim.next_number is None:
        return ""
    return due_now(claim, claim.net)[1] or f"第 {claim.next_number} 期"


def filename(params: dict) -> str:
    return "队列导出.xlsx"
