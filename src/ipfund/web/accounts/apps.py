"""App registration for accounts."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ipfund.web.accounts"
    label = "accounts"
    verbose_name = "账户"
