"""The three registers in a real browser, one journey each: an activity reviewed with a report
(二（一））; a complaint filed anonymously and followed by its reference (三); an alliance reviewed by a
panel and then paid (二（四））."""

import datetime as dt
import re

import pytest

from ipfund.web.demo import flow
from django.utils import timezone

from ipfund.web.accounts.models import User
from ipfund.web.alliances.models import AllianceApplication
from ipfund.web.analysis.models import Activity
from ipfund.web.audit.services import audit_verify
from ipfund.web.claims.models import Claim
from ipfund.web.complaints.models import Complaint
from ipfund.web.demo.flow import APPLICANT_PASSWORD, STAFF_PASSWORDS, create_staff, new_applicant
from ipfund.web.engine_door import default_policy
from ipfund.web.notices.models import Notice
from ipfund.web.payments.models import Payment
from ipfund.web.rounds.services import round_create

from .test_journey import PDF, sign_in, sign_out, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _own_checkpoint(settings, tmp_path):
    settings.IPFUND_CHECKPOINT_DIR = tmp_path / "checkpoints"  # the audit chain of this test alone


def _pdf(tmp_path, name: str):
    path = tmp_path / name
    path.write_bytes(PDF)
    return str(path)


def test_an_activity_is_reviewed_with_a_report(new_context, screenshots, tmp_path):
    staff = create_staff()
    admin = new_context()
    sign_in(admin, "admin", STAFF_PASSWORDS["admin"])
    submit(admin, admin.get_by_role("link", name="分析评议", exact=True))
    submit(admin, admin.locator("#new-activity"))
    admin.fill("#id_title", "引进某新能源电池生产线项目")
    admin.select_option("#id_kind", "project_intro")
    admin.fill("#id_parties", "肇庆星河新能源有限公司\n某境外电池集团")
    admin.fill("#id_amount", "1,200,000,000")
    admin.fill("#id_department", "区招商局")
    admin.fill("#id_due_on", (timezone.localdate() + dt.timedelta(days=15)).isoformat())
    screenshots(admin, "analysis-register")
    submit(admin, admin.locator("#register"))
    activity = Activity.objects.get()
    assert "¥1,200,000,000.00" in admin.inner_text("#activity")
    admin.select_option("#id_analyst", str(staff.reviewer.pk))
    submit(admin, admin.locator("#assign"))
    assert "已分派承办人。" in admin.content()
    sign_out(admin)

    analyst = new_context()
    sign_in(analyst, "reviewer", STAFF_PASSWORDS["reviewer"])
    analyst.goto("/notifications/")
    assert activity.reference in analyst.content()
    analyst.goto("/analysis/")
    submit(analyst, analyst.get_by_role("link", name="查看", exact=True))
    analyst.set_input_files("#id_report", _pdf(tmp_path, "评议报告.pdf"))
    analyst.check('input[name="conclusion"][value="manageable"]')
    analyst.fill("#id_findings", "对方两件核心专利的权属存在争议，另有一件即将届满。")
    analyst.fill("#id_recommendation", "签约前完成权属确认，并在协议中约定知识产权担保条款。")
    screenshots(analyst, "analysis-report")
    submit(analyst, analyst.locator("#submit-report"))
    assert "评议报告已提交，等待验收。" in analyst.content()
    sign_out(analyst)

    sign_in(admin, "admin", STAFF_PASSWORDS["admin"])
    admin.goto(f"/analysis/{activity.pk}/")
    admin.check('input[name="decision"][value="accept"]')
    submit(admin, admin.locator("#conclude"))
    assert admin.inner_text("#activity-state") == "已办结"
    assert admin.inner_text("#conclusion") == "存在风险，采取措施后可控"
    with admin.expect_popup() as popup:
        admin.click("#report-link")
    assert popup.value.url.endswith(f"/analysis/{activity.pk}/report/file/")
    admin.goto("/analysis/?q=星河&conclusion=manageable")
    assert activity.reference in admin.inner_text("#activities")
    screenshots(admin, "analysis-archive")
    # someone not assigned never sees it
    other = new_context()
    sign_in(other, "reviewer2", STAFF_PASSWORDS["reviewer2"])
    other.goto("/analysis/")
    assert activity.reference not in other.content()
    assert audit_verify().ok


