"""App registration for the API."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ipfund.web.api"
    label = "api"
    verbose_name = "接口"

    def ready(self):
        from ipfund.web.accounts.signals import credentials_changed

        from .services import tokens_revoke_on_change

        credentials_changed.connect(tokens_revoke_on_change, dispatch_uid="api-tokens-revoke-on-change")
