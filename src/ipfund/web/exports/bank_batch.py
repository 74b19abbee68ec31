"""Finance's bank batch payment file (批量付款): one row per award to pay with the full account
and holder — the only export that carries them — a summary sheet with the count and total, and
the awards held back (no complete account, or an account change waiting for a second person)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Exists, OuterRef

from ipfund.web.claims.selectors import claims_to_pay
from ipfund.web.payments.models import BankAccountChange
from ipfund.web.payments.services import ACCOUNT_CHANGE_PENDING, NO_ACCOUNT, payee_account

from .claim_rows import item_title, with_net
from .xlsx import CHUNK, Column, Sheet, write_workbook

PURPOSE = "知识产权专项资金"
COLUMNS = [
    Column("序号", 6),
    Column("收款人账号", 26, text=True),
    Column("收款人户名", 34),
    Column("收款银行", 28),
    Column("金额", 14, money=True),
    Column("用途", 18),
    Column("备注", 40),
]
HELD_COLUMNS = [Column("受理编号", 20), Column("申报主体", 34), Column("应拨付金额", 14, money=True), Column("原因", 40)]


def export_bank_batch(job, path, progress) -> int:
    pending = BankAccountChange.objects.filter(applicant=OuterRef("applicant"), state=BankAccountChange.PENDING)
    claims = (
        with_net(claims_to_pay(user=job.requested_by).select_related("applicant"))
        .filter(net__gt=0)
        .annotate(change_pending=Exists(pending))
    )
    # Accounts are read (and decrypted) one row at a time, so completeness is judged here, not in
    # SQL; the sheets are written in order, so the summary and the held awards follow the batch.
    paid = {"count": 0, "total": Decimal("0.00")}
    held: list[list] = []

    def rows():
        for c in claims.iterator(chunk_size=CHUNK):
            account = payee_account(c.applicant)  # the one reader of stored accounts (payments)
            if c.change_pending or not account.complete:
                reason = ACCOUNT_CHANGE_PENDING if c.change_pending else NO_ACCOUNT
                held.append([c.reference or f"#{c.pk}", c.applicant.name, c.net, reason])
                continue
            paid["count"] += 1  # type: ignore[operator]  # (as written before types were checked (issue 23: typed later))
            paid["total"] += c.net
            note = f"{c.reference or '#' + str(c.pk)} {item_title(c.policy, c.item)}"
            yield [paid["count"], account.bank_account.replace(" ", ""), account.bank_holder, account.bank_name, c.net, PURPOSE, note]

    def summary():
        yield ["总笔数", paid["count"]]
        yield ["总金额（元）", f"{paid['total']:.2f}"]

    write_workbook(
        path,
        [
            Sheet("批量付款", COLUMNS, rows(), total=claims.count()),
            Sheet("汇总", [Column("项目", 16), Column("内容", 20)], summary()),
            Sheet("未导出", HELD_COLUMNS, iter(held)),
        ],
        progress,
    )
    return paid["count"]  # type: ignore[return-value]  # (as written before types were checked (issue 23: typed later))


def filename(params: dict) -> str:
    return "银行批量付款文件.xlsx"
