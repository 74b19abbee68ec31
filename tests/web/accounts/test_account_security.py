"""Issue #11 item 3: throttling that cannot lock someone out (django-axes counting, a captcha, never a lock), password change and
reset by mail, a first sign-in with an administrator's password forcing a change, idle timeout, and
staff TOTP (django-otp) enforced when switched on."""

from __future__ import annotations

import re
import time

import pytest
from axes.models import AccessAttempt
from captcha.models import CaptchaStore
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from ipfund.web.accounts.models import StaffTOTPDevice

from ipfund.web.accounts.middleware import LAST_SEEN
from ipfund.web.accounts.mfa import TOKEN_INVALID
from ipfund.web.accounts.role_changes import role_change_confirm
from ipfund.web.accounts.services import staff_user_create
from ipfund.web.audit.models import AuditEvent
from ipfund.web.demo.flow import APPLICANT_PASSWORD, STAFF_PASSWORDS
from ipfund.web.common import forms

CAPTCHA_ASKED, CAPTCHA_REQUIRED, CAPTCHA_WRONG = map(str, (forms.CAPTCHA_ASKED, forms.CAPTCHA_REQUIRED, forms.CAPTCHA_WRONG))

LOGIN = "/accounts/login/"


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(response) -> bool:
    return response.status_code == 302 and LOGIN not in response["Location"]


@pytest.fixture
def target(applicant):
    return applicant("enterprise", username="target")


def captcha_of(response) -> dict:
    """The captcha the sign-in page shows, answered as the person reading the image would."""
    key = re.search(r'name="captcha_0" value="(\w+)"', response.content.decode()).group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def fail(times, username, address, **extra):
    for _ in range(times):
        Client().post(LOGIN, {"username": username, "password": "wrong"}, REMOTE_ADDR=address, **extra)


def test_failures_from_one_address_never_lock_the_owner_out_from_another(target, settings):
    fail(settings.IPFUND_LOGIN_MAX_FAILURES + 3, "target", "203.0.113.9")
    owner = Client()
    assert signed_in(sign_in(owner, "target", APPLICANT_PASSWORD, address="198.51.100.7"))
    assert owner.session["_auth_user_id"] == str(target.pk)


def test_at_the_guessing_address_the_right_password_needs_the_captcha_never_a_lock(target, settings):
    fail(settings.IPFUND_LOGIN_MAX_FAILURES, "target", "203.0.113.9")
    client = Client()
    page = sign_in(client, "target", APPLICANT_PASSWORD, address="203.0.113.9")
    assert page.status_code == 200 and not signed_in(page)
    assert CAPTCHA_ASKED in page.content.decode() and CAPTCHA_REQUIRED in page.content.decode()
    assert client.get(re.search(r'src="(/captcha/image/\w+/)"', page.content.decode()).group(1))["Content-Type"] == "image/png"
    # a wrong captcha: the password is not checked (no failure counted), the right one neither signs in
    before = AccessAttempt.objects.get(username="target").failures_since_start
    wrong = client.post(LOGIN, {"username": "target", "password": APPLICANT_PASSWORD, "captcha_0": captcha_of(page)["captcha_0"],
                                "captcha_1": "XXXXX"}, REMOTE_ADDR="203.0.113.9")
    assert not signed_in(wrong) and CAPTCHA_WRONG in wrong.content.decode()
    assert AccessAttempt.objects.get(username="target").failures_since_start == before
    # a wrong password with the captcha solved still fails, and is counted
    again = client.post(LOGIN, {"username": "target", "password": "still-wrong", **captcha_of(wrong)}, REMOTE_ADDR="203.0.113.9")
    assert not signed_in(again) and AccessAttempt.objects.get(username="target").failures_since_start == before + 1
    # the right password with the captcha solved signs in, however many failures came before
    done = client.post(LOGIN, {"username": "target", "password": APPLICANT_PASSWORD, **captcha_of(again)}, REMOTE_ADDR="203.0.113.9")
    assert signed_in(done) and client.session["_auth_user_id"] == str(target.pk)
    # and the pair's failures are cleared: the next sign-in there asks for no captcha
    assert signed_in(sign_in(Client(), "target", APPLICANT_PASSWORD, address="203.0.113.9"))


