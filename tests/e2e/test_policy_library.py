"""The 政策库 in a real browser: the administrator follows the README — zips the fictional successor,
uploads it on 政策库, reads its check and test results and its diff, and finds it listed as 现行."""

import shutil
from pathlib import Path

import pytest

from ipfund.web.demo.flow import STAFF_PASSWORDS, create_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "policies" / "fictional-successor-2025"


def test_an_administrator_adds_the_successor_policy_on_the_policy_library(new_context, screenshots, settings, tmp_path):
    settings.IPFUND_POLICY_STORE = tmp_path / "policies"
    create_staff()
    archive = shutil.make_archive(str(tmp_path / "fictional-successor-2025"), "zip", FIXTURE.parent, FIXTURE.name)
    page = new_context()
    page.goto("/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", STAFF_PASSWORDS["admin"])
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    with page.expect_navigation():
        page.get_by_role("link", name="政策库").click()
    table = page.locator("#policies")
    assert "肇高管办〔2022〕2号" in table.inner_text() and "已失效" in table.inner_text()
    assert "虚构高管办〔2025〕1号" not in table.inner_text()
    page.set_input_files("#id_package", archive)
    with page.expect_navigation():
        page.get_by_role("button", name="上传、检查并启用").click()
    screenshots(page, "policy-library-activated")
    assert "已通过检查和测试，已启用" in page.inner_text("body")
    assert "检查通过" in page.inner_text("#package-check")
    assert "14 个案例全部通过" in page.inner_text("#package-test")
    assert "延续「知识产权服务费收入奖励」" in page.inner_text("#package-diff")
    with page.expect_navigation():
        page.get_by_role("link", name="返回政策库").click()
    row = page.locator("#policies tr", has_text="虚构高管办〔2025〕1号")
    assert "现行" in row.inner_text() and "政策库上传" in row.inner_text()
