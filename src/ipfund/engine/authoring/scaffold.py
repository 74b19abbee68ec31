"""`ipfund policy new`: a package skeleton from a policy's text — its numbered clauses split out
with their sentences quoted verbatim, and what the text itself says of its number, date and term.

Chinese policy texts number their parts 一、二、… and within them （一）（二）…; a clause is a part
without sub-parts, or a sub-part ("一（二）"). Sentences end at 。 or ；. The PDF's line breaks
and spaces are not the law's words, so sentences are kept without them (`policy check` compares
texts the same way).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

CHAPTER = re.compile(r"^\s*([一二三四五六七八九十]+)、\s*(.*)$")
SECTION = re.compile(r"^\s*（([一二三四五六七八九十]+)）\s*(.*)$")
SENTENCE = re.compile(r"[^。；]+[。；]?")
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{2,}〔\d{4}〕\d+号")
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
TERM_YEARS = re.compile(r"有效期([一两二三四五六七八九十\d]+)年")
NUMERALS = {**{c: i for i, c in enumerate("一二三四五六七八九十", 1)}, "两": 2}

DIR_NOT_EMPTY = "目录 {dir} 已存在且不为空：政策包骨架只写入新目录或空目录"
NO_CLAUSES = "原文中没有找到编号条款（如「一、」「（一）」开头的段落）"


class ScaffoldError(ValueError):
    pass


@dataclass
class TextClause:
    number: str  # as printed: 三, 一（二）
    title: str
    body: list[str] = field(default_factory=list)  # lines, as in the text

    def sentences(self) -> list[str]:
        text = re.sub(r"\s+", "", "".join(self.body))
        return [s for s in SENTENCE.findall(text) if s.strip("。；")]


def split_clauses(text: str) -> list[TextClause]:
    """The numbered clauses of a policy text, in order (a chapter that has sections is not a
    clause itself: its sections are)."""
    chapters: list[tuple[TextClause, list[TextClause]]] = []
    current = None
    for line in text.splitlines():
        m = CHAPTER.match(line)
        if m:
            chapters.append((TextClause(m.group(1), m.group(2).strip()), []))
            current = chapters[-1][0]
            continue
        m = SECTION.match(line)
        if m and chapters:
            chapter = chapters[-1][0]
            rest = m.group(2)
            title = re.split(r"[。；]", re.sub(r"\s+", "", rest), maxsplit=1)[0]
            current = TextClause(f"{chapter.number}（{m.group(1)}）", title, [rest])
            chapters[-1][1].append(current)
            continue
        if current is not None:
            current.body.append(line)
    out = []
    for chapter, sections in chapters:
        out.extend(sections if sections else [chapter])
    return out


def clause_numbers(text: str) -> list[str]:
    return [c.number for c in split_clauses(text)]


def _numeral(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if s in NUMERALS:
        return NUMERALS[s]
    return None


def _facts_of_text(text: str) -> dict:
    """What the text says of itself: its document number, date, title and term."""
    flat = re.sub(r"\s+", "", text)
    out: dict[str, object] = {}
    m = DOC_NUMBER.search(flat)
    if m:
        out["document_number"] = m.group(0)
    m = DATE.search(text)
    if m:
        try:
            out["issued_on"] = _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    m = re.search(r"《([^》]+)》", flat)
    if m:
        out["title"] = m.group(1)
    m = TERM_YEARS.search(flat)
    if m:
        out["term_years"] = _numeral(m.group(1))
        out["term_sentence"] = next((s for s in SENTENCE.findall(flat) if "有效期" in s), "")
    return out


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def scaffold(folder: Path, text: str, policy_id: str | None = None) -> dict:
    """Write policy.yaml and source.txt of a new package into `folder`; returns counts."""
    if folder.exists() and any(folder.iterdir()):
        raise ScaffoldError(DIR_NOT_EMPTY.format(dir=folder))
    clauses = split_clauses(text)
    if not clauses:
        raise ScaffoldError(NO_CLAUSES)
    about = _facts_of_text(text)
    issued = about.get("issued_on")
    lines = [
        "# 政策包骨架，由 `ipfund policy new` 从原文生成。条款与语句逐字取自 source.txt；",
        "# 请核对条款标题，填写参数与项目（见 docs/policy-packages.md），再运行 `ipfund policy check`。",
        "",
        f"id: {policy_id or folder.name}",
        f"title: {about.get('title', '（请填写政策标题）')}",
        f"document_number: {about.get('document_number', '（请填写文号）')}",
        f"issued_on: {issued.isoformat() if issued else '（请填写发布日期 YYYY-MM-DD）'}",
        "source_file: source.txt",
        "",
        "clauses:",
    ]
    sentences = 0
    for c in clauses:
        quoted = c.sentences()
        sentences += len(quoted)
        lines += [f"  - number: {c.number}", f"    title: {_quote(c.title)}",
                  f"    monetary: {'true' if '元' in ''.join(quoted) else 'false'}", "    source:"]
        lines += [f"      - {_quote(s)}" for s in quoted]
    lines += ["", "parameters:"]
    if issued and about.get("term_years"):
        end = _end_of_term(issued, about["term_years"])
        clause = next((c.number for c in clauses if about["term_sentence"] in "".join(c.sentences())), clauses[-1].number)
        lines += [
            "  validity.start:", f"    clause: {clause}", "    title: 政策施行日", "    kind: date",
            f"    values: [{{from: {issued.isoformat()}, value: {issued.isoformat()}}}]",
            "  validity.end:", f"    clause: {clause}", f"    title: 政策有效期最后一日（{about['term_years']} 年）",
            "    kind: date", f"    values: [{{from: {issued.isoformat()}, value: {end.isoformat()}}}]",
        ]
    else:
        lines.append("  {}  # 原文未写明发布日期或有效期：请填写 validity.start 与 validity.end")
    lines += ["", "interpretations: {}", "", "items: {}", ""]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "source.txt").write_text(text, encoding="utf-8")
    (folder / "policy.yaml").write_text("\n".join(lines), encoding="utf-8")
    (folder / "golden").mkdir(exist_ok=True)
    return {"clauses": len(clauses), "sentences": sentences}


def _end_of_term(start: _dt.date, years: int) -> _dt.date:
    """The last day of a term of whole years from a start day (the day before its anniversary)."""
    from ..dates import _add_years_one

    return _dt.date.fromordinal(_add_years_one(start.toordinal(), years) - 1)
