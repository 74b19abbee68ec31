"""Finance's bank batch payment file (批量代发): one line per award to pay with the full account
and holder — the only export that carries them — in the layout of a bank template (bank_formats:
columns, file type, encoding). The Excel layout adds a summary sheet and the awards held back;
a bank's text file holds only what the bank imports (the held awards and why are on finance's
page). An award paid in stages (分期拨付) is listed for its installment due now, as 第 n 期; one
whose next installment waits for its condition (验收合格) is held back. Held back: no complete account, an account change waiting for a second person, an account
a payment failed to, a claim the requester applied for or handled, a value the file cannot carry."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Exists, OuterRef

from ipfund.web.claims import duties
from ipfund.web.claims.selectors import claims_to_pay
from ipfund.web.payments.models import BankAccountChange, PaymentFailure
from ipfund.web.payments.selectors import due_now, with_next_installment
from ipfund.web.payments.services import ACCOUNT_CHANGE_PENDING, NO_ACCOUNT, failed_account, failed_account_message, payee_account

from .bank_formats import bank_template
from .claim_rows import item_title, with_net
from .xlsx import CHUNK, Column, Figure, Sheet, write_workbook

PURPOSE = "知识产权专项资金"
CURRENCY = "CNY"
HANDLED_HELD = "导出人申报、初审、审定或退回过该申报，须由其他财务人员导出和拨付。"
HELD_COLUMNS = [Column("受理编号", 20), Column("申报主体", 34), Column("应拨付金额", 14, money=True), Column("原因", 40)]


def _lines(job, template, held: list, paid: dict):
    """Each payable award's field values, in order; what cannot be paid now goes to ``held``."""
    pending = BankAccountChange.objects.filter(applicant=OuterRef("applicant"), state=BankAccountChange.PENDING)
    claims = (
        with_next_installment(with_net(claims_to_pay(user=job.requested_by).select_related("applicant")))
        .filter(net__gt=0)
        .annotate(change_pending=Exists(pending))
    )
    with_failures = set(PaymentFailure.objects.values_list("claim__applicant_id", flat=True))  # few: one query
    handled = duties.handled_by(job.requested_by)
    for c in claims.iterator(chunk_size=CHUNK):
        # Accounts are read (and decrypted) one row at a time: the one reader of stored accounts.
        account = payee_account(c.applicant)
        reference = c.number
        note = f"{reference} {item_title(c.policy, c.item)}"
        amount, waiting = due_now(c, c.net)
        if c.next_number is not None:
            note += f" 第{c.next_number}期"
        if waiting:
            reason = waiting
        elif not duties.may_pay(job.requested_by, c, handled=handled):
            reason = HANDLED_HELD
        elif c.change_pending:
            reason = ACCOUNT_CHANGE_PENDING
        elif not account.complete:
            reason = NO_ACCOUNT
        elif c.applicant_id in with_failures and (failure := failed_account(c.applicant, account)) is not None:
            reason = failed_account_message(failure)
        else:
            reason = template.unwritable(account.bank_holder, account.bank_name, note)
        if reason:
            held.append([reference, c.applicant.name, amount, reason])
            continue
        paid["count"] += 1
        paid["total"] += amount
        yield {
            "serial": paid["count"], "account": account.bank_account.replace(" ", ""), "holder": account.bank_holder,
            "bank_name": account.bank_name, "amount": amount, "amount_fen": int(amount * 100), "currency": CURRENCY,
            "purpose": PURPOSE, "reference": reference, "note": note,
        }


def export_bank_batch(job, path, progress) -> int:
    template = bank_template(job.params.get("template"))
    paid = {"count": 0, "total": Decimal("0.00")}
    held: list[list] = []
    if template.file_type != "xlsx":
        lines = list(_lines(job, template, held, paid))
        path.write_bytes(template.text_file(lines, count=paid["count"], total=paid["total"], purpose=PURPOSE))
        progress(paid["count"], paid["count"])
        return paid["count"]

    columns = [Column(c.title, c.width, text=c.field == "account", money=c.field == "amount") for c in template.columns]

    def summary():
        yield ["总笔数", paid["count"]]
        yield ["总金额（元）", Figure(paid["total"])]

    rows = (template.values(line) for line in _lines(job, template, held, paid))
    write_workbook(
        path,
        [Sheet(template.sheet, columns, rows), Sheet("汇总", [Column("项目", 16), Column("内容", 20)], summary()),
         Sheet("未导出", HELD_COLUMNS, iter(held))],
        progress,
    )
    return paid["count"]  # type: ignore[return-value]  # (as written before types were checked (issue 23: typed later))


def filename(params: dict) -> str:
    template = bank_template(params.get("template"))
    return f"银行批量代发文件-{template.title.split('（')[0]}.{template.extension}"


def content_type(params: dict) -> str:
    return bank_template(params.get("template")).content_type
