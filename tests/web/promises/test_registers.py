"""The enterprise register of issue 14 flags a promise: a new version showing the agency registered
outside the zone, or deregistered, within the term. A proposal staff confirm — nothing is recovered
until they record the breach; an agency still in the zone and in business is not flagged."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from ipfund.web.audit.models import AuditEvent
from ipfund.web.demo import flow
from ipfund.web.ledger.selectors import award_net
from ipfund.web.demo.promises import paid_promise
from ipfund.web.promises.models import Promise, RecoveryCase
from ipfund.web.promises.services import recovery_open
from ipfund.web.registers.models import Register
from ipfund.web.registers.services import register_for, register_import, register_upload

pytestmark = pytest.mark.django_db


def import_enterprises(actor, rows):
    out = io.StringIO()
    csv.writer(out).writerows([["企业名称", "统一社会信用代码", "注册地址", "登记状态"], *rows])
    register = register_for(kind=Register.ENTERPRISES)
    upload = register_upload(actor=actor, register=register, file_name="名录.csv", content=out.getvalue().encode("utf-8-sig"))
    return register_import(actor=actor, upload=upload)


def test_a_register_import_flags_moved_out_and_deregistered_for_staff_to_confirm(staff, open_round, applicant):
    moved, closed, staying = (paid_promise(staff, applicant("service_agency"), i=i) for i in range(3))
    codes = [p.claim.applicant.ledger_identity for p in (moved, closed, staying)]
    import_enterprises(staff.reviewer, [
        ["迁出的代理机构", codes[0], "广州市天河区体育西路 1 号", "存续"],
        ["注销的代理机构", codes[1], "肇庆高新区迎宾大道 2 号", "注销"],
        ["仍在区内的代理机构", codes[2], "肇庆高新区建设三路 3 号", "存续"],
    ])
    for p in (moved, closed, staying):
        p.refresh_from_db()
    assert moved.flag_breach == "moved_out_of_zone" and "广州市天河区体育西路 1 号" in moved.flag_note
    assert closed.flag_breach == "deregistered" and "注销" in closed.flag_note
    assert staying.flag_breach == ""
    assert all(p.state == Promise.ACTIVE for p in (moved, closed, staying))  # a proposal, nothing recovered
    assert not RecoveryCase.objects.exists() and award_net(claim=moved.claim) > 0
    assert AuditEvent.objects.filter(action="promise_flag").count() == 2

    case = recovery_open(actor=staff.reviewer, promise=moved, breach=moved.flag_breach, breached_on=moved.flag_on,
                         note=moved.flag_note, upload=flow.pdf_upload("名录截图.pdf"), source="register")
    assert case.source == "register" and award_net(claim=moved.claim) == 0


def test_the_breach_page_offers_the_flag_prefilled(staff, open_round, applicant, client):
    promise = paid_promise(staff, applicant("service_agency"))
    import_enterprises(staff.reviewer, [["迁出的代理机构", promise.claim.applicant.ledger_identity, "广州市越秀区", "存续"]])
    client.force_login(staff.reviewer)
    page = client.get(f"/staff/promises/{promise.pk}/").content.decode()
    assert "名单提示" in page and "迁离本区" in page and "广州市越秀区" in page
    assert 'value="moved_out_of_zone" selected' in page
    assert timezone.localdate().isoformat() in page


def test_a_revoked_award_voids_its_promise(staff, open_round, applicant):
    from ipfund.web.demo.samples import sample
    from ipfund.web.notices.services import notice_publish, objection_file, objection_resolve
    from ipfund.web.promises.services import promises_refresh

    claim = flow.advance(flow.submitted_from_sample(applicant("service_agency"), sample("agency_establishment")), "approved", staff)
    promise = Promise.objects.get(claim=claim)
    assert promise.term_start is None  # starts at payment (A37 default)
    notice = notice_publish(actor=staff.reviewer2, claims=[claim])
    objection = objection_file(entry=notice.entries.get(), name="王五", contact="1", reason="并非新设机构", upload=flow.pdf_upload())
    objection_resolve(actor=staff.reviewer2, objection=objection, upheld=True, resolution="异议成立，撤销资助。")
    promises_refresh(today=timezone.localdate() + dt.timedelta(days=1))
    promise.refresh_from_db()
    assert promise.state == Promise.VOID
