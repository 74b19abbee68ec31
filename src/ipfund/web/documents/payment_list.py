"""财务拨付清单: the final awards waiting for payment (and failed ones to retry), with the account
masked (the full account is only in finance's bank batch file), why any of them cannot be paid
now, the document number, the total in figures and in capitals (大写) and the signature lines
kept on the page of the total."""

from __future__ import annotations

from decimal import Decimal
from typing import IO

from django.utils import timezone
from reportlab.platypus import KeepTogether, Paragraph, Spacer

from ipfund.web.exports.claim_rows import item_title

from .fonts import register_fonts
from .layout import BODY, NOTE, PLAIN, SUBTITLE, TITLE, build, esc, number_line, rmb_capitals, table, yuan

LIST_TITLE = "知识产权专项资金拨付清单"
SIGN_LINE = "制表人：{prepared_by}　　　　审核人：__________　　　　批准人：__________"
ACCOUNT_NOTE = "注：银行账号已部分隐去；完整账号见财务导出的银行批量付款文件。"


TOTAL_LINE = "合计 {count} 笔，金额人民币 {amount} 元（大写：{capitals}）。"
PAYABLE_LINE = "其中可即拨付 {count} 笔，金额人民币 {amount} 元（大写：{capitals}）；其余暂停拨付，原因见“拨付类型”栏。"


def _kind(row) -> str:
    if row.blocked:
        return f"暂停拨付：{row.blocked}"
    return f"重新拨付（失败 {len(row.failures)} 次）" if row.failures else "首次拨付"


def payment_list_pdf(rows: list, out: IO[bytes], *, authority: str, number: str, prepared_by: str = "__________") -> None:
    """``rows``: finance's list as payments.selectors.to_pay gives it (claim, net, pending change, failures)."""
    register_fonts()  # before any Paragraph: it looks its font up when made
    table_rows = []
    for n, row in enumerate(rows, 1):
        claim = row.claim
        table_rows.append(
            [
                str(n),
                claim.number,
                claim.applicant.name,
                item_title(claim.policy, claim.item),
                claim.applicant.bank_name or "—",
                claim.applicant.masked_bank_account or "—",
                _kind(row),
                yuan(row.net),
            ]
        )
    total = sum((row.net for row in rows), Decimal(0))
    table_rows.append(["", "", f"合计 {len(rows)} 笔", "", "", "", "", yuan(total)])
    payable = [row for row in rows if not row.blocked]
    payable_total = sum((row.net for row in payable), Decimal(0))
    totals = [Paragraph(esc(TOTAL_LINE.format(count=len(rows), amount=yuan(total), capitals=rmb_capitals(total))), BODY)]
    if len(payable) != len(rows):
        totals.append(Paragraph(esc(PAYABLE_LINE.format(
            count=len(payable), amount=yuan(payable_total), capitals=rmb_capitals(payable_total))), BODY))
    now = timezone.localtime()
    story = [
        Paragraph(LIST_TITLE, TITLE),
        number_line(number),
        Paragraph(esc(f"{authority}　制表日期：{now:%Y年%m月%d日}"), SUBTITLE),
        table(
            ["序号", "受理编号", "收款单位/个人", "资助项目", "开户银行", "银行账号", "拨付类型", "金额（元）"],
            table_rows,
            [10, 32, 46, 46, 38, 24, 28, 27],  # 251 mm: the frame of a landscape A4 page
            numeric={7},
        ),
        KeepTogether([Spacer(1, 10), *totals, Spacer(1, 16), Paragraph(esc(SIGN_LINE.format(prepared_by=prepared_by)), PLAIN), Paragraph(ACCOUNT_NOTE, NOTE)]),
    ]
    build(out, story, title=LIST_TITLE, author=authority, wide=True)
