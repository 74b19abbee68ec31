"""Two database roles on PostgreSQL: an owner that migrates, and the application's role that
cannot change the schema.

Whoever owns a table may ``ALTER TABLE … DISABLE TRIGGER`` (or drop it) and then rewrite the
insert-only audit events and ledger rows. So the tables belong to an owner role used only by
``ipfund manage migrate``; gunicorn and the Celery worker connect as an application role that holds
row privileges and nothing else: no ownership (no ALTER, no DROP, no DISABLE TRIGGER), no CREATE
in the schema, no TRUNCATE, and on the insert-only tables no DELETE, no UPDATE (but the one release
column of a duplicate key) — the triggers then guard against the platform's own bugs, the
privileges against its role.

``setup_sql`` is what a superuser runs once (``ipfund manage db_roles … | psql``); ``grant_sql``
is re-applied by every ``migrate`` when ``IPFUND_DB_APP_ROLE`` names the application's role (new
tables get their privileges at once); ``role_problems`` is what production checks at start.
"""

from __future__ import annotations

import re

from .insert_only import ALL_TABLES

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
BAD_ROLE_NAME = "数据库角色名只能由小写字母、数字和下划线组成（不能以数字开头）：{name}"
IS_SUPERUSER = "应用以数据库超级用户 {role} 连接：它能关闭触发器、改写审计与台账。请改用应用角色（见 README“数据库角色”）。"
OWNS_TABLES = "应用的数据库角色 {role} 拥有数据表（{tables} 等），能 ALTER TABLE … DISABLE TRIGGER。请以所有者角色迁移、以应用角色运行（见 README“数据库角色”）。"
MAY_CREATE = "应用的数据库角色 {role} 能在 public 模式中建表或建函数。请撤销其 CREATE 权限。"


def role_name(name: str) -> str:
    if not ROLE_NAME.match(name or ""):
        raise ValueError(BAD_ROLE_NAME.format(name=name))
    return name


def grant_sql(*, app: str) -> list[str]:
    """The application role's privileges on every table and sequence there is now."""
    app = role_name(app)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {app}",
        f"REVOKE CREATE ON SCHEMA public FROM {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {app}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {app}",
    ]
    for rule in ALL_TABLES:
        statements.append(f"REVOKE UPDATE, DELETE ON {rule.table} FROM {app}")
        if rule.release_column:
            statements.append(f"GRANT UPDATE ({rule.release_column}) ON {rule.table} TO {app}")
    return statements


def setup_sql(*, database: str, owner: str, app: str) -> list[str]:
    """What a superuser runs once: both roles (passwords set afterwards with ``\\password``, never
    in a script), the database and its schema owned by the owner, the application's privileges now
    and, by default, on the tables the owner creates later."""
    database, owner, app = role_name(database), role_name(owner), role_name(app)

    def create(role: str) -> str:
        return (f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN "
                f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS; END IF; END $$")

    return [
        create(owner),
        create(app),
        f"ALTER ROLE {app} NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS",
        f"ALTER DATABASE {database} OWNER TO {owner}",
        f"REVOKE ALL ON DATABASE {database} FROM PUBLIC",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {app}",
        f"ALTER SCHEMA public OWNER TO {owner}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        # tables migrated so far by another role (an existing deployment) pass to the owner
        f"DO $$ DECLARE t record; BEGIN FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP "
        f"EXECUTE format('ALTER TABLE public.%I OWNER TO {owner}', t.tablename); END LOOP; END $$",
        f"DO $$ DECLARE s record; BEGIN FOR s IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' LOOP "
        f"EXECUTE format('ALTER SEQUENCE public.%I OWNER TO {owner}', s.sequencename); END LOOP; END $$",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {app}",
        *grant_sql(app=app),
    ]


def role_problems(connection) -> list[str]:
    """Why the role ``connection`` runs as could change the schema (empty on SQLite, or when it cannot)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        role, superuser = cursor.fetchone()
        if superuser:
            return [IS_SUPERUSER.format(role=role)]
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user "
                       "ORDER BY tablename LIMIT 3")
        owned = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT has_schema_privilege(current_user, 'public', 'CREATE')")
        may_create = cursor.fetchone()[0]
    problems = [OWNS_TABLES.format(role=role, tables="、".join(owned))] if owned else []
    if may_create:
        problems.append(MAY_CREATE.format(role=role))
    return problems
