"""Finance's API (财务): the payments list, recording a payment or a failed one, and the budgets with
what they have committed and paid. The same selectors and services as finance's pages, with the
same rules: payments are finance's only (never of a claim of one's own unit, nor of one the caller
applied for, recommended, approved or returned: claims/duties.py), budgets are read
by finance and administrators; the account number is masked here, shown in full only on the page
where finance pays (each reveal audited)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Field, Query, Router, Schema

from ipfund.web.accounts import roles
from ipfund.web.budgets.selectors import budget_statuses
from ipfund.web.claims.selectors import claim_get_for, claims_visible_to
from ipfund.web.claims.workflow import State
from ipfund.web.exports.claim_rows import item_title
from ipfund.web.ledger.selectors import award_net
from ipfund.web.masking import mask_bank_account
from ipfund.web.payments.installments import next_installment
from ipfund.web.payments.models import Payment
from ipfund.web.payments.selectors import latest_failure
from ipfund.web.payments.services import payee_account, payment_batch_record, payment_fail, payment_record
from ipfund.web.statistics.selectors import budget_label

from ipfund.web.common.schemas import ErrorOut

router = Router(tags=["finance"])

ONLY_FINANCE = "只有财务人员可以查看和办理拨付。"
ONLY_FINANCE_OR_ADMIN = "只有财务人员或管理员可以查看资金预算。"
STATE_INVALID = "拨付状态应为 final（待拨付）、paid（已拨付）或 payment_failed（拨付失败）之一。"
PAYMENT_STATES = (State.FINAL, State.PAID, State.PAYMENT_FAILED, State.PARTLY_PAID, State.CLOSED)
LIST_LIMIT = 500

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PaymentOut(Schema):
    claim_id: int = Field(description="申报 ID")
    reference: str | None = Field(description="受理编号")
    applicant: str = Field(description="申报单位或个人名称")
    policy: str = Field(description="所依据政策的编号（项目 ID 只在一项政策内唯一）")
    item: str = Field(description="申报项目 ID")
    item_title: str = Field(description="申报项目名称（所依据政策中的名称）")
    round_id: int | None = Field(description="申报批次 ID")
    round_name: str = Field(description="申报批次名称")
    state: str = Field(description="状态：final（待拨付）、paid（已拨付）、payment_failed（拨付失败，待重新拨付）")
    state_label: str = Field(description="状态（中文）")
    amount: str = Field(description="拨付金额（元，两位小数的字符串）：已拨付的为实际拨付金额，其余为应拨付金额")
    bank_name: str = Field(description="开户银行（已拨付的为当时拨付的账户）")
    bank_account_masked: str = Field(description="银行账号（只显示末四位；完整账号只在财务拨付页面显示，并记入审计）")
    bank_holder: str = Field(description="账户户名")
    paid_on: dt.date | None = Field(description="拨付日期（已拨付时）")
    payment_reference: str = Field(description="拨付凭证号（已拨付时）")
    batch_id: int | None = Field(description="批量拨付 ID（按批拨付时）")
    failure_reason: str = Field(description="最近一次拨付失败的原因（拨付失败时）")


class PaymentIn(Schema):
    paid_on: dt.date = Field(description="拨付日期（YYYY-MM-DD，不能晚于今天）")
    reference: str = Field(description="拨付凭证号（银行回单号）", max_length=100)


class PaymentBatchIn(PaymentIn):
    claims: list[int] = Field(description="本批拨付的申报 ID（待拨付或拨付失败的）", max_length=LIST_LIMIT)


class PaymentBatchLineOut(Schema):
    claim_id: int = Field(description="申报 ID")
    paid: bool = Field(description="是否已拨付")
    message: str = Field(description="结果：“已拨付”或未能拨付的原因")


class PaymentBatchOut(Schema):
    batch_id: int | None = Field(description="批量拨付 ID；一项也未能拨付时为空（不保留该批次）")
    paid: int = Field(description="已拨付的项数")
    refused: int = Field(description="未能拨付的项数")
    lines: list[PaymentBatchLineOut] = Field(description="每项申报的结果")


class PaymentFailIn(Schema):
    reason: str = Field(description="拨付失败原因（申报单位可见，如“账户户名与账号不符”）", max_length=2000)


class BudgetOut(Schema):
    id: int = Field(description="预算 ID")
    policy: str = Field(description="政策 ID")
    label: str = Field(description="预算名称（政策与年度或批次）")
    year: int = Field(description="预算年度")
    round_id: int | None = Field(description="批次预算的批次 ID；年度预算为空")
    amount: str = Field(description="预算金额（元）")
    committed: str = Field(description="已审定资助（元，扣除撤销）")
    paid: str = Field(description="已拨付（元）")
    remaining: str = Field(description="预算余额（元）= 预算金额 − 已审定资助")
    percent: str = Field(description="已审定资助占预算的百分比")
    level: str = Field(description="预警状态：ok（正常）、warning（已用 80% 以上）、exhausted（已用完）")
    warning: str = Field(description="预警说明（中文；正常时为空）")


def _money(value) -> str:
    return f"{value:.2f}"


def _require(user, allowed: tuple[str, ...], message: str) -> None:
    if not any(roles.has_role(user, role) for role in allowed):
        raise PermissionDenied(message)


def _payment_out(claim) -> dict:
    payment: Payment | None = getattr(claim, "payment", None) if claim.state == State.PAID else None
    if payment is not None:
        # An award paid in stages (分期拨付) has a payment per installment: the amount is their sum.
        bank_name, account, holder = payment.bank_name, payment.bank_account, payment.bank_holder
        amount = sum((p.amount for p in claim.payments.all()), start=payment.amount * 0)
    else:
        current = payee_account(claim.applicant)
        bank_name, account, holder, amount = current.bank_name, current.bank_account, current.bank_holder, award_net(claim=claim)
        upcoming = next_installment(claim)  # 分期拨付: what the next payment pays
        if upcoming is not None:
            amount = upcoming.amount
    failure = latest_failure(claim) if claim.state == State.PAYMENT_FAILED else None
    return {
        "claim_id": claim.pk,
        "reference": claim.reference,
        "applicant": claim.applicant.name,
        "policy": claim.policy,
        "item": claim.item,
        "item_title": item_title(claim.policy, claim.item),
        "round_id": claim.round_id,
        "round_name": claim.round.name if claim.round_id else "",
        "state": claim.state,
        "state_label": claim.state_label,
        "amount": _money(amount),
        "bank_name": bank_name,
        "bank_account_masked": mask_bank_account(account),
        "bank_holder": holder,
        "paid_on": payment.paid_on if payment else None,
        "payment_reference": payment.reference if payment else "",
        "batch_id": payment.batch_id if payment else None,
        "failure_reason": failure.reason if failure else "",
    }


@router.get("/payments", response={200: list[PaymentOut], **ERRORS}, summary="拨付清单（财务）")
def payments_list(
    request,
    round: int | None = Query(None, description="申报批次 ID"),  # noqa: A002 (the page's filter name)
    state: str | None = Query(None, description="final（待拨付）、partly_paid（部分拨付）、paid（已拨付）、payment_failed（拨付失败）或 closed（余款取消已结案）；不填为全部"),
    offset: int = Query(0, ge=0, description="跳过前多少条"),
    limit: int = Query(100, ge=1, le=LIST_LIMIT, description=f"最多返回多少条（1 至 {LIST_LIMIT}）"),
):
    """审定后公示期满的资助及其拨付情况，按申报 ID 排序。只有财务人员可以调用。"""
    _require(request.auth, (roles.FINANCE,), ONLY_FINANCE)
    if state and state not in PAYMENT_STATES:
        raise ValidationError({"state": [STATE_INVALID]})
    claims = claims_visible_to(request.auth).filter(state__in=[state] if state else PAYMENT_STATES)
    if round is not None:
        claims = claims.filter(round_id=round)
    claims = claims.select_related("applicant", "round").prefetch_related("payments").order_by("id")[offset:offset + limit]
    return [_payment_out(c) for c in claims]


def _claim_for_finance(request, claim_id: int):
    _require(request.auth, (roles.FINANCE,), ONLY_FINANCE)
    return claim_get_for(request.auth, claim_id)


@router.post("/payments/{claim_id}/paid", response={200: PaymentOut, **ERRORS}, summary="记录拨付（财务）")
def payments_record(request, claim_id: int, body: PaymentIn):
    """记录一项资助已拨付：拨付到申报单位当前的账户并记下该账户；账户变更待复核时、已拨付时、
    此前向该账户拨付失败而账户尚未变更并经复核时拒绝。不能拨付本人（或本单位）的申报，也不能拨付
    本人初审、审定或退回过的申报（403）。"""
    claim = _claim_for_finance(request, claim_id)
    payment_record(actor=request.auth, claim=claim, paid_on=body.paid_on, reference=body.reference)
    return _payment_out(claim_get_for(request.auth, claim_id))


@router.post("/payments/batch", response={200: PaymentBatchOut, **ERRORS}, summary="批量拨付（财务）")
def payments_batch(request, body: PaymentBatchIn):
    """一个银行批次（一个凭证号）拨付多项资助：每项各自拨付或说明不能拨付的原因，互不影响；
    与财务页面的批量拨付相同。批次中含有调用者申报、初审、审定或退回过的申报时，整批拒绝（403）。"""
    _require(request.auth, (roles.FINANCE,), ONLY_FINANCE)
    result = payment_batch_record(actor=request.auth, claim_ids=body.claims, paid_on=body.paid_on, reference=body.reference)
    return {
        "batch_id": result.batch.pk if result.batch else None,
        "paid": len(result.paid),
        "refused": len(result.refused),
        "lines": [{"claim_id": line.claim_id, "paid": line.paid, "message": line.message} for line in result.lines],
    }


@router.post("/payments/{claim_id}/failed", response={200: PaymentOut, **ERRORS}, summary="记录拨付失败（财务）")
def payments_fail(request, claim_id: int, body: PaymentFailIn):
    """记录一次拨付失败及原因和当时的收款账户（通知申报单位），该资助转为“拨付失败”，待申报单位
    变更账户并经复核后重新拨付。不能记录本人申报、初审、审定或退回过的申报（403）。"""
    claim = _claim_for_finance(request, claim_id)
    payment_fail(actor=request.auth, claim=claim, reason=body.reason)
    return _payment_out(claim_get_for(request.auth, claim_id))


@router.get("/budgets", response={200: list[BudgetOut], **ERRORS}, summary="资金预算及使用情况（财务、管理员）")
def budgets_list(
    request,
    year: int | None = Query(None, ge=2000, le=2100, description="预算年度"),
    policy: str | None = Query(None, max_length=64, description="政策 ID"),
    round: int | None = Query(None, description="申报批次 ID（年度预算和该批次的预算）"),  # noqa: A002
):
    """每项预算的已审定资助、已拨付和余额，以及 80%、100% 预警。只有财务人员和管理员可以调用。"""
    _require(request.auth, (roles.FINANCE, roles.ADMIN), ONLY_FINANCE_OR_ADMIN)
    statuses = budget_statuses(year=year, policy=policy or None, round_id=round)
    return [
        {
            "id": s.budget.pk,
            "policy": s.budget.policy,
            "label": budget_label(s.budget),
            "year": s.budget.year,
            "round_id": s.budget.round_id,
            "amount": _money(s.budget.amount),
            "committed": _money(s.committed),
            "paid": _money(s.paid),
            "remaining": _money(s.remaining),
            "percent": f"{s.percent}",
            "level": s.level,
            "warning": s.warning,
        }
        for s in statuses
    ]
