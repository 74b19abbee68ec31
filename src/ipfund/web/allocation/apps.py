"""App registration for allocation."""

from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "ipfund.web.allocation"
    label = "allocation"
    verbose_name = "资金分配"

    def ready(self):
        from ipfund.web.ledger.signals import award_granting
        from ipfund.web.payments.signals import payment_recording

        from .services import award_granting_guard, payment_recording_wait

        award_granting.connect(award_granting_guard, dispatch_uid="allocation-award-granting-guard")
        payment_recording.connect(payment_recording_wait, dispatch_uid="allocation-payment-recording-wait")
