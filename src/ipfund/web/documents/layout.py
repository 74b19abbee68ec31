"""What every document shares: A4 pages, the styles of an official document, amounts in figures
and in capitals, Chinese dates, the document number, the issuing authority (from the settings, with
the zone's name) and its signature and seal block, kept on one page with the text above it."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import IO

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ipfund.web.engine_door import default_policy, policy_named

from .fonts import HEI, SONG, register_fonts

# wordWrap CJK: a long Chinese title breaks between characters, never overflowing the page.
TITLE = ParagraphStyle("title", fontName=HEI, fontSize=18, leading=28, alignment=TA_CENTER, spaceAfter=6 * mm, wordWrap="CJK")
NUMBER = ParagraphStyle("number", fontName=SONG, fontSize=12, leading=20, alignment=TA_CENTER, spaceAfter=4 * mm)
SUBTITLE = ParagraphStyle("subtitle", fontName=SONG, fontSize=11, leading=16, alignment=TA_CENTER, spaceAfter=4 * mm, wordWrap="CJK")
HEADING = ParagraphStyle("heading", fontName=HEI, fontSize=13, leading=22, spaceBefore=3 * mm, spaceAfter=2 * mm)
BODY = ParagraphStyle("body", fontName=SONG, fontSize=12, leading=21, firstLineIndent=24, wordWrap="CJK")
PLAIN = ParagraphStyle("plain", parent=BODY, firstLineIndent=0)
CELL = ParagraphStyle("cell", fontName=SONG, fontSize=10, leading=14, wordWrap="CJK")
CELL_HEAD = ParagraphStyle("cell_head", parent=CELL, fontName=HEI, alignment=TA_CENTER)
CELL_NUM = ParagraphStyle("cell_num", parent=CELL, alignment=TA_RIGHT)
RIGHT = ParagraphStyle("right", parent=PLAIN, alignment=TA_RIGHT)
NOTE = ParagraphStyle("note", parent=PLAIN, fontSize=9, leading=14, textColor=colors.HexColor("#555555"))

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ["", "拾", "佰", "仟"]
BIG_UNITS = ["", "万", "亿", "万亿"]


def esc(text) -> str:
    """Text for a reportlab Paragraph (its mini-markup treats <, > and & specially)."""
    return str(text if text is not None else "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def yuan(amount) -> str:
    """12345.6 → 12,345.60 (exact: a Decimal is never turned into a float)."""
    return f"{Decimal(amount or 0).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def _four_digits(n: int) -> str:
    out, zero = "", False
    for pos in range(3, -1, -1):
        d = n // 10**pos % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[d] + SMALL_UNITS[pos]
    return out


def rmb_capitals(amount) -> str:
    """An amount in the capitals a bank or a decision letter writes: 3999.99 → 叁仟玖佰玖拾玖元玖角玖分."""
    fen = int((Decimal(amount or 0) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if fen == 0:
        return "零元整"
    whole, jiao, cents = fen // 100, fen // 10 % 10, fen % 10
    groups, parts = [], []  # type: ignore[var-annotated]  # (as written before types were checked (issue 23: typed later))
    while whole:
        groups.append(whole % 10000)
        whole //= 10000
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            if parts and parts[-1] != "零":
                parts.append("零")
            continue
        if parts and g < 1000 and parts[-1] != "零":
            parts.append("零")
        parts.append(_four_digits(g) + BIG_UNITS[i])
    text = "".join(parts).rstrip("零")
    text = text + "元" if text else ""
    if jiao == 0 and cents == 0:
        return text + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if cents:
        text += DIGITS[cents] + "分"
    return text


def chinese_date(value) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def issuing_authority() -> str:
    """The full name the bureau signs its documents with (settings.IPFUND_ISSUING_AUTHORITY)."""
    return settings.IPFUND_ISSUING_AUTHORITY


def policy_heading(policy_id: str) -> dict:
    """Title and document number of a claim's or round's own policy package; the authority that
    issues the document is the bureau's full name from the settings (a policy package names its
    administering office without the zone: "区经济贸易和科技局")."""
    policy = policy_named(policy_id)
    return {
        "title": policy.title,
        "document_number": policy.document_number,
        "authority": issuing_authority(),
        "issuer": policy.issuer,
        "policy": policy,
    }


def cited(heading: dict) -> str:
    """《title》（document number）, as a document cites the policy it applies."""
    number = f"（{heading['document_number']}）" if heading["document_number"] else ""
    return f"《{heading['title']}》{number}"


def cited_policies(policy_ids) -> str:
    """Every policy a document applies (a notice may list awards of several), each cited once."""
    ids = list(dict.fromkeys(policy_ids)) or [default_policy().id]
    return "、".join(cited(policy_heading(pid)) for pid in ids)


def signature(authority: str, on, *, with_text: list = ()) -> list:
    """The issuing authority, the date and the seal line, right-aligned at the end of a document,
    kept on one page together with ``with_text`` (the last text it seals): a seal block never
    stands alone on a page of its own."""
    block = [
        *with_text,
        Spacer(1, 12 * mm),
        Paragraph(esc(authority), RIGHT),
        Paragraph(chinese_date(on), RIGHT),
        Paragraph("（盖章）", RIGHT),
    ]
    return [KeepTogether(block)]


def number_line(number: str) -> Paragraph:
    """The document number (文号) under the title."""
    return Paragraph(esc(number), NUMBER)


def table(header: list[str], rows: list[list], widths: list[float], *, numeric: set[int] = frozenset()) -> Table:  # type: ignore[assignment]  # (as written before types were checked (issue 23: typed later))
    """A ruled table of Paragraph cells (Chinese text wraps inside a cell); the header repeats."""
    data = [[Paragraph(esc(h), CELL_HEAD) for h in header]]
    for row in rows:
        data.append([Paragraph(esc(v), CELL_NUM if i in numeric else CELL) for i, v in enumerate(row)])
    t = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), SONG),  # else the table declares Helvetica
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return t


def _page_number(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(SONG, 9)
    canvas.drawCentredString(doc.pagesize[0] / 2, 10 * mm, f"第 {doc.page} 页")
    canvas.restoreState()


def build(out: IO[bytes], flowables: list, *, title: str, author: str, wide: bool = False) -> None:
    """Write the document to ``out`` (a file or a buffer), fonts subset and embedded."""
    register_fonts()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4) if wide else A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=22 * mm,
        bottomMargin=20 * mm,
        title=title,
        author=author,
        creator="ipfund",
        initialFontName=SONG,  # no unembedded Helvetica declared on any page
        initialFontSize=12,
    )
    doc.build(flowables, onFirstPage=_page_number, onLaterPages=_page_number)
