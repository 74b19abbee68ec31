"""Applicant pages through Django's test client: register, claim form, estimate, submit, withdraw, correct."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ipfund.web.accounts.idgen import make_ric, make_uscc
from ipfund.web.accounts.identifiers import INVALID_RIC, INVALID_USCC
from ipfund.web.claims.models import Claim, Evidence
from ipfund.web.claims.services import EVIDENCE_MISSING
from ipfund.web.demo.flow import APPLICANT_PASSWORD, PDF_BYTES, advance, submitted_from_sample
from ipfund.web.demo.samples import sample
from ipfund.web.common.facts import ERROR_CHOOSE, ERROR_MONEY
from ipfund.web.common.forms import ERROR_PASSWORDS_DIFFER
from ipfund.web.uploads import UPLOAD_TYPE

pytestmark = pytest.mark.django_db

PATENT = "china_patent_award"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def field_block(html: str, name: str) -> str:
    """The rendered field wrapper of one form field (label, input, its errors)."""
    match = re.search(rf'<div class="field[^"]*" id="field-{re.escape(name)}">.*?</div>', html, re.S)
    assert match, f"no field {name}"
    return match.group(0)


def registration(**overrides):
    data = {
        "kind": "enterprise",
        "id_number": make_uscc("enterprise", 901),
        "name": "肇庆示例科技有限公司",
        "username": "shili",
        "email": "shili@example.cn",
        "password1": "Kexin-2026-long",
        "password2": "Kexin-2026-long",
        "address": "肇庆高新区工业大道1号",
        "in_zone": "true",
        "sme": "true",
        "contact_name": "李四",
        "contact_phone": "13800138000",
    }
    data.update(overrides)
    return data


def claim_post(**overrides):
    data = {
        "event_date": "2023-07-20",
        "facts-patent_number": "ZL201910000001.2",
        "facts-level": "silver",
        "idempotency_key": "k-1",
        "evidence-evidence_0": SimpleUploadedFile("获奖证书.pdf", PDF_BYTES, content_type="application/pdf"),
        "evidence-evidence_1": SimpleUploadedFile("专利证书.pdf", PDF_BYTES, content_type="application/pdf"),
    }
    data.update(overrides)
    return data


# --- registration and sign-in -----------------------------------------------------------------


def test_register_binds_a_valid_credit_code_and_signs_in(client):
    response = client.post(reverse("portal:register"), registration())
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:eligible")
    page = client.get(reverse("portal:eligible")).content.decode()
    assert "肇庆示例科技有限公司" in page
    assert "中国专利奖奖励" in page or "中国专利" in page


def test_register_refuses_a_bad_credit_code_beside_the_field_and_keeps_input(client):
    response = client.post(reverse("portal:register"), registration(id_number="91441200MA4W0Q9X3B"))
    html = response.content.decode()
    assert response.status_code == 200
    assert INVALID_USCC in field_block(html, "id_number")
    assert 'value="肇庆示例科技有限公司"' in html
    assert 'value="shili@example.cn"' in html
    assert not Claim.objects.exists()


def test_register_a_person_checks_the_resident_id(client):
    response = client.post(
        reverse("portal:register"), registration(kind="person", id_number="441203199001010011", name="王小明")
    )
    assert INVALID_RIC in field_block(response.content.decode(), "id_number")
    ok = client.post(
        reverse("portal:register"),
        registration(kind="person", id_number=make_ric(77), name="王小明", username="wxm", sme=""),
    )
    assert ok.status_code == 302


def test_register_passwords_must_match(client):
    response = client.post(reverse("portal:register"), registration(password2="other-Password-1"))
    assert str(ERROR_PASSWORDS_DIFFER) in field_block(response.content.decode(), "password2")


def test_forms_carry_a_csrf_token_and_posts_without_it_are_refused(applicant):
    user = applicant("enterprise")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    form = client.get(reverse("portal:claim_new", args=[PATENT])).content.decode()
    assert 'name="csrfmiddlewaretoken"' in form
    response = client.post(reverse("portal:claim_new", args=[PATENT]), claim_post())
    assert response.status_code == 403
    assert not Claim.objects.exists()


def test_login_page_signs_in_and_lands_on_my_claims(applicant):
    user = applicant("enterprise", username="acme")
    client = Client()
    response = client.post(reverse("portal:login"), {"username": "acme", "password": APPLICANT_PASSWORD})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse("portal:my_claims")
    bad = Client().post(reverse("portal:login"), {"username": "acme", "password": "wrong"})
    assert "请输入一个正确的" in bad.content.decode() or "正确的用户名和密码" in bad.content.decode()
    assert user.pk


# --- what I can claim, the claim form ---------------------------------------------------------


def test_eligible_lists_only_items_of_my_kind_with_sentences(applicant):
    client = signed_in(applicant("person"))
    html = client.get(reverse("portal:eligible")).content.decode()
    assert "专利代理师" in html
    assert "对通过国家专利代理师考试并在区内专利代理机构" in html
    assert 'id="item-china_patent_award"' not in html


def test_claim_form_is_generated_from_facts_with_evidence_uploads(applicant):
    client = signed_in(applicant("enterprise"))
    html = client.get(reverse("portal:claim_new", args=[PATENT])).content.decode()
    assert 'name="facts-patent_number"' in html
    assert 'name="facts-level"' in html
    assert "中国专利奖获奖证书" in html and "专利证书" in html
    assert html.count('type="file"') == 2


def test_claim_form_errors_are_beside_fields_in_chinese_and_nothing_typed_is_lost(applicant, open_round):
    client = signed_in(applicant("enterprise"))
    response = client.post(
        reverse("portal:claim_new", args=[PATENT]), claim_post(**{"facts-level": "", "event_date": "2023-07-20"})
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert str(ERROR_CHOOSE) in field_block(html, "facts-level")
    assert 'value="ZL201910000001.2"' in html
    assert 'value="2023-07-20"' in html
    # The chosen files are kept on the server and shown as uploaded (browsers cannot refill file inputs).
    assert 'id="staged-files"' in html and "获奖证书.pdf" in html and "专利证书.pdf" in html
    assert "无需重新选择" in html
    assert not Claim.objects.exists()


def test_claim_form_refuses_a_file_that_is_not_pdf_jpeg_or_png(applicant, open_round):
    client = signed_in(applicant("enterprise"))
    fake = SimpleUploadedFile("证书.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(reverse("portal:claim_new", args=[PATENT]), claim_post(**{"evidence-evidence_0": fake}))
    html = response.content.decode()
    assert UPLOAD_TYPE in field_block(html, "evidence-evidence_0")
    # Nothing is saved while a file is refused; the good file waits, shown as uploaded.
    assert not Claim.objects.exists()
    assert "专利证书.pdf" in html and 'name="staged"' in html


def test_money_fact_with_three_decimals_is_refused(applicant, open_round):
    client = signed_in(applicant("enterprise", sme=True))
    response = client.post(
        reverse("portal:claim_new", args=["custody_sme"]),
        {"event_date": "2023-05-01", "facts-service_year": "2023", "facts-actual_cost": "12.345"},
    )
    assert "两位小数" in field_block(response.content.decode(), "facts-actual_cost")
    assert str(ERROR_MONEY)  # the constant exists for other money errors


def test_draft_shows_the_estimate_then_submit_then_timeline(applicant, open_round):
    client = signed_in(applicant("enterprise"))
    response = client.post(reverse("portal:claim_new", args=[PATENT]), claim_post())
    claim = Claim.objects.get()
    assert response["Location"] == reverse("portal:claim_detail", args=[claim.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "¥200,000.00" in detail  # the engine's estimate for a silver award
    assert "对获得中国专利金奖、银奖、优秀奖的单位分别每项奖励30万元" in detail
    assert 'id="submit-claim"' in detail
    client.post(reverse("portal:claim_submit", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.state == "submitted"
    detail = client.get(reverse("portal:claim_detail", args=[claim.pk])).content.decode()
    assert "提交申报" in detail and "已提交（待初审）" in detail


def test_double_submit_of_the_claim_form_makes_one_claim(applicant, open_round):
    client = signed_in(applicant("enterprise"))
    first = client.post(reverse("portal:claim_new", args=[PATENT]), claim_post())
    second = client.post(reverse("portal:claim_new", args=[PATENT]), claim_post())
    assert Claim.objects.count() == 1
    assert Evidence.objects.count() == 2
    assert first["Location"] == second["Location"]


def test_submit_without_evidence_is_refused_with_the_missing_list(applicant, open_round):
    client = signed_in(applicant("enterprise"))
    data = claim_post()
    del data["evidence-evidence_1"]
    client.post(reverse("portal:claim_new", args=[PATENT]), data)
    claim = Claim.objects.get()
    response = client.post(reverse("portal:claim_submit", args=[claim.pk]), follow=True)
    assert EVIDENCE_MISSING.format(labels="专利证书") in response.content.decode()
    claim.refresh_from_db()
    assert claim.state == "draft"


def test_withdraw_before_a_decision(applicant, open_round):
    user = applicant("enterprise")
    claim = submitted_from_sample(user, sample(PATENT))
    client = signed_in(user)
    client.post(reverse("portal:claim_withdraw", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.state == "withdrawn"


def test_returned_claim_shows_the_comment_and_can_be_corrected_and_resubmitted(applicant, open_round, staff):
    user = applicant("enterprise")
    claim = advance(submitted_from_sample(user, sample(PATENT)), "returned", staff)
    client = signed_in(user)
    detail = client.get(reverse("portal:claim_detail", args=[claim.pk])).content.decode()
    assert "请补充加盖公章的证明材料。" in detail
    edit = client.get(reverse("portal:claim_edit", args=[claim.pk])).content.decode()
    assert f'value="{claim.facts["patent_number"]}"' in edit
    response = client.post(
        reverse("portal:claim_edit", args=[claim.pk]),
        {
            "event_date": claim.event_date.isoformat(),
            "facts-patent_number": claim.facts["patent_number"],
            "facts-level": "excellence",
            "evidence-evidence_0": SimpleUploadedFile("盖章证书.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    client.post(reverse("portal:claim_submit", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.state == "submitted"
    assert claim.facts["level"] == "excellence"


def test_profile_masks_the_bank_account(applicant):
    user = applicant("enterprise")
    client = signed_in(user)
    html = client.get(reverse("portal:profile")).content.decode()
    account = user.applicant.bank_account
    assert account not in html
    assert account[-4:] in html
    response = client.post(
        reverse("portal:profile"),
        {"name": user.applicant.name, "in_zone": "true", "sme": "false", "bank_account": "6222 0200 1111 2222 333"},
    )
    assert response.status_code == 302
    user.applicant.refresh_from_db()
    assert user.applicant.bank_account == "6222020011112222333"  # kept as digits
    assert "2222 333" not in client.get(reverse("portal:profile")).content.decode()


# --- nobody sees another applicant's claims or files ------------------------------------------


def test_another_applicant_cannot_read_or_change_my_claim_or_files(applicant, open_round):
    owner = applicant("enterprise")
    claim = submitted_from_sample(owner, sample(PATENT))
    evidence = claim.evidence.first()
    intruder = signed_in(applicant("enterprise"))
    assert intruder.get(reverse("portal:claim_detail", args=[claim.pk])).status_code == 404
    assert intruder.get(reverse("portal:claim_edit", args=[claim.pk])).status_code == 404
    assert intruder.post(reverse("portal:claim_withdraw", args=[claim.pk])).status_code == 404
    assert intruder.get(reverse("portal:evidence_file", args=[evidence.pk])).status_code == 404
    claim.refresh_from_db()
    assert claim.state == "submitted"
    own = signed_in(owner).get(reverse("portal:evidence_file", args=[evidence.pk]))
    assert own.status_code == 200
    assert b"".join(own.streaming_content).startswith(b"%PDF-")


def test_anonymous_visitor_is_sent_to_login_for_files_and_claims(applicant, open_round):
    claim = submitted_from_sample(applicant("enterprise"), sample(PATENT))
    evidence = claim.evidence.first()
    for url in (reverse("portal:claim_detail", args=[claim.pk]), reverse("portal:evidence_file", args=[evidence.pk])):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("portal:login"))


def test_applicant_cannot_open_staff_pages(applicant):
    client = signed_in(applicant("enterprise"))
    for name in ("portal:review_queue", "portal:approval_queue", "portal:finance_queue", "portal:admin_rounds"):
        assert client.get(reverse(name)).status_code == 403


def test_notifications_list_shows_status_changes(applicant, open_round):
    user = applicant("enterprise")
    submitted_from_sample(user, sample(PATENT))
    html = signed_in(user).get(reverse("portal:notifications")).content.decode()
    assert "已提交，等待初审" in html


def test_api_tokens_are_issued_listed_and_revoked_on_a_page(applicant, open_round):
    from ipfund.web.api.models import ApiToken

    user = applicant("enterprise", sme=True)
    client = signed_in(user)
    assert "请填写此项。" in client.post(reverse("portal:api_tokens"), {"name": ""}).content.decode()
    page = client.post(reverse("portal:api_tokens"), {"name": "财务系统对接"})
    assert page["Cache-Control"] == "no-store"
    secret = page.context["secret"]
    assert secret in page.content.decode() and "只显示这一次" in page.content.decode()
    listed = client.get(reverse("portal:api_tokens")).content.decode()
    assert "财务系统对接" in listed and secret not in listed
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/claims").status_code == 200
    token = ApiToken.objects.get(user=user)
    client.post(reverse("portal:api_token_revoke", args=[token.pk]))
    assert api.get("/api/claims").status_code == 401
    assert "已撤销" in client.get(reverse("portal:api_tokens")).content.decode()
