"""App registration for allocation."""

from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "ipfund.web.allocation"
    label = "allocation"
    verbose_name = "资金分配"
