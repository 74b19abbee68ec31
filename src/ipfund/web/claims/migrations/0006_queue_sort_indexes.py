"""Indexes for the staff queues' sort orders: each queue is one state, sorted by one column, so
(state, column, id) hands a page of a province's claims over without sorting them all."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("claims", "0005_policy_version")]

    operations = [
        migrations.AddIndex("claim", models.Index(fields=["state", "reference", "id"], name="claim_queue_reference")),
        migrations.AddIndex("claim", models.Index(fields=["state", "item", "submitted_at", "id"], name="claim_queue_item")),
        migrations.AddIndex("claim", models.Index(fields=["state", "engine_amount", "id"], name="claim_queue_engine_amount")),
        migrations.AddIndex("claim", models.Index(fields=["state", "recommended_amount", "id"], name="claim_queue_recommended")),
        migrations.AddIndex("claim", models.Index(fields=["applicant", "state", "id"], name="claim_applicant_state")),
    ]
