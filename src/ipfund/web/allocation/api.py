"""资金分配 over the API, the same services as the page: a budget's pro-rata preview (GET) and cut
(POST, approvers, once), a reviewer's quota score of a claim, and a quota's ranking (GET) and fill
(POST, approvers, once). Amounts are strings of yuan with two decimals."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from ipfund.web.common.schemas import ErrorOut
from ipfund.web.budgets.models import Budget
from ipfund.web.claims.selectors import claim_get_for

from .services import (
    pro_rata_apply, pro_rata_preview, quota_fill, quota_preview, quota_score,
)

router = Router(tags=["allocation"])


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class CutLineOut(Schema):
    claim_id: int = Field(description="申报 ID")
    reference: str | None = Field(description="受理编号")
    before: str = Field(description="原审定金额（元）")
    cut: str = Field(description="核减金额（元）")
    after: str = Field(description="核减后金额（元）")
    remainder_fen: bool = Field(description="是否按尾差规则补了 0.01 元")
    explanation: str = Field(description="核减说明（申请人看到的同一段文字）")


class ProRataOut(Schema):
    budget_id: int
    budget: str = Field(description="预算（元）")
    approved_total: str = Field(description="审定总额（元）")
    ratio: str = Field(description="核减比例（预算 ÷ 审定总额，六位小数；计算按精确比例）")
    cuts: bool = Field(description="审定总额是否超过预算（否则无需核减）")
    remainder_rule: str = Field(description="尾差规则：largest_remainder 或 unallocated")
    remainder_rule_label: str
    after_total: str = Field(description="核减后合计（元）")
    unallocated: str = Field(description="未分配的尾差（元）")
    applied: bool = Field(description="是否已办理")
    lines: list[CutLineOut]


def _money(value) -> str:
    return f"{value:.2f}"


def _pro_rata_out(preview, applied: bool) -> dict:
    plan = preview.plan
    return {
        "budget_id": preview.budget.pk, "budget": _money(plan.budget), "approved_total": _money(plan.total),
        "ratio": plan.ratio_text, "cuts": plan.cuts, "remainder_rule": preview.remainder_rule,
        "remainder_rule_label": preview.rule_text, "after_total": _money(plan.after_total),
        "unallocated": _money(plan.unallocated), "applied": applied,
        "lines": [{"claim_id": line.key, "reference": preview.claims[line.key].reference, "before": _money(line.amount),
                   "cut": _money(line.cut), "after": _money(line.after), "remainder_fen": bool(line.extra),
                   "explanation": preview.explanation(line)} for line in plan.lines],
    }


@router.get("/budgets/{budget_id}/pro-rata", response={200: ProRataOut, **ERRORS}, summary="按同一比例核减：预览（审定人员）")
def pro_rata_get(request, budget_id: int):
    """核减前：每项资助的原审定金额、核减金额、核减后金额和说明；不写入任何记录。"""
    budget = get_object_or_404(Budget, pk=budget_id)
    preview = pro_rata_preview(actor=request.auth, budget=budget)
    return _pro_rata_out(preview, applied=hasattr(budget, "pro_rata_cut"))


class CutOut(Schema):
    id: int
    ratio: str
    after_total: str
    unallocated: str
    awards: int


@router.post("/budgets/{budget_id}/pro-rata", response={201: CutOut, **ERRORS}, summary="按同一比例核减：办理（审定人员，每个预算一次）")
def pro_rata_post(request, budget_id: int):
    """申报批次全部截止后办理：每项资助写入核减记录，记入审计；再次办理被拒绝。"""
    cut = pro_rata_apply(actor=request.auth, budget=get_object_or_404(Budget, pk=budget_id))
    return Status(201, {"id": cut.pk, "ratio": cut.ratio, "after_total": _money(cut.after_total),
                 "unallocated": _money(cut.unallocated), "awards": cut.lines.count()})


class ScoreIn(Schema):
    value: str = Field("", description="评分（0–100，最多两位小数）或排序名次（正整数），按政策规定")
    note: str = ""


class ScoreOut(Schema):
    claim_id: int
    value: str


@router.post("/claims/{claim_id}/quota-score", response={200: ScoreOut, **ERRORS}, summary="名额评审：评分或排序（评审人员）")
def quota_score_post(request, claim_id: int, body: ScoreIn):
    score = quota_score(actor=request.auth, claim=claim_get_for(request.auth, claim_id), value=body.value, note=body.note)
    return {"claim_id": claim_id, "value": f"{score.value.normalize():f}"}


class PlaceOut(Schema):
    claim_id: int
    reference: str | None
    place: int
    average: str
    selected: bool


class QuotaOut(Schema):
    quota: str
    label: str
    count: int
    by: str
    ranking: list[PlaceOut]
    unscored: list[int]


@router.get("/quotas/{policy}/{quota}", response={200: QuotaOut, **ERRORS}, summary="名额：按评审排名预览（审定人员）")
def quota_get(request, policy: str, quota: str, year: int | None = Query(None, ge=2000, le=2100),
              round: int | None = Query(None)):  # noqa: A002
    preview = quota_preview(actor=request.auth, policy=policy, quota_id=quota, year=year, round_id=round)
    return {"quota": preview.quota.id, "label": preview.quota.label, "count": preview.quota.count, "by": preview.quota.by,
            "ranking": [{"claim_id": r.key, "reference": preview.claims[r.key].reference, "place": r.place,
                         "average": r.average_text, "selected": r.place <= preview.quota.count} for r in preview.ranked],
            "unscored": [c.pk for c in preview.unscored]}


class FillOut(Schema):
    id: int
    selected: list[int]
    refused: list[int]


@router.post("/quotas/{policy}/{quota}", response={201: FillOut, **ERRORS}, summary="名额：按评审排名确定（审定人员，一次）")
def quota_post(request, policy: str, quota: str, year: int | None = Query(None, ge=2000, le=2100),
               round: int | None = Query(None)):  # noqa: A002
    """前 N 名可以审定，其余不予资助（“未入选（名额N个，排名第k）”）；记入审计。"""
    fill = quota_fill(actor=request.auth, policy=policy, quota_id=quota, year=year, round_id=round)
    places = list(fill.places.all())
    return Status(201, {"id": fill.pk, "selected": [p.claim_id for p in places if p.selected],
                        "refused": [p.claim_id for p in places if not p.selected]})
