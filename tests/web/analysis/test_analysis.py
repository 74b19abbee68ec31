"""The analysis-review register (二（一）) through its pages: register, assign, report, accept;
who sees what; the archive's search; deadline reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ipfund.web.analysis.models import Activity
from ipfund.web.analysis.services import activity_assign, activity_register, activity_remind, activity_report
from ipfund.web.audit.models import AuditEvent
from ipfund.web.demo import flow
from ipfund.web.jobs.housekeeping import housekeeping
from ipfund.web.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _activity(staff, **changes) -> Activity:
    fields = {"title": "引进新能源电池项目", "kind": "project_intro", "parties": "肇庆某新能源有限公司\n某外资集团",
              "department": "区招商局", "due_on": timezone.localdate() + dt.timedelta(days=10), **changes}
    return activity_register(actor=staff.admin, **fields)


def test_admin_registers_an_activity_and_bad_input_is_named_in_chinese_and_kept(staff):
    admin = _client(staff.admin)
    page = admin.post(reverse("analysis:new"), {"title": "并购某专利密集型企业", "kind": "merger", "parties": "",
                                                "amount": "1,2", "department": "区经济发展局", "due_on": "2020-01-01"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "请填写此项。" in text and "请输入金额（元），最多两位小数。" in text
    assert 'value="并购某专利密集型企业"' in text  # nothing typed is lost
    page = admin.post(reverse("analysis:new"), {"title": "并购某专利密集型企业", "kind": "merger", "parties": "甲公司\n乙公司",
                                                "amount": "¥120,000,000.50", "department": "区经济发展局", "due_on": "2020-01-01"})
    assert "办结期限不能早于今天。" in page.content.decode()
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    page = admin.post(reverse("analysis:new"), {"title": "并购某专利密集型企业", "kind": "merger", "parties": "甲公司\n乙公司",
                                                "amount": "¥120,000,000.50", "department": "区经济发展局", "due_on": due})
    activity = Activity.objects.get()
    assert page.status_code == 302 and page["Location"] == reverse("analysis:detail", args=[activity.pk])
    assert str(activity.amount) == "120000000.50" and activity.reference.startswith("ZQGX-PY-")
    assert AuditEvent.objects.filter(action="analysis_register", object_id=str(activity.pk)).exists()
    detail = admin.get(page["Location"]).content.decode()
    assert "¥120,000,000.50" in detail and "待分派" in detail and "企业并购重组" in detail


def test_only_the_assigned_analyst_and_administrators_see_an_activity(staff):
    activity = _activity(staff)
    assert _client(staff.reviewer).get(reverse("analysis:detail", args=[activity.pk])).status_code == 404
    _client(staff.admin).post(reverse("analysis:assign", args=[activity.pk]), {"analyst": staff.reviewer.pk})
    activity.refresh_from_db()
    assert activity.state == Activity.ASSIGNED and activity.analyst == staff.reviewer
    assert Notification.objects.filter(user=staff.reviewer, message__contains=activity.reference).exists()
    assert _client(staff.reviewer).get(reverse("analysis:detail", args=[activity.pk])).status_code == 200
    for outsider in (staff.reviewer2, staff.approver, staff.finance):
        client = _client(outsider)
        assert client.get(reverse("analysis:detail", args=[activity.pk])).status_code == 404
        assert activity.reference not in client.get(reverse("analysis:list")).content.decode()
        assert client.get(reverse("analysis:report_file", args=[activity.pk])).status_code == 404
    assert activity.reference in _client(staff.reviewer).get(reverse("analysis:list")).content.decode()


def test_a_contracted_agency_reports_and_the_administrator_accepts(staff, applicant):
    agency, enterprise = applicant("service_agency"), applicant("enterprise")
    activity = _activity(staff)
    admin = _client(staff.admin)
    page = admin.post(reverse("analysis:assign", args=[activity.pk]), {"agency": agency.applicant.pk})
    assert "委托服务机构承办时，请填写政府购买服务合同编号。" in page.content.decode()
    page = admin.post(reverse("analysis:assign", args=[activity.pk]), {"agency": enterprise.applicant.pk, "contract_ref": "x"})
    assert "请选择一项。" in page.content.decode()  # only service agencies are offered
    admin.post(reverse("analysis:assign", args=[activity.pk]), {"agency": agency.applicant.pk, "contract_ref": "ZQGX-CG-2026-07"})
    activity.refresh_from_db()
    assert activity.agency == agency.applicant and activity.contract_ref == "ZQGX-CG-2026-07"
    assert _client(enterprise).get(reverse("analysis:list")).status_code == 403

    firm = _client(agency)
    assert activity.reference in firm.get(reverse("analysis:list")).content.decode()
    bad = firm.post(reverse("analysis:report", args=[activity.pk]), {
        "report": flow.SimpleUploadedFile("r.pdf", b"not a pdf"), "conclusion": "manageable", "findings": "存在两件核心专利权属不清", "recommendation": "先行完成权属确认"})
    assert "只接受 PDF、JPEG 或 PNG 文件" in bad.content.decode() and "存在两件核心专利权属不清" in bad.content.decode()
    firm.post(reverse("analysis:report", args=[activity.pk]), {
        "report": flow.pdf_upload("评议报告.pdf"), "conclusion": "manageable", "findings": "存在两件核心专利权属不清",
        "recommendation": "先行完成权属确认，再签订投资协议"})
    activity.refresh_from_db()
    assert activity.state == Activity.REPORTED and activity.reported_by == agency
    assert firm.get(reverse("analysis:report_file", args=[activity.pk]))["Content-Type"] == "application/pdf"

    returned = admin.post(reverse("analysis:conclude", args=[activity.pk]), {"decision": "return", "note": ""})
    assert "请填写验收意见。" in returned.content.decode()
    admin.post(reverse("analysis:conclude", args=[activity.pk]), {"decision": "return", "note": "请补充专利法律状态检索"})
    activity.refresh_from_db()
    assert activity.state == Activity.ASSIGNED
    assert Notification.objects.filter(user=agency, message__contains="请补充专利法律状态检索").exists()
    activity_report(actor=agency, activity=activity, upload=flow.pdf_upload(), conclusion="manageable",
                    findings="已补充检索", recommendation="先行完成权属确认")
    admin.post(reverse("analysis:conclude", args=[activity.pk]), {"decision": "accept"})
    activity.refresh_from_db()
    assert activity.state == Activity.CONCLUDED and activity.concluded_by == staff.admin
    actions = list(AuditEvent.objects.filter(object_id=str(activity.pk), object_type="analysis.activity")
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["analysis_register", "analysis_assign", "analysis_report", "analysis_return", "analysis_report", "analysis_accept"]


def test_nobody_accepts_their_own_report(staff):
    activity = _activity(staff)
    activity_assign(actor=staff.admin2, activity=activity, analyst=staff.admin)
    activity_report(actor=staff.admin, activity=activity, upload=flow.pdf_upload(), conclusion="no_risk", findings="无", recommendation="可")
    page = _client(staff.admin).post(reverse("analysis:conclude", args=[activity.pk]), {"decision": "accept"}, follow=True)
    assert "报告提交人不能验收自己的报告。" in page.content.decode()
    _client(staff.admin2).post(reverse("analysis:conclude", args=[activity.pk]), {"decision": "accept"})
    activity.refresh_from_db()
    assert activity.state == Activity.CONCLUDED


def test_the_archive_is_searched_by_words_kind_and_conclusion(staff):
    merger = _activity(staff, title="并购案", kind="merger", parties="星河电子有限公司")
    intro = _activity(staff, title="引进案", parties="远航科技有限公司", department="区科技局")
    for activity, conclusion in ((merger, "high_risk"), (intro, "no_risk")):
        activity_assign(actor=staff.admin, activity=activity, analyst=staff.reviewer)
        activity_report(actor=staff.reviewer, activity=activity, upload=flow.pdf_upload(), conclusion=conclusion,
                        findings="检索到相关专利诉讼", recommendation="建议")
    admin = _client(staff.admin)

    def found(**query):
        text = admin.get(reverse("analysis:list"), query).content.decode()
        return {a.reference for a in (merger, intro) if a.reference in text}

    assert found(q="星河") == {merger.reference}
    assert found(q="区科技局") == {intro.reference}
    assert found(conclusion="high_risk") == {merger.reference}
    assert found(kind="project_intro") == {intro.reference}
    assert found(q="专利诉讼") == {merger.reference, intro.reference}
    assert found(year=str(timezone.localdate().year)) == {merger.reference, intro.reference}


def test_deadline_reminders_go_to_the_assignee_once_a_day(staff):
    today = timezone.localdate()
    soon = _activity(staff, title="将到期", due_on=today + dt.timedelta(days=2))
    later = _activity(staff, title="未到期", due_on=today + dt.timedelta(days=30))
    for activity in (soon, later):
        activity_assign(actor=staff.admin, activity=activity, analyst=staff.reviewer)
    housekeeping()  # the hourly run sends them
    reminders = Notification.objects.filter(user=staff.reviewer, message__contains="请按时提交评议报告")
    assert [n.message for n in reminders] == [f"分析评议 {soon.reference}「将到期」的办结期限为 {soon.due_on}，请按时提交评议报告。"]
    assert activity_remind(today=today) == 0  # once a day
    late = activity_remind(today=today + dt.timedelta(days=3))
    assert late == 1 and reminders.filter(message__contains="（已逾期）").count() == 1
    page = _client(staff.reviewer).get(reverse("analysis:list")).content.decode()
    assert "已逾期" not in page  # not late yet today
