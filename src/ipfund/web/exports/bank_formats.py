"""Bank batch file templates (银行批量代发文件模板) kept as data: which columns in which order, the
file type (xlsx, csv, txt), the text encoding a bank's import expects (GBK for most), the separator
and line ending, an optional summary line. The built-in templates are in bank_templates/; a
bureau adds its own bank's layout as one more YAML file in settings.IPFUND_BANK_TEMPLATE_DIR.
The layout of each is documented in docs/银行批量代发文件模板.md."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from .cells import neutral_text
from django.conf import settings

BUILT_IN = Path(__file__).with_name("bank_templates")
DEFAULT_TEMPLATE = "generic_xlsx"
FILE_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "csv": "text/csv", "txt": "text/plain"}
# What a column may carry, one value per award paid.
FIELDS = {
    "serial": "序号（本文件内从 1 起）",
    "account": "收款人账号（不含空格）",
    "holder": "收款人户名",
    "bank_name": "收款银行（开户行）",
    "amount": "金额（元，两位小数）",
    "amount_fen": "金额（分，整数）",
    "currency": "币种（CNY）",
    "purpose": "用途",
    "reference": "受理编号",
    "note": "备注（受理编号与资助项目）",
}
SUMMARY_FIELDS = ("count", "total", "total_fen", "purpose")

TEMPLATE_UNKNOWN = "未知的银行文件模板：{id}。"
TEMPLATE_INVALID = "银行文件模板 {file} 有误：{problem}"
CANNOT_ENCODE = "“{text}”含有 {encoding} 编码无法表示的字符，银行文件无法写入，请核对户名或改用其他模板。"
HAS_DELIMITER = "“{text}”含有分隔符“{delimiter}”或换行，银行文件无法写入，请核对。"


class TemplateInvalid(ValueError):
    pass


@dataclass(frozen=True)
class BankColumn:
    title: str
    field: str
    width: float = 16


@dataclass(frozen=True)
class BankTemplate:
    id: str
    title: str
    file_type: str
    encoding: str
    columns: tuple[BankColumn, ...]
    header: bool = True
    delimiter: str = ","
    line_ending: str = "\r\n"
    sheet: str = "批量代发"
    summary: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        return FILE_TYPES[self.file_type]

    @property
    def extension(self) -> str:
        return self.file_type

    def unwritable(self, *texts: str) -> str:
        """Why a text file of this template cannot carry ``texts`` ("" when it can): a character
        the encoding lacks (a rare character is not in GBK), or the separator or a line break
        inside a value of an unquoted file. The award is then held back, never garbled."""
        if self.file_type == "xlsx":
            return ""
        for text in texts:
            try:
                text.encode(self.encoding)
            except UnicodeEncodeError:
                return CANNOT_ENCODE.format(encoding=self.encoding.upper(), text=text)
            if self.file_type == "txt" and (self.delimiter in text or "\n" in text or "\r" in text):
                return HAS_DELIMITER.format(delimiter=self.delimiter, text=text)
        return ""

    def values(self, line: dict) -> list:
        return [line[c.field] for c in self.columns]

    def text_file(self, lines: list[dict], *, count: int, total: Decimal, purpose: str) -> bytes:
        """The whole csv or txt file, encoded; ``lines`` are the field values of each award."""
        rows = []
        if self.summary:
            facts = {"count": count, "total": f"{total:.2f}", "total_fen": int(total * 100), "purpose": purpose}
            rows.append([part.format(**facts) for part in self.summary])
        if self.header:
            rows.append([c.title for c in self.columns])
        rows += [[_text(v) for v in self.values(line)] for line in lines]
        buffer = io.StringIO()
        if self.file_type == "csv":
            csv.writer(buffer, delimiter=self.delimiter, lineterminator=self.line_ending).writerows(rows)
        else:  # values were checked for the separator and line breaks (unwritable): joined as they are
            buffer.writelines(self.delimiter.join(row) + self.line_ending for row in rows)
        return buffer.getvalue().encode(self.encoding)


def _text(value) -> str:
    # A csv is opened in a spreadsheet as often as it is imported by a bank: a text starting with
    # = + - @ (no real name, bank or account does) is written so that it cannot run as a formula.
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, str):
        return neutral_text(value)
    return str(value)


def _parse(path: Path) -> BankTemplate:
    def bad(problem: str) -> TemplateInvalid:
        return TemplateInvalid(TEMPLATE_INVALID.format(file=path.name, problem=problem))

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for key in ("id", "title", "file_type", "columns"):
        if not data.get(key):
            raise bad(f"缺少 {key}")
    if data["file_type"] not in FILE_TYPES:
        raise bad(f"file_type 应为 {'、'.join(FILE_TYPES)} 之一")
    encoding = data.get("encoding") or "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise bad(f"未知的编码 {encoding}") from None
    columns = []
    for col in data["columns"]:
        if col.get("field") not in FIELDS:
            raise bad(f"未知的列内容 {col.get('field')!r}（可选：{'、'.join(FIELDS)}）")
        columns.append(BankColumn(str(col.get("title") or col["field"]), col["field"], float(col.get("width", 16))))
    delimiter = data.get("delimiter", ",")
    if data["file_type"] != "xlsx" and len(delimiter) != 1:
        raise bad("delimiter 应为一个字符")
    summary = tuple(str(s) for s in data.get("summary") or ())
    for part in summary:
        try:
            part.format(**{k: "" for k in SUMMARY_FIELDS})
        except (KeyError, IndexError, ValueError):
            raise bad(f"汇总行只能使用 {'、'.join('{' + f + '}' for f in SUMMARY_FIELDS)}") from None
    return BankTemplate(
        id=str(data["id"]), title=str(data["title"]), file_type=data["file_type"], encoding=encoding,
        columns=tuple(columns), header=bool(data.get("header", True)), delimiter=delimiter,
        line_ending=data.get("line_ending", "\r\n"), sheet=str(data.get("sheet") or "批量代发"), summary=summary,
    )


def bank_templates() -> dict[str, BankTemplate]:
    """Every template: the built-in ones, then the bureau's (same id: the bureau's wins)."""
    folders = [BUILT_IN]
    extra = getattr(settings, "IPFUND_BANK_TEMPLATE_DIR", "")
    if extra:
        folders.append(Path(extra))
    found: dict[str, BankTemplate] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
            template = _parse(path)
            found[template.id] = template
    # the default first: it is what the export offers unless finance picks another
    return dict(sorted(found.items(), key=lambda kv: (kv[0] != DEFAULT_TEMPLATE, kv[0])))


def bank_template(template_id: str | None) -> BankTemplate:
    templates = bank_templates()
    key = template_id or DEFAULT_TEMPLATE
    if key not in templates:
        raise KeyError(TEMPLATE_UNKNOWN.format(id=key))
    return templates[key]
