"""A claim's audit events as a status timeline: what happened, when, with the note the applicant may read."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from ipfund.web.audit.actions import AuditAction
from ipfund.web.common import labels

# A claim's own moves, labelled as the audit trail's one table (audit.actions) labels them.
ACTION_LABELS = {a.value: a.label for a in AuditAction if a.value.startswith("claim_")}

# Events about what hangs on a claim (files, payments, objections): the staff audit page only.
FILE_ACTION_LABELS = {a.value: a.label for a in (
    AuditAction.EVIDENCE_ATTACH, AuditAction.EVIDENCE_REMOVE, AuditAction.EVIDENCE_REPLACE, AuditAction.PAYMENT_RECORD,
    AuditAction.PAYMENT_FAIL, AuditAction.OBJECTION_FILE, AuditAction.OBJECTION_RESOLVE)}

# Notes an applicant may read: the return comment, the rejection and revocation reasons, a failed
# payment's reason. A send-back reason is internal to the bureau.
APPLICANT_NOTES = {"claim_return", "claim_reject", "claim_revoke", "claim_pay_fail", "claim_decline", "claim_pay_part",
                   "claim_close", "installment_confirm", "installment_fail"}
EVERY_LABEL = {a.value: a.label for a in AuditAction}  # other events recorded on a claim (the plan of installments)
# Stages (分期拨付): a reviewer's record of an installment's condition, recorded on the claim.
INSTALLMENT_ACTIONS = {"installment_confirm", "installment_fail"}


@dataclass
class Step:
    at: datetime
    action: str
    label: str
    state: str
    state_label: str
    note: str
    actor: str


def _step(event, show_note: bool) -> Step:
    after = event.after or {}
    state = after.get("state", "") if isinstance(after, dict) else ""
    note = after.get("note", "") if isinstance(after, dict) and show_note else ""
    label = str(ACTION_LABELS.get(event.action) or EVERY_LABEL.get(event.action, event.action))
    if event.action in INSTALLMENT_ACTIONS and isinstance(after, dict):
        label = str(_("第 %(n)s 期：%(outcome)s") % {"n": after.get("installment", ""), "outcome": after.get("outcome", "")})
    return Step(
        at=event.at,
        action=event.action,
        label=label,
        state=state,
        state_label=labels.status_label(state) if state else "",
        note=note,
        actor=actor_name(event),
    )


ACTOR_LABELS = {"public": _("公众（异议人）"), "system": _("系统")}


def actor_name(event) -> str:
    """Who acted, as a person reads it: a user's name, or 公众 / 系统 for the trail's own labels."""
    if event.actor_id:
        user = event.actor
        profile = getattr(user, "applicant", None)  # an applicant by its organisation's (or person's) name
        return profile.name if profile is not None else user.get_full_name() or user.get_username()
    return str(ACTOR_LABELS.get(event.actor_label, event.actor_label))


# The usual road of a claim, in order: what each state waits for next (the coming steps).
ROAD = [
    ("submitted", _("提交申报")),
    ("recommended", _("初审（核对事实与材料，推荐金额）")),
    ("approved", _("审定（按资助台账核定金额）")),
    ("in_notice", _("公示（接受社会监督，可提出异议）")),
    ("final", _("公示期满，资助确定")),
    ("paid", _("资金拨付")),
]


@dataclass
class Coming:
    state: str
    label: str


def coming_steps(state: str) -> list[Coming]:
    """The steps still ahead of a claim in ``state`` on the usual road; none once it has ended."""
    order = [s for s, _ in ROAD]
    if state == "draft":
        ahead = ROAD
    elif state == "proposed":
        ahead = [("submitted", _("确认享受并核对收款账户"))] + ROAD[1:]
    elif state == "returned":
        ahead = [("submitted", _("补正后重新提交"))] + ROAD[1:]
    elif state == "payment_failed":
        ahead = [("paid", _("重新拨付"))]
    elif state == "partly_paid":
        ahead = [("paid", _("余款拨付（待条件满足，如验收合格）"))]
    elif state in order:
        ahead = ROAD[order.index(state) + 1 :]
    else:  # rejected, withdrawn, revoked, paid: the road has ended
        ahead = []
    return [Coming(s, str(label)) for s, label in ahead]


def applicant_timeline(events) -> list[Step]:
    return [_step(e, e.action in APPLICANT_NOTES) for e in events
            if e.action in ACTION_LABELS or e.action in INSTALLMENT_ACTIONS]


def staff_timeline(events) -> list[Step]:
    return [_step(e, True) for e in events]


@dataclass
class Change:
    field: str
    before: str
    after: str


# The audit page names each recorded field in words (the record itself keeps the field names).
FIELD_LABELS = {
    "state": _("状态"),
    "item": _("申报项目"),
    "event_date": _("事件日期"),
    "facts": _("申报事实"),
    "round": _("申报批次"),
    "reference": _("编号"),
    "engine_amount": _("政策计算金额"),
    "recommended_amount": _("推荐金额"),
    "approved_amount": _("审定金额"),
    "reviewer": _("初审人"),
    "approver": _("审定人"),
    "note": _("意见或理由"),
    "claim": _("申报"),
    "entry": _("公示条目"),
    "requirement": _("材料类别"),
    "original_name": _("文件名"),
    "storage": _("原文件"),
    "sha256": _("文件摘要（SHA-256）"),
    "size": _("文件大小（字节）"),
    "amount": _("金额"),
    "paid_on": _("拨付日期"),
    "reason": _("原因"),
    "resolution": _("处理意见"),
}
OBJECTION_STATES = {"open": _("待处理"), "upheld": _("异议成立"), "dismissed": _("异议不成立")}
MONEY_FIELDS = {"engine_amount", "recommended_amount", "approved_amount", "amount"}


def _user_name(pk) -> str:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=pk).first()
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def _claim_number(pk) -> str:
    from ipfund.web.claims.models import Claim

    claim = Claim.objects.filter(pk=pk).first()
    return claim.number if claim else "—"


def _round_name(pk) -> str:
    from ipfund.web.rounds.models import ApplicationRound

    rnd = ApplicationRound.objects.filter(pk=pk).first()
    return rnd.name if rnd else "—"


def _shown(field: str, value, claim) -> str:
    """A recorded value as a person reads it: labels for states, items, users and facts (those of
    the claim's own policy)."""
    from ipfund.web.engine_door import policy_by_id
    from ipfund.web.common.facts import display_facts
    from ipfund.web.portal.templatetags.portal import yuan

    if value is None or value == "":
        return "—"
    if field == "state":
        return str(OBJECTION_STATES.get(value) or labels.status_label(value))
    if field == "item":
        return labels.item_title(value, getattr(claim, "policy", None))
    if field in ("reviewer", "approver"):
        return _user_name(value)
    if field == "round":
        return _round_name(value)
    if field in MONEY_FIELDS:
        return yuan(value)
    if field == "claim":
        return _claim_number(value)
    if field == "facts" and isinstance(value, dict):
        policy = policy_by_id(claim.policy) if claim is not None else None
        spec = policy.items.get(claim.item) if policy is not None else None
        if spec is not None:
            return "；".join(f"{label}：{shown}" for label, shown in display_facts(spec, value)) or "—"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    return str(value)


def audit_changes(event, claim=None) -> list[Change]:
    """What an audit event changed, field by field in words (a creation lists every field it set)."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    changes = []
    for field in list(after) + [f for f in before if f not in after]:
        old, new = before.get(field), after.get(field)
        if old != new and not (old is None and new in (None, "", [], {})):
            label = str(FIELD_LABELS.get(field, _("其他")))
            changes.append(Change(label, _shown(field, old, claim), _shown(field, new, claim)))
    return changes
