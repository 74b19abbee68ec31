"""When signing in asks for a captcha: after repeated failures, counted from django-axes' records.

Nobody is ever locked out. Failures within ``IPFUND_LOGIN_WINDOW_SECONDS`` are counted three ways:
one account from one client address (``IPFUND_LOGIN_MAX_FAILURES``), the account from every
address (``IPFUND_LOGIN_ACCOUNT_FAILURES``: guessing spread over many addresses) and the address
for every account (``IPFUND_LOGIN_ADDRESS_FAILURES``: one address trying many names). Past any of
them the sign-in form asks for a captcha, and the password is not even checked until it is solved;
with it solved the right password signs in, whoever else is guessing at the account, from wherever.
A successful sign-in clears that account's failures from that address (``AXES_RESET_ON_SUCCESS``).
"""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from .backends import client_address
from .usernames import username_normalise


def _failures(**where) -> int:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(attempt_time__gte=since, **where).aggregate(n=Sum("failures_since_start"))["n"] or 0


def captcha_required(request, username: str) -> bool:
    """Whether a sign-in as ``username`` from this request's client address must solve a captcha."""
    address = client_address(request)
    name = username_normalise(username or "")
    if name and _failures(username=name, ip_address=address) >= settings.IPFUND_LOGIN_MAX_FAILURES:
        return True
    if name and _failures(username=name) >= settings.IPFUND_LOGIN_ACCOUNT_FAILURES:
        return True
    return bool(address) and _failures(ip_address=address) >= settings.IPFUND_LOGIN_ADDRESS_FAILURES
