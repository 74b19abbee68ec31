"""Database triggers: the award ledger and the duplicate keys are insert-only (a key is released once)."""

from django.db import migrations

from ipfund.web.audit.insert_only import LEDGER_TABLES, migration_operations


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0001_initial"),
        # Persons' numbers were replaced by pseudonyms in the ledger before it became insert-only.
        ("accounts", "0003_encrypt_existing_rows"),
    ]

    operations = [migration_operations(LEDGER_TABLES)]
