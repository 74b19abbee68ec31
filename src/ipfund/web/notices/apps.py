"""App registration for notices."""

from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "ipfund.web.notices"
    label = "notices"
    verbose_name = "公示"
