"""App registration for budgets."""

from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "ipfund.web.budgets"
    label = "budgets"
    verbose_name = "资金预算"

    def ready(self):
        from ipfund.web.ledger.signals import award_taken_back

        from .services import budget_award_taken_back

        award_taken_back.connect(budget_award_taken_back, dispatch_uid="budgets-award-taken-back")
