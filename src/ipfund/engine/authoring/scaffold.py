"""`ipfund policy new`: a package skeleton from a policy's text — every sentence of the text under
the clause that holds it, quoted verbatim, and what the text says of itself: its 文号, issuer,
title, issue date, the day it takes effect (施行) and its term (有效期).

Chinese policy texts number their parts in several styles, which nest:

- 一、 （一） 1. （1）            the parts of an 意见 or 若干措施 (一. 1、 (1) 1） ① as well);
- 第一条 …                       the articles of a 办法 or 规定, with items （一） or 1. inside;
- 第一章 … 第一条 …               chapters (and 第一节 sections) over articles numbered through
                                  the whole text;
- 一是…；二是…                   an enumeration inside a paragraph.

A numbered unit without numbered parts is a clause (一（二）, 第五条, 三·二是); a unit with parts
is catalogued as well, with its heading and any sentence of its own, but the text's clause
numbers that `policy check` requires are those with sentences beyond a heading. A marker is only
taken as one when it continues its level's sequence (二 after 一, or 一 to open a level), so a
wrapped line that starts with "第六条规定…" or "1.5万元" stays text. What comes before the first
unit is the document's head (文首: 文号, title, notice, issuer, date) and preamble (序言); the
signature and printing lines after the last unit are its foot (文尾). Sentences end at 。；！？ —
the PDF's line breaks and spaces are not the law's words, so passages are kept without them
(`policy check` compares texts the same way).
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

#: Characters that print as nothing (and are not white space: the text keeps them).
INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "一二三四五六七八九十百零〇两"
_NUM = rf"[{_CN}]+|[0-9０-９]+"

#: Markers at the start of a line: (style, pattern); the first group is the ordinal.
MARKERS = (
    ("chapter", re.compile(rf"^第({_NUM})章")),
    ("section", re.compile(rf"^第({_NUM})节")),
    ("article", re.compile(rf"^第({_NUM})条")),
    ("part", re.compile(rf"^([{_CN}]+)[、.．](?![{_CN}]+、|[{_CN}]*等)")),  # not "二、三等奖" wrapped
    ("cparen", re.compile(rf"^[（(]([{_CN}]+)[）)]")),
    ("arabic", re.compile(r"^([0-9０-９]{1,2})[.．、](?![0-9０-９])")),
    ("aparen", re.compile(r"^[（(]([0-9０-９]{1,2})[）)]")),
    ("aclose", re.compile(r"^([0-9０-９]{1,2})[）)]")),
    ("circled", re.compile(r"^([①-⑳])")),
)
BRACKETED_NAME = re.compile(r"[【〔\[]([^】〕\]，。；：]{1,15})[】〕\]]")
ENUMERATION = re.compile(rf"(?:^|(?<=[。；，：]))([{_CN}]+)是")
DATE = re.compile(r"([0-9０-９]{4}|[〇○零Ｏ一二三四五六七八九]{4})年([0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})月"
                  r"([0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})日")
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔［\[﹝【（(][0-9]{4}[〕］\]﹞】）)]第?[0-9]+号")
SENTENCE = re.compile(r"[^。；！？]*[。；！？]+[）)」』”’]*|[^。；！？]+$")
PUNCTUATION = re.compile(r"[。；，：！？]")
TITLE_WORDS = re.compile(r"(通知|办法|意见|措施|细则|规定|方案|规则|决定|条例|指引|政策)(（[^）]*）)?$")
AMOUNT = re.compile(rf"[0-9.０-９{_CN}]+\s*(万元|元)|[0-9.]+\s*[%％]|百分之")
#: Words of a sentence that decides money without naming an amount.
MONEY_WORDS = re.compile(r"就高|不重复|重复享受|同一比例|核减|择优|拨付|总额|累计|上限|最高|最多|至多|不超过|限额|配套|补差"
                         r"|资助|奖励|补助|补贴|贴息|预算|不足|先后顺序|不予|给予|予以支持|追回")
#: A unit whose own sentences say how the whole text is applied (a closing sentence stays there).
CLOSING_PART = re.compile(r"附则|其他|其它|施行|实施|执行|保障|说明")
CLOSING_SENTENCE = re.compile(r"^本(意见|措施|办法|细则|规定|通知|方案|规则|政策|决定)")
FOOT_LINE = re.compile(r"共印|公开方式|抄送|印发$|^（此件")
_TAKES_EFFECT = r"(?:施行|实施|执行|生效|试行)"
_TERM_WORD = r"(?:有效期|试行期|执行期限?|实施期限?)"
START_ON = re.compile(rf"自({DATE.pattern})起{_TAKES_EFFECT}")
START_ON_ISSUE = re.compile(rf"自(?:发布|印发|公布|颁布|发文|下发)之日起(?:([{_CN}]+|[0-9]+)日后)?{_TAKES_EFFECT}")
#: 有效期自2026年1月1日起至2027年12月31日止; 有效期五年（2025年1月1日至2029年12月31日）
VALID_SPAN = re.compile(rf"({DATE.pattern})起?(?:至|到|—|－|-|~|～)({DATE.pattern})止?")
VALID_UNTIL = re.compile(rf"{_TERM_WORD}(?:为|是)?(?:至|到|截至|截止至|截止)({DATE.pattern})"
                         rf"|({DATE.pattern})起?(?:废止|失效)|至({DATE.pattern})止")
TERM = re.compile(rf"{_TERM_WORD}(?:为|是)?([{_CN}]+|[0-9]+)(年|个月)")

DIR_NOT_EMPTY = "目录 {dir} 已存在且不为空：政策包骨架只写入新目录或空目录"
NO_CLAUSES = ("原文中没有找到编号条款（如「一、」「（一）」「第一条」「第一章」开头的段落，"
              "其中可有「一是…二是…」）")


class ScaffoldError(ValueError):
    pass


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def split_sentences(text: str) -> list[str]:
    """Sentences ending at 。；！？ (with a closing bracket or quote that follows); a stray 。 at
    the start stays with the sentence after it, so that the pieces are the whole text."""
    pieces = SENTENCE.findall(squeeze(text))
    if len(pieces) > 1 and not pieces[0].strip("。；！？）)」』”’"):
        pieces[:2] = [pieces[0] + pieces[1]]
    return pieces


def cn_number(s: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零一 → 101, "12" → 12; None for anything else."""
    if s.isdigit():
        return int(s)
    total, digit = 0, None
    for ch in s:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch == "十":
            total, digit = total + (1 if digit is None else digit) * 10, None
        elif ch == "百":
            total, digit = total + (1 if digit is None else digit) * 100, None
        else:
            return None
    return total + (digit or 0)


