"""Alliance review (二（四））: the secretariat applies, the bureau forms a panel (conflicts of interest
enforced like separation of duties), members score, the chair decides with a document; only a
passed review of the claimant's own lets the 20万 claim be submitted, and the claim shows it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from ipfund.web.accounts.services import staff_user_create
from ipfund.web.alliances.models import AllianceApplication, PanelMember
from ipfund.web.alliances.services import (
    alliance_apply,
    alliance_decide,
    alliance_declare,
    alliance_panel_form,
    alliance_score,
)
from ipfund.web.audit.models import AuditEvent
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.notifications.models import Notification

pytestmark = pytest.mark.django_db

SCORES = ("score_organisation", "score_operation", "score_patents", "score_industry")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _applied(user) -> AllianceApplication:
    return alliance_apply(actor=user, alliance_name="肇庆高新区新材料专利联盟", industry="新材料", members="甲\n乙",
                          description="简介", charter=flow.pdf_upload())


def _score(user, application, points) -> None:
    alliance_score(actor=user, application=application, scores=dict(zip(SCORES, points)), comment="意见")


def test_the_secretariat_applies_on_its_page(applicant):
    secretariat = applicant("social_org")
    page = _client(secretariat)
    missing = page.post(reverse("alliances:mine"), {"alliance_name": "联盟", "industry": "", "members": "甲"}).content.decode()
    assert "请填写此项。" in missing and "请选择要上传的文件。" in missing and 'value="联盟"' in missing
    bad_file = page.post(reverse("alliances:mine"), {"alliance_name": "联盟", "industry": "新材料", "members": "甲", "description": "乙",
                                                     "charter": flow.SimpleUploadedFile("c.pdf", b"MZ")}).content.decode()
    assert "只接受 PDF、JPEG 或 PNG 文件" in bad_file
    done = page.post(reverse("alliances:mine"), {"alliance_name": "联盟", "industry": "新材料", "members": "甲", "description": "乙",
                                                 "charter": flow.pdf_upload()})
    application = AllianceApplication.objects.get()
    assert done["Location"] == reverse("alliances:own", args=[application.pk])
    assert application.reference.startswith("ZQGX-LM-") and application.state == "submitted"
    assert application.reference in page.get(done["Location"]).content.decode()
    assert _client(applicant("enterprise")).get(done["Location"]).status_code == 404


def test_the_panel_keeps_out_the_applicants_own_people_and_needs_enough_members(staff, applicant):
    secretariat = applicant("social_org")
    application = _applied(secretariat)
    insider = staff_user_create(actor=None, username="insider", password="Zq-Office-2026!x", roles=["reviewer"],
                                affiliation=secretariat.applicant.id_number)
    with pytest.raises(ValidationError) as small:
        alliance_panel_form(actor=staff.admin, application=application, members=[staff.reviewer, staff.approver], chair=staff.reviewer)
    assert "评审专家组至少需要 3 名工作人员。" in small.value.messages
    with pytest.raises(ValidationError) as own:
        alliance_panel_form(actor=staff.admin, application=application, members=[staff.reviewer, staff.approver, insider],
                            chair=staff.reviewer)
    assert "insider 与申请单位存在关联（本人或本单位的申请），应当回避，不能担任评审专家。" in own.value.messages
    with pytest.raises(ValidationError, match="组长须为专家组成员"):
        alliance_panel_form(actor=staff.admin, application=application, members=[staff.reviewer, staff.approver, staff.finance],
                            chair=staff.reviewer2)
    with pytest.raises(PermissionDenied):
        alliance_panel_form(actor=staff.reviewer, application=application, members=[staff.reviewer, staff.approver, staff.finance],
                            chair=staff.reviewer)
    page = _client(staff.admin).post(reverse("alliances:panel", args=[application.pk]),
                                     {"members": [staff.reviewer.pk, staff.approver.pk, staff.finance.pk], "chair": staff.reviewer.pk})
    assert page.status_code == 302
    application.refresh_from_db()
    assert application.state == "panel"
    assert set(application.panel.values_list("user__username", flat=True)) == {"reviewer", "approver", "finance"}
    assert Notification.objects.filter(user=staff.finance, message__contains=application.reference).exists()
    # the panel sees the application; other staff do not
    assert _client(staff.finance).get(reverse("alliances:detail", args=[application.pk])).status_code == 200
    assert _client(staff.reviewer2).get(reverse("alliances:detail", args=[application.pk])).status_code == 404


def test_declarations_come_first_and_a_conflict_recuses(staff, applicant):
    application = _applied(applicant("social_org"))
    alliance_panel_form(actor=staff.admin, application=application, members=[staff.reviewer, staff.approver, staff.finance, staff.reviewer2],
                        chair=staff.reviewer)
    with pytest.raises(PermissionDenied, match="请先作出利益冲突声明"):
        _score(staff.approver, application, (20, 20, 20, 20))
    with pytest.raises(ValidationError) as no_note:
        alliance_declare(actor=staff.approver, application=application, conflict=True)
    assert no_note.value.message_dict == {"note": ["声明存在利益冲突时，请说明情况。"]}
    page = _client(staff.approver).post(reverse("alliances:declare", args=[application.pk]),
                                        {"conflict": "true", "note": "本人曾任该联盟成员单位顾问"})
    assert page.status_code == 302
    with pytest.raises(PermissionDenied, match="回避"):
        _score(staff.approver, application, (20, 20, 20, 20))
    with pytest.raises(ValidationError, match="已作出利益冲突声明"):
        alliance_declare(actor=staff.approver, application=application, conflict=False)
    with pytest.raises(PermissionDenied, match="不是该申请评审专家组的成员"):
        alliance_declare(actor=staff.admin2, application=application, conflict=False)
    for member in (staff.reviewer, staff.finance, staff.reviewer2):
        alliance_declare(actor=member, application=application, conflict=False)
    bad = _client(staff.finance).post(reverse("alliances:score", args=[application.pk]),
                                      {"score_organisation": "26", "score_operation": "x", "score_patents": "20",
                                       "score_industry": "20", "comment": "好"}).content.decode()
    assert "评分不能大于 25。" in bad and "请输入整数。" in bad
    _score(staff.reviewer, application, (20, 18, 15, 17))  # 70
    _score(staff.finance, application, (15, 15, 15, 16))  # 61
    with pytest.raises(ValidationError, match="还有 1 名专家未声明或未评分"):
        alliance_decide(actor=staff.reviewer, application=application, passed=True, note="通过", decision_number="1",
                        document=flow.pdf_upload())
    _score(staff.reviewer2, application, (13, 12, 12, 12))  # 49
    page = _client(staff.reviewer).get(reverse("alliances:detail", args=[application.pk])).content.decode()
    assert "声明存在利益冲突（回避）：本人曾任该联盟成员单位顾问" in page
    # the mean of the three who scored: (70 + 61 + 49) / 3 = 60.00 — exactly the pass mark
    with pytest.raises(PermissionDenied, match="只有专家组组长"):
        alliance_decide(actor=staff.finance, application=application, passed=True, note="通过", decision_number="1",
                        document=flow.pdf_upload())
    decided = _client(staff.reviewer).post(reverse("alliances:decide", args=[application.pk]), {
        "passed": "true", "note": "专家组评审通过", "decision_number": "肇高知评〔2026〕3号", "document": flow.pdf_upload("结论.pdf")})
    assert decided.status_code == 302
    application.refresh_from_db()
    assert application.state == "passed" and application.mean_score == Decimal("60.00")
    assert application.decided_by == staff.reviewer and application.decision_document
    event = AuditEvent.objects.filter(action="alliance_decide").get()
    assert event.after["mean_score"] == "60.00" and event.after["scores"] == 3


def test_a_pass_needs_the_pass_mark_and_enough_members_not_recused(staff, applicant, settings):
    application = _applied(applicant("social_org"))
    alliance_panel_form(actor=staff.admin, application=application, members=[staff.reviewer, staff.approver, staff.finance],
                        chair=staff.reviewer)
    alliance_declare(actor=staff.approver, application=application, conflict=True, note="亲属在成员单位任职")
    for member in (staff.reviewer, staff.finance):
        alliance_declare(actor=member, application=application, conflict=False)
        _score(member, application, (14, 14, 15, 16))  # 59 each
    with pytest.raises(ValidationError, match="有效评分的专家不足 3 名"):
        alliance_decide(actor=staff.reviewer, application=application, passed=False, note="x", decision_number="1",
                        document=flow.pdf_upload())
    # the bureau adds a member; declarations and scores of those kept stay
    alliance_panel_form(actor=staff.admin, application=application,
                        members=[staff.reviewer, staff.approver, staff.finance, staff.reviewer2], chair=staff.reviewer)
    assert PanelMember.objects.get(application=application, user=staff.finance).total == 59
    alliance_declare(actor=staff.reviewer2, application=application, conflict=False)
    _score(staff.reviewer2, application, (15, 15, 15, 15))  # 60; mean (59+59+60)/3 = 59.33
    refused = _client(staff.reviewer).post(reverse("alliances:decide", args=[application.pk]), {
        "passed": "true", "note": "通过", "decision_number": "肇高知评〔2026〕4号", "document": flow.pdf_upload()}).content.decode()
    assert "平均分 59.33 低于通过分数 60，不能作出“通过”的结论。" in refused
    no_doc = _client(staff.reviewer).post(reverse("alliances:decide", args=[application.pk]), {
        "passed": "false", "note": "未达通过分数", "decision_number": "肇高知评〔2026〕4号"}).content.decode()
    assert "请选择要上传的文件。" in no_doc
    alliance_decide(actor=staff.reviewer, application=application, passed=False, note="未达通过分数", decision_number="肇高知评〔2026〕4号",
                    document=flow.pdf_upload())
    application.refresh_from_db()
    assert application.state == "failed"
    with pytest.raises(ValidationError, match="不能组织评审"):
        alliance_panel_form(actor=staff.admin, application=application, members=[staff.reviewer, staff.finance, staff.reviewer2],
                            chair=staff.reviewer)


def test_only_a_passed_review_of_ones_own_lets_the_alliance_claim_be_submitted(staff, applicant, open_round):
    from ipfund.web.alliances.demo import alliance_review_passed

    secretariat, stranger = applicant("social_org"), applicant("social_org")
    s = sample("patent_alliance", 5)
    unreviewed = flow.draft_from_sample(secretariat, s, facts={**s.facts, "alliance_id": "LM-999"})
    flow.attach_all_evidence(secretariat, unreviewed)
    page = _client(secretariat).post(reverse("portal:claim_submit", args=[unreviewed.pk]), follow=True).content.decode()
    assert "专利联盟秘书处工作经费补贴须经主管部门组织评审通过：联盟编号 LM-999 没有本单位评审通过的记录" in page
    unreviewed.refresh_from_db()
    assert unreviewed.state == "draft"

    passed = alliance_review_passed(secretariat, label="测试")
    borrowed = flow.draft_from_sample(stranger, s, facts={**s.facts, "alliance_id": passed.reference})
    flow.attach_all_evidence(stranger, borrowed)
    with pytest.raises(ValidationError, match="没有本单位评审通过的记录"):
        flow.claim_submit(actor=stranger, claim=borrowed)

    own = flow.draft_from_sample(secretariat, s, facts={**s.facts, "alliance_id": f" {passed.reference.lower()} "})
    flow.attach_all_evidence(secretariat, own)
    claim = flow.claim_submit(actor=secretariat, claim=own)
    assert claim.state == "submitted" and claim.engine_amount == Decimal("200000.00")
    staff_page = _client(staff.reviewer).get(reverse("portal:staff_claim", args=[claim.pk])).content.decode()
    assert "主管部门组织的专利联盟评审" in staff_page and passed.reference in staff_page
    assert passed.decision_number in staff_page and "评审通过（平均分 80.00）" in staff_page
    document = _client(staff.reviewer).get(reverse("alliances:decision_file", args=[passed.pk]))
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    assert _client(stranger).get(reverse("alliances:decision_file", args=[passed.pk])).status_code == 404


def test_the_reviewer_cannot_confirm_a_number_without_a_passed_review(staff, applicant, open_round):
    from ipfund.web.review.services import review_recommend

    secretariat = applicant("social_org")
    claim = flow.submitted_from_sample(secretariat, sample("patent_alliance", 6))  # runs a real review first
    changed = {**claim.facts, "alliance_id": "LM-123"}
    with pytest.raises(ValidationError, match="联盟编号 LM-123 没有本单位评审通过的记录"):
        review_recommend(actor=staff.reviewer, claim=claim, confirmed_facts=changed)
    claim = review_recommend(actor=staff.reviewer, claim=claim, confirmed_facts=dict(claim.facts))
    assert claim.state == "recommended" and claim.recommended_amount == Decimal("200000.00")
