"""App registration for budgets."""

from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "ipfund.web.budgets"
    label = "budgets"
    verbose_name = "资金预算"
