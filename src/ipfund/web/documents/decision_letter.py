"""资助决定书: one per final award — its document number, the amount in figures and capitals, the
clause and its sentence, any reduction with its reason, the notice with each objection and how it
was resolved, the payment as recorded (the account it went to, never the applicant's account of
today), the issuing authority, date and seal kept on the page of the text. How the engine computed
the amount is not in the letter: an annex (附件：计算说明) on a page of its own carries it.

Every fact is the one recorded at the time it speaks of: the letter is dated the day the award
became final (the notice closed), the objections are those filed against this claim's entry, the
payment is the Payment row with the account it recorded."""

from __future__ import annotations

import re
from typing import IO

from django.utils import timezone
from reportlab.platypus import PageBreak, Paragraph

from ipfund.web.audit.selectors import audit_history
from ipfund.web.claims.models import Claim
from ipfund.web.claims.workflow import State
from ipfund.web.engine_door import stored_explanation
from ipfund.web.masking import mask_bank_account, mask_text

from .fonts import register_fonts
from .layout import (
    BODY, HEADING, NOTE, PLAIN, RIGHT, TITLE, build, chinese_date, cited, esc, number_line, policy_heading, rmb_capitals,
    signature, yuan,
)
from .numbers import document_number_issue

LETTER_TITLE = "知识产权专项资金资助决定书"
ANNEX_TITLE = "附件：计算说明"
ANNEX_NOTE = "本附件按政策条款列出资助金额的测算过程，供核对；资助金额以本决定书正文为准。"
# A decision letter is issued once the notice period has passed without an upheld objection.
LETTER_STATES = (State.FINAL, State.PAID, State.PAYMENT_FAILED, State.PARTLY_PAID, State.CLOSED)

NO_OBJECTION = "公示期内未收到异议。"
OBJECTIONS = "公示期内收到异议 {count} 件：{outcomes}。"
OBJECTION_OUTCOME = "异议（编号 {ref}）{state}：{resolution}"
PAID = "资助资金已于 {date} 拨付至{you}的银行账户（{bank}，账号 {account}，户名 {holder}），拨付凭证号 {reference}。"
NOT_YET_PAID = "资助资金由财务部门按规定拨付至{you}在平台登记并经复核的银行账户，拨付结果以拨付记录为准。"

# Stages (分期拨付): the plan and each installment as it stands the day the letter is printed.
STAGES = "本项资助分 {count} 期拨付。截至 {today}：{lines}"
STAGE_PAID = "第 {n} 期 {amount} 元（{share}，{when}）已于 {date} 拨付至{you}的银行账户（{bank}，账号 {account}，户名 {holder}），拨付凭证号 {reference}"
STAGE_DUE = "第 {n} 期 {amount} 元（{share}，{when}）待拨付"
STAGE_WAITING = "第 {n} 期 {amount} 元（{share}，{when}）待{label}后拨付，{failed}的不予拨付"
STAGE_CANCELLED = "第 {n} 期 {amount} 元（{share}，{when}）{why}，已取消"
STAGE_FAILED_WHY = "因{failed}（{date}确认：{note}）"
STAGE_CANCELLED_WHY = "因前一期条件未满足"
STAGES_REDUCED = "取消的款项已从资助中核减，{you}实际获得资助人民币 {net} 元（大写：{capitals}）。"
_STAGE_LINE = re.compile(r"^(分 \d+ 期拨付：|第 \d+ 期：)")

# Explanation lines that the letter says in its own words (the clause, the item) or that only
# the bureau needs (which reading of the text was applied).
_SKIP = ("依据 ", "项目：", "适用解释")
_CODE_IN_BRACKETS = re.compile(r"（[a-z][a-z0-9_]*）")
_PARAMETER_ID = re.compile(r"参数 [a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")


