"""Reductions: part of an award taken back while it stands (a pro-rata cut, a cancelled installment,
a recovery in proportion). SQLite rebuilds the table to change its CHECK constraint, which drops
its insert-only triggers: they are removed first and installed again after."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from ipfund.web.audit.insert_only import LEDGER_TABLES, migration_operations


def _triggers_removed():
    install = migration_operations(LEDGER_TABLES)
    return migrations.RunPython(install.reverse_code, install.code)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0009_staff_totp_devices_with_sealed_keys'),
        ('claims', '0009_proposed_and_declined_states'),
        ('ledger', '0004_budget_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        _triggers_removed(),
        migrations.RemoveConstraint(
            model_name='awardentry',
            name='award_sign_matches_kind',
        ),
        migrations.AddField(
            model_name='awardentry',
            name='reduces',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reductions', to='ledger.awardentry'),
        ),
        migrations.AlterField(
            model_name='awardentry',
            name='kind',
            field=models.CharField(choices=[('grant', '资助'), ('reversal', '冲销'), ('reduction', '核减')], max_length=10),
        ),
        migrations.AddIndex(
            model_name='awardentry',
            index=models.Index(condition=models.Q(('kind', 'reduction')), fields=['policy'], name='award_reductions_of_policy'),
        ),
        migrations.AddConstraint(
            model_name='awardentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('amount__gt', 0), ('kind', 'grant'), ('reduces__isnull', True), ('reverses__isnull', True)), models.Q(('amount__lt', 0), ('kind', 'reversal'), ('reduces__isnull', True), ('reverses__isnull', False)), models.Q(('amount__lt', 0), ('kind', 'reduction'), ('reduces__isnull', False), ('reverses__isnull', True)), _connector='OR'), name='award_sign_matches_kind'),
        ),
        migration_operations(LEDGER_TABLES),
]
