"""The applicant's own page of promises and the notice addressed to them; nobody else's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ipfund.web.demo import flow
from ipfund.web.demo.promises import paid_promise
from ipfund.web.promises.services import recovery_open

pytestmark = pytest.mark.django_db


def test_the_agency_reads_its_promise_and_its_notice_another_applicant_does_not(staff, open_round, applicant, client):
    agency, other = applicant("service_agency"), applicant("service_agency")
    promise = paid_promise(staff, agency)
    client.force_login(agency)
    page = client.get("/promises/").content.decode()
    assert "上述机构在申请资助时需提交在区内经营不少于3年的承诺书。" in page and "履行中" in page
    case = recovery_open(actor=staff.reviewer, promise=promise, breach="moved_out_of_zone",
                         breached_on=timezone.localdate() - dt.timedelta(days=1), note="迁出。", upload=flow.pdf_upload())
    page = client.get("/promises/").content.decode()
    assert "已违反" in page and "¥50,000.00" in page and f"/promises/recoveries/{case.pk}/notice.pdf" in page
    response = client.get(f"/promises/recoveries/{case.pk}/notice.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.force_login(other)
    assert client.get(f"/promises/recoveries/{case.pk}/notice.pdf").status_code == 404
    assert "您没有需要履行的资助承诺" in client.get("/promises/").content.decode()
