"""The claims-per-state trigger made a constraint trigger deferred to commit on PostgreSQL, so that
its count rows are locked after every other lock of the transaction (claims/state_counts.py says
why: an approval and a recommendation deadlocked under load). SQLite serialises its writers and
keeps its triggers. The counts themselves are unchanged."""

from django.db import migrations

from ipfund.web.claims import state_counts


def at_commit(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in state_counts.trigger_sql("postgresql", deferred=True):
            schema_editor.execute(statement)


def at_change(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in state_counts.trigger_sql("postgresql", deferred=True):
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0007_state_counts'),
    ]

    operations = [
        migrations.RunPython(at_commit, at_change),
    ]
