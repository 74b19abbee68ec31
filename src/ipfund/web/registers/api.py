"""政策雷达 on the API: `GET /api/radar` with an applicant's token (the same service as the page)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from ninja import Field, Router, Schema

from ipfund.web.accounts import roles
from ipfund.web.accounts.selectors import applicant_of

from .radar import radar_for

router = Router(tags=["radar"])
ONLY_APPLICANTS = "政策雷达只对已绑定申报主体的账户提供。"


class ProposedOut(Schema):
    claim_id: int = Field(description="待确认申报 ID（免申即享）")
    amount: str = Field(description="核算金额（元）")


class RadarItemOut(Schema):
    policy: str = Field(description="政策 ID")
    policy_title: str
    document_number: str
    item: str = Field(description="申报项目 ID")
    title: str
    clause: str
    estimate_low: str | None = Field(description="预计最低金额（元；金额取决于申报事实时为空，见 summary）")
    estimate_high: str | None = Field(description="预计最高金额（元）")
    summary: str = Field(description="资助标准（政策原文概括）")
    evidence: list[str] = Field(description="须提交的证明材料")
    proposed: list[ProposedOut] = Field(description="已依据名单核算、可直接享受的申报")


class ErrorOut(Schema):
    detail: str


@router.get("/radar", response={200: list[RadarItemOut], 403: ErrorOut}, summary="政策雷达：现行政策中本单位可以申报的项目")
def radar(request):
    profile = applicant_of(request.auth)
    if profile is None or not roles.has_role(request.auth, roles.APPLICANT):
        raise PermissionDenied(ONLY_APPLICANTS)
    money = lambda v: None if v is None else f"{v:.2f}"  # noqa: E731
    return [
        RadarItemOut(policy=it.policy_id, policy_title=it.policy_title, document_number=it.document_number, item=it.item,
                     title=it.title, clause=it.clause, estimate_low=money(it.low), estimate_high=money(it.high),
                     summary=it.summary, evidence=list(it.evidence),
                     proposed=[ProposedOut(claim_id=c.pk, amount=f"{c.engine_amount:.2f}") for c in it.proposed])
        for it in radar_for(profile)
    ]
