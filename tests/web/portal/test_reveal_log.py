"""个人信息查看记录 (issue #11 item 2): administrators see who revealed whose personal data in full,
when and why — finance's bank-account reveals on the payment page and account-change review, and
ID-number or phone reveals — searchable by viewer, by applicant and by date, paginated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.payments.models import BankAccountChange
from ipfund.web.accounts.pii import pii_reveal
from ipfund.web.portal.views.oversight import REVEALS_PAGE_SIZE

LOG = reverse("portal:admin_reveal_log")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows(response) -> str:
    return response.content.decode().split('id="reveals"', 1)[-1] if 'id="reveals"' in response.content.decode() else ""


@pytest.fixture
def reveals(staff, applicant, open_round):
    """Finance opens a final claim's payment page (the account shown in full) and reviews a bank
    account change; a reviewer reveals another applicant's ID number."""
    paid = applicant("enterprise", sme=True, name="肇庆星河新材料有限公司")
    claim = flow.advance(flow.submitted_from_sample(paid, sample("custody_sme")), "approved", staff)
    flow.publish_and_finalize(staff, claims=[claim])
    finance = signed_in(staff.finance)
    assert finance.get(reverse("portal:finance_claim", args=[claim.pk])).status_code == 200
    change = BankAccountChange.objects.create(applicant=paid.applicant, bank_name="中国银行", bank_account="6222020011112222333",
                                              bank_holder="肇庆星河新材料有限公司", requested_by=paid)
    assert finance.get(reverse("portal:account_change", args=[change.pk])).status_code == 200
    person = applicant("person", name="陈晓明")
    pii_reveal(actor=staff.reviewer, profile=person.applicant, field="id_number", purpose="核对身份证明材料")
    return {"paid": paid, "person": person}


def test_every_reveal_is_listed_with_who_whose_what_and_why(staff, reveals):
    page = signed_in(staff.admin).get(LOG)
    assert page.status_code == 200
    text = rows(page)
    # the header and four reveals: the payment page's account, the change review's new and current
    # accounts, the ID number
    assert text.count("<tr>") == 5
    assert "刘静" in text and "李明" in text  # the viewers by their real names (not their login names)
    assert "肇庆星河新材料有限公司" in text and "陈晓明" in text
    assert "银行账号（" in text and "变更申请中的银行账号（" in text and "证件号码" in text
    assert "办理拨付" in text and "复核账户变更" in text and "核对身份证明材料" in text
    assert "6222020011112222333" not in page.content.decode()  # the log shows accounts masked
    assert reveals["person"].applicant.id_number not in page.content.decode()


def test_search_by_viewer_by_person_and_by_date(staff, reveals):
    admin = signed_in(staff.admin)
    by_viewer = rows(admin.get(LOG, {"viewer": "reviewer"}))
    assert by_viewer.count("<tr>") == 2 and "陈晓明" in by_viewer and "肇庆星河" not in by_viewer
    by_person = rows(admin.get(LOG, {"subject": "星河"}))
    assert by_person.count("<tr>") == 4 and "陈晓明" not in by_person
    by_username = rows(admin.get(LOG, {"subject": reveals["person"].username}))
    assert by_username.count("<tr>") == 2
    today = timezone.localdate()
    assert rows(admin.get(LOG, {"date_from": today.isoformat(), "date_to": today.isoformat()})).count("<tr>") == 5
    earlier = admin.get(LOG, {"date_to": (today - dt.timedelta(days=1)).isoformat()})
    assert "没有符合条件的查看记录" in earlier.content.decode()
    bad = admin.get(LOG, {"date_from": "昨天"})
    assert bad.status_code == 200 and "日期" in str(bad.context["form"].errors["date_from"])


def test_the_log_is_paginated_and_the_search_kept_across_pages(staff, applicant):
    person = applicant("person", name="李华")
    for _ in range(REVEALS_PAGE_SIZE + 5):
        pii_reveal(actor=staff.reviewer, profile=person.applicant, field="contact_phone", purpose="电话核实")
    admin = signed_in(staff.admin)
    first = admin.get(LOG, {"viewer": "reviewer"})
    assert rows(first).count("<tr>") == REVEALS_PAGE_SIZE + 1
    assert "第 1 / 2 页" in first.content.decode() and "viewer=reviewer&amp;page=2" in first.content.decode()
    second = admin.get(LOG, {"viewer": "reviewer", "page": 2})
    assert rows(second).count("<tr>") == 6 and "联系电话" in rows(second)


def test_only_administrators_read_the_log(staff, reveals):
    for person in (staff.reviewer, staff.approver, staff.finance, reveals["paid"]):
        assert signed_in(person).get(LOG).status_code == 403
    assert Client().get(LOG).status_code == 302
