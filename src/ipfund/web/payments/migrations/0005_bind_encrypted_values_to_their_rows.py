"""Every encrypted value written before binding is sealed again for its table, column and row
(pii/fields.py): from now on a token copied to another row does not decrypt."""

from django.db import migrations

TABLES = {
    "accounts_applicantprofile": ("id_number", "contact_phone", "bank_account"),
    "payments_payment": ("bank_account",),
    "payments_bankaccountchange": ("bank_account",),
    "payments_paymentfailure": ("bank_account",),
}


def bind_existing(apps, schema_editor):
    from ipfund.web.pii.fields import bind, place

    with schema_editor.connection.cursor() as cursor:
        for table, columns in TABLES.items():
            cursor.execute(f"SELECT id, {', '.join(columns)} FROM {table}")
            for pk, *tokens in cursor.fetchall():
                bound = [bind(t, place(table, c, pk)) if t else t for c, t in zip(columns, tokens)]
                if bound != tokens:
                    sets = ", ".join(f"{c} = %s" for c in columns)
                    cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*bound, pk])


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0004_failure_account"),
        ("accounts", "0008_applicant_name_search"),
    ]

    operations = [migrations.RunPython(bind_existing, migrations.RunPython.noop)]
