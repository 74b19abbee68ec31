"""Fixtures of the sandbox tests: a small ledger (two awards), a pending claim and a register row."""

from __future__ import annotations

import pytest

from ipfund.web.accounts.idgen import make_uscc
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.registers.models import Register
from ipfund.web.registers.services import register_for, register_import, register_upload

from ..registers.conftest import csv_bytes, enterprise_rows

STAR = make_uscc("enterprise", 7302)  # in the enterprise register, without an account


def _import(actor, register, rows):
    return register_import(actor=actor, upload=register_upload(actor=actor, register=register, file_name="f.csv",
                                                                content=csv_bytes(rows)))


@pytest.fixture
def world(staff, applicant, open_round):
    """Awards: a ¥3,000 custody subsidy (an SME whose name would be a formula in a spreadsheet) and a
    ¥5,000 patent attorney grant; pending: another SME's ¥3,000 custody claim; the register: a
    China Patent Award gold (¥300,000) of an enterprise without an account."""
    tricky = applicant("enterprise", sme=True, name="=HYPERLINK(\"http://x\")科技有限公司")
    awarded = flow.advance(flow.submitted_from_sample(tricky, sample("custody_sme")), "approved", staff)
    person = applicant("person", name="张三")
    attorney = flow.advance(flow.submitted_from_sample(person, sample("patent_attorney")), "approved", staff)
    waiting = flow.submitted_from_sample(applicant("enterprise", sme=True, name="肇庆乙科技有限公司"), sample("custody_sme", 1))
    _import(staff.reviewer, register_for(kind=Register.ENTERPRISES),
            enterprise_rows(("星辉电子有限公司", STAR, "肇庆高新区建设三路 2 号")))
    awards = register_for(kind=Register.AWARDS, code="cpa", name="中国专利奖获奖名单", item="china_patent_award")
    _import(staff.reviewer, awards, [["获奖单位", "统一社会信用代码", "专利号", "奖项等级", "获奖日期"],
                                     ["星辉电子有限公司", STAR, "ZL201910000005.0", "金奖", "2024-05-10"]])
    return {"awarded": awarded, "attorney": attorney, "waiting": waiting, "tricky": tricky, "person": person}
