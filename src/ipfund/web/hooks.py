"""Signals a lower app sends to the apps built on it that must act on them: a guard that may refuse
(the quota and budgets of an award, an alliance's review, a round still open), a revocation (API
tokens after a role grows), a hold (a bank account changed while an award waits for payment).

A receiver is connected in its app's AppConfig.ready. Were it missing (the app left out of
INSTALLED_APPS, a script that skipped django.setup()), an ordinary Signal would send to nobody and the
check would silently not happen; a `RequiredSignal` refuses to send instead: it fails closed."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.dispatch import Signal

NO_RECEIVER = "信号 {name} 没有接收者：应由 {who} 在其 AppConfig.ready 中连接，未连接时不能继续（以免跳过检查）。"


class RequiredSignal(Signal):
    """A Signal that must have at least one receiver when it is sent."""

    def __init__(self, name: str, receivers: str):
        super().__init__()
        self.name, self.connected_by = name, receivers

    def send(self, sender, **named):
        if not self.has_listeners(sender):
            raise ImproperlyConfigured(NO_RECEIVER.format(name=self.name, who=self.connected_by))
        return super().send(sender, **named)
