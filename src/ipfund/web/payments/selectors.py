"""Reads of payments for finance's pages: the list to pay, failed payments grouped by reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.db.models import OuterRef, QuerySet, Subquery

from ipfund.web.claims import duties
from ipfund.web.claims.models import Claim
from ipfund.web.claims.selectors import claims_to_pay
from ipfund.web.claims.workflow import State
from ipfund.web.ledger.selectors import award_net

from .installments import INSTALLMENT_HELD
from .models import BankAccountChange, Installment, PaymentBatch, PaymentFailure
from .services import ACCOUNT_CHANGE_PENDING, failed_account, failed_account_message


_Claims = TypeVar("_Claims", bound=QuerySet)


def with_next_installment(claims: _Claims) -> _Claims:
    """Claims annotated with their next installment (分期拨付) neither paid nor cancelled, if any:
    next_number, next_amount, next_state (待拨付 due / 待验收 waiting), next_label (its condition)."""
    nxt = Installment.objects.filter(claim=OuterRef("pk"), state__in=[Installment.DUE, Installment.WAITING]).order_by("number")
    return claims.annotate(  # type: ignore[return-value]  # the same rows, with four more columns
        next_number=Subquery(nxt.values("number")[:1]), next_amount=Subquery(nxt.values("amount")[:1]),
        next_state=Subquery(nxt.values("state")[:1]), next_label=Subquery(nxt.values("condition_label")[:1]),
    )


def due_now(claim: Claim, net: Decimal) -> tuple[Decimal, str]:
    """(what a payment of the claim pays now, why it cannot be paid now or ""): the net award, or,
    for an award paid in stages, its next installment — held while its condition waits. Reads the
    annotations of with_next_installment."""
    number = getattr(claim, "next_number", None)
    if number is None:
        return net, ""
    amount = Decimal(claim.next_amount)  # type: ignore[attr-defined]
    if claim.next_state == Installment.WAITING:  # type: ignore[attr-defined]
        return amount, INSTALLMENT_HELD.format(n=number, amount=f"{amount:.2f}", label=claim.next_label)  # type: ignore[attr-defined]
    return amount, ""


@dataclass
class ToPay:
    claim: Claim
    net: Decimal  # what a payment pays now: the net award, or the next installment
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
    claims = list(with_next_installment(claims_to_pay(user=user).select_related("applicant")))
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
        due, held = due_now(c, award_net(claim=c))
        blocked = ""
        if held:
            blocked = held
        elif not duties.may_pay(user, c, handled=handled):
            blocked = duties.PAY_HANDLED.format(ref=c.number)
        elif change is not None:
            blocked = ACCOUNT_CHANGE_PENDING
        elif c.applicant_id in with_failures and (failure := failed_account(c.applicant)) is not None:
            blocked = failed_account_message(failure)
        rows.append(ToPay(c, due, change, failures.get(c.pk, []), blocked))
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
