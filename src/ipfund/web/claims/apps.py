"""App registration for claims."""

from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "ipfund.web.claims"
    label = "claims"
    verbose_name = "申报"
