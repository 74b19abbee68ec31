"""App registration for the ledger."""

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ipfund.web.ledger"
    label = "ledger"
    verbose_name = "资助台账"