def test_guessing_from_many_addresses_asks_every_address_for_the_captcha(target, settings):
    settings.IPFUND_LOGIN_ACCOUNT_FAILURES = 6
    for n in range(6):
        fail(1, "target", f"203.0.113.{n + 1}")
    client = Client()
    page = sign_in(client, "target", APPLICANT_PASSWORD, address="198.51.100.7")
    assert not signed_in(page) and CAPTCHA_ASKED in page.content.decode()
    assert signed_in(client.post(LOGIN, {"username": "target", "password": APPLICANT_PASSWORD, **captcha_of(page)},
                                 REMOTE_ADDR="198.51.100.7"))


def test_an_address_is_not_blocked_for_everyone_either(target, applicant, settings):
    colleague = applicant("enterprise", username="colleague")
    # one office address trying many names, each below the per-account count: past the address's
    for n in range(settings.IPFUND_LOGIN_ADDRESS_FAILURES // (settings.IPFUND_LOGIN_MAX_FAILURES - 1) + 1):
        fail(settings.IPFUND_LOGIN_MAX_FAILURES - 1, f"name{n}", "192.0.2.50")
    client = Client()
    page = sign_in(client, colleague.username, APPLICANT_PASSWORD, address="192.0.2.50")
    assert not signed_in(page) and CAPTCHA_ASKED in page.content.decode()
    assert signed_in(client.post(LOGIN, {"username": colleague.username, "password": APPLICANT_PASSWORD, **captcha_of(page)},
                                 REMOTE_ADDR="192.0.2.50"))


def test_behind_a_proxy_the_forwarded_address_counts_only_when_the_proxy_is_trusted(target, settings):
    settings.IPFUND_TRUSTED_PROXIES = ["127.0.0.1"]
    fail(settings.IPFUND_LOGIN_MAX_FAILURES, "target", "127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    # the same proxy, another client behind it: no captcha
    other = Client().post(LOGIN, {"username": "target", "password": APPLICANT_PASSWORD}, REMOTE_ADDR="127.0.0.1",
                          HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert signed_in(other)
    # a client that is not the proxy cannot choose its address by sending the header
    settings.IPFUND_TRUSTED_PROXIES = []
    for spoof in ("1.1.1.1", "2.2.2.2"):
        fail(settings.IPFUND_LOGIN_MAX_FAILURES, "target", "203.0.113.20", HTTP_X_FORWARDED_FOR=spoof)
    page = Client().post(LOGIN, {"username": "target", "password": APPLICANT_PASSWORD}, REMOTE_ADDR="203.0.113.20",
                         HTTP_X_FORWARDED_FOR="3.3.3.3")
    assert not signed_in(page) and CAPTCHA_ASKED in page.content.decode()


def test_usernames_sign_in_in_any_case(target):
    assert signed_in(sign_in(Client(), "TARGET", APPLICANT_PASSWORD))


def test_password_change_is_audited(target):
    client = Client()
    sign_in(client, "target", APPLICANT_PASSWORD)
    wrong = client.post(reverse("portal:password_change"), {"old_password": "nope", "new_password1": "Xin-Mima-2026!",
                                                            "new_password2": "Xin-Mima-2026!"})
    assert wrong.status_code == 200 and "old_password" in wrong.context["form"].errors
    done = client.post(reverse("portal:password_change"), {"old_password": APPLICANT_PASSWORD,
                                                           "new_password1": "Xin-Mima-2026!", "new_password2": "Xin-Mima-2026!"})
    assert done.status_code == 302
    assert client.get(reverse("portal:my_claims")).status_code == 200  # still signed in
    assert AuditEvent.objects.filter(action="password_change", actor=target).exists()
    assert signed_in(sign_in(Client(), "target", "Xin-Mima-2026!"))


def test_password_reset_by_a_chinese_mail(target, django_capture_on_commit_callbacks):
    client = Client()
    response = client.post(reverse("portal:password_reset"), {"email": target.email})
    assert response["Location"] == reverse("portal:password_reset_done")
    (message,) = mail.outbox
    assert message.subject == "【肇庆高新区知识产权专项资金】重设密码"
    assert "重设" in message.body and "target" in message.body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    client.post(form_page.redirect_chain[-1][0], {"new_password1": "Chong-She-2026!", "new_password2": "Chong-She-2026!"})
    assert signed_in(sign_in(Client(), "target", "Chong-She-2026!"))
    assert AuditEvent.objects.filter(action="password_reset", actor=target).exists()
    again = client.get(link, follow=True)
    assert not again.context["validlink"]  # a link works once
    # an unknown address is answered the same way and sends nothing
    mail.outbox.clear()
    assert client.post(reverse("portal:password_reset"), {"email": "nobody@example.cn"})["Location"] == reverse(
        "portal:password_reset_done")
    assert mail.outbox == []


def test_an_administrators_password_must_be_changed_at_first_sign_in(staff):
    person = staff_user_create(actor=staff.admin, username="zhangwei", password="Chu-Shi-2026!x", roles=["reviewer"],
                               email="zw@ipfund.local")
    role_change_confirm(actor=staff.admin2, change=person.role_changes.get())
    client = Client()
    sign_in(client, "zhangwei", "Chu-Shi-2026!x")
    page = client.get(reverse("portal:review_queue"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("portal:password_change"))
    changed = client.post(reverse("portal:password_change") + "?next=/staff/review/", {
        "old_password": "Chu-Shi-2026!x", "new_password1": "Wo-De-Mima-2026", "new_password2": "Wo-De-Mima-2026",
        "next": "/staff/review/"})
    assert changed["Location"] == "/staff/review/"
    person.refresh_from_db()
    assert not person.password_change_required
    assert client.get(reverse("portal:review_queue")).status_code == 200


def test_an_idle_session_ends(target, settings):
    client = Client()
    sign_in(client, "target", APPLICANT_PASSWORD)
    assert client.get(reverse("portal:my_claims")).status_code == 200
    session = client.session
    session[LAST_SEEN] = time.time() - settings.IPFUND_IDLE_TIMEOUT_SECONDS - 1
    session.save()
    response = client.get(reverse("portal:my_claims"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def _code(device: StaffTOTPDevice, *, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def test_staff_mfa_enforced_enrol_then_verify(staff, settings):
    settings.IPFUND_STAFF_MFA = True
    client = Client()
    sign_in(client, "reviewer", STAFF_PASSWORDS["reviewer"])
    first = client.get(reverse("portal:review_queue"))
    assert first["Location"].startswith(reverse("portal:mfa_setup"))
    setup = client.get(first["Location"])
    assert "<svg" in setup.content.decode()
    device = StaffTOTPDevice.objects.get(user=staff.reviewer, confirmed=False)
    # the key to type in is the QR code's secret, in base32
    assert setup.context["key"].replace(" ", "") in device.config_url
    bad = client.post(first["Location"], {"token": "000000" if _code(device) != "000000" else "111111"})
    assert TOKEN_INVALID in bad.content.decode()
    ok = client.post(first["Location"], {"token": _code(device), "next": "/staff/review/"})
    assert ok["Location"] == "/staff/review/"
    assert client.get(reverse("portal:review_queue")).status_code == 200
    assert AuditEvent.objects.filter(action="mfa_enroll", actor=staff.reviewer).exists()

    # the next sign-in asks for a code; the password alone reaches nothing
    later = Client()
    sign_in(later, "reviewer", STAFF_PASSWORDS["reviewer"])
    for path in (reverse("portal:review_queue"), reverse("portal:staff_claim", args=[1]), reverse("portal:api_tokens")):
        assert later.get(path)["Location"].startswith(reverse("portal:mfa_verify"))
    device.refresh_from_db()
    assert later.post(reverse("portal:mfa_verify"), {"token": _code(device, offset=1)})["Location"] == reverse(
        "portal:dashboard")
    assert later.get(reverse("portal:review_queue")).status_code == 200
    # the menu's 双因素认证 link, once enrolled and verified: the state, not a new key
    enrolled = later.get(reverse("portal:mfa_setup"))
    assert enrolled.status_code == 200 and 'id="mfa-enrolled"' in enrolled.content.decode()
    assert StaffTOTPDevice.objects.filter(user=staff.reviewer).count() == 1


def test_applicants_need_no_second_factor(target, settings):
    settings.IPFUND_STAFF_MFA = True
    client = Client()
    sign_in(client, "target", APPLICANT_PASSWORD)
    assert client.get(reverse("portal:my_claims")).status_code == 200