def parse_date(match: re.Match) -> _dt.date | None:
    """A date as written in a text: 2025年7月1日 or 二〇二五年七月一日."""
    year_s, month_s, day_s = match.group(1), match.group(2), match.group(3)
    year = int(year_s) if year_s.isdigit() else int("".join(str(CN_DIGITS[c]) for c in year_s))
    month, day = cn_number(month_s), cn_number(day_s)
    try:
        return _dt.date(year, month, day)
    except (TypeError, ValueError):
        return None


@dataclass
class TextClause:
    """A clause of the skeleton's catalogue: its number and title, and its passages (role, text) —
    every sentence of the text it holds, in order."""

    number: str
    title: str
    passages: list[tuple[str, str]] = field(default_factory=list)
    #: A numbered unit of the text with sentences of its own (not only a heading): one the
    #: catalogue must hold.
    numbered: bool = False

    def sentences(self) -> list[str]:
        return [t for role, t in self.passages if role != "heading"]

    #: The clause this one is a part of. A lead-in ("对…的：") whose parts decide money decides it
    #: too, and so do the parts of a lead-in that does ("下列情形不予支持：").
    part_of: "TextClause | None" = None
    leads_money: bool = False

    @property
    def monetary(self) -> bool:
        """Whether a sentence of its own text names an amount or a rule of money (就高, 不重复,
        总额, 核减 …), or leads in parts that do; a document's head, preamble and foot are not
        (their roles are given)."""
        own = [t for role, t in self.passages if role == "text"]
        return bool(own) and (self.leads_money or any(AMOUNT.search(t) or MONEY_WORDS.search(t) for t in own))


