"""App registration for notifications."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "ipfund.web.notifications"
    label = "notifications"
    verbose_name = "通知"
