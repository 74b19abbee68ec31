"""财务拨付清单: the final awards waiting for payment (and failed ones to retry), with the account
masked (the full account is only in finance's bank batch file), a total and the signature lines."""

from __future__ import annotations

from decimal import Decimal
from typing import IO

from django.utils import timezone
from reportlab.platypus import Paragraph, Spacer

from ipfund.web.exports.claim_rows import item_title

from .fonts import register_fonts
from .layout import NOTE, PLAIN, SUBTITLE, TITLE, build, esc, table, yuan

LIST_TITLE = "知识产权专项资金拨付清单"
SIGN_LINE = "制表人：__________　　　　审核人：__________　　　　批准人：__________"
ACCOUNT_NOTE = "注：银行账号已部分隐去；完整账号见财务导出的银行批量付款文件。"


def _kind(row) -> str:
    if row.pending_change is not None:
        return "账户变更待复核，暂停拨付"
    return f"重新拨付（失败 {len(row.failures)} 次）" if row.failures else "首次拨付"


def payment_list_pdf(rows: list, out: IO[bytes], *, authority: str) -> None:
    """``rows``: finance's list as payments.selectors.to_pay gives it (claim, net, pending change, failures)."""
    register_fonts()  # before any Paragraph: it looks its font up when made
    table_rows = []
    for n, row in enumerate(rows, 1):
        claim = row.claim
        table_rows.append(
            [
                str(n),
                claim.reference or f"#{claim.pk}",
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
    now = timezone.localtime()
    story = [
        Paragraph(LIST_TITLE, TITLE),
        Paragraph(esc(f"{authority}　制表日期：{now:%Y年%m月%d日}"), SUBTITLE),
        table(
            ["序号", "受理编号", "收款单位/个人", "资助项目", "开户银行", "银行账号", "拨付类型", "金额（元）"],
            table_rows,
            [10, 32, 46, 46, 38, 24, 28, 27],  # 251 mm: the frame of a landscape A4 page
            numeric={7},
        ),
        Spacer(1, 10),
        Paragraph(esc(SIGN_LINE), PLAIN),
        Paragraph(ACCOUNT_NOTE, NOTE),
    ]
    build(out, story, title=LIST_TITLE, author=authority, wide=True)
