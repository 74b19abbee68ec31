"""The database defends itself (issue #21 item 6): the application's role cannot alter tables or
triggers, so it cannot switch off the insert-only triggers and rewrite audit and ledger rows; it
still does its work. On PostgreSQL, with the role made by the same SQL the setup command prints
(created inside the test's transaction, gone when it rolls back)."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from ipfund.web.audit.db_roles import IS_SUPERUSER, OWNS_TABLES, grant_sql, role_problems, setup_sql
from ipfund.web.audit.models import AuditEvent
from ipfund.web.audit.services import audit_record

APP = f"ipfund_app_test_{os.getpid()}"


def refused(statement: str) -> str:
    """Run ``statement`` in a savepoint; the database's refusal, or fail if it was allowed."""
    with pytest.raises(DatabaseError) as caught:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    return str(caught.value)


@pytest.fixture
def as_app_role(db, staff):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {APP} NOLOGIN NOSUPERUSER")
        for statement in grant_sql(app=APP):
            cursor.execute(statement)
        cursor.execute(f"SET ROLE {APP}")
    yield APP
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


@pytest.mark.postgres
@pytest.mark.parametrize("table", ["audit_auditevent", "ledger_awardentry", "ledger_duplicatekey", "budgets_budgetcharge"])
def test_the_app_role_cannot_disable_the_insert_only_triggers(as_app_role, table):
    assert "must be owner" in refused(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    assert "must be owner" in refused(f"DROP TRIGGER {table}_no_change ON {table}")
    assert "must be owner" in refused(f"ALTER TABLE {table} ADD COLUMN x integer")
    assert "permission denied" in refused(f"TRUNCATE {table}")
    assert "permission denied" in refused(f"DELETE FROM {table}")


@pytest.mark.postgres
def test_the_app_role_cannot_rewrite_an_audit_event_nor_create_objects(as_app_role, staff):
    event = audit_record(actor=staff.admin, action="probe", obj=staff.admin, after={"x": 1})  # it works as the app
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert "permission denied" in refused(f"UPDATE audit_auditevent SET action = 'x' WHERE id = {event.pk}")
    assert "permission denied" in refused("CREATE TABLE public.shadow (id integer)")
    assert "permission denied" in refused(
        "CREATE FUNCTION public.f() RETURNS integer LANGUAGE sql AS 'SELECT 1'")


@pytest.mark.postgres
def test_start_checks_name_a_superuser_and_an_owner_but_not_the_app_role(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        me = cursor.fetchone()[0]
    assert role_problems(connection) == [IS_SUPERUSER.format(role=me)]  # the tests connect as a superuser
    owner = f"ipfund_owner_test_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {owner} NOLOGIN")
        cursor.execute(f"CREATE ROLE {APP} NOLOGIN")
        cursor.execute(f"ALTER TABLE audit_auditevent OWNER TO {owner}")
        for statement in grant_sql(app=APP):
            cursor.execute(statement)
        cursor.execute(f"SET ROLE {owner}")
        owner_problems = role_problems(connection)
        cursor.execute(f"SET ROLE {APP}")
        app_problems = role_problems(connection)
        cursor.execute("RESET ROLE")
    assert owner_problems == [OWNS_TABLES.format(role=owner, tables="audit_auditevent")]
    assert app_problems == []


def test_the_setup_sql_is_printed_for_a_superuser_and_names_are_checked(capsys):
    call_command("db_roles", database="ipfund", owner="ipfund_owner", app="ipfund_app")
    printed = capsys.readouterr().out
    assert "ALTER DATABASE ipfund OWNER TO ipfund_owner;" in printed
    assert "ALTER DEFAULT PRIVILEGES FOR ROLE ipfund_owner IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ipfund_app;" in printed
    assert "REVOKE UPDATE, DELETE ON audit_auditevent FROM ipfund_app;" in printed
    with pytest.raises(ValueError):
        setup_sql(database="ipfund", owner="x; DROP TABLE y", app="ipfund_app")
