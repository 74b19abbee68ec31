"""资助决定书: one per final award — the amount in figures and capitals, how it was computed,
the clause and its sentence, any reduction with its reason, the authority, date and seal line."""

from __future__ import annotations

import re
from typing import IO

from django.utils import timezone
from reportlab.platypus import Paragraph

from ipfund.web.audit.selectors import audit_history
from ipfund.web.claims.models import Claim
from ipfund.web.claims.workflow import State
from ipfund.web.engine_door import stored_explanation
from ipfund.web.masking import mask_text

from .fonts import register_fonts
from .layout import BODY, HEADING, PLAIN, RIGHT, TITLE, build, cited, esc, policy_heading, rmb_capitals, signature, yuan

LETTER_TITLE = "知识产权专项资金资助决定书"
# A decision letter is issued once the notice period has passed without an upheld objection.
LETTER_STATES = (State.FINAL, State.PAID, State.PAYMENT_FAILED)

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
        if not text or text.startswith(_SKIP):
            continue
        text = _PARAMETER_ID.sub("参数", _CODE_IN_BRACKETS.sub("", text)).replace("✓", "√")  # √ is in GB 2312
        text = mask_text(text)  # a cap's holder may be a resident ID number: printed masked
        steps.append(text)
    return steps


def _decided_on(claim: Claim):
    events = [e for e in audit_history(object_type=claim._meta.label_lower, object_id=claim.pk) if e.action == "claim_approve"]
    return events[-1].at if events else timezone.now()


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
    story = [
        Paragraph(LETTER_TITLE, TITLE),
        Paragraph(esc(f"受理编号：{claim.reference or '—'}"), RIGHT),
        Paragraph(esc(f"{profile.name}："), PLAIN),
        Paragraph(
            esc(
                f"{you}{f'于 {submitted:%Y年%m月%d日} ' if submitted else ''}提交的“{spec.title}”资助申请，"
                f"经初审、审定和公示，公示期满无异议。根据{cited(heading)}{clause_title}的规定，"
                f"决定给予{you}资助人民币 {yuan(amount)} 元（大写：{rmb_capitals(amount)}）。"
            ),
            BODY,
        ),
        Paragraph("政策依据", HEADING),
        Paragraph(esc(f"{spec.clause}　「{spec.source}」"), BODY),
        Paragraph("计算说明", HEADING),
        *[Paragraph(esc(step), PLAIN) for step in readable_steps(stored_explanation(claim.decision))],
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
    account = f"（{profile.bank_name} {profile.masked_bank_account}）" if profile.bank_account else ""
    story += [
        Paragraph("资金拨付", HEADING),
        Paragraph(esc(f"资助资金将拨付至{you}登记的银行账户{account}。如账户信息有变，请及时在平台更新。"), BODY),
        *signature(heading["authority"], _decided_on(claim)),
    ]
    build(out, story, title=f"{LETTER_TITLE} {claim.reference or claim.pk}", author=heading["authority"])


def decision_letter_filename(claim: Claim) -> str:
    return f"资助决定书-{claim.reference or claim.pk}.pdf"
