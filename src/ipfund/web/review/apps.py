"""App registration for review."""

from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "ipfund.web.review"
    label = "review"
    verbose_name = "审核"
