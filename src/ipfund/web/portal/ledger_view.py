"""What the ledger holds against a claim's cap groups, for the reviewer's page (a read, no change).

The groups and their limits are the engine's (the claim's Decision); only what awards already
used of them is read here, from the cap buckets."""

from dataclasses import dataclass
from decimal import Decimal

from ipfund.web.engine_door import Decision, policy_by_id
from ipfund.web.ledger.selectors import cap_buckets_of
from ipfund.web.masking import mask_text


@dataclass
class CapUse:
    group: str
    cap: Decimal | None
    used: Decimal
    label: str = ""
    option_labels: dict | None = None  # the item's option codes in words

    @property
    def shown(self) -> str:
        """The group as a person reads it: what it groups, and its parts — a year as 年度, an
        option by its label, identity numbers masked; never the machine key with its "|"."""
        labels = self.option_labels or {}
        words = []
        for part in self.group.split("|")[1:]:
            if part == "top_up":
                continue
            if part.isdigit() and len(part) == 4:
                words.append(f"{part}年度")
            else:
                words.append(labels.get(part) or mask_text(part))
        return f"{self.label or '补差'}（{'、'.join(words)}）" if words else (self.label or "补差")

    @property
    def left(self) -> Decimal | None:
        return None if self.cap is None else self.cap - self.used


def caps_used(decision: Decision | None) -> list[CapUse]:
    """Each cap group the decided claim falls in, with the policy's cap and what awards already used."""
    if decision is None or decision.invalid:
        return []
    groups = decision.cap_groups
    policy = policy_by_id(decision.policy)
    item = policy.items.get(decision.item) if policy is not None else None  # type: ignore[arg-type]  # (an Optional not checked here, as before (issue 23: typed later))
    labels = {k: v for f in (item.facts if item is not None else ()) for k, v in (f.option_labels or {}).items()}
    buckets = {b.group: b for b in cap_buckets_of(groups=[g.group for g in groups])}
    return [
        CapUse(group=g.group, cap=g.limit, label=g.label, option_labels=labels,
               used=buckets[g.group].used if g.group in buckets else Decimal("0.00"))
        for g in groups
    ]
