"""App registration for the audit trail."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _grant_to_app_role(sender, using="default", **kwargs):
    """After every migrate (run as the owner role): the application role named by
    IPFUND_DB_APP_ROLE gets its row privileges on every table, new ones included."""
    from django.conf import settings
    from django.db import connections

    from .db_roles import grant_sql

    connection = connections[using]
    if connection.vendor != "postgresql" or not settings.IPFUND_DB_APP_ROLE:
        return
    with connection.cursor() as cursor:
        for statement in grant_sql(app=settings.IPFUND_DB_APP_ROLE):
            cursor.execute(statement)


class AuditConfig(AppConfig):
    name = "ipfund.web.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self):
        post_migrate.connect(_grant_to_app_role, sender=self, dispatch_uid="ipfund-db-app-role-grants")
