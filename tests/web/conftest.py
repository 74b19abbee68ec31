"""Fixtures of the platform tests: staff of every role, an open round, applicants, uploads."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone

from ipfund.web.demo import flow
from ipfund.web.engine_door import default_policy
from ipfund.web.rounds.services import round_create


def pytest_collection_modifyitems(config, items):
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    skip = pytest.mark.skip(reason="needs DATABASE_URL=postgres://…")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_files_and_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.IPFUND_CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.IPFUND_POLICY_STORE = tmp_path / "policies"  # the 政策库's store: empty in every test
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Fast hashing: the tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _claim_counts_at_once(request):
    # On PostgreSQL the claims-per-state trigger and the ledger's totals trigger run at commit; a test that runs inside one
    # transaction rolled back at its end would never see it run, so there it runs at each change
    # (transactional tests, which commit, keep it at commit: they test exactly that).
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    transactional = "transactional_db" in names or "live_server" in names or bool(marker and marker.kwargs.get("transaction"))
    if transactional or ("db" not in names and marker is None):
        yield
        return
    from django.db import connection

    request.getfixturevalue("db")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS claims_claim_state_count, ledger_awardentry_total IMMEDIATE")
    yield


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The rate limits count in Django's cache (per process in tests): each test starts at zero.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def staff(db) -> flow.Staff:
    return flow.create_staff()


@pytest.fixture
def open_round(staff):
    """A round of the default policy open now; its year recorded 不设预算 (approvals need a
    budget or that record: the budget tests set their own budgets, which take its place)."""
    now = timezone.now()
    flow.no_budget(staff, default_policy().id)
    return round_create(
        actor=staff.admin,
        name="2026年第二批",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        items=list(default_policy().items),
    )


@pytest.fixture
def applicant(db):
    """A factory: applicant(kind="enterprise", sme=False) → a registered applicant User."""
    return flow.new_applicant


@pytest.fixture
def enterprise(applicant):
    return applicant("enterprise", sme=True)


@pytest.fixture
def triggers_dropped(db):
    """The insert-only triggers dropped, as someone who may change the schema could; the test's
    transaction puts them back when it rolls back (DDL is transactional on both databases)."""
    from django.db import connection

    from ipfund.web.audit.insert_only import ALL_TABLES, drop_sql

    with connection.cursor() as cursor:
        for statement in drop_sql(connection.vendor, ALL_TABLES):
            cursor.execute(statement)
