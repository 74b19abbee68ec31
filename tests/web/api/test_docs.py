"""The API documentation page works without the Internet: Swagger UI comes from our own static files."""

from __future__ import annotations

import re

from django.test import Client


def test_api_docs_load_nothing_from_other_hosts():
    page = Client().get("/api/docs")
    assert page.status_code == 200
    refs = re.findall(r'(?:src|href)="([^"]+)"', page.content.decode())
    assert any(r.endswith("swagger-ui-bundle.js") for r in refs)
    assert [r for r in refs if r.startswith(("http:", "https:", "//"))] == []
