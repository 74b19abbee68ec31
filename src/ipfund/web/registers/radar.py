"""政策雷达: for an applicant's profile, every item of every policy in force it may claim — the
engine's own word on its zone, SME and kind (engine_door.item_outlook), the estimated amount (the
exact range where the amount follows from options alone, else the item's own summary), the
evidence it needs, and what is already proposed to it (免申即享) at its exact amount."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from ipfund.web.claims.models import Claim
from ipfund.web.claims.workflow import State
from ipfund.web.engine_door import item_outlook, policies_in_force


@dataclass
class RadarItem:
    policy_id: str
    policy_title: str
    document_number: str
    item: str
    title: str
    clause: str
    summary: str
    evidence: tuple[str, ...]
    low: Decimal | None
    high: Decimal | None
    proposed: list[Claim] = field(default_factory=list)


def _kinds(spec) -> set[str]:
    kinds = set(spec.kinds)
    if spec.kinds_by:  # kinds that depend on a fact's value: any of them may claim
        for more in spec.kinds_by[1].values():
            kinds |= set(more)
    return kinds


def radar_for(profile, on: dt.date | None = None) -> list[RadarItem]:
    on = on or timezone.localdate()
    proposed: dict[tuple[str, str], list[Claim]] = {}
    for claim in Claim.objects.filter(applicant=profile, state=State.PROPOSED).order_by("id"):
        proposed.setdefault((claim.policy, claim.item), []).append(claim)
    out = []
    for policy in policies_in_force(on):
        for spec in policy.items.values():
            if profile.kind not in _kinds(spec):
                continue
            gates, low, high = item_outlook(policy, spec.id, kind=profile.kind, in_zone=profile.in_zone, sme=profile.sme,
                                            on=on, name=profile.name)
            if gates:
                continue
            out.append(RadarItem(policy.id, policy.title, policy.document_number, spec.id, spec.title, spec.clause,
                                 spec.summary, tuple(spec.evidence), low, high, proposed.get((policy.id, spec.id), [])))
    return out
