"""What the ledger holds against a claim's cap groups, for the reviewer's page (a read, no change)."""

from dataclasses import dataclass
from decimal import Decimal

from ipfund.web.claims.contract import contract_claim
from ipfund.web.ledger.keys import ledger_keys
from ipfund.web.ledger.selectors import cap_buckets_of
from ipfund.web.portal.policy import current_policy
from ipfund.web.rounds.selectors import interpretations_in_force


@dataclass
class CapUse:
    group: str
    cap: Decimal | None
    used: Decimal

    @property
    def left(self) -> Decimal | None:
        return None if self.cap is None else self.cap - self.used


def caps_used(claim) -> list[CapUse]:
    """Each cap group the claim falls in, with the policy's cap and what awards already used."""
    try:
        keys = ledger_keys(current_policy(), contract_claim(claim), interpretations_in_force())
    except (KeyError, ValueError):  # facts the keys need are missing: the engine reports the claim invalid
        return []
    buckets = {b.group: b for b in cap_buckets_of(groups=[g.group for g in keys.cap_groups])}
    uses = []
    for group in keys.cap_groups:
        bucket = buckets.get(group.group)
        uses.append(CapUse(group=group.group, cap=group.cap, used=bucket.used if bucket else Decimal("0.00")))
    return uses
