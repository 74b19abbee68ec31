"""追回资助资金通知书: one per recovery case, numbered once (the same number on every reprint). It
states the facts as they stand when printed: the award and when it was paid, the promise quoted
from the policy with its term, the breach recorded, how the amount due follows (all, or the award ×
the days of the term left / the days of the term, rounded half up to the fen), what has been repaid
or written off so far and what is still owed, the deadline and the account to repay into."""

from __future__ import annotations

import io

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from reportlab.platypus import Paragraph

from ipfund.web.audit.actions import AuditAction
from ipfund.web.audit.services import audit_record

from .fonts import register_fonts
from .layout import BODY, HEADING, NOTE, PLAIN, TITLE, build, chinese_date, cited, esc, number_line, policy_heading, rmb_capitals, yuan
from .numbers import document_number_issue

NOTICE_TITLE = "追回资助资金通知书"


def _basis_sentence(case) -> str:
    if case.basis == "all" or case.days_left == case.term_days:
        return f"应追回已拨付的全部资助 {yuan(case.amount_due)} 元。"
    return (f"按承诺期未履行的天数占承诺期天数的比例追回：{yuan(case.awarded)} 元 × {case.days_left} 天 ÷ {case.term_days} 天"
            f" = {yuan(case.amount_due)} 元（四舍五入到分）。")


def recovery_notice_pdf(case, out, *, number: str) -> None:
    register_fonts()
    claim, promise = case.claim, case.promise
    heading = policy_heading(claim.policy)
    spec = heading["policy"].items[claim.item]
    profile = claim.applicant
    you = "你" if profile.is_person else "你单位"
    payment = getattr(claim, "payment", None)
    paid = f"于 {chinese_date(payment.paid_on)}拨付" if payment is not None else "已拨付"
    account = settings.IPFUND_RECOVERY_ACCOUNT
    repaid, written_off, outstanding = case.repaid, case.written_off, case.outstanding
    today = timezone.localdate()
    so_far = []
    for r in case.repayments.all():
        so_far.append(f"{chinese_date(r.paid_on)}归还 {yuan(r.amount)} 元（回单号 {r.reference}）")
    for w in case.write_offs.all():
        if w.state == "approved":
            so_far.append(f"{chinese_date(w.decided_at)}经批准核销 {yuan(w.amount)} 元")
    story = [
        Paragraph(NOTICE_TITLE, TITLE),
        number_line(number),
        Paragraph(esc(f"{profile.name}："), PLAIN),
        Paragraph(esc(
            f"{you}申报的“{spec.title}”（受理编号 {claim.reference}），经审定给予资助 {yuan(case.awarded)} 元，{paid}。"
            f"根据{cited(heading)}{spec.clause}「{promise.text}」{you}在申请资助时提交了承诺书，"
            f"承诺期 {promise.years} 年，自 {chinese_date(promise.term_start)}至 {chinese_date(promise.term_end)}。"), BODY),
        Paragraph("违反承诺的事实", HEADING),
        Paragraph(esc(f"{chinese_date(case.breached_on)}，{you}{case.breach_label}：{case.note}"), BODY),
        Paragraph("追回金额", HEADING),
        Paragraph(esc(f"违反承诺之日距承诺期届满尚有 {case.days_left} 天（承诺期共 {case.term_days} 天）。{_basis_sentence(case)}"), BODY),
        Paragraph(esc(f"应追回人民币 {yuan(case.amount_due)} 元（大写：{rmb_capitals(case.amount_due)}）。"), BODY),
    ]
    if so_far:
        story.append(Paragraph(esc(f"截至 {chinese_date(today)}，" + "；".join(so_far)
                                   + f"；已归还合计 {yuan(repaid)} 元，已核销合计 {yuan(written_off)} 元。"), BODY))
    story += [
        Paragraph(esc(f"尚应归还人民币 {yuan(outstanding)} 元（大写：{rmb_capitals(outstanding)}）。"), BODY),
        Paragraph("归还期限与账户", HEADING),
        Paragraph(esc(f"请{you}于 {chinese_date(case.due_by)}前将上述款项汇入以下账户，并在汇款用途中注明本通知书文号："
                      f"户名 {account['holder']}，开户银行 {account['bank']}，账号 {account['number']}。"), BODY),
        Paragraph(esc(f"逾期未归还的，{heading['authority']}将依法追缴。"), BODY),
    ]
    from .layout import signature

    story += signature(heading["authority"], today)
    story.append(Paragraph(esc(f"本通知书所列金额以 {chinese_date(today)}的记录为准。"), NOTE))
    build(out, story, title=f"{NOTICE_TITLE} {number}", author=heading["authority"])


@transaction.atomic
def recovery_notice_issue(*, actor, case) -> tuple[bytes, str]:
    """The notice as a PDF under the case's number (given once), audited with the amounts it states."""
    issued = document_number_issue(kind="recovery_notice", obj=case, on=timezone.localdate(case.opened_at), actor=actor)
    buffer = io.BytesIO()
    recovery_notice_pdf(case, buffer, number=issued.number)
    audit_record(actor=actor, action=AuditAction.RECOVERY_NOTICE, obj=case,
                 after={"number": issued.number, "amount_due": case.amount_due, "outstanding": case.outstanding})
    return buffer.getvalue(), issued.number


def recovery_notice_filename(case, number: str) -> str:
    return f"追回通知书-{case.claim.reference or case.claim_id}.pdf"
