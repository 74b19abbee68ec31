"""Encrypt the personal data of existing profiles; pseudonymise persons in the ledger."""

from django.db import migrations

from ipfund.web.pii.migration_ops import encrypt_existing_profiles


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_encrypt_personal_data"),
        ("ledger", "0001_initial"),
        ("claims", "0001_initial"),
    ]

    operations = [migrations.RunPython(encrypt_existing_profiles, migrations.RunPython.noop)]
