from django.db import migrations, models


def roles_of_today(apps, schema_editor):
    """Tokens issued before tokens carried roles take their user's present roles (as if issued now)."""
    ApiToken = apps.get_model("api", "ApiToken")
    for token in ApiToken.objects.select_related("user"):
        held = sorted(set(token.user.roles or []))
        if token.user.is_superuser:
            held.append("superuser")
        token.roles = held
        token.save(update_fields=["roles"])


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0002_api_token_expiry"),
    ]

    operations = [
        migrations.AddField(model_name="apitoken", name="roles", field=models.JSONField(default=list)),
        migrations.AddField(model_name="apitoken", name="revoked_reason",
                            field=models.CharField(blank=True, default="", max_length=100)),
        migrations.RunPython(roles_of_today, migrations.RunPython.noop),
    ]
