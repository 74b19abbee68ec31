"""Back-office and notice pages through Django's test client: review, approval, notice, objection, payment, admin."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ipfund.web.accounts.roles import APPLICANT_WITH_STAFF
from ipfund.web.accounts.services import applicant_profile_update
from ipfund.web.claims.models import Claim
from ipfund.web.demo.flow import advance, clock_at, submitted_from_sample
from ipfund.web.demo.samples import sample
from ipfund.web.ledger.models import AwardEntry
from ipfund.web.notices.models import Notice, Objection
from ipfund.web.notices.services import notice_publish, objection_file
from ipfund.web.payments.models import BankAccountChange
from ipfund.web.review.services import AMOUNT_ABOVE_ENGINE, APPROVER_IS_REVIEWER, COMMENT_REQUIRED
from ipfund.web.rounds.models import ApplicationRound, InterpretationChoice

pytestmark = pytest.mark.django_db

PATENT = "china_patent_award"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def field_block(html: str, name: str) -> str:
    match = re.search(rf'<div class="field[^"]*" id="field-{re.escape(name)}">.*?</div>', html, re.S)
    assert match, f"no field {name}"
    return match.group(0)


@pytest.fixture
def submitted(applicant, open_round):
    return submitted_from_sample(applicant("enterprise"), sample(PATENT))


def recommend_data(claim, **overrides):
    data = {f"facts-{k}": v for k, v in claim.facts.items()}
    data.update(overrides)
    return data


def test_reviewer_queue_filters_by_item_and_state(staff, submitted, applicant):
    other = submitted_from_sample(applicant("service_agency"), sample("custody_provider"))
    client = signed_in(staff.reviewer)
    queue = client.get(reverse("portal:review_queue")).context["claims"]
    assert {c.pk for c in queue} == {submitted.pk, other.pk}
    only = client.get(reverse("portal:review_queue"), {"item": PATENT}).context["claims"]
    assert [c.pk for c in only] == [submitted.pk]
    none = client.get(reverse("portal:review_queue"), {"state": "paid"}).context["claims"]
    assert list(none) == []


def test_reviewer_claim_page_shows_facts_evidence_inline_and_engine_decision(staff, submitted):
    html = signed_in(staff.reviewer).get(reverse("portal:staff_claim", args=[submitted.pk])).content.decode()
    assert submitted.facts["patent_number"] in html
    evidence = submitted.evidence.first()
    # a PDF is offered as a download (issue #21: uploads are never opened inside our pages)
    assert f'<a class="evidence-download" href="{reverse("portal:evidence_file", args=[evidence.pk])}" download>' in html
    assert "<iframe" not in html
    assert "¥300,000.00" in html
    assert "对获得中国专利金奖、银奖、优秀奖的单位分别每项奖励30万元" in html
    assert submitted.applicant.id_number not in html  # masked even for staff pages


def test_evidence_is_served_as_a_download(staff, submitted):
    evidence = submitted.evidence.first()
    response = signed_in(staff.reviewer).get(reverse("portal:evidence_file", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"


def test_return_needs_a_comment_shown_beside_the_field(staff, submitted):
    response = signed_in(staff.reviewer).post(reverse("portal:claim_action", args=[submitted.pk, "return"]), {"comment": ""})
    assert response.status_code == 200
    assert "请填写此项。" in field_block(response.content.decode(), "return-comment")
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_return_with_comment(staff, submitted):
    signed_in(staff.reviewer).post(
        reverse("portal:claim_action", args=[submitted.pk, "return"]), {"comment": "证书复印件不清晰"}
    )
    submitted.refresh_from_db()
    assert submitted.state == "returned"
    assert submitted.review_comment == "证书复印件不清晰"
    assert COMMENT_REQUIRED  # the service's own message for an empty comment exists


def test_recommend_cannot_raise_the_amount_above_the_engine(staff, submitted):
    response = signed_in(staff.reviewer).post(
        reverse("portal:claim_action", args=[submitted.pk, "recommend"]), recommend_data(submitted, amount="300000.01")
    )
    html = response.content.decode()
    assert AMOUNT_ABOVE_ENGINE.format(engine=Decimal("300000.00")) in field_block(html, "recommend-amount")
    assert 'value="300000.01"' in html
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_recommend_lower_with_reason_then_a_different_approver_approves(staff, submitted):
    signed_in(staff.reviewer).post(
        reverse("portal:claim_action", args=[submitted.pk, "recommend"]),
        recommend_data(submitted, amount="250000", reason="部分材料为复印件"),
    )
    submitted.refresh_from_db()
    assert submitted.state == "recommended"
    assert submitted.recommended_amount == Decimal("250000.00")
    approver = signed_in(staff.approver)
    assert [c.pk for c in approver.get(reverse("portal:approval_queue")).context["claims"]] == [submitted.pk]
    approver.post(reverse("portal:claim_action", args=[submitted.pk, "approve"]))
    submitted.refresh_from_db()
    assert submitted.state == "approved"
    assert AwardEntry.objects.get(claim=submitted).amount == Decimal("250000.00")


def test_the_reviewer_cannot_approve_their_own_recommendation(staff, submitted):
    both = staff.reviewer
    both.roles = ["reviewer", "approver"]
    both.save()
    client = signed_in(both)
    client.post(reverse("portal:claim_action", args=[submitted.pk, "recommend"]), recommend_data(submitted))
    page = client.get(reverse("portal:staff_claim", args=[submitted.pk])).content.decode()
    assert "您是该申报的初审推荐人，不能审定。" in page
    response = client.post(reverse("portal:claim_action", args=[submitted.pk, "approve"]))
    assert APPROVER_IS_REVIEWER in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == "recommended"


def test_a_finance_user_cannot_review(staff, submitted):
    response = signed_in(staff.finance).post(
        reverse("portal:claim_action", args=[submitted.pk, "reject"]), {"reason": "x"}
    )
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_publish_notice_public_page_masks_persons_and_objection_flow(staff, applicant, open_round):
    person = applicant("person", name="欧阳小明")
    claim = advance(submitted_from_sample(person, sample("patent_attorney")), "approved", staff)
    reviewer = signed_in(staff.reviewer2)  # not the one who recommended: they may not judge objections
    response = reviewer.post(reverse("portal:notice_manage"), {"claims": [str(claim.pk)], "period_days": "7", "title": ""})
    notice = Notice.objects.get()
    assert response["Location"] == reverse("portal:notice_detail", args=[notice.pk])
    public = Client().get(reverse("portal:notice_detail", args=[notice.pk])).content.decode()
    assert "欧**明" in public
    assert "欧阳小明" not in public
    assert person.applicant.id_number not in public
    assert "¥5,000.00" in public
    entry = notice.entries.get()
    form_url = reverse("portal:objection_new", args=[notice.pk, entry.pk])
    bad = Client().post(form_url, {"name": "张三", "contact": "", "reason": "不符合条件"})
    assert "请填写此项。" in field_block(bad.content.decode(), "contact")
    assert 'value="张三"' in bad.content.decode()
    Client().post(form_url, {"name": "张三", "contact": "13900000000", "reason": "此人并未在区内任职"})
    objection = Objection.objects.get()
    listing = reviewer.get(reverse("portal:objections")).content.decode()
    assert "此人并未在区内任职" in listing
    reviewer.post(
        reverse("portal:objection_detail", args=[objection.pk]), {"upheld": "false", "resolution": "经核实任职合同真实有效"}
    )
    objection.refresh_from_db()
    assert objection.state == Objection.DISMISSED
    claim.refresh_from_db()
    assert claim.state == "in_notice"


def test_closing_a_notice_too_early_says_when(staff, applicant, open_round):
    claim = advance(submitted_from_sample(applicant("enterprise"), sample(PATENT)), "approved", staff)
    notice = notice_publish(actor=staff.reviewer, claims=[claim])
    response = signed_in(staff.reviewer).post(reverse("portal:notice_close", args=[notice.pk]), follow=True)
    assert "期满后才能结束公示" in response.content.decode()


def test_finance_pays_once_and_applicant_sees_paid(staff, applicant, open_round):
    user = applicant("enterprise")
    claim = advance(submitted_from_sample(user, sample(PATENT)), "approved", staff)
    notice = notice_publish(actor=staff.reviewer, claims=[claim])
    with clock_at(notice.ends_at + dt.timedelta(minutes=1)):
        signed_in(staff.reviewer).post(reverse("portal:notice_close", args=[notice.pk]))
    claim.refresh_from_db()
    assert claim.state == "final"
    finance = signed_in(staff.finance)
    listing = finance.get(reverse("portal:finance_queue")).content.decode()
    assert "¥300,000.00" in listing
    assert user.applicant.bank_account not in listing
    today = timezone.localdate().isoformat()
    finance.post(reverse("portal:finance_claim", args=[claim.pk]), {"action": "pay", "paid_on": today, "reference": "ZF-2026-001"})
    claim.refresh_from_db()
    assert claim.state == "paid"
    again = finance.post(reverse("portal:finance_claim", args=[claim.pk]), {"action": "pay", "paid_on": today, "reference": "ZF-2"})
    assert again.status_code == 200
    assert claim.payment.reference == "ZF-2026-001"
    page = signed_in(user).get(reverse("portal:claim_detail", args=[claim.pk])).content.decode()
    assert "已拨付" in page and "¥300,000.00" in page
    history = finance.get(reverse("portal:claim_audit", args=[claim.pk])).content.decode()
    assert "记录拨付" in history and "ZF-2026-001" in history and "payment_record" not in history


def test_payment_failure_then_retry(staff, applicant, open_round):
    claim = advance(submitted_from_sample(applicant("enterprise"), sample(PATENT)), "approved", staff)
    notice = notice_publish(actor=staff.reviewer, claims=[claim])
    with clock_at(notice.ends_at + dt.timedelta(minutes=1)):
        signed_in(staff.reviewer).post(reverse("portal:notice_close", args=[notice.pk]))
    finance = signed_in(staff.finance)
    empty = finance.post(reverse("portal:finance_claim", args=[claim.pk]), {"action": "fail", "reason": ""})
    assert "请填写此项。" in field_block(empty.content.decode(), "reason")
    finance.post(reverse("portal:finance_claim", args=[claim.pk]), {"action": "fail", "reason": "账户已销户"})
    claim.refresh_from_db()
    assert claim.state == "payment_failed"
    pay = {"action": "pay", "paid_on": timezone.localdate().isoformat(), "reference": "ZF-9"}
    refused = finance.post(reverse("portal:finance_claim", args=[claim.pk]), pay).content.decode()
    assert "须由申报单位变更银行账户并经复核确认后，才能再次拨付" in refused  # the same closed account
    claim.refresh_from_db()
    assert claim.state == "payment_failed"
    profile = claim.applicant
    applicant_profile_update(actor=profile.user, profile=profile, bank_name="中国建设银行肇庆分行",
                             bank_account="6217000000001234560", bank_holder=profile.name)
    finance.post(reverse("portal:account_change", args=[BankAccountChange.objects.get(state="pending").pk]), {"action": "confirm"})
    finance.post(reverse("portal:finance_claim", args=[claim.pk]), pay)
    claim.refresh_from_db()
    assert claim.state == "paid"


def test_audit_history_page_lists_every_state_change(staff, submitted):
    advance(submitted, "recommended", staff)
    html = signed_in(staff.approver).get(reverse("portal:claim_audit", args=[submitted.pk])).content.decode()
    for action in ("创建申报草稿", "上传证明材料", "提交申报", "初审推荐"):
        assert action in html
    # in words: no action codes, no raw JSON, the reviewer by their real name, not `reviewer：2` nor the login
    assert "claim_draft_create" not in html and '{"' not in html
    assert "初审人</span>：—" not in html and "初审人</span>：李明" in html and "初审人</span>：reviewer" not in html


def test_admin_creates_a_round_with_errors_beside_fields(staff):
    client = signed_in(staff.admin)
    bad = client.post(
        reverse("portal:admin_rounds"),
        {"name": "2027年第一批", "opens_at": "2027-03-01T09:00", "closes_at": "2027-02-01T09:00", "items": [PATENT]},
    )
    assert "截止时间必须晚于开始时间。" in field_block(bad.content.decode(), "closes_at")
    assert 'value="2027年第一批"' in bad.content.decode()
    client.post(
        reverse("portal:admin_rounds"),
        {"name": "2027年第一批", "opens_at": "2027-03-01T09:00", "closes_at": "2027-04-01T09:00", "items": [PATENT]},
    )
    assert ApplicationRound.objects.get(name="2027年第一批").items == [PATENT]


def test_admin_sets_roles_and_an_interpretation(staff, applicant):
    client = signed_in(staff.admin)
    enterprise = applicant("enterprise")
    refused = client.post(reverse("portal:admin_user_roles", args=[enterprise.pk]), {"roles": ["applicant", "finance"]})
    assert APPLICANT_WITH_STAFF in refused.content.decode() and not enterprise.role_changes.exists()
    user = staff.reviewer2
    client.post(reverse("portal:admin_user_roles", args=[user.pk]), {"roles": ["reviewer", "approver"]})
    user.refresh_from_db()
    assert user.roles == ["reviewer"]  # until the second administrator confirms
    change = user.role_changes.get()
    signed_in(staff.admin2).post(reverse("portal:admin_role_change_decide", args=[change.pk, "confirm"]))
    user.refresh_from_db()
    assert user.roles == ["approver", "reviewer"]
    client.post(
        reverse("portal:admin_interpretations"),
        {"interpretation": "A7", "option": "per_year", "effective_from": "2026-12-01", "reason": "局务会决定按年封顶"},
    )
    choice = InterpretationChoice.objects.get()
    assert (choice.interpretation, choice.option) == ("A7", "per_year")


def test_staff_pages_need_their_role(staff):
    assert signed_in(staff.reviewer).get(reverse("portal:admin_users")).status_code == 403
    assert signed_in(staff.finance).get(reverse("portal:review_queue")).status_code == 403
    assert signed_in(staff.approver).get(reverse("portal:finance_queue")).status_code == 403


def test_top_bar_shows_links_for_the_roles_held(staff):
    html = signed_in(staff.reviewer).get(reverse("portal:review_queue")).content.decode()
    assert reverse("portal:review_queue") in html
    assert reverse("portal:finance_queue") not in html
    assert Claim.objects.count() == 0


def test_objection_evidence_is_served_to_reviewers_only(staff, applicant, open_round):
    from ipfund.web.demo.flow import pdf_upload

    owner = applicant("enterprise")
    claim = advance(submitted_from_sample(owner, sample(PATENT)), "approved", staff)
    notice = notice_publish(actor=staff.reviewer, claims=[claim])
    objection = objection_file(
        entry=notice.entries.get(), name="张三", contact="13900000000", reason="重复申报", upload=pdf_upload()
    )
    url = reverse("portal:objection_file", args=[objection.pk])
    assert signed_in(staff.reviewer).get(url).status_code == 200
    assert signed_in(owner).get(url).status_code == 404
    assert signed_in(staff.finance).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    # the objector's contact is never on the public page
    assert "13900000000" not in Client().get(reverse("portal:notice_detail", args=[notice.pk])).content.decode()
