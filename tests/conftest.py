"""Fixtures of every suite: Django's flush (run after each transactional test) passes the
insert-only triggers of the ledger and the audit trail by dropping them and putting them back
around its own deletes, as an operator restoring a database would; everywhere else they hold."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def _flush_passes_insert_only_triggers():
    try:
        from django.core.management.commands import flush
    except ImportError:  # pragma: no cover - Django not installed
        yield
        return
    from ipfund.web.audit.insert_only import ALL_TABLES, create_sql, drop_sql

    original = flush.sql_flush

    def sql_flush(style, connection, *args, **kwargs):
        statements = original(style, connection, *args, **kwargs)
        if not statements:
            return statements
        vendor = connection.vendor
        # A migration test may leave the database before a table's migration: its triggers too.
        present = set(connection.introspection.table_names())
        rules = tuple(r for r in ALL_TABLES if r.table in present)
        return [*drop_sql(vendor, rules), *statements, *create_sql(vendor, rules)]

    flush.sql_flush = sql_flush
    yield
    flush.sql_flush = original


@pytest.fixture(scope="session")
def dask_client():
    """One Dask LocalCluster for the session: two workers, threads of this process (no server)."""
    from ipfund.engine.distributed import dask_client as client_of

    with client_of(2, processes=False) as client:
        yield client
