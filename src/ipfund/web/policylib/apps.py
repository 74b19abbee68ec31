"""App registration for the 政策库: at start, and whenever a test changes the setting, the engine is
told where the policy store is (settings.IPFUND_POLICY_STORE)."""

from django.apps import AppConfig


def _store_setting_changed(*, setting, **kwargs):
    if setting == "IPFUND_POLICY_STORE":
        from ipfund.web.engine_door import policy_store_use

        policy_store_use()


class PolicyLibConfig(AppConfig):
    name = "ipfund.web.policylib"
    label = "policylib"
    verbose_name = "政策库"

    def ready(self):
        from django.test.signals import setting_changed

        from ipfund.web.engine_door import policy_store_use

        policy_store_use()
        setting_changed.connect(_store_setting_changed, dispatch_uid="ipfund.policylib.store")