def test_a_complaint_is_filed_anonymously_and_followed_by_its_reference(new_context, screenshots):
    create_staff()
    visitor = new_context()
    visitor.goto("/")
    submit(visitor, visitor.get_by_role("link", name="投诉维权"))
    visitor.check('input[name="kind"][value="report"]')
    visitor.select_option("#id_right_type", "patent")
    visitor.fill("#id_right_number", "ZL202010000001.2")
    visitor.fill("#id_respondent", "高新区某电器商行")
    submit(visitor, visitor.locator("#file-complaint"))
    assert "请填写此项。" in visitor.inner_text("#field-description")
    assert visitor.input_value("#id_respondent") == "高新区某电器商行"  # nothing typed is lost
    visitor.fill("#id_description", "该商行公开销售仿冒我司外观设计专利的电热水壶。")
    screenshots(visitor, "complaint-form")
    submit(visitor, visitor.locator("#file-complaint"))
    reference, code = visitor.inner_text("#complaint-reference"), visitor.inner_text("#complaint-code")
    screenshots(visitor, "complaint-filed")
    complaint = Complaint.objects.get()
    assert complaint.reference == reference and complaint.anonymous

    reviewer = new_context()
    sign_in(reviewer, "reviewer", STAFF_PASSWORDS["reviewer"])
    submit(reviewer, reviewer.get_by_role("link", name="投诉处理"))
    assert "匿名" in reviewer.inner_text("#complaints")
    submit(reviewer, reviewer.get_by_role("link", name="办理", exact=True))
    reviewer.check('input[name="state"][value="accepted"]')
    reviewer.fill("#id_note", "材料可初步证明侵权")
    submit(reviewer, reviewer.locator("#update"))
    reviewer.check('input[name="state"][value="routed"]')
    reviewer.select_option("#id_route", "city_enforcement")
    reviewer.fill("#id_route_to", "市市场监管局执法支队")
    reviewer.fill("#id_note", "涉嫌假冒专利，移送行政执法")
    reviewer.fill("#id_public_note", "已转市场监管部门依法查处。")
    screenshots(reviewer, "complaint-route")
    submit(reviewer, reviewer.locator("#update"))
    assert reviewer.inner_text("#complaint-state") == "已转办"

    visitor.goto("/complaints/status/")
    visitor.fill("#id_reference", reference)
    visitor.fill("#id_code", "WRONG123")
    submit(visitor, visitor.locator("#lookup"))
    assert "投诉编号或查询码不正确。" in visitor.content()
    visitor.fill("#id_code", code)
    submit(visitor, visitor.locator("#lookup"))
    assert visitor.inner_text("#current-state") == "已转办"
    assert "已转市场监管部门依法查处。" in visitor.inner_text("#public-steps")
    assert "涉嫌假冒专利" not in visitor.content()  # the bureau's own note stays inside
    screenshots(visitor, "complaint-status")


