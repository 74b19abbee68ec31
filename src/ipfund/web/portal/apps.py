"""Django app configuration for the portal (the server-rendered pages)."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "ipfund.web.portal"
    label = "portal"
    verbose_name = "门户页面"
