"""Everyday use (issue 21, item 9): the account links in every menu, staff by their real names,
one claim number (the reference) everywhere, the user list's search and paging."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from ipfund.web.audit.models import AuditEvent
from ipfund.web.claims.models import UNNUMBERED
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.notifications.models import Notification

from .test_staff_pages import signed_in

pytestmark = pytest.mark.django_db


def test_every_signed_in_menu_links_password_change_and_two_factor_set_up(staff, enterprise):
    for user in (enterprise, staff.reviewer, staff.approver, staff.finance, staff.admin):
        html = signed_in(user).get(reverse("portal:dashboard"), follow=True).content.decode()
        assert f'href="{reverse("portal:password_change")}" id="menu-password">修改密码</a>' in html, user
        assert f'href="{reverse("portal:mfa_setup")}" id="menu-mfa">双因素认证</a>' in html, user
    anonymous = Client().get(reverse("portal:home")).content.decode()
    assert "menu-password" not in anonymous and "menu-mfa" not in anonymous


def test_the_administrator_sets_a_staff_members_real_name_audited(staff):
    admin = signed_in(staff.admin)
    page = reverse("portal:admin_user_roles", args=[staff.reviewer.pk])
    blank = admin.post(page, {"name-real_name": "  "})
    assert blank.status_code == 200 and re.search(r'id="field-name-real_name">.*?请填写此项。', blank.content.decode(), re.S)
    done = admin.post(page, {"name-real_name": "李晓明"}, follow=True)
    assert "姓名已保存。" in done.content.decode()
    staff.reviewer.refresh_from_db()
    assert staff.reviewer.real_name == "李晓明" and staff.reviewer.roles == ["reviewer"]  # the roles untouched
    event = AuditEvent.objects.filter(action="staff_name_set").get()
    assert (event.actor_id, event.before, event.after) == (staff.admin.pk, {"real_name": "李明"}, {"real_name": "李晓明"})
    # another role may not, and an applicant's account takes no staff name
    assert signed_in(staff.reviewer).post(page, {"name-real_name": "张三"}).status_code == 403


def test_a_new_staff_account_needs_a_real_name(staff):
    html = signed_in(staff.admin).post(reverse("portal:admin_users"), {
        "username": "clerk", "password": "Clerk-2026-ipfund-x", "roles": ["reviewer"]}).content.decode()
    assert re.search(r'id="field-full_name">.*?请填写', html, re.S)


def test_timelines_and_documents_name_staff_by_real_name(staff, enterprise, open_round):
    claim = flow.advance(flow.submitted_from_sample(enterprise, sample("custody_sme")), "approved", staff)
    flow.publish_and_finalize(staff, [claim])
    audit = signed_in(staff.approver).get(reverse("portal:claim_audit", args=[claim.pk])).content.decode()
    assert "李明" in audit and "张建华" in audit
    assert not re.search(r">\s*(reviewer|approver)\s*<", audit)  # no login names in the trail's table
    timeline = signed_in(staff.reviewer2).get(reverse("portal:staff_claim", args=[claim.pk])).content.decode()
    assert "· 李明<" in timeline and "· 张建华<" in timeline and "· 系统<" not in timeline
    pdf = signed_in(staff.finance).get(reverse("portal:payment_list_pdf"))
    assert pdf.status_code == 200
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=b"".join(pdf.streaming_content) if pdf.streaming else pdf.content,
                          capture_output=True, check=True).stdout.decode()
    assert "制表人：刘静" in text
    letter = signed_in(enterprise).get(reverse("portal:decision_letter", args=[claim.pk]))
    body = b"".join(letter.streaming_content) if letter.streaming else letter.content
    text = subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, check=True).stdout.decode()
    assert "办理人员：初审 李明；审定 张建华。" in text


def test_one_claim_number_the_reference_on_every_page_and_message(staff, enterprise, open_round):
    draft = flow.submitted_from_sample(enterprise, sample("custody_sme"))
    claim = flow.advance(draft, "approved", staff)
    assert claim.reference and claim.number == claim.reference
    pages = {
        enterprise: [reverse("portal:my_claims"), reverse("portal:claim_detail", args=[claim.pk])],
        staff.approver: [reverse("portal:staff_claim", args=[claim.pk]), reverse("portal:claim_audit", args=[claim.pk])],
        staff.reviewer: [reverse("portal:notice_manage")],
    }
    for user, urls in pages.items():
        for url in urls:
            html = signed_in(user).get(url).content.decode()
            assert claim.reference in html, url
            assert f"#{claim.pk}<" not in html and f"#{claim.pk} " not in html and f"#{claim.pk}（" not in html, url
    messages = list(Notification.objects.filter(user=enterprise).values_list("message", flat=True))
    assert messages and all(claim.reference in m and "#" not in m for m in messages)


def test_a_draft_says_it_has_no_number_yet(enterprise, open_round):
    from ipfund.web.claims.services import claim_draft_create

    s = sample("custody_sme")
    draft = claim_draft_create(actor=enterprise, item="custody_sme", facts=s.facts, event_date=s.event_date)
    html = signed_in(enterprise).get(reverse("portal:my_claims")).content.decode()
    assert UNNUMBERED in html and f"#{draft.pk}" not in html


def test_the_user_list_searches_and_pages(staff, applicant, settings):
    for n in range(55):
        applicant("enterprise", name=f"肇庆测试企业{n:02d}有限公司")
    admin = signed_in(staff.admin)
    first = admin.get(reverse("portal:admin_users")).content.decode()
    assert first.count('/roles/"') == 50 and 'rel="next"' in first
    assert "共 61 个用户，第 1 / 2 页" in first
    second = admin.get(reverse("portal:admin_users") + "?page=2").content.decode()
    assert second.count('/roles/"') == 11 and 'rel="prev"' in second
    found = admin.get(reverse("portal:admin_users") + "?q=测试企业07").content.decode()
    assert found.count('/roles/"') == 1 and "肇庆测试企业07有限公司" in found
    by_name = admin.get(reverse("portal:admin_users") + "?q=张建华").content.decode()
    assert by_name.count('/roles/"') == 1 and "approver" in by_name
    none = admin.get(reverse("portal:admin_users") + "?q=不存在的名字").content.decode()
    assert "没有找到符合条件的用户。" in none


def test_registration_shows_every_fields_error_at_once(enterprise):
    html = Client().post(reverse("portal:register"), {
        "kind": "enterprise", "id_number": "91441200MA55K8T2X9", "name": "肇庆某某科技有限公司",
        "username": enterprise.username, "email": "a@example.cn", "password1": "123", "password2": "1234",
        "in_zone": "true", "bank_account": "12",
    }).content.decode()

    def error_of(field):
        block = re.search(rf'id="field-{field}">((?:(?!id="field-).)*)', html, re.S)
        match = re.search(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', block.group(1), re.S) if block else None
        return match.group(1) if match else ""

    assert "两次输入的密码不一致" in error_of("password2")
    assert error_of("password1")  # too short, too common, all numbers: the password's own faults
    assert error_of("id_number") and error_of("username")  # the code's check digit, the name taken
    assert error_of("bank_account")
    assert not error_of("name") and not error_of("email")
