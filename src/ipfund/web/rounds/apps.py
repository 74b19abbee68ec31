"""App registration for rounds."""

from django.apps import AppConfig


class RoundsConfig(AppConfig):
    name = "ipfund.web.rounds"
    label = "rounds"
    verbose_name = "申报批次"

    def ready(self):
        from ipfund.web.engine_door import door_reads_set
        from ipfund.web.policylib.signals import package_retiring

        from . import selectors
        from .services import retire_refuse_open_rounds

        door_reads_set(interpretations_in_force=selectors.interpretations_in_force)
        package_retiring.connect(retire_refuse_open_rounds, dispatch_uid="rounds-retire-refuse-open-rounds")
