"""A claim's audit events as a status timeline: what happened, when, with the note the applicant may read."""

import json
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from ipfund.web.portal import labels

ACTION_LABELS = {
    "claim_draft_create": _("创建申报草稿"),
    "claim_draft_update": _("修改申报内容"),
    "claim_submit": _("提交申报"),
    "claim_withdraw": _("撤回申报"),
    "claim_return": _("退回补正"),
    "claim_reject": _("不予资助"),
    "claim_recommend": _("初审推荐"),
    "claim_approve": _("审定通过"),
    "claim_send_back": _("退回初审"),
    "claim_publish": _("列入公示"),
    "claim_revoke": _("撤销资助（异议成立）"),
    "claim_finalize": _("公示期满，资助确定"),
    "claim_pay": _("资金已拨付"),
    "claim_pay_fail": _("拨付未成功"),
}

# Events about what hangs on a claim (files, payments, objections): the staff audit page only.
FILE_ACTION_LABELS = {
    "evidence_attach": _("上传证明材料"),
    "payment_record": _("记录拨付"),
    "payment_fail": _("记录拨付失败"),
    "objection_file": _("公示异议"),
    "objection_resolve": _("处理异议"),
}

# Notes an applicant may read: the return comment, the rejection and revocation reasons, a failed
# payment's reason. A send-back reason is internal to the bureau.
APPLICANT_NOTES = {"claim_return", "claim_reject", "claim_revoke", "claim_pay_fail"}


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
    return Step(
        at=event.at,
        action=event.action,
        label=str(ACTION_LABELS.get(event.action, event.action)),
        state=state,
        state_label=labels.status_label(state) if state else "",
        note=note,
        actor=event.actor_label,
    )


def applicant_timeline(events) -> list[Step]:
    return [_step(e, e.action in APPLICANT_NOTES) for e in events if e.action in ACTION_LABELS]


def staff_timeline(events) -> list[Step]:
    return [_step(e, True) for e in events]


@dataclass
class Change:
    field: str
    before: str
    after: str


def _shown(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def audit_changes(event) -> list[Change]:
    """What an audit event changed, field by field (a creation lists every field it set)."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    changes = []
    for field in list(after) + [f for f in before if f not in after]:
        old, new = before.get(field), after.get(field)
        if old != new and not (old is None and new in (None, "", [], {})):
            changes.append(Change(field, _shown(old), _shown(new)))
    return changes