@dataclass
class _Unit:
    style: str
    ordinal: int
    marker: str
    number: str
    depth: int
    parent: "_Unit | None"
    first: str  # the rest of the marker's line
    lines: list[str] = field(default_factory=list)
    children: list["_Unit"] = field(default_factory=list)

    def top(self) -> "_Unit":
        unit = self
        while unit.parent is not None:
            unit = unit.parent
        return unit


def _join(parent: str, child: str) -> str:
    if not parent:
        return child
    return parent + ("" if parent.endswith("）") or child.startswith("（") else "·") + child


def _number_of(style: str, marker: str, ordinal: int, parent: _Unit | None) -> str:
    if style in ("chapter", "article"):
        return marker  # chapters and articles are numbered through the whole text
    if style == "section":
        chapter = parent.number if parent is not None and parent.style == "chapter" else ""
        return chapter + marker
    own = {"part": marker[:-1], "cparen": f"（{marker[1:-1]}）", "arabic": str(ordinal),
           "aparen": f"（{ordinal}）", "aclose": f"{ordinal}）", "circled": marker}[style]
    return _join(parent.number if parent is not None else "", own)


def _marker(line: str, stack: list[_Unit], last_article: int):
    """(style, ordinal, marker, marker as printed, rest of line) when the line opens a numbered
    unit that continues its level's sequence; else None. A character nobody sees (a byte-order
    mark, a zero-width space copied from a web page) before the marker stays in the text."""
    bare = line.lstrip(INVISIBLE)
    for style, pattern in MARKERS:
        m = pattern.match(bare)
        if not m:
            continue
        n = ord(m.group(1)) - ord("①") + 1 if style == "circled" else cn_number(m.group(1))
        if n is None:
            return None
        open_styles = [u.style for u in stack]
        if style == "article":
            ok = n == last_article + 1
        elif style in open_styles:
            ok = n == stack[open_styles.index(style)].ordinal + 1
        else:
            ok = n == 1
        printed = line[: len(line) - len(bare) + m.end()]
        return (style, n, m.group(0), printed, bare[m.end():]) if ok else None
    return None


def _units(lines: list[str]) -> tuple[list[str], list[_Unit]]:
    """The lines before the first numbered unit, and the units (in text order, parents first)."""
    front: list[str] = []
    units: list[_Unit] = []
    stack: list[_Unit] = []
    last_article = 0
    for line in lines:
        found = _marker(line, stack, last_article)
        if found is None:
            (units[-1].lines if units else front).append(line)
            continue
        style, n, marker, printed, rest = found
        styles = [u.style for u in stack]
        if style in styles:
            del stack[styles.index(style):]
        elif style == "article":
            # An article follows its chapter or section, never a part of an earlier article.
            while stack and stack[-1].style not in ("chapter", "section"):
                stack.pop()
        elif style in ("chapter", "section"):
            while stack and stack[-1].style not in (("chapter",) if style == "section" else ()):
                stack.pop()
        parent = stack[-1] if stack else None
        unit = _Unit(style, n, squeeze(printed), _number_of(style, squeeze(marker), n, parent),
                     len(stack), parent, rest.strip())
        if parent is not None:
            parent.children.append(unit)
        if style == "article":
            last_article = n
        stack.append(unit)
        units.append(unit)
    return front, units


def _head_and_body(unit: _Unit) -> tuple[str, str, str]:
    """(title, heading passage, body text) of a unit: the heading is its marker and a title line
    or a short first sentence that names the unit ("（一）专利授权资助。"); else its marker alone,
    and the title is the body's first phrase."""
    rest, following = squeeze(unit.first), squeeze("".join(unit.lines))
    named = BRACKETED_NAME.match(rest)  # 第三条【资助标准】…
    if named and cn_number(named.group(1)) is None:
        return named.group(1), unit.marker + named.group(0), rest[named.end():] + following
    if rest and not PUNCTUATION.search(rest) and not AMOUNT.search(rest):
        return rest, unit.marker + rest, following
    body = rest + following
    first = split_sentences(body)[:1]
    if first and _names_a_part(unit, first[0], body):
        return first[0].rstrip("。"), unit.marker + first[0], body[len(first[0]):]
    return _phrase(body) or unit.marker, unit.marker, body


