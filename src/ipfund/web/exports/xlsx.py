"""One streaming sheet writer: openpyxl's write-only workbook, rows appended as they are read,
money written as exact decimals with a two-place format, every text as a text cell that cannot
execute (cells.neutral_text)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .cells import neutral_text

MONEY_FORMAT = "#,##0.00"
CHUNK = 2000  # rows fetched from the database at a time


@dataclass(frozen=True)
class Column:
    title: str
    width: float = 14
    money: bool = False
    text: bool = False  # long digit strings (accounts) kept as text, not numbers


@dataclass(frozen=True)
class Figure:
    """A number in a column that also holds words (a summary sheet's 内容): written as a number
    cell in ``number_format`` so that it adds up, never as text."""

    value: Decimal | int
    number_format: str = MONEY_FORMAT


PERCENT_FORMAT = "0.0%"
DAYS_FORMAT = "0.0"


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    rows: Iterable[list]
    total: int | None = None  # how many rows to expect, for progress


def write_workbook(path: Path, sheets: list[Sheet], progress: Callable[[int, int | None], None], every: int = 500) -> int:
    """Write ``sheets`` to ``path``; returns the number of data rows. Never holds more than one row."""
    wb = Workbook(write_only=True)
    written = 0
    bold = Font(bold=True)
    grand_total = sum(s.total or 0 for s in sheets) or None
    progress(0, grand_total)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title[:31])
        for i, col in enumerate(sheet.columns):
            ws.column_dimensions[_letter(i)].width = col.width
        header = []
        for col in sheet.columns:
            cell = WriteOnlyCell(ws, value=col.title)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            ws.append([_cell(ws, col, value) for col, value in zip(sheet.columns, row)])
            written += 1
            if written % every == 0:
                progress(written, grand_total)
    wb.save(path)
    return written


def _cell(ws, col: Column, value):
    if value is None:
        return ""
    if isinstance(value, Figure):
        cell = WriteOnlyCell(ws, value=value.value)
        cell.number_format = value.number_format
        return cell
    if col.money:
        cell = WriteOnlyCell(ws, value=Decimal(value))
        cell.number_format = MONEY_FORMAT
        return cell
    if col.text or isinstance(value, str):
        return _text_cell(ws, value, number_format="@" if col.text else None)
    return value


def _text_cell(ws, value, *, number_format: str | None = None) -> WriteOnlyCell:
    """A text cell: neutralised, and typed as a string so openpyxl never reads "=…" as a formula."""
    cell = WriteOnlyCell(ws, value=neutral_text(value))
    cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
