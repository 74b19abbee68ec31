"""Budget.committed: the running total of each budget, backfilled from the ledger (the same sums
as budgets.selectors.committed: grants of the round, or of the policy approved in the year, less
their reversals and reductions)."""

import datetime as dt
from decimal import Decimal

from django.db import migrations, models
from django.db.models import Sum
from django.utils import timezone


def backfill(apps, schema_editor):
    Budget = apps.get_model("budgets", "Budget")
    AwardEntry = apps.get_model("ledger", "AwardEntry")
    zone = timezone.get_current_timezone()
    for budget in Budget.objects.all():
        entries = AwardEntry.objects.filter(policy=budget.policy)
        if budget.round_id is not None:
            entries = entries.filter(claim__round_id=budget.round_id)
            total = entries.aggregate(s=Sum("amount"))["s"]
        else:
            start, end = dt.datetime(budget.year, 1, 1, tzinfo=zone), dt.datetime(budget.year + 1, 1, 1, tzinfo=zone)
            grants = entries.filter(kind="grant", created_at__gte=start, created_at__lt=end).aggregate(s=Sum("amount"))["s"]
            reversals = entries.filter(kind="reversal", reverses__created_at__gte=start,
                                       reverses__created_at__lt=end).aggregate(s=Sum("amount"))["s"]
            reductions = entries.filter(kind="reduction", reduces__created_at__gte=start,
                                        reduces__created_at__lt=end).aggregate(s=Sum("amount"))["s"]
            total = (grants or 0) + (reversals or 0) + (reductions or 0)
        Budget.objects.filter(pk=budget.pk).update(committed=Decimal(total or 0).quantize(Decimal("0.01")))


class Migration(migrations.Migration):

    dependencies = [
        ('budgets', '0002_budget_waiver'),
        ('ledger', '0005_reductions'),
    ]

    operations = [
        migrations.AddField(
            model_name='budget',
            name='committed',
            field=models.DecimalField(decimal_places=2, default=0, max_digits=14),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
