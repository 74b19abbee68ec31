"""`ipfund demo` prints its summary in Chinese: state labels and roles, no state codes."""

import io
import re

import pytest

from ipfund.cli.demo import load_and_report

pytestmark = pytest.mark.django_db


def test_demo_printout_is_chinese():
    out = io.StringIO()
    assert load_and_report(out) == 0
    text = out.getvalue()
    assert "各状态申报数：" in text and "审定通过" in text and "草稿" in text
    assert not re.search(r"\b(approved|draft|submitted|in_notice|paid|final|rejected)\b", text)
    assert re.search(r"reviewer\s+\S+\s+初审人员", text)
    assert "申报单位/个人（其他申报人账户密码相同）" in text
