"""The applicants' name, searched and sorted by the staff queues.

A btree index on (name, id) gives the queue sorted by applicant without sorting every claim. On
PostgreSQL a trigram (pg_trgm) GIN index on UPPER(name) serves the name search, an ``icontains``
(Django writes it as ``UPPER(name) LIKE UPPER('%…%')``); elsewhere (SQLite) that index is not
made and the search reads the table, as it did before.
"""

from django.db import migrations, models

TRIGRAM_INDEX = "applicant_name_trgm"


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON accounts_applicantprofile USING gin (UPPER(name::text) gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_role_changes_need_a_second_administrator")]

    operations = [
        migrations.AddIndex("applicantprofile", models.Index(fields=["name", "id"], name="applicant_name_order")),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
