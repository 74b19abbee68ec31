"""What the ledger holds against a claim's cap groups, for the reviewer's page (a read, no change).

The groups and their limits are the engine's (the claim's Decision); only what awards already
used of them is read here, from the cap buckets."""

from dataclasses import dataclass
from decimal import Decimal

from ipfund.web.engine_door import Decision
from ipfund.web.ledger.selectors import cap_buckets_of
from ipfund.web.masking import mask_text


@dataclass
class CapUse:
    group: str
    cap: Decimal | None
    used: Decimal
    label: str = ""

    @property
    def shown(self) -> str:
        """The group as a person reads it: what it groups, and its parts (identity numbers masked)."""
        parts = [p for p in self.group.split("|")[1:] if p != "top_up"]
        return f"{self.label or '补差'}（{mask_text('、'.join(parts))}）"

    @property
    def left(self) -> Decimal | None:
        return None if self.cap is None else self.cap - self.used


def caps_used(decision: Decision | None) -> list[CapUse]:
    """Each cap group the decided claim falls in, with the policy's cap and what awards already used."""
    if decision is None or decision.invalid:
        return []
    groups = decision.cap_groups
    buckets = {b.group: b for b in cap_buckets_of(policy=decision.policy, groups=[g.group for g in groups])}
    return [
        CapUse(group=g.group, cap=g.limit, label=g.label,
               used=buckets[g.group].used if g.group in buckets else Decimal("0.00"))
        for g in groups
    ]
