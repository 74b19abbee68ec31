"""A budget's committed amount (budgets.selectors.committed) read through indexes, not the whole ledger:
a policy's grants approved in a year as a range (with their amounts), and the policy's few reversals."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0003_ledger_names'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='awardentry',
            index=models.Index(fields=['policy', 'created_at'], include=('kind', 'amount'), name='award_policy_approved'),
        ),
        migrations.AddIndex(
            model_name='awardentry',
            index=models.Index(condition=models.Q(('kind', 'reversal')), fields=['policy'], name='award_reversals_of_policy'),
        ),
    ]
