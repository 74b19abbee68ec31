"""The promises API (五（一）承诺与追回): the promises by due date, a breach recorded with its evidence
(opening the recovery), the recovery cases, repayments recorded by finance, write-offs asked and
decided by a second person. The same services as the pages, with the same rules; every body field
is optional here so that a missing one is answered by the service in Chinese, naming the field."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from ipfund.web.accounts import roles
from ipfund.web.common.schemas import ErrorOut

from . import services
from .models import Promise, RecoveryCase, WriteOff
from .selectors import promises_by_due

router = Router(tags=["promises"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
READERS = (roles.REVIEWER, roles.APPROVER, roles.FINANCE, roles.ADMIN)
ONLY_STAFF = "只有工作人员可以查看资助承诺和追回案件。"
STATE_INVALID = "状态应为 active（履行中）、kept（已履行）或 broken（已违反）之一。"
LIST_LIMIT = 500


def _readers(user) -> None:
    if not any(roles.has_role(user, r) for r in READERS):
        raise PermissionDenied(ONLY_STAFF)


class PromiseOut(Schema):
    id: int
    claim_id: int = Field(description="申报 ID")
    reference: str | None = Field(description="受理编号")
    applicant: str = Field(description="申报单位名称")
    text: str = Field(description="承诺（政策原文）")
    years: int = Field(description="承诺期（年）")
    start_basis: str = Field(description="承诺期起算：payment（拨付之日）或 approval（审定之日）")
    recovery_basis: str = Field(description="违反承诺时追回：all（全部）或 proportional（按未履行天数比例）")
    term_start: dt.date | None = Field(description="承诺期起始日（待拨付起算时为空）")
    term_end: dt.date | None = Field(description="承诺期届满日")
    state: str = Field(description="active（履行中）、kept（已履行）、broken（已违反）")
    state_label: str
    flag_breach: str = Field(description="名单提示的违反情形（moved_out_of_zone、deregistered），无提示为空")
    flag_note: str
    recovery_id: int | None = Field(description="追回案件 ID（已违反时）")


class RepaymentOut(Schema):
    amount: str
    paid_on: dt.date
    reference: str


class WriteOffOut(Schema):
    id: int
    amount: str
    reason: str
    state: str = Field(description="pending（待批准）、approved（已核销）、rejected（未批准）")
    state_label: str
    requested_by: str
    decided_by: str


class RecoveryOut(Schema):
    id: int
    promise_id: int
    claim_id: int
    breach: str = Field(description="moved_out_of_zone（迁离本区）、deregistered（注销登记）、other（其他）")
    breach_label: str
    breached_on: dt.date
    note: str
    basis: str
    awarded: str = Field(description="立案时的资助净额（元）")
    term_days: int
    days_left: int
    amount_due: str = Field(description="应追回（元）：全部，或 资助 × 未履行天数 ÷ 承诺期天数，四舍五入到分")
    repaid: str
    written_off: str
    outstanding: str = Field(description="尚欠（应收）")
    due_by: dt.date = Field(description="归还期限")
    state: str = Field(description="open（追回中）或 settled（已结案）")
    state_label: str
    ledger_entry_id: int
    repayments: list[RepaymentOut]
    write_offs: list[WriteOffOut]


class RepaymentIn(Schema):
    amount: str = Field("", description="归还金额（元，最多两位小数）")
    paid_on: dt.date | None = Field(None, description="归还日期")
    reference: str = Field("", description="银行回单号")


class WriteOffIn(Schema):
    amount: str = Field("", description="核销金额（元）")
    reason: str = Field("", description="核销理由")


class DecisionIn(Schema):
    approve: bool = Field(False, description="true 批准核销，false 不予批准")
    note: str = Field("", description="批准意见")


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _promise_out(p: Promise) -> dict:
    return {
        "id": p.pk, "claim_id": p.claim_id, "reference": p.claim.reference, "applicant": p.claim.applicant.name,
        "text": p.text, "years": p.years, "start_basis": p.start_basis, "recovery_basis": p.recovery_basis,
        "term_start": p.term_start, "term_end": p.term_end, "state": p.state, "state_label": p.state_label,
        "flag_breach": p.flag_breach, "flag_note": p.flag_note,
        "recovery_id": RecoveryCase.objects.filter(promise=p).values_list("pk", flat=True).first(),
    }


def _recovery_out(c: RecoveryCase) -> dict:
    return {
        "id": c.pk, "promise_id": c.promise_id, "claim_id": c.claim_id, "breach": c.breach, "breach_label": c.breach_label,
        "breached_on": c.breached_on, "note": c.note, "basis": c.basis, "awarded": f"{c.awarded:.2f}",
        "term_days": c.term_days, "days_left": c.days_left, "amount_due": f"{c.amount_due:.2f}",
        "repaid": f"{c.repaid:.2f}", "written_off": f"{c.written_off:.2f}", "outstanding": f"{c.outstanding:.2f}",
        "due_by": c.due_by, "state": c.state, "state_label": c.state_label, "ledger_entry_id": c.entry_id,
        "repayments": [{"amount": f"{r.amount:.2f}", "paid_on": r.paid_on, "reference": r.reference} for r in c.repayments.all()],
        "write_offs": [_write_off_out(w) for w in c.write_offs.select_related("requested_by", "decided_by")],
    }


def _write_off_out(w: WriteOff) -> dict:
    return {"id": w.pk, "amount": f"{w.amount:.2f}", "reason": w.reason, "state": w.state, "state_label": w.state_label,
            "requested_by": _name(w.requested_by), "decided_by": _name(w.decided_by)}


def _case(request, recovery_id: int) -> RecoveryCase:
    _readers(request.auth)
    return get_object_or_404(RecoveryCase, pk=recovery_id)


@router.get("/promises", response={200: list[PromiseOut], **ERRORS}, summary="资助承诺（按承诺期届满日排列）")
def promises_list(
    request,
    state: str | None = Query(None, description="active、kept 或 broken；不填为全部"),
    offset: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=LIST_LIMIT),
):
    """承诺期按拨付（或审定）之日起算后排在届满日之序，待起算的排在最后。工作人员可以调用。"""
    _readers(request.auth)
    if state and state not in Promise.STATES:
        from django.core.exceptions import ValidationError

        raise ValidationError({"state": [STATE_INVALID]})
    services.promises_refresh()
    rows = promises_by_due(state=state or "")[offset:offset + limit]
    return [_promise_out(p) for p in rows]


@router.post("/promises/{promise_id}/breach", response={201: RecoveryOut, **ERRORS}, summary="登记违反承诺并立案追回")
def promises_breach(request, promise_id: int, breach: Form[str] = "", breached_on: Form[str] = "", note: Form[str] = "",
                    file: File[UploadedFile] = None):  # type: ignore[assignment]  # optional: the service names it when missing
    """multipart/form-data：breach（违反情形）、breached_on（YYYY-MM-DD）、note（事实）、file（证明材料）。
    按政策确定的追回金额冲减资助台账（释放上限与预算），立案追回。只有初审人员和管理员可以登记。"""
    _readers(request.auth)
    promise = get_object_or_404(Promise, pk=promise_id)
    try:
        on = dt.date.fromisoformat(breached_on) if breached_on else None
    except ValueError:
        on = None
    case = services.recovery_open(actor=request.auth, promise=promise, breach=breach, breached_on=on,  # type: ignore[arg-type]
                                  note=note, upload=file)
    return Status(201, _recovery_out(case))


@router.get("/recoveries", response={200: list[RecoveryOut], **ERRORS}, summary="追回案件")
def recoveries_list(request, state: str | None = Query(None, description="open（追回中）或 settled（已结案）；不填为全部")):
    _readers(request.auth)
    rows = RecoveryCase.objects.order_by("due_by", "id")
    if state:
        rows = rows.filter(state=state)
    return [_recovery_out(c) for c in rows[:LIST_LIMIT]]


@router.get("/recoveries/{recovery_id}", response={200: RecoveryOut, **ERRORS}, summary="追回案件详情")
def recoveries_detail(request, recovery_id: int):
    return _recovery_out(_case(request, recovery_id))


@router.post("/recoveries/{recovery_id}/repayments", response={201: RecoveryOut, **ERRORS}, summary="登记归还（财务）")
def recoveries_repay(request, recovery_id: int, body: RepaymentIn):
    """财务人员登记归还的金额（可分次）；尚欠为零时结案。不能办理本人申报、初审、审定或退回过的申报（403）。"""
    case = _case(request, recovery_id)
    services.recovery_repay(actor=request.auth, case=case, amount=body.amount, paid_on=body.paid_on,  # type: ignore[arg-type]
                            reference=body.reference)
    return Status(201, _recovery_out(RecoveryCase.objects.get(pk=case.pk)))


@router.post("/recoveries/{recovery_id}/write-offs", response={201: WriteOffOut, **ERRORS}, summary="申请核销余额")
def recoveries_write_off(request, recovery_id: int, body: WriteOffIn):
    """财务人员或管理员申请核销尚欠的（部分）金额，须由另一名工作人员批准。"""
    case = _case(request, recovery_id)
    write_off = services.recovery_write_off_request(actor=request.auth, case=case, amount=body.amount, reason=body.reason)
    return Status(201, _write_off_out(write_off))


@router.post("/write-offs/{write_off_id}/decision", response={200: WriteOffOut, **ERRORS}, summary="批准或驳回核销（另一人）")
def write_offs_decide(request, write_off_id: int, body: DecisionIn):
    """由申请人以外的财务人员或管理员批准（approve: true）或驳回；批准后尚欠为零时结案。"""
    _readers(request.auth)
    write_off = get_object_or_404(WriteOff, pk=write_off_id)
    decided = services.recovery_write_off_decide(actor=request.auth, write_off=write_off, approve=body.approve, note=body.note)
    return _write_off_out(decided)