def _names_a_part(unit: _Unit, sentence: str, body: str) -> bool:
    """Whether the first sentence of a part is its name ("（一）实施高价值专利培育工程。"): short,
    a phrase rather than a rule (no 的 clause, no 不/只/应/按/对 …), with the part's text after it.
    An article's first sentence is always text."""
    return (unit.style not in ("article", "chapter", "section") and sentence.endswith("。") and len(sentence) <= 21
            and (len(body) > len(sentence) or bool(unit.children)) and not re.search(r"[，；：、0-9]|的。$|[不只应须按对凡]", sentence))


def _phrase(body: str) -> str:
    phrase = re.split(r"[，。；：！？]", body, maxsplit=1)[0]
    return phrase if len(phrase) <= 20 else phrase[:20] + "…"


def _enumeration(body: str) -> list[int] | None:
    """Where an enumeration 一是…二是…(三是…) starts each of its items, when the body has one."""
    starts, expected = [], 1
    for m in ENUMERATION.finditer(body):
        if cn_number(m.group(1)) == expected:
            starts.append(m.start(1))
            expected += 1
    return starts if len(starts) >= 2 else None


def _catalogue(units: list[_Unit]) -> list[TextClause]:
    out: list[TextClause] = []
    of_unit: dict[int, TextClause] = {}
    for unit in units:
        title, heading, body = _head_and_body(unit)
        clause = TextClause(unit.number, title, [("heading", heading)],
                            part_of=of_unit.get(id(unit.parent)) if unit.parent is not None else None)
        of_unit[id(unit)] = clause
        out.append(clause)
        starts = _enumeration(body)
        if starts is None:
            clause.passages += [("text", s) for s in split_sentences(body)]
            clause.numbered = len(clause.passages) > 1
            continue
        # The last item ends with its sentence; what follows is the unit's own again.
        last = starts[-1]
        stop = next((i + 1 for i in range(last, len(body)) if body[i] in "。！？"), len(body))
        clause.passages += [("text", s) for s in split_sentences(body[: starts[0]])]
        items = []
        for k, start in enumerate(starts):
            piece = body[start: starts[k + 1] if k + 1 < len(starts) else stop]
            label = ENUMERATION.match(piece).group(0)
            item = TextClause(_join(unit.number, label), _phrase(piece[len(label):]) or label,
                              [("text", s) for s in split_sentences(piece)], numbered=True, part_of=clause)
            items.append(item)
        clause.passages += [("text", s) for s in split_sentences(body[stop:])]
        clause.numbered = len(clause.passages) > 1
        out += items
    for c in reversed(out):  # parts come after their whole: settle the parts first
        if c.part_of is not None and c.monetary:
            c.part_of.leads_money = True
    for c in out:  # the items of a lead-in that decides money ("下列情形不予支持：") decide it too
        whole = c.part_of
        if whole is not None and whole.monetary and whole.sentences() and whole.sentences()[-1].endswith("："):
            c.leads_money = True
    return out


# --- the head and the foot of the document ---------------------------------------------------


def _standalone(line: str) -> bool:
    """A line that is a passage of its own in a document's head or foot: 文号, 编号, a signature or
    date line, the addressees (…：), the red header (…文件), a printing line."""
    s = squeeze(line)
    if DOC_NUMBER.fullmatch(s) or s.startswith("编号") or s.endswith("：") or FOOT_LINE.search(s):
        return True
    if s.endswith("文件") and not PUNCTUATION.search(s):
        return True
    m = DATE.search(s)
    return bool(m) and s[m.end():] in ("", "印发", "发布", "制发") and not PUNCTUATION.search(s[: m.start()])


def _passages_of(lines: list[str]) -> list[str]:
    """The passages of a document's head or foot: standalone lines as they are; other lines run
    together until a sentence ends, a title ends (…办法, …通知) or a standalone line comes."""
    out: list[str] = []
    run = ""

    def close():
        nonlocal run
        if run:
            out.extend(split_sentences(run))
        run = ""

    for line in lines:
        s = squeeze(line)
        if not s:
            continue
        if _standalone(s):
            close()
            out.append(s)
            continue
        run += s
        if s[-1] in "。！？" or TITLE_WORDS.search(s) or s.endswith("》"):
            close()
    close()
    return out


