"""App registration for personal-data protection (its management commands: rekey, erase)."""

from django.apps import AppConfig


class PiiConfig(AppConfig):
    name = "ipfund.web.pii"
    label = "pii"
    verbose_name = "个人信息保护"
