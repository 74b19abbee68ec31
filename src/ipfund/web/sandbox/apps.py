"""App registration for the policy sandbox (政策沙盘)."""

from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "ipfund.web.sandbox"
    label = "sandbox"
    verbose_name = "政策沙盘"
