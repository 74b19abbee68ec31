# 受理编号 on claims: a per-year sequence, and numbers for claims submitted before it existed.

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def number_submitted_claims(apps, schema_editor):
    """Claims submitted before references existed get theirs in order of submission."""
    Claim = apps.get_model("claims", "Claim")
    Sequence = apps.get_model("claims", "ClaimReferenceSequence")
    last: dict[int, int] = {}
    for claim in Claim.objects.filter(submitted_at__isnull=False, reference__isnull=True).order_by("submitted_at", "id"):
        year = timezone.localtime(claim.submitted_at).year
        last[year] = last.get(year, 0) + 1
        claim.reference = f"{settings.IPFUND_REFERENCE_PREFIX}-{year}-{last[year]:06d}"
        claim.save(update_fields=["reference"])
    for year, n in last.items():
        Sequence.objects.create(year=year, last=n)


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='ClaimReferenceSequence',
            fields=[
                ('year', models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ('last', models.PositiveIntegerField(default=0)),
            ],
            options={
                'verbose_name': '受理编号序列',
                'verbose_name_plural': '受理编号序列',
            },
        ),
        migrations.AddField(
            model_name='claim',
            name='reference',
            field=models.CharField(blank=True, max_length=32, null=True, unique=True),
        ),
        migrations.RunPython(number_submitted_claims, migrations.RunPython.noop),
    ]
