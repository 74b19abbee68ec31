"""受理回执: what the applicant keeps when a claim is submitted — its reference number (the
receipt's own number), the item, the amount the policy gave at submission in figures and in
capitals (an estimate, recorded with the submission: a later review does not change the receipt),
the evidence received, and what happens next."""

from __future__ import annotations

from decimal import Decimal
from typing import IO

from django.utils import timezone
from reportlab.platypus import Paragraph, Spacer

from ipfund.web.claims.models import Claim

from .fonts import register_fonts
from ipfund.web.audit.selectors import audit_history

from .layout import BODY, HEADING, TITLE, build, esc, policy_heading, rmb_capitals, signature, table, yuan

RECEIPT_TITLE = "知识产权专项资金申报受理回执"
NEXT_STEPS = (
    "您的申报已受理。受理不代表同意资助，资助与否及金额以审定结果和公示为准。"
    "请凭受理编号在平台“我的申报”中查看办理进度；如被退回补正，请在平台上补充材料后重新提交。"
)


ESTIMATE_NOTE = "（按申报信息测算，不代表审定结果）"


def submitted_estimate(claim: Claim):
    """The policy's amount as recorded when the claim was (last) submitted, or None."""
    events = [e for e in audit_history(object_type=claim._meta.label_lower, object_id=claim.pk) if e.action == "claim_submit"]
    value = (events[-1].after or {}).get("engine_amount") if events else None
    return Decimal(str(value)) if value not in (None, "") else None


def receipt_pdf(claim: Claim, out: IO[bytes]) -> None:
    register_fonts()  # before any Paragraph: it looks its font up when made
    heading = policy_heading(claim.policy)
    spec = heading["policy"].items[claim.item]
    profile = claim.applicant
    submitted = timezone.localtime(claim.submitted_at)
    rows = [
        ["受理编号", claim.reference],
        ["申报主体", profile.name],
        ["身份证号码" if profile.is_person else "统一社会信用代码", profile.masked_id_number],
        ["申报项目", f"{spec.title}（{spec.clause}）"],
        ["适用政策", f"{heading['title']}（{heading['document_number']}）"],
        ["申报批次", claim.round.name if claim.round_id else "—"],  # type: ignore[union-attr]  # (an Optional not checked here, as before (issue 23: typed later))
        ["提交时间", f"{submitted:%Y-%m-%d %H:%M}"],
    ]
    estimate = submitted_estimate(claim)
    if estimate is not None:
        rows.append(["测算金额", f"人民币 {yuan(estimate)} 元（大写：{rmb_capitals(estimate)}）{ESTIMATE_NOTE}"])
    evidence = [[str(n), e.requirement, e.original_name] for n, e in enumerate(claim.evidence.all(), 1)]
    story = [
        Paragraph(RECEIPT_TITLE, TITLE),
        table(["事项", "内容"], rows, [40, 126]),  # type: ignore[arg-type]  # (as written before types were checked (issue 23: typed later))
        Paragraph("已收到的证明材料", HEADING),
        table(["序号", "材料", "文件名"], evidence or [["", "—", ""]], [14, 90, 62]),
        Spacer(1, 4),
        *signature(heading["authority"], claim.submitted_at, with_text=[Paragraph(esc(NEXT_STEPS), BODY)]),
    ]
    build(out, story, title=f"{RECEIPT_TITLE} {claim.reference}", author=heading["authority"])


def receipt_filename(claim: Claim) -> str:
    return f"受理回执-{claim.reference}.pdf"


