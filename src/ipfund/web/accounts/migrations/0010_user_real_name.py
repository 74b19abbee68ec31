from django.db import migrations, models


def names_from_first_and_last(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.exclude(first_name="", last_name=""):
        user.real_name = f"{user.last_name}{user.first_name}".strip()[:50]
        user.save(update_fields=["real_name"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_staff_totp_devices_with_sealed_keys")]

    operations = [
        migrations.AddField(model_name="user", name="real_name", field=models.CharField(blank=True, max_length=50, verbose_name="姓名")),
        migrations.RunPython(names_from_first_and_last, migrations.RunPython.noop),
    ]
