"""What the ledger holds against a claim's cap groups, for the reviewer's page (a read, no change)."""

from dataclasses import dataclass
from decimal import Decimal

from ipfund.web.claims.contract import contract_claim
from ipfund.web.ledger.keys import ledger_keys
from ipfund.web.ledger.selectors import cap_buckets_of
from ipfund.web.masking import mask_credit_code
from ipfund.web.portal.policy import current_policy
from ipfund.web.rounds.selectors import interpretations_in_force


@dataclass
class CapUse:
    group: str
    cap: Decimal | None
    used: Decimal
    label: str = ""  # the group in words, for a person (the group itself is a machine key)

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
        used = bucket.used if bucket else Decimal("0.00")
        uses.append(CapUse(group=group.group, cap=group.cap, used=used, label=cap_group_label(group.group)))
    return uses


def cap_group_label(group: str) -> str:
    """A cap or top-up group in words: the item's title, then each part as a person reads it
    (a year as 年度, an organisation's code shortened, a person's pseudonym as it is, an option
    by its label) — never the machine key with its "|"."""
    policy = current_policy()
    head, *parts = group.split("|")
    item = policy.items.get(head) or next((i for i in policy.items.values() if getattr(i, "ledger_id", None) == head), None)
    labels = {}
    if item is not None:
        for fact in item.facts:
            labels.update(fact.option_labels or {})
    words = []
    for part in parts:
        if part == "top_up":
            words.append("补差")
        elif part.isdigit() and len(part) == 4:
            words.append(f"{part}年度")
        elif part in labels:
            words.append(labels[part])
        elif len(part) == 18 and part.isalnum():
            words.append(mask_credit_code(part))
        else:
            words.append(part)
    title = item.title if item is not None else "资助项目"
    return f"{title}（{'，'.join(words)}）" if words else title
