"""App registration for payments."""

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "ipfund.web.payments"
    label = "payments"
    verbose_name = "拨付"
