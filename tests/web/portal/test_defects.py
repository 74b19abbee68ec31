"""The user-facing defects of issue #10, each with the test that would have caught it."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from ipfund.web.claims.services import claim_draft_update
from ipfund.web.audit.models import AuditEvent
from ipfund.web.demo.flow import advance, draft_from_sample, submitted_from_sample
from ipfund.web.demo.samples import sample
from ipfund.web.notices.services import notice_publish
from ipfund.web.review.services import approval_approve, review_recommend
from ipfund.web.portal.calculator import VISITOR_ORGANISATION_ID

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_lowered_amount_is_shown_with_the_reviewers_reason_and_no_contradicting_conclusion(staff, applicant, open_round):
    user = applicant("enterprise", sme=True)
    claim = submitted_from_sample(user, sample("custody_sme"))
    engine = claim.engine_amount
    lowered = engine - Decimal("1000")
    claim = review_recommend(actor=staff.reviewer, claim=claim, amount=str(lowered), reason="部分发票不属于托管服务费用")
    approval_approve(actor=staff.approver, claim=claim)
    html = signed_in(user).get(reverse("portal:claim_detail", args=[claim.pk])).content.decode()
    assert "部分发票不属于托管服务费用" in html
    assert f"结论：资助 {engine}" not in html
    assert "初审已调减，以上方金额为准" in html


def test_revoked_claim_is_not_shown_as_eligible(staff, applicant, open_round):
    from ipfund.web.notices.services import objection_file, objection_resolve

    user = applicant("enterprise", sme=True)
    claim = advance(submitted_from_sample(user, sample("custody_sme")), "approved", staff)
    notice = notice_publish(actor=staff.reviewer, claims=[claim])
    objection = objection_file(entry=notice.entries.get(), name="李四", contact="139", reason="不属实")
    objection_resolve(actor=staff.reviewer2, objection=objection, upheld=True, resolution="经核实，异议成立")
    html = signed_in(user).get(reverse("portal:claim_detail", args=[claim.pk])).content.decode()
    assert "资助已撤销" in html and "符合条件" not in html


def test_calculator_defaults_sme_on_sme_only_items_and_shows_no_code_the_visitor_never_typed(db):
    client = Client()
    page = client.get(reverse("portal:calculator"), {"kind": "enterprise", "item": "custody_sme"}).content.decode()
    assert re.search(r'<input type="radio" name="sme" value="true"[^>]*checked', page)
    result = client.get(reverse("portal:calculator"), {
        "kind": "enterprise", "item": "custody_sme", "event_date": "2024-01-10", "in_zone": "true", "sme": "true",
        "facts-service_year": "2023", "facts-actual_cost": "18,000", "evaluate": "1",
    }).content.decode()
    assert result.count("¥9,000.00") >= 1  # "18,000" read as 18000
    assert VISITOR_ORGANISATION_ID not in result
    assert "申请人：申请人" not in result and "申请人：您" in result


def test_header_shows_the_organisation(applicant):
    user = applicant("enterprise", name="肇庆星河电子有限公司")
    html = signed_in(user).get(reverse("portal:my_claims")).content.decode()
    assert '<span class="who">肇庆星河电子有限公司</span>' in html


def test_closed_round_is_shown_closed_not_unopened(staff, applicant):
    import datetime as dt

    from django.utils import timezone

    from ipfund.web.engine_door import default_policy
    from ipfund.web.rounds.services import round_create

    now = timezone.now()
    round_create(actor=staff.admin, name="2026年第一批", opens_at=now - dt.timedelta(days=40), closes_at=now - dt.timedelta(days=10),
                 items=list(default_policy().items))
    rounds = signed_in(staff.admin).get(reverse("portal:admin_rounds")).content.decode()
    assert "已截止" in rounds and "未开放" not in rounds
    eligible = signed_in(applicant("enterprise")).get(reverse("portal:eligible")).content.decode()
    assert "2026年第一批已于" in eligible and "暂未开放" not in eligible


def test_saving_a_returned_claim_says_it_is_not_resubmitted(staff, applicant, open_round):
    user = applicant("enterprise")
    claim = advance(submitted_from_sample(user, sample("china_patent_award")), "returned", staff)
    data = {"event_date": claim.event_date.isoformat(), **{f"facts-{k}": v for k, v in claim.facts.items()}}
    client = signed_in(user)
    client.post(reverse("portal:claim_edit", args=[claim.pk]), data)
    page = client.get(reverse("portal:claim_detail", args=[claim.pk])).content.decode()
    assert "补正内容已保存，尚未重新提交" in page and "申报草稿已保存" not in page


def test_a_save_that_changes_nothing_is_not_logged_as_an_edit(applicant, open_round):
    user = applicant("enterprise")
    claim = draft_from_sample(user, sample("china_patent_award"))
    before = AuditEvent.objects.count()
    claim_draft_update(actor=user, claim=claim, event_date=claim.event_date, facts=claim.facts)
    assert AuditEvent.objects.count() == before


def test_no_two_forms_share_an_id_on_the_staff_claim_page(staff, applicant, open_round):
    claim = submitted_from_sample(applicant("enterprise"), sample("china_patent_award"))
    html = signed_in(staff.reviewer).get(reverse("portal:staff_claim", args=[claim.pk])).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert [i for i in set(ids) if ids.count(i) > 1] == []
    assert 'id="id_reject_reason"' in html and 'id="id_recommend_reason"' in html


def test_automatic_notice_title_names_the_round(staff, applicant, open_round):
    claim = advance(submitted_from_sample(applicant("enterprise"), sample("china_patent_award")), "approved", staff)
    notice = notice_publish(actor=staff.reviewer, claims=[claim])
    assert notice.title.startswith(f"{open_round.name}知识产权专项资金拟资助名单公示（")


def test_no_doubled_full_stop_in_notifications(staff, applicant, open_round):
    from ipfund.web.notifications.models import Notification
    from ipfund.web.review.services import review_reject

    user = applicant("enterprise")
    claim = submitted_from_sample(user, sample("china_patent_award"))
    review_reject(actor=staff.reviewer, claim=claim, reason="材料与事实不符。")
    assert not any("。。" in n.message for n in Notification.objects.all())
    assert Notification.objects.filter(message__endswith="材料与事实不符。").exists()


def test_timeline_shows_the_coming_steps(staff, applicant, open_round):
    user = applicant("enterprise")
    claim = submitted_from_sample(user, sample("china_patent_award"))
    html = signed_in(user).get(reverse("portal:claim_detail", args=[claim.pk])).content.decode()
    coming = re.findall(r'<li class="coming" data-state="(\w+)">', html)
    assert coming == ["recommended", "approved", "in_notice", "final", "paid"]
    assert "下一步" in html
    rejected = advance(submitted_from_sample(user, sample("china_patent_award")), "rejected", staff)
    html = signed_in(user).get(reverse("portal:claim_detail", args=[rejected.pk])).content.decode()
    assert 'class="coming"' not in html


def test_try_links_do_not_wrap(db):
    html = Client().get(reverse("portal:policy")).content.decode()
    assert '<td class="nowrap"><a href="/calculator/?policy=zhaoqing-hitech-ip-2022&amp;item=' in html
    css = Client().get("/static/portal/portal.css")
    assert b".nowrap, .button { white-space: nowrap; }" in b"".join(css.streaming_content if css.streaming else [css.content])
