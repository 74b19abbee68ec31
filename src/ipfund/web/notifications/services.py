"""notification_send (in-app row now, e-mail after commit) and notification_mark_read."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification

EMAIL_SUBJECT = "【知识产权专项资金】申报状态更新"
logger = logging.getLogger(__name__)


def _email(address: str, message: str) -> None:
    try:
        send_mail(EMAIL_SUBJECT, message, settings.DEFAULT_FROM_EMAIL, [address])
    except Exception:  # a mail server outage must not undo or fail a decision already committed
        logger.exception("notification e-mail could not be sent")


def notification_send(*, user, message: str, claim=None) -> Notification:
    note = Notification.objects.create(user=user, claim=claim, message=message)
    if user.email:
        transaction.on_commit(lambda: _email(user.email, message))
    return note


def notification_mark_read(*, actor, notification_ids=None) -> int:
    """Mark the actor's notifications (all, or the given ones) read; others' are untouched."""
    unread = Notification.objects.filter(user=actor, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
