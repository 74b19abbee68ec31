"""The claim workflow: the only table that says which move is legal, and who makes it.

    draft → submitted → returned (→ submitted again) → recommended → approved → in_notice →
    final → paid (or, paid in installments, final → partly_paid → paid, or closed when a
    condition fails); rejected; withdrawn (before a decision); revoked (objection upheld);
    payment_failed (→ paid on retry).
    免申即享: proposed (待确认, made by matching a register) → submitted on the enterprise's
    confirmation, or declined (a 放弃声明).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from ipfund.web.accounts import roles


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交（待初审）"
    RETURNED = "returned", "退回补正"
    RECOMMENDED = "recommended", "初审推荐（待审定）"
    APPROVED = "approved", "审定通过"
    IN_NOTICE = "in_notice", "公示中"
    FINAL = "final", "公示期满（待拨付）"
    PAID = "paid", "已拨付"
    REJECTED = "rejected", "不予资助"
    WITHDRAWN = "withdrawn", "已撤回"
    REVOKED = "revoked", "已撤销（异议成立）"
    PAYMENT_FAILED = "payment_failed", "拨付失败（待重新拨付）"
    PROPOSED = "proposed", "待确认"
    DECLINED = "declined", "已放弃（放弃声明）"
    # Stages (分期拨付): some installments paid, the rest waiting for their condition (验收合格…);
    # closed once a condition failed and the rest was cancelled (what was paid stands).
    PARTLY_PAID = "partly_paid", "部分拨付（余款待条件满足）"
    CLOSED = "closed", "已结案（余款取消）"


class Action(models.TextChoices):
    SUBMIT = "submit", "提交"
    WITHDRAW = "withdraw", "撤回"
    RETURN = "return", "退回补正"
    REJECT = "reject", "不予资助"
    RECOMMEND = "recommend", "初审推荐"
    APPROVE = "approve", "审定通过"
    SEND_BACK = "send_back", "退回初审"
    PUBLISH = "publish", "公示"
    REVOKE = "revoke", "撤销"
    FINALIZE = "finalize", "公示期满"
    PAY = "pay", "拨付"
    PAY_FAIL = "pay_fail", "拨付失败"
    CONFIRM = "confirm", "确认享受"
    DECLINE = "decline", "放弃"
    QUOTA_REFUSE = "quota_refuse", "未入选名额"
    PAY_PART = "pay_part", "分期拨付"
    CLOSE = "close", "取消余款并结案"


S, A = State, Action

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.RETURNED, A.SUBMIT): S.SUBMITTED,
    (S.DRAFT, A.WITHDRAW): S.WITHDRAWN,
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    (S.RETURNED, A.WITHDRAW): S.WITHDRAWN,
    (S.SUBMITTED, A.RETURN): S.RETURNED,
    (S.SUBMITTED, A.REJECT): S.REJECTED,
    (S.SUBMITTED, A.RECOMMEND): S.RECOMMENDED,
    (S.RECOMMENDED, A.APPROVE): S.APPROVED,
    (S.RECOMMENDED, A.SEND_BACK): S.SUBMITTED,
    # A quota (每年择优支持不超过N个) filled from the ranking: the rest are refused (web/allocation).
    (S.RECOMMENDED, A.QUOTA_REFUSE): S.REJECTED,
    (S.APPROVED, A.PUBLISH): S.IN_NOTICE,
    (S.IN_NOTICE, A.REVOKE): S.REVOKED,
    (S.IN_NOTICE, A.FINALIZE): S.FINAL,
    (S.FINAL, A.PAY): S.PAID,
    (S.FINAL, A.PAY_FAIL): S.PAYMENT_FAILED,
    (S.PAYMENT_FAILED, A.PAY): S.PAID,
    (S.PAYMENT_FAILED, A.PAY_FAIL): S.PAYMENT_FAILED,
    # Stages: an installment that is not the last paid; the last one pays the claim in full; a
    # failed condition cancels the rest and closes the claim (after a payment, or before any).
    (S.FINAL, A.PAY_PART): S.PARTLY_PAID,
    (S.PARTLY_PAID, A.PAY_PART): S.PARTLY_PAID,
    (S.PAYMENT_FAILED, A.PAY_PART): S.PARTLY_PAID,
    (S.PARTLY_PAID, A.PAY): S.PAID,
    (S.PARTLY_PAID, A.PAY_FAIL): S.PAYMENT_FAILED,
    (S.PARTLY_PAID, A.CLOSE): S.CLOSED,
    (S.FINAL, A.CLOSE): S.CLOSED,
    (S.PROPOSED, A.CONFIRM): S.SUBMITTED,
    (S.PROPOSED, A.DECLINE): S.DECLINED,
}

# Who makes each move. Objections are resolved by reviewers; notices are published and closed by
# reviewers too (the bureau's 初审 office runs the 公示).
ACTION_ROLE: dict[str, str] = {
    A.SUBMIT: roles.APPLICANT,
    A.WITHDRAW: roles.APPLICANT,
    A.RETURN: roles.REVIEWER,
    A.REJECT: roles.REVIEWER,
    A.RECOMMEND: roles.REVIEWER,
    A.APPROVE: roles.APPROVER,
    A.SEND_BACK: roles.APPROVER,
    A.QUOTA_REFUSE: roles.APPROVER,
    A.PUBLISH: roles.REVIEWER,
    A.REVOKE: roles.REVIEWER,
    A.FINALIZE: roles.REVIEWER,
    A.PAY: roles.FINANCE,
    A.PAY_FAIL: roles.FINANCE,
    A.CONFIRM: roles.APPLICANT,
    A.DECLINE: roles.APPLICANT,
    A.PAY_PART: roles.FINANCE,
    A.CLOSE: roles.REVIEWER,
}

ILLEGAL_TRANSITION = "当前状态“{state}”下不能执行“{action}”。"

TERMINAL = frozenset(state for state in State if not any(s == state for s, _ in TRANSITIONS))
# The applicant may still change the claim (facts, evidence) in these states.
EDITABLE = frozenset({S.DRAFT, S.RETURNED})


class IllegalTransition(ValidationError):
    """A refused move: a ValidationError, so pages show it and the API answers 400."""


def next_state(state: str, action: str) -> str:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise IllegalTransition(
            ILLEGAL_TRANSITION.format(state=State(state).label, action=Action(action).label), code="illegal_transition"
        ) from None


def actions_from(state: str) -> list[str]:
    return [action for (s, action) in TRANSITIONS if s == state]
