"""受理回执: what the applicant keeps when a claim is submitted — its reference number, the item,
the evidence received, and what happens next."""

from __future__ import annotations

from typing import IO

from django.utils import timezone
from reportlab.platypus import Paragraph, Spacer

from ipfund.web.claims.models import Claim

from .fonts import register_fonts
from .layout import BODY, HEADING, TITLE, build, esc, policy_heading, signature, table

RECEIPT_TITLE = "知识产权专项资金申报受理回执"
NEXT_STEPS = (
    "您的申报已受理。受理不代表同意资助，资助与否及金额以审定结果和公示为准。"
    "请凭受理编号在平台“我的申报”中查看办理进度；如被退回补正，请在平台上补充材料后重新提交。"
)


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
    evidence = [[str(n), e.requirement, e.original_name] for n, e in enumerate(claim.evidence.all(), 1)]
    story = [
        Paragraph(RECEIPT_TITLE, TITLE),
        table(["事项", "内容"], rows, [40, 126]),  # type: ignore[arg-type]  # (as written before types were checked (issue 23: typed later))
        Paragraph("已收到的证明材料", HEADING),
        table(["序号", "材料", "文件名"], evidence or [["", "—", ""]], [14, 90, 62]),
        Spacer(1, 4),
        Paragraph(esc(NEXT_STEPS), BODY),
        *signature(heading["authority"], claim.submitted_at),
    ]
    build(out, story, title=f"{RECEIPT_TITLE} {claim.reference}", author=heading["authority"])


def receipt_filename(claim: Claim) -> str:
    return f"受理回执-{claim.reference}.pdf"


