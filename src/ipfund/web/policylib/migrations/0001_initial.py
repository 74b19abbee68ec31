import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name="RetiredPackage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("policy_id", models.CharField(max_length=100, unique=True, verbose_name="政策编号")),
                ("retired_at", models.DateTimeField(verbose_name="停用时间")),
                ("reason", models.CharField(max_length=500, verbose_name="停用理由")),
                ("retired_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                 to=settings.AUTH_USER_MODEL, verbose_name="停用人")),
            ],
            options={"verbose_name": "停用的政策包", "verbose_name_plural": "停用的政策包"},
        ),
    ]
