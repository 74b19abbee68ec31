"""App registration for the audit trail."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ipfund.web.audit"
    label = "audit"
    verbose_name = "审计日志"
