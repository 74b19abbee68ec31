"""The dashboard's totals of the ledger, kept by a trigger (ledger/totals.py), with the entries
already there summed in."""

from django.db import migrations, models

from ipfund.web.ledger import totals


def install(apps, schema_editor):
    for statement in totals.create_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def remove(apps, schema_editor):
    for statement in totals.drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0005_reductions'),
    ]

    operations = [
        migrations.CreateModel(
            name='AwardTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('policy', models.CharField(max_length=64)),
                ('item', models.CharField(max_length=64)),
                ('round_key', models.IntegerField()),
                ('applicant_kind', models.CharField(max_length=32)),
                ('year', models.IntegerField()),
                ('month', models.IntegerField()),
                ('fen', models.BigIntegerField(default=0)),
                ('grants', models.BigIntegerField(default=0)),
            ],
            options={
                'verbose_name': '资助台账汇总',
                'verbose_name_plural': '资助台账汇总',
                'constraints': [models.UniqueConstraint(fields=('policy', 'item', 'round_key', 'applicant_kind', 'year', 'month'), name='award_total_key')],
            },
        ),
        migrations.RunPython(install, remove),
    ]
