"""App registration for claims."""

from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "ipfund.web.claims"
    label = "claims"
    verbose_name = "申报"

    def ready(self):
        from ipfund.web.policylib.signals import package_retiring

        from .services import retire_refuse_undecided

        package_retiring.connect(retire_refuse_undecided, dispatch_uid="claims-retire-refuse-undecided")
