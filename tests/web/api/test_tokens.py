"""API tokens (issue #11 item 5): every token expires (90 days unless chosen shorter, shown on
the token page) and an expired one is refused with a Chinese 401; a staff member's token is issued
only in a session that passed the second factor. Through the token page and the API."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from ipfund.web.accounts.models import StaffTOTPDevice

from ipfund.web.api import services
from ipfund.web.api.models import ApiToken
from ipfund.web.audit.models import AuditEvent
from ipfund.web.demo import flow

TOKENS = "/me/tokens/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def issue(client, name="ERP 对接", **data):
    page = client.post(TOKENS, {"name": name, **data})
    match = re.search(r'<code id="token-secret">([^<]+)</code>', page.content.decode())
    return page, (match.group(1) if match else None)


def claims(secret):
    return Client().get("/api/claims", HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_token_lasts_the_default_ninety_days_shown_on_the_page(enterprise, settings):
    client = signed_in(enterprise)
    form = client.get(TOKENS).content.decode()
    assert "不填为 90 天，最长 365 天" in form
    page, secret = issue(client)
    assert secret and claims(secret).status_code == 200
    token = ApiToken.objects.get(user=enterprise)
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)
    assert timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M") in page.content.decode()
    assert AuditEvent.objects.filter(action="api_token_create", object_id=str(token.pk)).get().after["expires_at"]


def test_an_expired_token_is_refused_in_chinese(enterprise):
    page, secret = issue(signed_in(enterprise), days="7")
    token = ApiToken.objects.get(user=enterprise)
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=7))) < dt.timedelta(minutes=1)
    assert claims(secret).status_code == 200
    with flow.clock_at(token.expires_at + dt.timedelta(seconds=1)):
        refused = claims(secret)
        listing = signed_in(enterprise).get(TOKENS).content.decode()
    assert refused.status_code == 401
    expected = services.TOKEN_EXPIRED.format(at=timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M"))
    assert refused.json()["detail"] == expected and "过期" in expected
    assert "已过期" in listing
    # an unknown token still gets the general answer, not the expiry one
    assert "过期" not in Client().get("/api/claims", HTTP_AUTHORIZATION="Bearer ipf_nonsense").json()["detail"]


def test_a_lifetime_beyond_the_maximum_is_refused_by_field(enterprise):
    page, secret = issue(signed_in(enterprise), days="400")
    assert secret is None and not ApiToken.objects.exists()
    assert page.context["form"].errors["days"] == [services.TOKEN_DAYS_INVALID.format(max=365)]


def _code(device: StaffTOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.parametrize("mfa_enforced", [False, True])
def test_a_staff_token_needs_a_session_that_passed_the_second_factor(staff, settings, mfa_enforced):
    settings.IPFUND_STAFF_MFA = mfa_enforced  # the demo's setting or production's: required either way
    client = Client()
    client.post("/accounts/login/", {"username": "reviewer", "password": flow.STAFF_PASSWORDS["reviewer"]})
    if not mfa_enforced:
        page = client.get(TOKENS).content.decode()
        assert "须在通过双因素认证" in page and reverse("portal:mfa_setup") in page
        refused, secret = issue(client)
        assert secret is None and services.STAFF_TOKEN_NEEDS_MFA in refused.content.decode()
        assert not ApiToken.objects.exists()
        with pytest.raises(services.PermissionDenied):
            services.api_token_create(actor=staff.reviewer, name="x")
    # enrol and verify the second factor, then the token is issued
    setup = reverse("portal:mfa_setup")
    client.get(setup)
    device = StaffTOTPDevice.objects.get(user=staff.reviewer, confirmed=False)
    client.post(setup, {"token": _code(device), "next": TOKENS})
    _, secret = issue(client)
    assert secret and claims(secret).status_code == 200


# --- issue #21 item 4: a token is bound to the roles it was issued under --------------------------


def bearer(secret) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_token_issued_before_a_finance_grant_never_acts_as_finance(staff, applicant):
    """The probe's finding: a token issued without TOTP (the account held no staff role yet) kept
    working once the finance role was granted — /api/payments and /api/budgets answered 200."""
    newcomer = flow.staff_user_create(actor=None, username="newcomer", password="Zq-Office-2026!x")
    token, secret = services.api_token_create(actor=newcomer, name="before")  # no staff role: no TOTP asked
    assert token.roles == [] and Client().get("/api/claims", **bearer(secret)).status_code == 200
    flow.roles_set(staff, newcomer, ["finance"])
    for path in ("/api/payments", "/api/budgets", "/api/claims"):
        assert Client().get(path, **bearer(secret)).status_code == 401, path
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_reason == services.REVOKED_ROLE_GRANT
    event = AuditEvent.objects.filter(action="api_tokens_revoke_all", object_id=str(newcomer.pk)).get()
    assert event.after["reason"] == services.REVOKED_ROLE_GRANT and event.after["tokens"] == [token.prefix]
    assert event.actor == staff.admin2  # the administrator whose confirmation applied the grant


def test_a_token_is_refused_once_the_roles_differ_even_when_changed_around_the_platform(enterprise):
    token, secret = services.api_token_create(actor=enterprise, name="erp")
    assert token.roles == ["applicant"] and claims(secret).status_code == 200
    type(enterprise).objects.filter(pk=enterprise.pk).update(roles=["applicant", "finance"])  # no service, no revocation
    refused = Client().get("/api/payments", **bearer(secret))
    assert refused.status_code == 401 and refused.json()["detail"] == services.TOKEN_ROLES_CHANGED
    assert claims(secret).status_code == 401
    type(enterprise).objects.filter(pk=enterprise.pk).update(roles=["applicant"])  # the same roles again: it acts again
    assert claims(secret).status_code == 200


def test_taking_a_role_away_refuses_the_tokens_issued_with_it(staff, applicant):
    user = flow.staff_user_create(actor=None, username="two-hats", password="Zq-Office-2026!x")
    flow.roles_set(staff, user, ["reviewer", "approver"])
    token, secret = services.api_token_create(actor=user, name="queue", second_factor=True)
    assert Client().get("/api/claims", **bearer(secret)).status_code == 200
    flow.roles_set(staff, user, ["reviewer"])  # a removal applies at once, without a second administrator
    refused = Client().get("/api/claims", **bearer(secret))
    assert refused.status_code == 401 and refused.json()["detail"] == services.TOKEN_ROLES_CHANGED


def test_a_password_change_revokes_every_token(enterprise):
    client = signed_in(enterprise)
    _, first = issue(client, name="一")
    _, second = issue(client, name="二")
    assert claims(first).status_code == claims(second).status_code == 200
    password = flow.APPLICANT_PASSWORD
    changed = client.post(reverse("portal:password_change"),
                          {"old_password": password, "new_password1": "Zq-New-2026!pw", "new_password2": "Zq-New-2026!pw"})
    assert changed.status_code == 302
    assert claims(first).status_code == claims(second).status_code == 401
    enterprise.refresh_from_db()  # the new password's hash: the session of the old one has ended
    listing = signed_in(enterprise).get(TOKENS).content.decode()
    assert listing.count(f"，{services.REVOKED_PASSWORD}）") == 2
    assert AuditEvent.objects.filter(action="api_tokens_revoke_all", after__reason=services.REVOKED_PASSWORD).exists()
    # a token issued after the change works
    _, third = issue(signed_in(enterprise), name="三")
    assert claims(third).status_code == 200


def test_an_mfa_reset_by_another_administrator_revokes_every_token(staff):
    from django.core.management import CommandError, call_command

    StaffTOTPDevice.objects.create(user=staff.finance, name="验证器", confirmed=True)
    token, secret = services.api_token_create(actor=staff.finance, name="erp", second_factor=True)
    assert Client().get("/api/payments", **bearer(secret)).status_code == 200
    with pytest.raises(CommandError, match="不能重置本人"):
        call_command("mfa_reset", "admin", by="admin", reason="遗失")
    with pytest.raises(CommandError, match="只有管理员"):
        call_command("mfa_reset", "finance", by="reviewer", reason="遗失")
    assert Client().get("/api/payments", **bearer(secret)).status_code == 200
    call_command("mfa_reset", "finance", by="admin", reason="手机遗失")
    assert not StaffTOTPDevice.objects.filter(user=staff.finance).exists()
    assert Client().get("/api/payments", **bearer(secret)).status_code == 401
    token.refresh_from_db()
    assert token.revoked_reason == services.REVOKED_MFA_RESET
    assert AuditEvent.objects.filter(action="mfa_reset", object_id=str(staff.finance.pk)).get().after["reason"] == "手机遗失"