def _foot(unit: _Unit) -> list[str]:
    """The signature, date and printing lines at the end of the last unit (taken out of it)."""
    taken: list[str] = []
    dated = False
    while unit.lines:
        s = squeeze(unit.lines[-1])
        if not s:
            unit.lines.pop()
            continue
        is_date = _standalone(s) and bool(DATE.search(s))
        issuer = dated and not PUNCTUATION.search(s) and len(s) <= 40
        if not (is_date or FOOT_LINE.search(s) or issuer):
            break
        dated = is_date
        taken.insert(0, unit.lines.pop())
    return taken


@dataclass
class About:
    """What a text says of itself, and where."""

    document_number: str | None = None
    title: str | None = None
    issuer: str | None = None
    issued_on: _dt.date | None = None
    start: _dt.date | None = None
    start_said: str = ""  # how the text fixes the start: a date, or 发布之日
    end: _dt.date | None = None
    term: str = ""  # 三年, 18个月 as written
    validity_clause: str | None = None
    validity_sentence: str = ""


def _about_document(head: list[str], foot: list[str], about: About) -> None:
    doc_numbers = [p for p in head if DOC_NUMBER.fullmatch(p)] or [m.group(0) for p in head for m in [DOC_NUMBER.search(p)] if m]
    if doc_numbers:
        about.document_number = doc_numbers[0]
    notice = next((p for p in head if "印发" in p and ("通知" in p or "《" in p)), None)
    m = re.search(r"《([^》]+)》", notice or "")
    titles = [p for p in head if TITLE_WORDS.search(p) and not PUNCTUATION.search(p) and p != notice and "《" not in p]
    if m:
        about.title = m.group(1)
    elif titles:
        about.title = titles[0]
    # The signature: a date line, the issuer on it or on the line before; signing before printing.
    for passages in (head, foot):
        for k, p in enumerate(passages):
            d = DATE.search(p)
            if not d or not _standalone(p) or "印发" in p:
                continue
            about.issued_on = parse_date(d)
            before = p[: d.start()].strip()
            if not before and k and not PUNCTUATION.search(passages[k - 1]) and not _standalone(passages[k - 1]) \
                    and not TITLE_WORDS.search(passages[k - 1]):
                before = passages[k - 1]
            about.issuer = before or None
            break
        if about.issued_on:
            break
    if about.issued_on is None:
        printed = next((d for p in head + foot if "印发" in p for d in [DATE.search(p)] if d), None)
        about.issued_on = parse_date(printed) if printed else None
    if about.issuer is None:
        m = re.match(r"(.+?)关于", notice or "")
        red = next((p[:-2] for p in head if p.endswith("文件") and not PUNCTUATION.search(p)), None)
        about.issuer = m.group(1) if m else red


def _about_validity(clauses: list[TextClause], about: About) -> None:
    """The day the text takes effect and the last day of its term, from its 施行 and 有效期
    sentences (the issue date only where the text says 自发布之日起)."""
    for clause in clauses:
        for s in clause.sentences():
            termed = re.search(_TERM_WORD, s) is not None
            if not (termed or re.search(_TAKES_EFFECT, s)):
                continue
            found = False
            span = VALID_SPAN.search(s) if termed else None
            if span and about.start is None and about.end is None:
                about.start, about.start_said = parse_date(DATE.match(span.group(1))), span.group(1)
                about.end, found = parse_date(DATE.match(span.group(5))), True
            m = START_ON.search(s)
            if m and about.start is None:
                about.start, about.start_said, found = parse_date(DATE.match(m.group(1))), m.group(1), True
            m = START_ON_ISSUE.search(s)
            if m and about.start is None:
                days = cn_number(m.group(1)) if m.group(1) else 0
                about.start_said, found = m.group(0), True
                if about.issued_on is not None and days is not None:
                    about.start = about.issued_on + _dt.timedelta(days=days)
            m = VALID_UNTIL.search(s)
            if m and about.end is None:
                until = next(g for g in (m.group(1), m.group(5), m.group(9)) if g)
                about.end, found = parse_date(DATE.match(until)), True
            m = TERM.search(s)
            if m and about.end is None and not about.term and cn_number(m.group(1)):
                about.term, found = m.group(1) + m.group(2), True
            if found and (about.validity_clause is None or termed):
                about.validity_clause, about.validity_sentence = clause.number, s
    if about.term and about.end is None:
        start = about.start or about.issued_on
        n = cn_number(about.term.rstrip("年个月"))
        if start is not None:
            about.end = end_of_term(start, years=n if about.term.endswith("年") else 0,
                                    months=n if about.term.endswith("个月") else 0)


