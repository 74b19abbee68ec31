"""免申即享 in a real browser: a clerk imports the enterprise register and an award list whose names
need resolving, resolves them and runs matching; the enterprise, sent to 可直接享受 on signing in,
confirms one proposal and declines the other; a reviewer recommends the confirmed one with the
source row before them, and the approver approves it at the proposal's amount."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from ipfund.web.claims.models import Claim
from ipfund.web.demo.flow import APPLICANT_PASSWORD, STAFF_PASSWORDS, create_staff, new_applicant, no_budget
from ipfund.web.accounts.idgen import make_uscc

from .test_journey import sign_in, sign_out, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "policies" / "fictional-successor-2025"


def _files(tmp_path, code: str) -> tuple[Path, Path]:
    names = tmp_path / "企业名录.csv"
    out = io.StringIO()
    csv.writer(out).writerows([
        ["企业名称", "统一社会信用代码", "单位类型", "是否中小微企业", "注册地址", "成立日期", "所属行业"],
        ["肇庆宏达科技有限公司", code, "企业", "是", "肇庆高新区迎宾大道 18 号", "2018-03-01", "制造业"],
        ["远大材料有限公司", make_uscc("enterprise", 8801), "企业", "否", "广州市天河区天河路 1 号", "2015-06-01", "制造业"],
    ])
    names.write_bytes(out.getvalue().encode("utf-8-sig"))
    book = Workbook()
    sheet = book.active
    for row in [["专利权人", "专利号", "奖项", "授奖日期"],
                ["肇庆宏达科技有限责任公司", "ZL201910000001.2", "金奖", "2026-05-10"],  # matched after normalisation
                ["宏达科技", "ZL201910000002.7", "优秀奖", "2026/5/10"]]:  # a clerk must say who this is
        sheet.append(row)
    awards = tmp_path / "2026年中国专利奖获奖名单.xlsx"
    book.save(awards)
    return names, awards


def test_registers_matching_confirm_decline_and_approval(new_context, screenshots, tmp_path, monkeypatch, settings):
    settings.CELERY_BROKER_URL = ""  # matching is a background job: the embedded worker thread of the live server runs it
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURE))
    no_budget(create_staff(), "fictional-successor-2025")  # approvals need a budget or 不设预算 for the year
    company = new_applicant("enterprise", sme=True, username="hongda", name="肇庆宏达科技有限公司")
    names, awards = _files(tmp_path, company.applicant.ledger_identity)

    # --- the clerk imports the enterprise register ---------------------------------------------------
    clerk = new_context()
    sign_in(clerk, "reviewer", STAFF_PASSWORDS["reviewer"])
    submit(clerk, clerk.get_by_role("link", name="名单与免申即享"))
    clerk.select_option("#id_kind", "enterprises")
    clerk.set_input_files("#id_file", str(names))
    submit(clerk, clerk.get_by_role("button", name="上传并核对列映射"))
    assert "文件“企业名录.csv”共 2 行数据" in clerk.inner_text("main")
    submit(clerk, clerk.get_by_role("button", name="确认映射并导入"))
    assert "已导入“企业名录（一企一档）”第 1 版，共 2 行" in clerk.inner_text("main")
    screenshots(clerk, "register-enterprises-version")

    # --- and the award list, mapping the column the template names otherwise --------------------------
    submit(clerk, clerk.get_by_role("link", name="返回名单"))
    clerk.select_option("#id_kind", "awards")
    clerk.fill("#id_name", "2026年中国专利奖获奖名单")
    clerk.select_option("#id_item", "china_patent_award")
    clerk.set_input_files("#id_file", str(awards))
    submit(clerk, clerk.get_by_role("button", name="上传并核对列映射"))
    clerk.select_option("select[aria-label='奖项']", "level")
    screenshots(clerk, "register-awards-mapping")
    submit(clerk, clerk.get_by_role("button", name="确认映射并导入"))
    assert "1 行单位名称待人工确认" in clerk.inner_text("main")

    # --- the name waiting for a clerk: the fuzzy suggestion is the company ---------------------------
    clerk.goto("/staff/registers/waiting/")
    panel = clerk.locator("section.panel", has_text="宏达科技")
    assert "肇庆宏达科技有限公司" in panel.inner_text() and "相似度" in panel.inner_text()
    screenshots(clerk, "register-waiting")
    submit(clerk, panel.get_by_role("button", name="确认所选企业"))
    assert "没有待确认的单位名称" in clerk.inner_text("main")

    # --- matching ------------------------------------------------------------------------------------
    clerk.goto("/staff/registers/")
    clerk.fill("#id_on", "2026-06-01")
    submit(clerk, clerk.get_by_role("button", name="运行匹配"))
    assert "免申即享匹配" in clerk.inner_text("main")  # the job's page, refreshing itself until the run is done
    clerk.locator("#job-result").wait_for(timeout=60000)
    screenshots(clerk, "register-match-job")
    submit(clerk, clerk.locator("#job-result"))
    assert "新建议 2 项" in clerk.inner_text("main")
    assert "¥400,000.00" in clerk.inner_text("#proposals") and "¥150,000.00" in clerk.inner_text("#proposals")
    screenshots(clerk, "register-match-run")
    sign_out(clerk)

    # --- the enterprise signs in to 可直接享受, confirms one and declines the other ---------------------
    page = new_context()
    sign_in(page, "hongda", APPLICANT_PASSWORD)
    assert page.url.endswith("/me/direct/")
    gold, excellence = Claim.objects.filter(applicant=company.applicant).order_by("id")
    assert "可直接享受" in page.inner_text(f"#proposal-{gold.pk}")
    assert "¥400,000.00" in page.inner_text(f"#proposal-{gold.pk}")
    screenshots(page, "direct-benefits")
    card = page.locator(f"#proposal-{gold.pk}")
    card.locator("input[name=bank_name]").fill("中国银行肇庆分行")
    card.locator("input[name=bank_account]").fill("6222020011112222333")
    card.locator("input[name=bank_holder]").fill("肇庆宏达科技有限公司")
    submit(page, card.get_by_role("button", name="确认享受"))
    assert "已确认享受，申报已转入初审" in page.inner_text("main")
    page.goto("/me/direct/")
    card = page.locator(f"#proposal-{excellence.pk}")
    card.locator("textarea[name=statement]").fill("本单位自愿放弃该项奖励。")
    submit(page, card.get_by_role("button", name="提交放弃声明"))
    assert "已提交放弃声明" in page.inner_text("main")
    screenshots(page, "direct-benefits-answered")
    sign_out(page)

    # --- the reviewer sees the source row and recommends; the approver approves ----------------------
    reviewer = new_context()
    sign_in(reviewer, "reviewer2", STAFF_PASSWORDS["reviewer2"])
    reviewer.goto(f"/staff/claims/{gold.pk}/")
    source = reviewer.inner_text("#proposal-source")
    assert "2026年中国专利奖获奖名单" in source and "肇庆宏达科技有限责任公司" in source and "金奖" in source
    screenshots(reviewer, "review-direct-claim")
    submit(reviewer, reviewer.locator("#recommend"))
    assert "已初审推荐，等待审定。" in reviewer.content()
    sign_out(reviewer)
    approver = new_context()
    sign_in(approver, "approver", STAFF_PASSWORDS["approver"])
    approver.goto(f"/staff/claims/{gold.pk}/")
    submit(approver, approver.locator("#approve"))
    assert "已审定通过" in approver.content()
    screenshots(approver, "approval-direct-claim")
    gold.refresh_from_db()
    excellence.refresh_from_db()
    assert (gold.state, gold.approved_amount, excellence.state) == ("approved", Decimal("400000.00"), "declined")
