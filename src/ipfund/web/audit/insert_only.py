"""Triggers that make the award ledger, the duplicate keys, the audit trail and the budgets' charges
for written-off recoveries insert-only in the
database itself, so raw SQL cannot change them either (the models refuse it in Python already).

One table of rules, written out for PostgreSQL (a PL/pgSQL function raising restrict_violation,
BEFORE UPDATE OR DELETE per row and BEFORE TRUNCATE) and for SQLite (RAISE(ABORT) triggers); both
surface in Django as IntegrityError. A duplicate key's one legal change is its release: a NULL
released_by set once, every other column unchanged (award_revoke does exactly that).

What a trigger cannot stop: whoever may change the schema may drop it. That is what the keyed
chain, the checkpoint outside the database and `ipfund audit reconcile` are for.
"""

from __future__ import annotations

from dataclasses import dataclass

LEDGER_MESSAGE = "资助台账只能追加记录；撤销须写入冲销记录。"
DUPLICATE_KEY_MESSAGE = "重复资助键只能追加，或在撤销时释放一次。"
AUDIT_MESSAGE = "审计事件只能追加，不能修改或删除。"


@dataclass(frozen=True)
class InsertOnly:
    table: str
    message: str
    # Columns that may change on UPDATE, from NULL to a value, once (the rest never change).
    release_column: str | None = None
    other_columns: tuple[str, ...] = ()


LEDGER_TABLES = (
    InsertOnly("ledger_awardentry", LEDGER_MESSAGE),
    InsertOnly("ledger_duplicatekey", DUPLICATE_KEY_MESSAGE, "released_by_id", ("id", "policy", "item", "key", "entry_id")),
)
AUDIT_TABLES = (InsertOnly("audit_auditevent", AUDIT_MESSAGE),)
#: The ledger's index of names (ledger/0003): insert-only like the entries it indexes.
LEDGER_NAME_TABLES = (InsertOnly("ledger_ledgername", LEDGER_MESSAGE),)


def _sqlite_create(rule: InsertOnly) -> list[str]:
    t, msg = rule.table, rule.message.replace("'", "''")
    update_when = ""
    if rule.release_column:
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in rule.other_columns)
        r = rule.release_column
        update_when = f" WHEN OLD.{r} IS NOT NULL OR NEW.{r} IS NULL OR {changed}"
    return [
        f"CREATE TRIGGER {t}_no_update BEFORE UPDATE ON {t}{update_when} BEGIN SELECT RAISE(ABORT, '{msg}'); END",
        f"CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} BEGIN SELECT RAISE(ABORT, '{msg}'); END",
    ]


def _postgres_create(rule: InsertOnly) -> list[str]:
    t, msg = rule.table, rule.message.replace("'", "''")
    if rule.release_column:
        r = rule.release_column
        changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in rule.other_columns)
        update_check = f"IF TG_OP = 'UPDATE' AND OLD.{r} IS NULL AND NEW.{r} IS NOT NULL AND NOT ({changed}) THEN RETURN NEW; END IF;"
    else:
        update_check = ""
    return [
        f"""CREATE OR REPLACE FUNCTION {t}_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {update_check}
  RAISE EXCEPTION '{msg}' USING ERRCODE = 'restrict_violation';
END $$""",
        f"CREATE TRIGGER {t}_no_change BEFORE UPDATE OR DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION {t}_insert_only()",
        f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} FOR EACH STATEMENT EXECUTE FUNCTION {t}_insert_only()",
    ]


def create_sql(vendor: str, rules) -> list[str]:
    make = _postgres_create if vendor == "postgresql" else _sqlite_create
    return [statement for rule in rules for statement in make(rule)]


def drop_sql(vendor: str, rules) -> list[str]:
    if vendor == "postgresql":
        return [s for r in rules for s in (
            f"DROP TRIGGER IF EXISTS {r.table}_no_change ON {r.table}",
            f"DROP TRIGGER IF EXISTS {r.table}_no_truncate ON {r.table}",
            f"DROP FUNCTION IF EXISTS {r.table}_insert_only()",
        )]
    return [s for r in rules for s in (f"DROP TRIGGER IF EXISTS {r.table}_no_update", f"DROP TRIGGER IF EXISTS {r.table}_no_delete")]


def migration_operations(rules):
    """The RunPython pair a migration installs (and its reverse removes) the triggers with."""
    from django.db import migrations

    def install(apps, schema_editor):
        for statement in create_sql(schema_editor.connection.vendor, rules):
            schema_editor.execute(statement)

    def remove(apps, schema_editor):
        for statement in drop_sql(schema_editor.connection.vendor, rules):
            schema_editor.execute(statement)

    return migrations.RunPython(install, remove)


#: Money written off after a recovery, charged back to the budgets (budgets/0004): a record of money spent.
BUDGET_CHARGE_TABLES = (InsertOnly("budgets_budgetcharge", "核销计入预算的记录只能追加，不能修改或删除。"),)

ALL_TABLES = LEDGER_TABLES + LEDGER_NAME_TABLES + AUDIT_TABLES + BUDGET_CHARGE_TABLES
