"""The columns every claim export shares (reference, applicant, item, round, state, amounts), read
with labels from the claim's own policy; applicants' numbers masked."""

from __future__ import annotations

import functools
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ipfund.web.engine_door import policy_named
from ipfund.web.accounts.models import APPLICANT_KINDS
from ipfund.web.claims.models import Claim
from ipfund.web.claims.workflow import State
from ipfund.web.ledger.models import AwardEntry
from ipfund.web.rounds.models import ApplicationRound

from .xlsx import Column

CLAIM_COLUMNS = [
    Column("受理编号", 20),
    Column("申报主体", 34),
    Column("主体类型", 14),
    Column("统一社会信用代码/身份证号码", 24, text=True),
    Column("政策", 30),
    Column("条款", 10),
    Column("申报项目", 34),
    Column("申报批次", 18),
    Column("提交时间", 17),
    Column("状态", 18),
]


@functools.cache
def _policy(policy_id: str):
    return policy_named(policy_id)


def item_title(policy_id: str, item: str) -> str:
    spec = _policy(policy_id).items.get(item)
    return spec.title if spec else item


def policy_title(policy_id: str) -> str:
    policy = _policy(policy_id)
    return f"{policy.title}（{policy.document_number}）" if policy.document_number else policy.title


def claim_cells(claim) -> list:
    spec = _policy(claim.policy).items.get(claim.item)
    submitted = timezone.localtime(claim.submitted_at).strftime("%Y-%m-%d %H:%M") if claim.submitted_at else ""
    return [
        claim.number,
        claim.applicant.name,
        APPLICANT_KINDS.get(claim.applicant.kind, ""),
        claim.applicant.masked_id_number,
        policy_title(claim.policy),
        spec.clause if spec else "",
        spec.title if spec else claim.item,
        claim.round.name if claim.round_id else "",
        submitted,
        State(claim.state).label,
    ]


def claims_in(params: dict, states) -> QuerySet:
    """Claims in ``states`` of the round ``params["round"]`` and/or policy ``params["policy"]``."""
    claims = Claim.objects.filter(state__in=states)
    if params.get("round"):
        claims = claims.filter(round_id=params["round"])
    if params.get("policy"):
        claims = claims.filter(policy=params["policy"])
    return claims


def round_filename(params: dict, stem: str, extension: str) -> str:
    """资助名单-2026年第一批.xlsx for a round's export, 资助名单.xlsx for a whole policy's."""
    rnd = ApplicationRound.objects.filter(pk=params["round"]).first() if params.get("round") else None
    return f"{stem}-{rnd.name}{extension}" if rnd is not None else f"{stem}{extension}"


def with_net(claims: QuerySet) -> QuerySet:
    """Each claim annotated with ``net``: what the award ledger holds for it (grants less reversals)."""
    money = DecimalField(max_digits=14, decimal_places=2)  # type: ignore[var-annotated]  # (as written before types were checked (issue 23: typed later))
    total = (
        AwardEntry.objects.filter(claim=OuterRef("pk")).order_by().values("claim").annotate(s=Sum("amount")).values("s")
    )
    return claims.annotate(net=Coalesce(Subquery(total, output_field=money), Value(Decimal("0.00")), output_field=money))
