"""Messages that leave the site (e-mail, SMS) through an adapter the deployment chooses.

`IPFUND_MESSENGER` names a class (dotted path) with `send(*, user, subject, message)`; the default
writes a log line with the recipient's account name only (never a phone number or an address), so
a deployment without a mail or SMS gateway loses nothing. Sent after the transaction commits."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger("ipfund.messages")
DEFAULT_MESSENGER = "ipfund.web.notifications.adapters.LoggingMessenger"


class Messenger(Protocol):
    def send(self, *, user, subject: str, message: str) -> None: ...


class LoggingMessenger:
    """The default adapter: one log line per message."""

    def send(self, *, user, subject: str, message: str) -> None:
        logger.info("message to %s: %s — %s", user.get_username(), subject, message)


class EmailMessenger:
    """E-mail through Django's mail settings, to the account's address (none: nothing sent)."""

    def send(self, *, user, subject: str, message: str) -> None:
        from django.core.mail import send_mail

        if user.email:
            send_mail(subject, message, settings.DEFAULT_FROM_EMAIL, [user.email])


def messenger() -> Messenger:
    return import_string(getattr(settings, "IPFUND_MESSENGER", "") or DEFAULT_MESSENGER)()


def message_send(*, user, subject: str, message: str) -> None:
    """Hand the message to the adapter once the transaction commits; a failing gateway is logged,
    never undoes what was decided."""

    def deliver():
        try:
            messenger().send(user=user, subject=subject, message=message)
        except Exception:  # noqa: BLE001 - a gateway outage must not fail a committed change
            logger.exception("message could not be sent")

    transaction.on_commit(deliver)
