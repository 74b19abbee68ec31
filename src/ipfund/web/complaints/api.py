"""The complaints API (三): file a complaint or an assistance request without an account, and follow
it by reference and query code — for the bureau's WeChat/12345 front ends. The same service and the
same limits as the public page (per address and per hour); a look-up is rate-limited per address."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from ninja import Field, Router, Schema, Status

from ipfund.web.common.schemas import ErrorOut
from ipfund.web.throttle import client_hash, rate_allow

from . import services
from .models import Complaint

router = Router(tags=["complaints"])
ERRORS = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
NOT_FOUND = "投诉编号或查询码不正确。"
TOO_MANY = "查询过于频繁，请一分钟后再试。"


class ComplaintIn(Schema):
    kind: str = Field(description="事项类别：report（侵权举报投诉）或 assistance（维权援助申请）")
    right_type: str = Field(description="权利类型：patent、trademark、copyright、geo、other")
    description: str = Field(description="情况说明")
    right_number: str = Field("", description="专利号、商标注册号等")
    respondent: str = Field("", description="被投诉方")
    name: str = Field("", description="姓名或单位；与联系方式都不填即为匿名")
    contact: str = Field("", description="联系方式")


class ComplaintFiled(Schema):
    reference: str = Field(description="投诉编号")
    code: str = Field(description="查询码（只返回这一次）")
    state: str
    state_label: str


class LookupIn(Schema):
    reference: str
    code: str


class StepOut(Schema):
    at: dt.datetime
    state: str
    state_label: str
    route_label: str
    note: str = Field(description="告知投诉人的说明")


class ComplaintStatus(Schema):
    reference: str
    kind_label: str
    filed_at: dt.datetime
    state: str
    state_label: str
    route_label: str
    steps: list[StepOut]


def _throttled(detail: str):
    return Status(429, {"detail": detail, "errors": {}})


@router.post("", response={201: ComplaintFiled, **ERRORS}, summary="提交举报投诉或维权援助申请（无需令牌）")
def complaint_create(request, body: ComplaintIn):
    try:
        complaint, code = services.complaint_file(**body.dict(), client=client_hash(request))
    except services.ValidationError as exc:
        if getattr(exc, "code", None) == "throttled":
            return _throttled(exc.messages[0])
        raise
    return Status(201, {"reference": complaint.reference, "code": code, "state": complaint.state, "state_label": complaint.state_label})


@router.post("/status", response={200: ComplaintStatus, **ERRORS}, summary="凭投诉编号和查询码查询办理进度")
def complaint_status(request, body: LookupIn):
    limit = settings.IPFUND_COMPLAINT_LOOKUPS_PER_MINUTE
    if not rate_allow("complaint_lookup", client_hash(request), limit=limit, window_seconds=60):
        return _throttled(TOO_MANY)
    complaint: Complaint | None = services.complaint_lookup(reference=body.reference, code=body.code)
    if complaint is None:
        return Status(404, {"detail": NOT_FOUND, "errors": {}})
    return {
        "reference": complaint.reference, "kind_label": complaint.kind_label, "filed_at": complaint.filed_at,
        "state": complaint.state, "state_label": complaint.state_label, "route_label": complaint.route_label,
        "steps": [{"at": s.at, "state": s.state, "state_label": s.state_label, "route_label": s.route_label,
                   "note": s.public_note} for s in complaint.steps.all()],
    }