def readable_steps(explanation: list[str]) -> list[str]:
    """The engine's explanation without item codes or parameter ids (codes stay in the machine
    output), personal numbers masked."""
    steps = []
    for line in explanation or []:
        text = line.strip()
        if not text or text.startswith(_SKIP) or _STAGE_LINE.match(text):
            continue  # the installments are said by the letter as they stand (the rows), not as planned
        text = _PARAMETER_ID.sub("参数", _CODE_IN_BRACKETS.sub("", text)).replace("✓", "√")  # √ is in GB 2312
        text = mask_text(text)  # a cap's holder may be a resident ID number: printed masked
        steps.append(text)
    return steps


def _last_event_at(claim: Claim, action: str):
    events = [e for e in audit_history(object_type=claim._meta.label_lower, object_id=claim.pk) if e.action == action]
    return events[-1].at if events else None


def _last_actor_name(claim: Claim, action: str) -> str:
    events = [e for e in audit_history(object_type=claim._meta.label_lower, object_id=claim.pk) if e.action == action]
    actor = events[-1].actor if events else None
    return actor.shown_name() if actor is not None else ""


def handlers_sentence(claim: Claim) -> str:
    """Who handled the claim, by their real names: 办理人员：初审 李明；审定 张建华。"""
    parts = [f"{label} {name}" for label, action in (("初审", "claim_recommend"), ("审定", "claim_approve"))
             if (name := _last_actor_name(claim, action))]
    return f"办理人员：{'；'.join(parts)}。" if parts else ""


def letter_date(claim: Claim):
    """The day the decision became final (its notice closed); the approval's day for an award that
    never went through a notice; today only when neither is recorded."""
    return _last_event_at(claim, "claim_finalize") or _last_event_at(claim, "claim_approve") or timezone.now()


def _notice_sentence(claim: Claim) -> str:
    entry = getattr(claim, "notice_entry", None)
    if entry is None:
        return ""
    notice = entry.notice
    published = f"于 {chinese_date(notice.published_at)}至{chinese_date(notice.ends_at)}在平台公示，"
    objections = list(entry.objections.order_by("filed_at", "id"))
    if not objections:
        return published + NO_OBJECTION
    outcomes = "；".join(
        OBJECTION_OUTCOME.format(ref=o.reference or o.pk, state=o.get_state_display(), resolution=(o.resolution or "—").rstrip("。"))
        for o in objections
    )
    return published + OBJECTIONS.format(count=len(objections), outcomes=outcomes)


def _payment_sentence(claim: Claim, you: str) -> str:
    payment = getattr(claim, "payment", None) if claim.state == State.PAID else None
    if payment is None:
        return NOT_YET_PAID.format(you=you)
    return PAID.format(
        date=chinese_date(payment.paid_on), you=you, bank=payment.bank_name or "—", account=mask_bank_account(payment.bank_account),
        holder=payment.bank_holder or "—", reference=payment.reference,
    )


def _stages_sentence(claim: Claim, you: str) -> str:
    """The installments (分期拨付) as they stand today: what was paid (when, to which account),
    what is due, what waits for which condition, what was cancelled and why; "" when paid at once."""
    from ipfund.web.payments.models import Installment

    rows = list(Installment.objects.filter(claim=claim).select_related("payment").order_by("number"))
    if not rows:
        return ""
    lines = []
    for i in rows:
        common = {"n": i.number, "amount": yuan(i.amount), "share": i.share, "when": i.when_label}
        payment = getattr(i, "payment", None) if i.state == Installment.PAID else None
        if payment is not None:
            lines.append(STAGE_PAID.format(**common, date=chinese_date(payment.paid_on), you=you, bank=payment.bank_name or "—",
                                           account=mask_bank_account(payment.bank_account), holder=payment.bank_holder or "—",
                                           reference=payment.reference))
        elif i.state == Installment.WAITING:
            lines.append(STAGE_WAITING.format(**common, label=i.condition_label, failed=i.failed_label))
        elif i.state == Installment.CANCELLED:
            why = (STAGE_FAILED_WHY.format(failed=i.failed_label, date=chinese_date(i.confirmed_at),
                                           note=(i.outcome_note or "—").rstrip("。"))
                   if i.confirmed_at else STAGE_CANCELLED_WHY)
            lines.append(STAGE_CANCELLED.format(**common, why=why))
        else:
            lines.append(STAGE_DUE.format(**common))
    text = STAGES.format(count=len(rows), today=chinese_date(timezone.localdate()), lines="；".join(lines) + "。")
    if any(i.state == Installment.CANCELLED for i in rows):
        from ipfund.web.ledger.selectors import award_net

        net = award_net(claim=claim)
        text += STAGES_REDUCED.format(you=you, net=yuan(net), capitals=rmb_capitals(net))
    return text


