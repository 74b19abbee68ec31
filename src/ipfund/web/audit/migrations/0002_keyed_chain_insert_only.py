"""Key the audit chain (HMAC under IPFUND_AUDIT_KEY) and make the audit table insert-only.

The unkeyed chain written before is verified first: a broken chain stops the migration (it would
otherwise be re-hashed into a valid one); a sound one is re-hashed under the key, in order."""

from django.db import migrations

from ipfund.web.audit.canonical import GENESIS_HASH, event_fields, event_hash, unkeyed_event_hash
from ipfund.web.audit.insert_only import AUDIT_TABLES, migration_operations

BROKEN = "审计链在第 {seq} 条事件处不完整，不能转为带密钥的审计链；请先查明原因。"


def key_the_chain(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditHead = apps.get_model("audit", "AuditHead")
    old_prev, new_prev, expected = GENESIS_HASH, GENESIS_HASH, 1
    for event in AuditEvent.objects.order_by("seq"):
        fields = event_fields(event)
        if event.seq != expected or event.prev_hash != old_prev or unkeyed_event_hash(fields) != event.hash:
            raise RuntimeError(BROKEN.format(seq=event.seq))
        old_prev = event.hash
        keyed = event_hash({**fields, "prev_hash": new_prev})
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=new_prev, hash=keyed)
        new_prev, expected = keyed, expected + 1
    AuditHead.objects.filter(pk=1).update(last_hash=new_prev)


class Migration(migrations.Migration):

    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(key_the_chain, migrations.RunPython.noop),
        migration_operations(AUDIT_TABLES),
    ]
