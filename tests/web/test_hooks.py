"""The signals lower apps send to the apps above them (web/hooks.py): each has its receivers once
Django is set up, and one left without a receiver refuses to send rather than skip its check."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from ipfund.web.accounts.signals import bank_account_changing, credentials_changed
from ipfund.web.claims.signals import claim_submitting
from ipfund.web.hooks import RequiredSignal
from ipfund.web.ledger.models import AwardEntry
from ipfund.web.ledger.signals import award_granting, award_taken_back
from ipfund.web.payments.signals import payment_recording
from ipfund.web.policylib.signals import package_retiring
from ipfund.web.registers.signals import register_imported

SIGNALS = [award_granting, award_taken_back, bank_account_changing, claim_submitting, credentials_changed,
           package_retiring, payment_recording, register_imported]


@pytest.mark.parametrize("signal", SIGNALS, ids=lambda s: s.name)
def test_every_required_signal_has_its_receivers_once_the_apps_are_ready(signal):
    assert isinstance(signal, RequiredSignal)
    assert signal.has_listeners(object)


def test_a_required_signal_without_receivers_refuses_to_send_naming_who_connects_it():
    lonely = RequiredSignal("award_granting", "allocation")
    with pytest.raises(ImproperlyConfigured, match="award_granting.*allocation"):
        lonely.send(sender=AwardEntry, claim=None)

