"""A register file read: Excel (.xlsx) or CSV into a header and rows; the fields each kind of
register has (the documented template columns, with the names bureaus also use for them); the
mapping of columns to fields; and each cell read into its field's type, or a Chinese error naming
its row and column."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ipfund.web.accounts.models import APPLICANT_KINDS
from ipfund.web.engine_door import applicant_facts, known_policies, uscc_valid

from .names import _basic

MAX_ERRORS = 50
NOT_A_TABLE = "只能导入 Excel（.xlsx）或 CSV（UTF-8 或 GBK 编码）文件：{name}"
UNREADABLE = "文件无法读取（{detail}）：请另存为 Excel（.xlsx）或 CSV 后重新上传。"
EMPTY = "文件没有数据：第 1 行应为列名，其下每行一条记录。"
BLANK_HEADER = "第 1 行第 {n} 列：列名为空。"
SAME_HEADER = "第 1 行：列名“{name}”出现了不止一次。"
MISSING_COLUMN = "缺少必需的列：{label}（字段 {field}）。请在列映射中指定，或按模板命名该列。"
MAPPED_TWICE = "字段 {field}（{label}）被映射到了多个列：{columns}。"
UNKNOWN_FIELD = "列“{column}”映射到的字段 {field} 不存在；可用的字段：{fields}。"
UNKNOWN_COLUMN = "文件中没有列“{column}”。"
CELL = "第 {row} 行“{column}”列：{message}"
REQUIRED = "不能为空"
BAD_DATE = "“{value}”不是有效日期（应为 2026-05-01、2026/5/1 或 2026年5月1日）"
BAD_BOOL = "“{value}”应为“是”或“否”"
BAD_CODE = "“{value}”不是有效的统一社会信用代码"
BAD_KIND = "“{value}”不是可识别的单位类型（可填：{options}）"
BAD_OPTION = "“{value}”不是可选值（可填：{options}）"
BAD_YEAR = "“{value}”不是有效年份"
BAD_MONEY = "“{value}”不是有效金额（元）"
NO_ITEM = "没有任何已安装政策的申报项目 {item}。"


@dataclass(frozen=True)
class Field:
    id: str
    label: str  # the template's column name
    type: str  # text | uscc | date | bool | kind | enum | year | money | number
    required: bool = False
    aliases: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()  # enum: (code, label)
    fact: bool = False  # an item's fact (kept under data["facts"])

    def names(self) -> set[str]:
        return {_basic(n) for n in (self.label, self.id, *self.aliases)}


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)  # (row number, cells)


NAME_ALIASES = ("单位名称", "企业名称", "名称", "获奖单位", "专利权人", "申请人", "单位")
ENTERPRISE_FIELDS = (
    Field("name", "企业名称", "text", True, NAME_ALIASES),
    Field("credit_code", "统一社会信用代码", "uscc", True, ("信用代码", "社会信用代码")),
    Field("kind", "单位类型", "kind", False, ("企业类型", "主体类型", "类型")),
    Field("sme", "是否中小微企业", "bool", False, ("中小微企业", "中小企业", "是否中小企业")),
    Field("address", "注册地址", "text", True, ("住所", "地址", "登记地址")),
    Field("registered_on", "成立日期", "date", False, ("注册日期", "登记日期")),
    Field("industry", "所属行业", "text", False, ("行业", "国民经济行业")),
    Field("status", "登记状态", "text", False, ("经营状态", "企业状态", "存续状态")),
)
LIST_FIELDS = (
    Field("name", "单位名称", "text", False, NAME_ALIASES),
    Field("credit_code", "统一社会信用代码", "uscc", True, ("信用代码", "社会信用代码")),
    Field("listed_on", "列入日期", "date", False, ("认定日期", "日期")),
    # the last day it is listed (认定有效期至、移出名单的前一日); empty: still listed
    Field("until", "有效期至", "date", False, ("移出日期", "截止日期", "届满日期")),
    Field("note", "列入原因", "text", False, ("原因", "备注")),
)


def item_spec(item: str):
    """The item an award list claims, as the first installed policy holding it (in force first) has it."""
    for policy in known_policies():
        if item in policy.items:
            return policy.items[item]
    return None


def award_fields(item: str) -> tuple[Field, ...]:
    spec = item_spec(item)
    if spec is None:
        raise ValueError(NO_ITEM.format(item=item))
    facts = []
    for fact in applicant_facts(spec):
        options = tuple((code, (fact.option_labels or {}).get(code, code)) for code in fact.options)
        short = re.sub(r"[（(].*?[）)]", "", fact.label)
        facts.append(Field(fact.name, fact.label, fact.type if fact.type != "enum" else "enum",
                           not fact.optional, (short,) if short != fact.label else (), options, True))
    return (
        Field("name", "获奖单位", "text", True, NAME_ALIASES),
        Field("credit_code", "统一社会信用代码", "uscc", False, ("信用代码", "社会信用代码")),
        Field("event_date", "获奖日期", "date", True, ("授奖日期", "认定日期", "发文日期", "日期")),
        *facts,
    )


# -- reading a file ------------------------------------------------------------------------------


def read_table(file_name: str, content: bytes) -> Table:
    """The first sheet of an .xlsx, or a CSV (UTF-8, with or without BOM, else GB18030)."""
    lower = file_name.lower()
    if lower.endswith(".xlsx"):
        table = _read_xlsx(content)
    elif lower.endswith(".csv"):
        table = _read_csv(content)
    else:
        raise ValueError(NOT_A_TABLE.format(name=file_name))
    for n, name in enumerate(table.header, 1):
        if not name:
            raise ValueError(BLANK_HEADER.format(n=n))
    seen = set()
    for name in table.header:
        if name in seen:
            raise ValueError(SAME_HEADER.format(name=name))
        seen.add(name)
    if not table.rows:
        raise ValueError(EMPTY)
    return table


def _cells_blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the uploader's to fix
        raise ValueError(UNREADABLE.format(detail=type(exc).__name__)) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header_cells = next(rows, None)
    if header_cells is None:
        raise ValueError(EMPTY)
    header = [("" if c is None else str(c)).strip() for c in header_cells]
    while header and not header[-1]:
        header.pop()
    table = Table(header)
    for number, cells in enumerate(rows, 2):
        cells = list(cells[: len(header)]) + [None] * max(0, len(header) - len(cells))
        if not _cells_blank(cells):
            table.rows.append((number, cells))
    book.close()
    return table


def _read_csv(content: bytes) -> Table:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ValueError(UNREADABLE.format(detail="编码"))
    reader = csv.reader(io.StringIO(text))
    header = [c.strip() for c in next(reader, [])]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise ValueError(EMPTY)
    table = Table(header)
    for number, cells in enumerate(reader, 2):
        cells = (cells + [""] * len(header))[: len(header)]
        if not _cells_blank(cells):
            table.rows.append((number, cells))
    return table


# -- mapping columns to fields ---------------------------------------------------------------------


def mapping_proposed(header: list[str], fields: tuple[Field, ...]) -> dict[str, str]:
    """Each column → the field whose template name (or a usual other name) it carries, else ""."""
    out, taken = {}, set()
    for column in header:
        key = _basic(column)
        match = next((f.id for f in fields if f.id not in taken and key in f.names()), "")
        if match:
            taken.add(match)
        out[column] = match
    return out


def mapping_check(mapping: dict[str, str], header: list[str], fields: tuple[Field, ...]) -> list[str]:
    """What is wrong with a mapping (Chinese, one message each); empty when it can be imported."""
    by_id = {f.id: f for f in fields}
    problems = []
    for column, target in mapping.items():
        if column not in header:
            problems.append(UNKNOWN_COLUMN.format(column=column))
        elif target and target not in by_id:
            problems.append(UNKNOWN_FIELD.format(column=column, field=target, fields="、".join(by_id)))
    targets: dict[str, list[str]] = {}
    for column, target in mapping.items():
        if target:
            targets.setdefault(target, []).append(column)
    for target, columns in targets.items():
        if len(columns) > 1 and target in by_id:
            problems.append(MAPPED_TWICE.format(field=target, label=by_id[target].label,
                                                columns="、".join(f"“{c}”" for c in columns)))
    for f in fields:
        if f.required and f.id not in targets:
            problems.append(MISSING_COLUMN.format(label=f.label, field=f.id))
    return problems


# -- reading cells -------------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YES = {"是", "y", "yes", "true", "1", "√", "中小微企业", "中小企业"}
_NO = {"否", "n", "no", "false", "0", "×", ""}


def _date(value) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    m = _DATE.match(text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            pass
    raise ValueError(BAD_DATE.format(value=text))


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell_value(f: Field, value):
    """One cell read into the field's type (ValueError with the message when it cannot be)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if f.required:
            raise ValueError(REQUIRED)
        return None
    if f.type == "date":
        return _date(value)
    text = _text(value)
    if f.type == "uscc":
        code = text.replace(" ", "").upper()
        if not uscc_valid(code):
            raise ValueError(BAD_CODE.format(value=text))
        return code
    if f.type == "bool":
        key = text.lower()
        if key in _YES:
            return True
        if key in _NO:
            return False
        raise ValueError(BAD_BOOL.format(value=text))
    if f.type == "kind":
        for code, label in APPLICANT_KINDS.items():
            if text in (code, label) or (code == "enterprise" and text.endswith("公司")):
                return code
        raise ValueError(BAD_KIND.format(value=text, options="、".join(APPLICANT_KINDS.values())))
    if f.type == "enum":
        for code, label in f.options:
            if _basic(text) in (_basic(code), _basic(label)):
                return code
        raise ValueError(BAD_OPTION.format(value=text, options="、".join(label for _, label in f.options)))
    if f.type == "year":
        if not re.fullmatch(r"\d{4}", text.removesuffix("年")):
            raise ValueError(BAD_YEAR.format(value=text))
        return int(text.removesuffix("年"))
    if f.type == "money":
        try:
            return str(Decimal(text.replace(",", "").replace("，", "").removesuffix("元")))
        except InvalidOperation:
            raise ValueError(BAD_MONEY.format(value=text)) from None
    return text


def rows_read(table: Table, mapping: dict[str, str], fields: tuple[Field, ...]) -> tuple[list[tuple[int, dict]], list[str]]:
    """Every row as {field: value} (an item's facts under "facts"), and every cell's error."""
    by_id = {f.id: f for f in fields}
    columns = [(i, column, by_id[mapping[column]]) for i, column in enumerate(table.header) if mapping.get(column)]
    out, errors = [], []
    for number, cells in table.rows:
        data: dict = {}
        for i, column, f in columns:
            try:
                value = cell_value(f, cells[i])
            except ValueError as exc:
                if len(errors) < MAX_ERRORS:
                    errors.append(CELL.format(row=number, column=column, message=exc))
                continue
            if f.fact:
                if value is not None:
                    data.setdefault("facts", {})[f.id] = value
            else:
                data[f.id] = value
        out.append((number, data))
    return out, errors