def end_of_term(start: _dt.date, years: int = 0, months: int = 0) -> _dt.date:
    """The last day of a term from its first day: the day before its anniversary; where the first
    day has no counterpart in the last month (29 February, the 31st), that month's last day."""
    months_total = start.month - 1 + months
    year, month = start.year + years + months_total // 12, months_total % 12 + 1
    last = calendar.monthrange(year, month)[1]
    if start.day > last:
        return _dt.date(year, month, last)
    return _dt.date(year, month, start.day) - _dt.timedelta(days=1)


# --- the whole text --------------------------------------------------------------------------


@dataclass
class Reading:
    clauses: list[TextClause]
    about: About


def read_text(text: str) -> Reading:
    """A policy text read: its catalogue (head, preamble, numbered units, closing, foot) and what
    it says of itself. Every sentence of the text is in exactly one place of the catalogue."""
    front, units = _units(_lines(text))
    foot = _passages_of(_foot(units[-1])) if units else []
    clauses = _catalogue(units)
    head = _passages_of(front)
    closing = _closing(units, clauses)
    about = About()
    _about_document(head, foot, about)
    out: list[TextClause] = []
    if head:
        preamble: list[str] = []
        while head and len(head) > 1 and head[-1][-1] in "。！？；" and not _standalone(head[-1]) \
                and squeeze(head[-1]) != about.title and "印发" not in head[-1]:
            preamble.insert(0, head.pop())
        out.append(TextClause("文首", "文件信息（文号、标题、发文机关、日期）",
                              [(_head_role(p, about), p) for p in head]))
        if preamble:
            out.append(TextClause("序言", "制定目的与依据", [("goal", p) for p in preamble]))
    out += [c for c in clauses if c.passages]
    if closing:
        out.append(TextClause("施行与有效期", "施行日期、有效期与解释", [("procedure", s) for s in closing]))
    if foot:
        out.append(TextClause("文尾", "发文机关、日期与印发", [("document", p) for p in foot]))
    _about_validity(out, about)
    _cover_the_rest(text, out)
    return Reading(out, about)


def _closing(units: list[_Unit], clauses: list[TextClause]) -> list[str]:
    """The closing sentences of the whole text (本意见自…起施行，有效期…) that stand at the end of a
    last sub-unit which is not itself about closing matters: taken out into a clause of their own."""
    if not units or not clauses:
        return []
    last, clause = units[-1], clauses[-1]
    top = last.top()
    if last.depth < 1 or clause.number != last.number or CLOSING_PART.search(_head_and_body(top)[0]):
        return []
    taken: list[str] = []
    while len(clause.sentences()) > 1 and CLOSING_SENTENCE.match(clause.passages[-1][1]):
        taken.insert(0, clause.passages.pop()[1])
    return taken


def _head_role(passage: str, about: About) -> str:
    if about.title and passage == squeeze(about.title):
        return "heading"
    if re.search(r"印发给你们|请认真|遵照执行|贯彻执行|组织实施|贯彻落实", passage):
        return "procedure"
    return "document"


def _cover_the_rest(text: str, clauses: list[TextClause]) -> None:
    """Any sentence the reading above left out (it should not happen) goes into a clause of its
    own, so that the catalogue holds the whole text."""
    from ..policy import uncatalogued

    left = uncatalogued(text, [p for c in clauses for _, p in c.passages])
    if left:
        clauses.append(TextClause("未归类", "未能归入条款的语句（请移入所属条款）", [("text", s) for s in left]))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def split_clauses(text: str) -> list[TextClause]:
    """The numbered clauses of a policy text, in order: units with sentences of their own (a part
    that only heads its sub-parts is not one)."""
    front, units = _units(_lines(text))
    if units:
        _foot(units[-1])
    clauses = _catalogue(units)
    _closing(units, clauses)
    return [c for c in clauses if c.numbered]


