"""The pages of the three registers (analysis review, complaints, alliance review), in every state,
as every role: no code, raw JSON or English default reaches a person (as test_every_page checks
the portal's own pages)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from ipfund.web.alliances.demo import alliance_review_passed
from ipfund.web.alliances.services import alliance_apply, alliance_declare, alliance_panel_form
from ipfund.web.analysis.services import activity_assign, activity_conclude, activity_register, activity_report
from ipfund.web.complaints.services import complaint_file, complaint_update
from ipfund.web.demo import flow

from .test_every_page import code_patterns, problems, visible_text

pytestmark = pytest.mark.django_db

NAMESPACES = ("analysis", "complaints", "alliances")
FILES = {"report_file", "file", "charter", "decision_file", "filed"}
OUR_CODES = [
    ("register code", re.compile(r"\b(analysis|complaint|alliance)_[a-z_]+\b")),
    ("register state or choice code", re.compile(
        r"\b(registered|assigned|reported|concluded|received|accepted|routed|declined|submitted|panel|passed|failed|"
        r"pending|clear|conflict|project_intro|merger|tech_trade|planning|no_risk|manageable|high_risk|city_enforcement|"
        r"court_mediation|assistance_agency|trademark|copyright)\b")),
]


def _world(staff, applicant):
    agency, secretariat = applicant("service_agency"), applicant("social_org")
    due = timezone.localdate() + dt.timedelta(days=3)
    activities = [activity_register(actor=staff.admin, title=f"活动{i}", kind="merger", parties="甲", department="乙", due_on=due,
                                    amount=None if i else 1) for i in range(4)]
    for a in activities[1:]:
        activity_assign(actor=staff.admin, activity=a, agency=agency.applicant, contract_ref="合同1")
    for a in activities[2:]:
        activity_report(actor=agency, activity=a, upload=flow.pdf_upload(), conclusion="high_risk", findings="意见", recommendation="建议")
    activity_conclude(actor=staff.admin, activity=activities[3], accept=True)
    complaints = [complaint_file(kind=k, right_type="copyright", description="说明", name=n)[0]
                  for k, n in (("report", ""), ("assistance", "王五"), ("assistance", ""), ("report", "李四"))]
    complaint_update(actor=staff.reviewer, complaint=complaints[1], state="accepted", note="受理")
    complaint_update(actor=staff.reviewer, complaint=complaints[2], state="accepted", note="受理")
    complaint_update(actor=staff.reviewer, complaint=complaints[2], state="routed", route="court_mediation", note="调解")
    complaint_update(actor=staff.reviewer, complaint=complaints[3], state="declined", note="不属于受理范围")
    submitted = alliance_apply(actor=secretariat, alliance_name="甲联盟", industry="新材料", members="甲", description="乙",
                               charter=flow.pdf_upload())
    panel = alliance_apply(actor=secretariat, alliance_name="乙联盟", industry="新材料", members="甲", description="乙",
                           charter=flow.pdf_upload())
    alliance_panel_form(actor=staff.admin, application=panel, members=[staff.reviewer, staff.approver, staff.finance], chair=staff.reviewer)
    alliance_declare(actor=staff.approver, application=panel, conflict=True, note="回避")
    alliance_declare(actor=staff.reviewer, application=panel, conflict=False)
    passed = alliance_review_passed(secretariat, label="丙")
    fill = {
        "analysis:detail": [{"pk": a.pk} for a in activities],
        "complaints:detail": [{"pk": c.pk} for c in complaints],
        "alliances:own": [{"pk": a.pk} for a in (submitted, panel, passed)],
        "alliances:detail": [{"pk": a.pk} for a in (submitted, panel, passed)],
    }
    people = {"anonymous": None, "admin": staff.admin, "reviewer": staff.reviewer, "approver": staff.approver,
              "agency": agency, "secretariat": secretariat}
    return fill, people


def _pages():
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "namespace", None) in NAMESPACES:
            for p in pattern.url_patterns:
                if p.name not in FILES:
                    yield pattern.namespace, p


def test_register_pages_in_every_state_show_no_code(staff, applicant, settings):
    settings.DEBUG = False
    fill, people = _world(staff, applicant)
    patterns = code_patterns() + OUR_CODES
    failures, walked = [], 0
    for who, user in people.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        for namespace, pattern in _pages():
            name = f"{namespace}:{pattern.name}"
            if pattern.pattern.converters and name not in fill:
                continue  # POST-only actions (assign, report, panel, …)
            for kwargs in fill.get(name, [{}]):
                response = client.get(reverse(name, kwargs=kwargs))
                if response.status_code in (301, 302, 405):
                    continue
                walked += 1
                assert response.status_code in (200, 403, 404), (who, name, response.status_code)
                failures += [f"{who} {name} {kwargs}: {p}" for p in problems(visible_text(response.content.decode()), patterns)]
    assert walked > 40
    assert not failures, "\n".join(failures)
    # and with the forms filled wrongly, the errors are Chinese too
    client = Client()
    client.force_login(staff.admin)
    for url, data in ((reverse("analysis:new"), {"amount": "x", "due_on": "y", "kind": "z"}),
                      (reverse("complaints:new"), {"kind": "q", "right_type": "q", "description": ""})):
        text = visible_text(client.post(url, data).content.decode())
        assert not problems(text, patterns), problems(text, patterns)
