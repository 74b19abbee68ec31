"""Schemathesis over the whole OpenAPI schema, anonymous and with an applicant's token: no 5xx.

Bounded (a few examples per operation, no shrinking) so that it stays a matter of seconds; it
runs with the rest of the web suite in ``scripts/test``, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.core import NotSet
import json
from urllib.parse import urlencode

from django.test import Client
from hypothesis import HealthCheck, Phase, settings

from ipfund.web.api.services import api_token_create
from ipfund.web.demo import flow
from ipfund.web.api.views import api

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
BOUNDED = settings(max_examples=8, deadline=None, phases=[Phase.explicit, Phase.generate],
                   suppress_health_check=list(HealthCheck))


@pytest.fixture
def bearer(enterprise, open_round):
    return {"Authorization": f"Bearer {api_token_create(actor=enterprise, name='schemathesis')[1]}"}


def _send(case, headers: dict):
    """The case through Django's test client (inside the test's transaction, as a request would be)."""
    path = case.formatted_path
    if case.query:
        path += "?" + urlencode(case.query, doseq=True)
    meta = {f"HTTP_{k.upper().replace('-', '_')}": str(v) for k, v in {**(case.headers or {}), **headers}.items()
            if k.lower() not in ("content-type", "content-length")}
    client = Client()
    if case.method.upper() == "GET":
        return client.get(path, **meta)
    body = None if isinstance(case.body, NotSet) else case.body
    if (case.media_type or "").startswith("multipart/"):
        data = {k: (flow.SimpleUploadedFile("f.pdf", bytes(v)) if isinstance(v, (bytes, bytearray)) else str(v))
                for k, v in (body or {}).items() if v is not None} if isinstance(body, dict) else {}
        return client.post(path, data, **meta)
    if isinstance(body, (bytes, bytearray)):
        return client.generic(case.method.upper(), path, bytes(body), content_type=case.media_type or "application/json", **meta)
    return client.generic(case.method.upper(), path, "" if body is None else json.dumps(body),
                          content_type="application/json", **meta)


def _no_server_error(case, headers=None):
    response = _send(case, headers or {})
    assert response.status_code < 500, f"{case.method} {case.formatted_path} → {response.status_code}"


@pytest.mark.django_db
@schema.parametrize()
@BOUNDED
def test_no_server_error_anonymous(case):
    _no_server_error(case)


@schema.parametrize()
@BOUNDED
def test_no_server_error_with_a_token(case, bearer):
    _no_server_error(case, bearer)