def test_an_alliance_is_reviewed_by_a_panel_and_then_paid(new_context, screenshots, tmp_path):
    staff = create_staff()
    flow.no_budget(staff, "zhaoqing-hitech-ip-2022")  # approvals need a budget or a recorded 不设预算
    now = timezone.now()
    round_create(actor=staff.admin, name="2026年第二批", opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30),
                 items=list(default_policy().items))
    new_applicant("social_org", username="lianmeng", name="肇庆高新区新材料产业知识产权联盟秘书处")

    # --- the secretariat applies ------------------------------------------------------------------
    page = new_context()
    sign_in(page, "lianmeng", APPLICANT_PASSWORD)
    submit(page, page.get_by_role("link", name="专利联盟评审"))
    page.fill("#id_alliance_name", "肇庆高新区新材料专利联盟")
    page.fill("#id_industry", "新材料")
    page.fill("#id_members", "肇庆星河新材料有限公司\n肇庆远航科技有限公司\n肇庆学院")
    page.fill("#id_description", "由区内龙头企业牵头，已构建含 120 件专利的专利池。")
    page.set_input_files("#id_charter", _pdf(tmp_path, "联盟章程.pdf"))
    screenshots(page, "alliance-apply")
    submit(page, page.locator("#apply"))
    application = AllianceApplication.objects.get()
    assert page.inner_text("#alliance-state") == "待组织评审"
    sign_out(page)

    # --- the bureau forms the panel ---------------------------------------------------------------
    admin = new_context()
    sign_in(admin, "admin", STAFF_PASSWORDS["admin"])
    admin.goto(f"/staff/alliances/{application.pk}/")
    for member in (staff.reviewer2, staff.approver, staff.finance):
        admin.check(f'input[name="members"][value="{member.pk}"]')
    admin.select_option("#id_chair", str(staff.reviewer2.pk))
    screenshots(admin, "alliance-panel")
    submit(admin, admin.locator("#form-panel"))
    assert "评审专家组已确定" in admin.content()
    sign_out(admin)

    # --- each member declares and scores; the chair decides ---------------------------------------
    for username, points in (("approver", ("20", "19", "18", "20")), ("finance", ("18", "17", "19", "18")),
                             ("reviewer2", ("21", "20", "20", "19"))):
        member = new_context()
        sign_in(member, username, STAFF_PASSWORDS[username])
        submit(member, member.get_by_role("link", name="联盟评审"))
        submit(member, member.get_by_role("link", name="办理", exact=True))
        member.check('input[name="conflict"][value="false"]')
        submit(member, member.locator("#declare"))
        for field, value in zip(("organisation", "operation", "patents", "industry"), points):
            member.fill(f"#id_score_{field}", value)
        member.fill("#id_comment", "联盟组建规范，专利池运营有成效。")
        submit(member, member.locator("#score"))
        assert "评分已保存。" in member.content()
        if username == "reviewer2":
            screenshots(member, "alliance-scores")
            member.check('input[name="passed"][value="true"]')
            member.fill("#id_note", "专家组一致认为该联盟符合评审条件，同意通过。")
            member.fill("#id_decision_number", "肇高知评〔2026〕5号")
            member.set_input_files("#id_document", _pdf(tmp_path, "评审结论.pdf"))
            submit(member, member.locator("#decide"))
            assert member.inner_text("#alliance-state") == "评审通过"
            screenshots(member, "alliance-decided")
        sign_out(member)
    application.refresh_from_db()
    assert application.state == "passed" and str(application.mean_score) == "76.33"  # (77 + 72 + 80) / 3

    # --- the secretariat claims the 20万 with the alliance's number ---------------------------------
    sign_in(page, "lianmeng", APPLICANT_PASSWORD)
    page.goto(f"/alliances/{application.pk}/")
    assert application.reference in page.inner_text("#alliance-reference")
    screenshots(page, "alliance-passed")
    submit(page, page.locator("#claim-alliance"))
    page.fill("#id_event_date", "2024-12-20")
    page.fill("#id_facts-alliance_id", application.reference)
    page.check('input[name="facts-review_passed"][value="true"]')
    page.set_input_files("#id_evidence-evidence_0", _pdf(tmp_path, "评审通过文件.pdf"))
    page.set_input_files("#id_evidence-evidence_1", _pdf(tmp_path, "章程及秘书处证明.pdf"))
    page.click("#save-claim")
    page.wait_for_url(re.compile(r".*/me/claims/\d+/$"))
    assert page.inner_text("#decision-amount") == "¥200,000.00"
    submit(page, page.locator("#submit-claim"))
    assert "申报已提交，请等待初审。" in page.content(), page.inner_text("main")
    claim = Claim.objects.get()
    sign_out(page)

    # --- 初审 sees the review on the claim and recommends; 审定 approves ---------------------------------
    reviewer = new_context()
    sign_in(reviewer, "reviewer", STAFF_PASSWORDS["reviewer"])
    reviewer.goto(f"/staff/claims/{claim.pk}/")
    assert "评审通过（平均分 76.33）" in reviewer.inner_text("#alliance-review")
    assert "肇高知评〔2026〕5号" in reviewer.inner_text("#alliance-review")
    screenshots(reviewer, "alliance-claim-review")
    submit(reviewer, reviewer.locator("#recommend"))
    sign_out(reviewer)
    approver = new_context()
    sign_in(approver, "approver", STAFF_PASSWORDS["approver"])
    approver.goto(f"/staff/claims/{claim.pk}/")
    submit(approver, approver.locator("#approve"))
    assert "已审定通过" in approver.content()
    sign_out(approver)

    # --- notice, period over, finance pays --------------------------------------------------------------
    sign_in(reviewer, "reviewer", STAFF_PASSWORDS["reviewer"])
    reviewer.goto("/staff/notices/")
    reviewer.click("#publish")
    reviewer.wait_for_url(re.compile(r".*/notices/\d+/$"))
    notice = Notice.objects.get()
    Notice.objects.filter(pk=notice.pk).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    reviewer.goto("/staff/notices/")
    submit(reviewer, reviewer.locator(f"#close-notice-{notice.pk}"))
    sign_out(reviewer)
    finance = new_context()
    sign_in(finance, "finance", STAFF_PASSWORDS["finance"])
    finance.goto(f"/staff/finance/{claim.pk}/")
    finance.fill("#id_reference", "GX-ZF-2026-0520")
    submit(finance, finance.locator("#record-payment"))
    assert "已记录拨付。" in finance.content()
    assert str(Payment.objects.get(claim=claim).amount) == "200000.00"
    assert audit_verify().ok
    assert User.objects.get(username="lianmeng").applicant.alliance_applications.get().state == "passed"
