"""App registration for the policy sandbox (政策沙盘)."""

from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "ipfund.web.sandbox"
    label = "sandbox"
    verbose_name = "政策沙盘"

    def ready(self):
        from ipfund.web.accounts import roles
        from ipfund.web.jobs.kinds import JobKind, kind_register

        from . import export

        kind_register("sandbox_run", JobKind("政策沙盘测算", (roles.FINANCE, roles.ADMIN), export.export_run, export.filename))