def decision_letter_pdf(claim: Claim, out: IO[bytes]) -> None:
    register_fonts()  # before any Paragraph: it looks its font up when made
    heading = policy_heading(claim.policy)
    policy = heading["policy"]
    spec = policy.items[claim.item]
    clause = policy.clause(spec.clause)
    # "四（一）“鼓励知识产权托管”": the clause's heading without its list of items in brackets
    clause_title = f"{spec.clause}“{clause.title.split('（')[0]}”" if clause else spec.clause
    amount = claim.approved_amount
    profile = claim.applicant
    you = "你" if profile.is_person else "你单位"
    submitted = timezone.localtime(claim.submitted_at) if claim.submitted_at else None
    dated = letter_date(claim)
    number = document_number_issue(kind="decision_letter", obj=claim, on=timezone.localdate(dated)).number
    notice = _notice_sentence(claim)
    story = [
        Paragraph(LETTER_TITLE, TITLE),
        number_line(number),
        Paragraph(esc(f"受理编号：{claim.reference or '—'}"), RIGHT),
        Paragraph(esc(f"{profile.name}："), PLAIN),
        Paragraph(
            esc(
                f"{you}{f'于 {submitted:%Y年%m月%d日} ' if submitted else ''}提交的“{spec.title}”资助申请，"
                f"经初审、审定{'，并' + notice if notice else '。'}根据{cited(heading)}{clause_title}的规定，"
                f"决定给予{you}资助人民币 {yuan(amount)} 元（大写：{rmb_capitals(amount)}）。"
            ),
            BODY,
        ),
        Paragraph("政策依据", HEADING),
        # (a text numbered 第N条 quotes the article with its number: not said twice)
        Paragraph(esc(f"「{spec.source}」" if spec.source.startswith(spec.clause) else f"{spec.clause}　「{spec.source}」"), BODY),
    ]
    if claim.engine_amount is not None and amount is not None and amount < claim.engine_amount:
        story += [
            Paragraph("审核调整", HEADING),
            Paragraph(
                esc(
                    f"按政策计算金额为 {yuan(claim.engine_amount)} 元，经审核核定为 {yuan(amount)} 元。"
                    f"理由：{claim.reduction_reason or '—'}"
                ),
                BODY,
            ),
        ]
    pro_rata = getattr(claim, "pro_rata_line", None)  # 按同一比例核减 after the round (web/allocation)
    if pro_rata is not None:
        story += [
            Paragraph("按同一比例核减", HEADING),
            Paragraph(esc(f"{pro_rata.explanation}核减后资助人民币 {yuan(pro_rata.after)} 元"
                          f"（大写：{rmb_capitals(pro_rata.after)}）。"), BODY),
        ]
    handlers = handlers_sentence(claim)
    if handlers:
        story.append(Paragraph(esc(handlers), BODY))
    stages = _stages_sentence(claim, you)
    story += signature(heading["authority"], dated,
                       with_text=[Paragraph("资金拨付", HEADING), Paragraph(esc(stages or _payment_sentence(claim, you)), BODY)])
    steps = readable_steps(stored_explanation(claim.decision))
    if steps:
        story += [
            PageBreak(),
            Paragraph(ANNEX_TITLE, HEADING),
            Paragraph(esc(f"{LETTER_TITLE}（{number}）"), PLAIN),
            Paragraph(ANNEX_NOTE, NOTE),
            *[Paragraph(esc(step), PLAIN) for step in steps],
        ]
    build(out, story, title=f"{LETTER_TITLE} {number}", author=heading["authority"])


def decision_letter_filename(claim: Claim) -> str:
    return f"资助决定书-{claim.reference or claim.pk}.pdf"

