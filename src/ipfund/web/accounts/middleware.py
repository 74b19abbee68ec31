"""Account hygiene on every signed-in page request: idle timeout, forced password change, staff MFA.

Each check lets through the pages a person needs to satisfy it (sign-out, password change and
reset, second-factor enrolment and verification) and static files; the API authenticates by
token, not by session, and is left alone.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import roles
from .mfa import mfa_enrolled

IDLE_SIGNED_OUT = "您已超过 {minutes} 分钟未操作，为安全起见已自动退出，请重新登录。"
PASSWORD_CHANGE_FIRST = "您的密码由管理员设置，请先修改为只有您知道的新密码。"
LAST_SEEN = "ipfund_last_seen"
EXEMPT = ("/static/", "/api/", "/i18n/", "/accounts/logout/", "/accounts/password/", "/accounts/mfa/", "/accounts/reset/")


def _to(name: str, request):
    return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")


class AccountHygieneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith("/api/"):
            return self.get_response(request)
        now = time.time()
        last = request.session.get(LAST_SEEN)
        timeout = settings.IPFUND_IDLE_TIMEOUT_SECONDS
        if last is not None and now - last > timeout:
            logout(request)
            messages.info(request, IDLE_SIGNED_OUT.format(minutes=timeout // 60))
            return _to("portal:login", request)
        request.session[LAST_SEEN] = now
        if request.path.startswith(EXEMPT):
            return self.get_response(request)
        if getattr(user, "password_change_required", False):
            messages.info(request, PASSWORD_CHANGE_FIRST)
            return _to("portal:password_change", request)
        if settings.IPFUND_STAFF_MFA and roles.is_staff_member(user) and not user.is_verified():
            return _to("portal:mfa_verify" if mfa_enrolled(user) else "portal:mfa_setup", request)
        return self.get_response(request)
