"""Complaints and rights assistance (三) through the public page, the API and the bureau's pages:
anonymous filing with a reference and a query code, the limits, routing with notes, and an
assistance case linked to the litigation claim it supported, seen by that claim's reviewer."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ipfund.web.audit.models import AuditEvent
from ipfund.web.complaints.models import Complaint
from ipfund.web.complaints.services import complaint_file, complaint_update
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample

pytestmark = pytest.mark.django_db

FORM = {"kind": "report", "right_type": "patent", "right_number": "ZL202010000001.2", "respondent": "某电器商行",
        "description": "该商行在高新区销售仿冒我司专利产品。"}


def _staff(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _file_on_page(client: Client, **changes):
    response = client.post(reverse("complaints:new"), {**FORM, **changes})
    assert response.status_code == 302, response.content.decode()
    page = client.get(response["Location"]).content.decode()
    complaint = Complaint.objects.order_by("-id").first()
    code = page.split('id="complaint-code" class="reference">')[1].split("<")[0]
    return complaint, code, page


def test_an_anonymous_complaint_is_followed_by_its_reference_and_query_code():
    visitor = Client()
    complaint, code, page = _file_on_page(visitor)
    assert complaint.reference in page and complaint.anonymous and complaint.reference.startswith("ZQGX-TS-")
    assert len(code) == 8 and code not in (complaint.lookup_hash, complaint.reference)
    assert visitor.get(reverse("complaints:filed")).status_code == 302  # the code is shown once
    event = AuditEvent.objects.get(action="complaint_file")
    assert event.after == {"reference": complaint.reference, "kind": "report", "anonymous": True}

    wrong = visitor.post(reverse("complaints:status"), {"reference": complaint.reference, "code": "AAAAAAAA"}).content.decode()
    assert "投诉编号或查询码不正确。" in wrong and "待受理" not in wrong
    found = visitor.post(reverse("complaints:status"), {"reference": complaint.reference.lower(), "code": code.lower()})
    assert "待受理" in found.content.decode() and "已收到，等待受理。" in found.content.decode()


def test_the_public_form_is_size_limited_and_throttled_per_address(settings):
    settings.IPFUND_COMPLAINTS_PER_ADDRESS_PER_HOUR = 2
    visitor = Client(REMOTE_ADDR="203.0.113.9")
    long = visitor.post(reverse("complaints:new"), {**FORM, "description": "侵" * 2001, "name": "王五"}).content.decode()
    assert "情况说明不能超过 2000 个字。" in long and 'value="王五"' in long
    missing = visitor.post(reverse("complaints:new"), {**FORM, "description": "", "kind": ""}).content.decode()
    assert "请填写此项。" in missing and "请选择一项。" in missing
    _file_on_page(visitor)
    _file_on_page(visitor)
    third = visitor.post(reverse("complaints:new"), FORM).content.decode()
    assert "同一网络地址每小时最多提交 2 件举报投诉，请稍后再试。" in third
    assert "该商行在高新区销售仿冒我司专利产品。" in third  # nothing typed is lost
    _file_on_page(Client(REMOTE_ADDR="198.51.100.7"))  # another address is not held back
    assert Complaint.objects.count() == 3


def test_the_hourly_limit_for_everyone(settings):
    settings.IPFUND_COMPLAINTS_PER_HOUR = 1
    complaint_file(kind="report", right_type="trademark", description="一")
    with pytest.raises(Exception, match="本小时收到的举报投诉已达 1 件"):
        complaint_file(kind="report", right_type="trademark", description="二")


def test_look_ups_are_rate_limited(settings):
    settings.IPFUND_COMPLAINT_LOOKUPS_PER_MINUTE = 3
    visitor = Client()
    for _ in range(3):
        assert "投诉编号或查询码不正确。" in visitor.post(reverse("complaints:status"), {"reference": "x", "code": "y"}).content.decode()
    assert "查询过于频繁" in visitor.post(reverse("complaints:status"), {"reference": "x", "code": "y"}).content.decode()


def test_the_bureau_accepts_routes_and_closes_with_notes_the_person_reads(staff):
    complaint, code = complaint_file(kind="report", right_type="patent", description="仿冒专利产品", name="李女士", contact="139")
    reviewer = _staff(staff.reviewer)
    url = reverse("complaints:detail", args=[complaint.pk])
    illegal = reviewer.post(url, {"state": "routed", "note": "x"}).content.decode()
    assert "请选择一项。" in illegal  # only 已受理 or 不予受理 are offered now
    reviewer.post(url, {"state": "accepted", "note": "材料齐全", "public_note": "已受理，正在核查。"})
    no_route = reviewer.post(url, {"state": "routed", "note": "转执法"}).content.decode()
    assert "转办时请选择转办去向。" in no_route
    reviewer.post(url, {"state": "routed", "route": "city_enforcement", "route_to": "市市场监管局执法支队",
                        "note": "涉嫌假冒专利，移送执法", "public_note": "已转市场监管部门依法处理。"})
    complaint.refresh_from_db()
    assert (complaint.state, complaint.route) == ("routed", "city_enforcement")
    page = Client().post(reverse("complaints:status"), {"reference": complaint.reference, "code": code}).content.decode()
    assert "已转办" in page and "市市场监督管理局（知识产权行政执法）" in page and "已转市场监管部门依法处理。" in page
    assert "涉嫌假冒专利，移送执法" not in page and "李女士" not in page  # internal notes and the person stay inside
    reviewer.post(url, {"state": "closed", "note": "执法部门已立案查处", "public_note": "已办结。"})
    complaint.refresh_from_db()
    assert complaint.state == "closed"
    assert 'id="update-form"' not in reviewer.get(url).content.decode()  # a closed case offers no more moves
    states = list(complaint.steps.values_list("state", flat=True))
    assert states == ["received", "accepted", "routed", "closed"]
    assert AuditEvent.objects.filter(action="complaint_update", object_id=str(complaint.pk)).count() == 3
    assert _staff(staff.approver).get(url).status_code == 403
    assert _staff(staff.finance).get(reverse("complaints:list")).status_code == 403


def test_an_assistance_case_is_linked_to_its_litigation_claim_and_its_reviewer_sees_it(staff, applicant, open_round):
    complaint, _ = complaint_file(kind="assistance", right_type="patent", description="被诉侵权，请求援助", name="星河公司")
    complaint_update(actor=staff.reviewer2, complaint=complaint, state="accepted", note="受理")
    complaint_update(actor=staff.reviewer2, complaint=complaint, state="routed", route="assistance_agency",
                     route_to="肇庆市知识产权维权援助中心", note="指派援助律师")
    owner = applicant("enterprise", sme=True)
    litigation = flow.submitted_from_sample(owner, sample("patent_litigation", 3))
    other = flow.submitted_from_sample(owner, sample("custody_sme", 3))
    handler = _staff(staff.reviewer2)
    link = reverse("complaints:link", args=[complaint.pk])
    page = handler.post(link, {"claim_reference": other.reference}).content.decode()
    assert f"申报 {other.reference} 不是专利侵权诉讼资助申报。" in page
    page = handler.post(link, {"claim_reference": "ZQGX-2026-999999"}).content.decode()
    assert "找不到受理编号为 ZQGX-2026-999999 的申报。" in page
    handler.post(link, {"claim_reference": f" {litigation.reference.lower()} "})
    complaint.refresh_from_db()
    assert complaint.claim == litigation

    claim_page = _staff(staff.reviewer).get(reverse("portal:staff_claim", args=[litigation.pk])).content.decode()
    assert "本申报关联的维权援助" in claim_page and complaint.reference in claim_page
    assert "肇庆市知识产权维权援助中心" in claim_page and "指派援助律师" in claim_page
    assert "本申报关联的维权援助" not in _staff(staff.reviewer).get(reverse("portal:staff_claim", args=[other.pk])).content.decode()

    report, _ = complaint_file(kind="report", right_type="patent", description="举报")
    page = handler.post(reverse("complaints:link", args=[report.pk]), {"claim_reference": litigation.reference}).content.decode()
    assert "只有维权援助事项可以关联专利侵权诉讼资助申报。" in page


def test_the_api_files_and_follows_a_complaint(settings):
    settings.IPFUND_COMPLAINTS_PER_ADDRESS_PER_HOUR = 1
    client = Client()
    body = {"kind": "assistance", "right_type": "trademark", "description": "商标被抢注，请求援助"}
    created = client.post("/api/complaints", body, content_type="application/json")
    assert created.status_code == 201
    filed = created.json()
    assert filed["state"] == "received" and filed["state_label"] == "待受理"
    status = client.post("/api/complaints/status", {"reference": filed["reference"], "code": filed["code"]},
                         content_type="application/json")
    assert status.status_code == 200 and status.json()["kind_label"] == "维权援助申请"
    assert [s["note"] for s in status.json()["steps"]] == ["已收到，等待受理。"]
    wrong = client.post("/api/complaints/status", {"reference": filed["reference"], "code": "X"}, content_type="application/json")
    assert wrong.status_code == 404 and wrong.json()["detail"] == "投诉编号或查询码不正确。"
    bad = client.post("/api/complaints", {**body, "kind": "x", "description": ""}, content_type="application/json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"kind", "description"}
    again = client.post("/api/complaints", body, content_type="application/json")
    assert again.status_code == 429 and "每小时最多提交 1 件" in again.json()["detail"]


def test_a_nul_character_is_dropped_rather_than_refused_by_postgresql():
    client = Client()
    created = client.post("/api/complaints", {"kind": "report", "right_type": "other", "description": "仿冒\x00产品",
                                              "respondent": "\x00"}, content_type="application/json")
    assert created.status_code == 201
    complaint = Complaint.objects.get()
    assert (complaint.description, complaint.respondent) == ("仿冒产品", "")
    lookup = client.post("/api/complaints/status", {"reference": "\x00", "code": "\x00"}, content_type="application/json")
    assert lookup.status_code == 404
