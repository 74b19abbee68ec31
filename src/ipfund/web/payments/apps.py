"""App registration for payments."""

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "ipfund.web.payments"
    label = "payments"
    verbose_name = "拨付"

    def ready(self):
        from ipfund.web.accounts.signals import bank_account_changing

        from .services import bank_account_hold

        bank_account_changing.connect(bank_account_hold, dispatch_uid="payments-bank-account-hold")
