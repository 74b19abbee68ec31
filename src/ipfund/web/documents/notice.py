"""The public notice (公示) as the bureau prints it: title and document number, units and
individuals listed apart, the period, how to object, the issuing authority with the date and the
seal line kept on the page of the last section."""

from __future__ import annotations

from decimal import Decimal
from typing import IO

from django.utils import timezone
from reportlab.platypus import Paragraph

from ipfund.web.notices.models import Notice

from ipfund.web.engine_door import default_policy

from .fonts import register_fonts
from .layout import (
    BODY, HEADING, NOTE, PLAIN, TITLE, build, chinese_date, cited_policies, esc, number_line, policy_heading, signature, table,
    yuan,
)
from .numbers import document_number_issue

NO_ENTRIES = "无。"
HOW_TO_OBJECT = (
    "公示期间，任何单位或个人对拟资助名单有异议的，可在本平台“公示公告”页面对相应项目提出异议，"
    "或以书面形式向{authority}提出。异议应实事求是，写明理由并提供必要的证明材料和联系方式；"
    "以单位名义提出的须加盖单位公章，以个人名义提出的须署真实姓名。逾期或匿名的异议不予受理。"
)
PRIVACY_NOTE = "注：个人姓名已部分隐去，身份证号码不予公示。"


def _section(title: str, entries: list) -> list:
    out = [Paragraph(esc(title), HEADING)]
    if not entries:
        return out + [Paragraph(NO_ENTRIES, PLAIN)]
    rows = [[str(n), e.recipient, e.item_title, e.citation, yuan(e.amount)] for n, e in enumerate(entries, 1)]
    total = sum((e.amount for e in entries), Decimal(0))
    rows.append(["", f"合计 {len(entries)} 项", "", "", yuan(total)])
    return out + [table(["序号", "名称", "资助项目", "政策条款", "资助金额（元）"], rows, [14, 56, 56, 20, 30], numeric={4})]


def notice_pdf(notice: Notice, out: IO[bytes]) -> None:
    register_fonts()  # before any Paragraph: it looks its font up when made
    entries = list(notice.entries.select_related("claim__applicant", "claim__round").order_by("id"))
    policy_ids = [e.claim.policy for e in entries]
    heading = policy_heading(policy_ids[0] if policy_ids else default_policy().id)
    rounds = sorted({e.claim.round.name for e in entries if e.claim.round_id})  # type: ignore[union-attr]  # (an Optional not checked here, as before (issue 23: typed later))
    units = [e for e in entries if not e.claim.applicant.is_person]
    persons = [e for e in entries if e.claim.applicant.is_person]
    start, end = timezone.localtime(notice.published_at), timezone.localtime(notice.ends_at)
    batch = f"（{'、'.join(rounds)}）" if rounds else ""
    number = document_number_issue(kind="notice", obj=notice, on=start.date()).number
    story = [
        Paragraph(esc(notice.title), TITLE),
        number_line(number),
        Paragraph(
            esc(
                f"根据{cited_policies(policy_ids)}的规定，经申报、初审和审定，现将知识产权专项资金拟资助名单{batch}予以公示，"
                f"共 {len(entries)} 项，拟资助金额合计 {yuan(sum((e.amount for e in entries), Decimal(0)))} 元。"
            ),
            BODY,
        ),
        *_section("一、拟资助单位", units),
        *_section("二、拟资助个人", persons),
        Paragraph("三、公示期", HEADING),
        Paragraph(
            esc(f"公示期 {notice.period_days} 天，自 {start:%Y年%m月%d日 %H:%M} 起至 {end:%Y年%m月%d日 %H:%M} 止。"), BODY
        ),
        *signature(heading["authority"], notice.published_at,
                   with_text=[Paragraph("四、异议方式", HEADING),
                              Paragraph(esc(HOW_TO_OBJECT.format(authority=heading["authority"])), BODY)]),
        Paragraph(PRIVACY_NOTE, NOTE),
    ]
    build(out, story, title=notice.title, author=heading["authority"])


def notice_filename(notice: Notice) -> str:
    return f"公示-{chinese_date(notice.published_at)}-{notice.pk}.pdf"
