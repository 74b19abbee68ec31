"""BudgetCharge: money written off after a recovery (核销), charged back to the budgets its grant counts against."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from ipfund.web.audit.insert_only import BUDGET_CHARGE_TABLES, migration_operations


class Migration(migrations.Migration):

    dependencies = [
        ('budgets', '0003_budget_committed'),
        ('ledger', '0006_award_totals'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='BudgetCharge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=14)),
                ('reason', models.TextField()),
                ('source', models.CharField(max_length=64, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('grant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='budget_charges', to='ledger.awardentry')),
            ],
            options={
                'verbose_name': '核销计入预算',
                'verbose_name_plural': '核销计入预算',
                'ordering': ['id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='budget_charge_positive')],
            },
        ),
        migration_operations(BUDGET_CHARGE_TABLES),
    ]
