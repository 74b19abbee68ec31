"""Reads of payments for finance's pages: the list to pay, failed payments grouped by reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ipfund.web.claims import duties
from ipfund.web.claims.models import Claim
from ipfund.web.claims.selectors import claims_to_pay
from ipfund.web.claims.workflow import State
from ipfund.web.ledger.selectors import award_net

from .models import BankAccountChange, PaymentBatch, PaymentFailure
from .services import ACCOUNT_CHANGE_PENDING, failed_account, failed_account_message


@dataclass
class ToPay:
    claim: Claim
    net: Decimal
    pending_change: BankAccountChange | None
    failures: list[PaymentFailure]
    # Why the user looking at the list may not pay this award now ("" when they may).
    blocked: str = ""


@dataclass
class FailureGroup:
    reason: str
    rows: list[ToPay] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((row.net for row in self.rows), start=Decimal("0.00"))


def to_pay(*, user) -> list[ToPay]:
    """Finance's list: every final award not yet paid and every failed one, with what blocks it."""
    claims = list(claims_to_pay(user=user).select_related("applicant"))
    pending = {c.applicant_id: c for c in BankAccountChange.objects.filter(
        applicant__in={c.applicant_id for c in claims}, state=BankAccountChange.PENDING)}
    failures: dict[int, list[PaymentFailure]] = {}
    for failure in PaymentFailure.objects.filter(claim__in=claims).order_by("recorded_at", "id"):
        failures.setdefault(failure.claim_id, []).append(failure)
    # Only applicants with a failed payment on record can be barred by one (one query, not one per row).
    with_failures = set(PaymentFailure.objects.filter(claim__applicant__in={c.applicant_id for c in claims})
                        .values_list("claim__applicant_id", flat=True))
    handled = duties.handled_by(user)
    rows = []
    for c in claims:
        change = pending.get(c.applicant_id)
        blocked = ""
        if not duties.may_pay(user, c, handled=handled):
            blocked = duties.PAY_HANDLED.format(ref=c.number)
        elif change is not None:
            blocked = ACCOUNT_CHANGE_PENDING
        elif c.applicant_id in with_failures and (failure := failed_account(c.applicant)) is not None:
            blocked = failed_account_message(failure)
        rows.append(ToPay(c, award_net(claim=c), change, failures.get(c.pk, []), blocked))
    return rows


def failed_by_reason(rows: list[ToPay]) -> list[FailureGroup]:
    """The failed payments waiting for a retry, grouped by the reason of their latest failure."""
    groups: dict[str, FailureGroup] = {}
    for row in rows:
        if row.claim.state == State.PAYMENT_FAILED and row.failures:
            reason = row.failures[-1].reason
            groups.setdefault(reason, FailureGroup(reason)).rows.append(row)
    return sorted(groups.values(), key=lambda g: (-len(g.rows), g.reason))


def latest_failure(claim: Claim) -> PaymentFailure | None:
    return claim.payment_failures.order_by("-recorded_at", "-id").first()


def recent_batches(limit: int = 20):
    return PaymentBatch.objects.select_related("recorded_by").prefetch_related("payments")[:limit]


def account_changes(*, pending_only: bool = False):
    changes = BankAccountChange.objects.select_related("applicant", "requested_by", "decided_by")
    return changes.filter(state=BankAccountChange.PENDING) if pending_only else changes[:100]
