from django.apps import AppConfig


class PromisesConfig(AppConfig):
    name = "ipfund.web.promises"
    label = "promises"
    verbose_name = "资助承诺与追回"

    def ready(self):
        from ipfund.web.registers.signals import register_imported

        from .services import promises_flag_on_import

        register_imported.connect(promises_flag_on_import, dispatch_uid="promises-flag-on-import")
