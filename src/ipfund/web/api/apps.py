"""App registration for the API."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ipfund.web.api"
    label = "api"
    verbose_name = "接口"
