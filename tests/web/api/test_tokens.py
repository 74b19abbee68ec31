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
from django_otp.plugins.otp_totp.models import TOTPDevice

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


def _code(device: TOTPDevice) -> str:
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
    device = TOTPDevice.objects.get(user=staff.reviewer, confirmed=False)
    client.post(setup, {"token": _code(device), "next": TOKENS})
    _, secret = issue(client)
    assert secret and claims(secret).status_code == 200
