"""Finance's bank batch payment file (批量付款): one row per award to pay with the full account
and holder — the only export that carries them — a summary sheet with the count and total, and
the awards left out for want of an account."""

from __future__ import annotations

from decimal import Decimal

from ipfund.web.claims.selectors import claims_to_pay

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
MISSING_COLUMNS = [Column("受理编号", 20), Column("申报主体", 34), Column("应拨付金额", 14, money=True), Column("原因", 30)]
NO_ACCOUNT = "申报主体未登记银行账户"


def account_of(profile) -> tuple[str, str, str]:
    """(account, holder, bank) as registered by the applicant. The holder is the applicant unless
    the profile names another (an account-change service may add one)."""
    holder = getattr(profile, "bank_holder", "") or profile.name
    return (profile.bank_account or "").replace(" ", ""), holder, profile.bank_name


def export_bank_batch(job, path, progress) -> int:
    claims = with_net(claims_to_pay(user=job.requested_by).select_related("applicant")).filter(net__gt=0)
    payable = claims.exclude(applicant__bank_account="")
    missing = claims.filter(applicant__bank_account="")
    count, total = 0, Decimal("0.00")
    for net in payable.values_list("net", flat=True).iterator(chunk_size=CHUNK):
        count, total = count + 1, total + net

    def rows():
        for n, c in enumerate(payable.iterator(chunk_size=CHUNK), 1):
            account, holder, bank = account_of(c.applicant)
            note = f"{c.reference or '#' + str(c.pk)} {item_title(c.policy, c.item)}"
            yield [n, account, holder, bank, c.net, PURPOSE, note]

    left_out = ([c.reference or f"#{c.pk}", c.applicant.name, c.net, NO_ACCOUNT] for c in missing.iterator(chunk_size=CHUNK))
    summary = Sheet("汇总", [Column("项目", 16), Column("内容", 20)], iter([["总笔数", count], ["总金额（元）", f"{total:.2f}"]]))
    write_workbook(
        path, [Sheet("批量付款", COLUMNS, rows(), total=count), summary, Sheet("未导出", MISSING_COLUMNS, left_out)], progress
    )
    return count


def filename(params: dict) -> str:
    return "银行批量付款文件.xlsx"
