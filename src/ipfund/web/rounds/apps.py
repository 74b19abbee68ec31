"""App registration for rounds."""

from django.apps import AppConfig


class RoundsConfig(AppConfig):
    name = "ipfund.web.rounds"
    label = "rounds"
    verbose_name = "申报批次"
