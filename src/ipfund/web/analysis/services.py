"""Services of the analysis-review register: register, assign, report, conclude (accept or return),
remind of deadlines. Each is atomic and writes an audit event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ipfund.web.accounts import roles
from ipfund.web.accounts.models import ApplicantProfile
from ipfund.web.audit.actions import AuditAction
from ipfund.web.audit.services import audit_record
from ipfund.web.claims.reference import reference_next
from ipfund.web.filed import file_keep
from ipfund.web.notifications.services import notification_send
from ipfund.web.texts import REQUIRED, texts_check

from .models import Activity

SERIES = "ZQGX-PY"
ONLY_ADMIN = "只有管理员可以登记、分派和验收分析评议。"
NOT_ASSIGNED = "您不是该项分析评议的承办人。"
AMOUNT_NEGATIVE = "涉及金额不能为负数。"
DUE_PAST = "办结期限不能早于今天。"
ASSIGN_ONE = "请指定一名分析人员或一家签约服务机构（二者选一）。"
ANALYST_NOT_STAFF = "分析人员须为本平台的工作人员。"
AGENCY_NOT_AGENCY = "承办机构须为已登记的知识产权服务机构。"
CONTRACT_REQUIRED = "委托服务机构承办时，请填写政府购买服务合同编号。"
WRONG_STATE = "该项分析评议当前为“{state}”，不能{action}。"
REPORT_REQUIRED = "请上传分析评议报告。"
OWN_REPORT = "报告提交人不能验收自己的报告。"
KIND_INVALID = "请选择活动类型。"
CONCLUSION_INVALID = "请选择评议结论。"
REMINDER = "分析评议 {reference}「{title}」的办结期限为 {due}{when}，请按时提交评议报告。"
ASSIGNED_NOTE = "您被指定承办分析评议 {reference}「{title}」，办结期限 {due}。"
RETURNED_NOTE = "分析评议 {reference}「{title}」的报告被退回修改：{note}"

LIMITS = {"title": 200, "department": 200, "parties": 2000, "description": 4000, "findings": 4000,
          "recommendation": 4000, "contract_ref": 100, "note": 2000}


def _require_admin(actor) -> None:
    if not roles.has_role(actor, roles.ADMIN):
        raise PermissionDenied(ONLY_ADMIN)


def is_assignee(user, activity: Activity) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if activity.analyst_id and activity.analyst_id == user.pk:
        return True
    return bool(activity.agency_id) and activity.agency.user_id == user.pk


def _texts(errors: dict, fields: dict[str, tuple[str, str, bool]]) -> dict[str, str]:
    return texts_check(fields, LIMITS, errors)


def _snapshot(activity: Activity) -> dict:
    return {"state": activity.state, "analyst": activity.analyst_id, "agency": activity.agency_id,
            "due_on": activity.due_on, "conclusion": activity.conclusion}


def _lock(activity: Activity) -> Activity:
    return Activity.objects.select_for_update(of=("self",)).select_related("agency").get(pk=activity.pk)


@transaction.atomic
def activity_register(
    *, actor, title: str, kind: str, parties: str, department: str, due_on: dt.date,
    amount: Decimal | None = None, description: str = "",
) -> Activity:
    """The bureau enters a major activity to be reviewed before the decision on it."""
    _require_admin(actor)
    errors: dict = {}
    clean = _texts(errors, {"title": ("活动名称", title, True), "parties": ("涉及主体", parties, True),
                            "department": ("提请部门", department, True), "description": ("活动概况", description, False)})
    if kind not in Activity.KINDS:
        errors["kind"] = [KIND_INVALID]
    if amount is not None and amount < 0:
        errors["amount"] = [AMOUNT_NEGATIVE]
    if due_on is None:
        errors["due_on"] = [REQUIRED.format(label="办结期限")]
    elif due_on < timezone.localdate():
        errors["due_on"] = [DUE_PAST]
    if errors:
        raise ValidationError(errors)
    activity = Activity.objects.create(
        reference=reference_next(SERIES), kind=kind, amount=amount, due_on=due_on, created_by=actor, **clean
    )
    audit_record(actor=actor, action=AuditAction.ANALYSIS_REGISTER, obj=activity,
                 after={"reference": activity.reference, "kind": kind, "amount": amount, "due_on": due_on})
    return activity


@transaction.atomic
def activity_assign(
    *, actor, activity: Activity, analyst=None, agency: ApplicantProfile | None = None, contract_ref: str = "",
    due_on: dt.date | None = None,
) -> Activity:
    """Assign to one analyst of the bureau, or to a contracted service agency (government purchase of
    services, 二（二）); reassigning while the report is not in is allowed."""
    _require_admin(actor)
    activity = _lock(activity)
    if activity.state not in (Activity.REGISTERED, Activity.ASSIGNED):
        raise ValidationError(WRONG_STATE.format(state=activity.state_label, action="分派"), code="state")
    errors: dict = {}
    clean = _texts(errors, {"contract_ref": ("合同编号", contract_ref, False)})
    if (analyst is None) == (agency is None):
        errors["analyst"] = [ASSIGN_ONE]
    elif analyst is not None and not roles.is_staff_member(analyst):
        errors["analyst"] = [ANALYST_NOT_STAFF]
    elif agency is not None and agency.kind != "service_agency":
        errors["agency"] = [AGENCY_NOT_AGENCY]
    elif agency is not None and not clean["contract_ref"]:
        errors["contract_ref"] = [CONTRACT_REQUIRED]
    if due_on is not None and due_on < timezone.localdate():
        errors["due_on"] = [DUE_PAST]
    if errors:
        raise ValidationError(errors)
    before = _snapshot(activity)
    activity.analyst, activity.agency = analyst, agency
    activity.contract_ref = clean["contract_ref"] if agency is not None else ""
    activity.due_on = due_on or activity.due_on
    activity.state, activity.assigned_at, activity.reminded_on = Activity.ASSIGNED, timezone.now(), None
    activity.save()
    note = ASSIGNED_NOTE.format(reference=activity.reference, title=activity.title, due=activity.due_on.isoformat())
    notification_send(user=analyst if analyst is not None else agency.user, message=note)
    audit_record(actor=actor, action=AuditAction.ANALYSIS_ASSIGN, obj=activity, before=before,
                 after={**_snapshot(activity), "contract_ref": activity.contract_ref})
    return activity


@transaction.atomic
def activity_report(
    *, actor, activity: Activity, upload, conclusion: str, findings: str, recommendation: str
) -> Activity:
    """The assignee hands in the report with the conclusion and the recommendation to the decision."""
    activity = _lock(activity)
    if not is_assignee(actor, activity):
        raise PermissionDenied(NOT_ASSIGNED)
    if activity.state != Activity.ASSIGNED:
        raise ValidationError(WRONG_STATE.format(state=activity.state_label, action="提交报告"), code="state")
    errors: dict = {}
    clean = _texts(errors, {"findings": ("评议意见", findings, True), "recommendation": ("决策建议", recommendation, True)})
    if conclusion not in Activity.CONCLUSIONS:
        errors["conclusion"] = [CONCLUSION_INVALID]
    if upload is None:
        errors["report"] = [REPORT_REQUIRED]
    if errors:
        raise ValidationError(errors)
    before = _snapshot(activity)
    file_keep(activity, "report", upload)
    activity.conclusion, activity.findings, activity.recommendation = conclusion, clean["findings"], clean["recommendation"]
    activity.state, activity.reported_at, activity.reported_by = Activity.REPORTED, timezone.now(), actor
    activity.save()
    audit_record(actor=actor, action=AuditAction.ANALYSIS_REPORT, obj=activity, before=before,
                 after={**_snapshot(activity), "report": activity.report.name})
    return activity


@transaction.atomic
def activity_conclude(*, actor, activity: Activity, accept: bool, note: str = "") -> Activity:
    """An administrator accepts the report (the activity is concluded and archived) or returns it."""
    _require_admin(actor)
    activity = _lock(activity)
    if activity.state != Activity.REPORTED:
        raise ValidationError(WRONG_STATE.format(state=activity.state_label, action="验收"), code="state")
    if activity.reported_by_id == actor.pk:
        raise PermissionDenied(OWN_REPORT)
    errors: dict = {}
    clean = _texts(errors, {"note": ("验收意见", note, not accept)})
    if errors:
        raise ValidationError(errors)
    before = _snapshot(activity)
    if accept:
        activity.state, activity.concluded_at, activity.concluded_by = Activity.CONCLUDED, timezone.now(), actor
    else:
        activity.state = Activity.ASSIGNED
        message = RETURNED_NOTE.format(reference=activity.reference, title=activity.title, note=clean["note"])
        notification_send(user=activity.reported_by, message=message)
    activity.save()
    audit_record(actor=actor, action=AuditAction.ANALYSIS_ACCEPT if accept else "analysis_return", obj=activity, before=before,
                 after={**_snapshot(activity), "note": clean["note"]})
    return activity


def activity_remind(*, today: dt.date | None = None) -> int:
    """Tell each assignee whose report is due within ``IPFUND_ANALYSIS_REMIND_DAYS`` days (or late),
    at most once a day. Run hourly by housekeeping; returns how many reminders went out."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings.IPFUND_ANALYSIS_REMIND_DAYS)
    sent = 0
    due = Activity.objects.filter(state=Activity.ASSIGNED, due_on__lte=horizon).exclude(reminded_on=today)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            activity = Activity.objects.select_for_update(of=("self",)).select_related("agency").get(pk=pk)
            if activity.state != Activity.ASSIGNED or activity.reminded_on == today:
                continue
            when = "（已逾期）" if activity.due_on < today else ""
            message = REMINDER.format(reference=activity.reference, title=activity.title,
                                      due=activity.due_on.isoformat(), when=when)
            notification_send(user=activity.analyst or activity.agency.user, message=message)
            activity.reminded_on = today
            activity.save(update_fields=["reminded_on"])
            audit_record(actor="system", action=AuditAction.ANALYSIS_REMIND, obj=activity, after={"due_on": activity.due_on})
            sent += 1
    return sent