def clause_numbers(text: str) -> list[str]:
    return [c.number for c in split_clauses(text)]


# --- the skeleton ----------------------------------------------------------------------------


def _quote(s: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's: a control character copied from a
    PDF stays in the text without breaking the file)."""
    import json

    return json.dumps(s, ensure_ascii=False)


def _passage_yaml(role: str, text: str) -> str:
    if role == "text":  # a plain string: money in a monetary clause, goal in another
        return f"      - {_quote(text)}"
    return f"      - {{role: {role}, text: {_quote(text)}}}"


def _validity_yaml(about: About, clauses: list[TextClause]) -> list[str]:
    if about.start is None and about.end is None:
        return ["  {}  # 原文未写明施行日期与有效期：请填写 validity.start（施行日）与 validity.end（最后一日）"]
    clause = about.validity_clause or clauses[-1].number
    start = about.start or about.issued_on
    out = []
    if start is not None:
        said = "未能从原文读出，暂按发布日期，请核对" if about.start is None else about.start_said
        out += ["  validity.start:", f"    clause: {_quote(clause)}", f"    title: {_quote(f'政策施行日（{said}）')}",
                "    kind: date", f"    values: [{{from: {start.isoformat()}, value: {start.isoformat()}}}]"]
    if about.end is not None and start is not None:
        how = f"自施行之日起{about.term}" if about.term else "原文所定最后一日"
        out += ["  validity.end:", f"    clause: {_quote(clause)}", f"    title: {_quote(f'政策有效期最后一日（{how}）')}",
                "    kind: date", f"    values: [{{from: {start.isoformat()}, value: {about.end.isoformat()}}}]"]
    else:
        out.append("  # 原文未写明有效期：请填写 validity.end（政策有效期最后一日）")
    return out


def scaffold(folder: Path, text: str, policy_id: str | None = None) -> dict:
    """Write policy.yaml and source.txt of a new package into `folder`; returns what was read."""
    if folder.exists() and any(folder.iterdir()):
        raise ScaffoldError(DIR_NOT_EMPTY.format(dir=folder))
    reading = read_text(text)
    clauses, about = reading.clauses, reading.about
    numbered = [c for c in clauses if c.numbered]
    if not numbered:
        raise ScaffoldError(NO_CLAUSES)
    issued = about.issued_on
    lines = [
        "# 政策包骨架，由 `ipfund policy new` 从原文生成。原文每一句都逐字列在所属条款下（source.txt）；",
        "# 请核对条款标题、文号、日期与有效期，把每个资金语句写成规则（见 docs/policy-packages.md），",
        "# 再运行 `ipfund policy check`。",
        "",
        f"id: {_quote(policy_id or folder.name)}",
        f"title: {_quote(about.title or '（请填写政策标题）')}",
        f"document_number: {_quote(about.document_number or '（请填写文号）')}",
        f"issuer: {_quote(about.issuer or '（请填写发文机关）')}",
        f"issued_on: {issued.isoformat() if issued else _quote('（请填写发布日期 YYYY-MM-DD）')}",
        "source_file: source.txt",
        "",
        "clauses:",
    ]
    sentences = 0
    for c in clauses:
        sentences += len(c.sentences())
        lines += [f"  - number: {_quote(c.number)}", f"    title: {_quote(c.title)}",
                  f"    monetary: {'true' if c.monetary else 'false'}", "    source:"]
        lines += [_passage_yaml(role, t) for role, t in c.passages]
    lines += ["", "parameters:"] + _validity_yaml(about, clauses)
    lines += ["", "interpretations: {}", "", "items: {}", ""]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "source.txt").write_text(text, encoding="utf-8")
    (folder / "policy.yaml").write_text("\n".join(lines), encoding="utf-8")
    (folder / "golden").mkdir(exist_ok=True)
    return {"clauses": len(numbered), "catalogue": len(clauses), "sentences": sentences, "about": about,
            "unplaced": sum(len(c.passages) for c in clauses if c.number == "未归类")}
