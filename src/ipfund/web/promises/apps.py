from django.apps import AppConfig


class PromisesConfig(AppConfig):
    name = "ipfund.web.promises"
    label = "promises"
    verbose_name = "资助承诺与追回"
