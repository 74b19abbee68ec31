"""App registration for the ledger."""

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ipfund.web.ledger"
    label = "ledger"
    verbose_name = "资助台账"

    def ready(self):
        from ipfund.web.engine_door import door_reads_set

        from . import selectors

        door_reads_set(filed_buckets=selectors.filed_buckets, standing_grant=selectors.standing_grant, held_keys=selectors.held_keys,
                       bucket_amounts=selectors.bucket_amounts, standing_awards_of=selectors.standing_awards_of)
