"""Fixtures of the register tests: the fictional successor in force (through IPFUND_POLICY_PATH),
files written as CSV or Excel, and a clerk."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

SUCCESSOR = "fictional-successor-2025"
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "policies" / SUCCESSOR
ON = dt.date(2026, 6, 1)  # the successor is in force (2025-01-18 to 2027-01-17)


@pytest.fixture(autouse=True)
def successor(monkeypatch):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURE))
    return SUCCESSOR


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ENTERPRISE_HEADER = ["企业名称", "统一社会信用代码", "单位类型", "是否中小微企业", "注册地址", "成立日期", "所属行业"]


def enterprise_rows(*companies) -> list[list]:
    """companies: (name, credit code, address) each."""
    return [ENTERPRISE_HEADER] + [[name, code, "企业", "是", address, "2018-03-01", "制造业"]
                                  for name, code, address in companies]
