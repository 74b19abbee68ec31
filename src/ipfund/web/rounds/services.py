"""Round and interpretation services for administrators."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ipfund.web.accounts import roles
from ipfund.web.audit.services import audit_record
from ipfund.web.audit.actions import AuditAction
from ipfund.web.engine_door import default_policy, policy_by_id, policy_validity

from .models import ApplicationRound, InterpretationChoice

ONLY_ADMIN = "只有管理员可以设置申报批次和政策解释。"
ROUND_DATES = "截止时间必须晚于开始时间。"
ROUND_ITEMS_EMPTY = "请至少选择一个申报项目。"
ROUND_UNKNOWN_ITEM = "《{title}》没有申报项目：{item}。"
ROUND_UNKNOWN_POLICY = "未安装的政策：{policy}。"
ROUND_NAME_REQUIRED = "请填写批次名称。"
UNKNOWN_INTERPRETATION = "未知的政策解释条目：{interpretation}。"
NOT_SELECTABLE = "该解释条目不可选择：{interpretation}。"
UNKNOWN_OPTION = "该解释条目没有此选项：{option}。"
REASON_REQUIRED = "请说明变更理由。"
ROUND_BEFORE_POLICY = (
    "截止时间 {closes} 早于《{title}》（{document}）的施行日期 {start}：该批次不可能受理政策有效期内的事件，不能设置。"
)


def round_snapshot(rnd: ApplicationRound) -> dict:
    return {"name": rnd.name, "opens_at": rnd.opens_at, "closes_at": rnd.closes_at, "items": rnd.items}


ROUND_RETIRED_POLICY = "《{title}》的政策包已停用，不能再设立或修改申报批次。"


def _policy(policy_id: str | None):
    if not policy_id:
        return default_policy()
    policy = policy_by_id(policy_id)
    if policy is None:
        raise ValidationError({"policy": [ROUND_UNKNOWN_POLICY.format(policy=policy_id)]})
    from ipfund.web.policylib.services import package_retired

    if package_retired(policy_id) is not None:
        raise ValidationError({"policy": [ROUND_RETIRED_POLICY.format(title=policy.title)]})
    return policy


def _validate_round(policy, name: str, opens_at: dt.datetime, closes_at: dt.datetime, items) -> list[str]:
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [ROUND_NAME_REQUIRED]
    if closes_at <= opens_at:
        errors["closes_at"] = [ROUND_DATES]
    if not items:
        errors["items"] = [ROUND_ITEMS_EMPTY]
    # An event must have happened before its claim is submitted: a round that closes before the
    # policy takes effect can admit none. (A round after the policy expired may still take late
    # claims of events inside its validity.)
    start, _end = policy_validity(policy, closes_at.date())
    if "closes_at" not in errors and closes_at.date() < start:
        errors["closes_at"] = [ROUND_BEFORE_POLICY.format(closes=closes_at.date().isoformat(), title=policy.title,
                                                          document=policy.document_number, start=start.isoformat())]
    unknown = [item for item in items if item not in policy.items]
    if unknown:
        errors["items"] = [ROUND_UNKNOWN_ITEM.format(title=policy.title, item=unknown[0])]
    if errors:
        raise ValidationError(errors)
    return [item for item in policy.items if item in set(items)]


@transaction.atomic
def round_create(
    *, actor, name: str, opens_at: dt.datetime, closes_at: dt.datetime, items, policy: str | None = None
) -> ApplicationRound:
    """A round (申报批次) of one policy (the default policy when none is named) for some of its items."""
    if not roles.has_role(actor, roles.ADMIN):
        raise PermissionDenied(ONLY_ADMIN)
    spec = _policy(policy)
    ordered = _validate_round(spec, name, opens_at, closes_at, list(items))
    rnd = ApplicationRound.objects.create(
        policy=spec.id, name=name.strip(), opens_at=opens_at, closes_at=closes_at, items=ordered
    )
    audit_record(actor=actor, action=AuditAction.ROUND_CREATE, obj=rnd, after=round_snapshot(rnd))
    return rnd


@transaction.atomic
def round_update(
    *, actor, round: ApplicationRound, name: str | None = None, opens_at=None, closes_at=None, items=None
) -> ApplicationRound:
    if not roles.has_role(actor, roles.ADMIN):
        raise PermissionDenied(ONLY_ADMIN)
    rnd = ApplicationRound.objects.select_for_update().get(pk=round.pk)
    before = round_snapshot(rnd)
    name = rnd.name if name is None else name
    opens_at = rnd.opens_at if opens_at is None else opens_at
    closes_at = rnd.closes_at if closes_at is None else closes_at
    items = rnd.items if items is None else list(items)
    rnd.items = _validate_round(_policy(rnd.policy), name, opens_at, closes_at, items)
    rnd.name, rnd.opens_at, rnd.closes_at = name.strip(), opens_at, closes_at
    rnd.save()
    audit_record(actor=actor, action=AuditAction.ROUND_UPDATE, obj=rnd, before=before, after=round_snapshot(rnd))
    return rnd


@transaction.atomic
def interpretation_choose(
    *, actor, interpretation: str, option: str, effective_from: dt.date, reason: str, policy: str | None = None
) -> InterpretationChoice:
    """Record that from ``effective_from`` the engine reads ``interpretation`` of ``policy`` (the
    default policy when none is named) as ``option``."""
    if not roles.has_role(actor, roles.ADMIN):
        raise PermissionDenied(ONLY_ADMIN)
    policy = _policy(policy)
    spec = policy.interpretations.get(interpretation)  # type: ignore[union-attr]  # (as written before types were checked (issue 23: typed later))
    if spec is None:
        raise ValidationError({"interpretation": [UNKNOWN_INTERPRETATION.format(interpretation=interpretation)]})
    if not spec.selectable:
        raise ValidationError({"interpretation": [NOT_SELECTABLE.format(interpretation=interpretation)]})
    if option not in spec.options:
        raise ValidationError({"option": [UNKNOWN_OPTION.format(option=option)]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [REASON_REQUIRED]})
    choice = InterpretationChoice.objects.create(
        policy=policy.id,  # type: ignore[union-attr]  # (as written before types were checked (issue 23: typed later))
        interpretation=interpretation,
        option=option,
        effective_from=effective_from,
        reason=reason.strip(),
        decided_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.INTERPRETATION_CHOOSE,
        obj=choice,
        after={"interpretation": interpretation, "option": option, "effective_from": effective_from, "reason": choice.reason},
    )
    return choice


def retire_refuse_open_rounds(sender, *, policy_id: str, **kwargs) -> None:
    """Receiver of policylib's package_retiring: no retiring while one of its rounds is open or not yet open."""
    from ipfund.web.policylib.services import RETIRE_OPEN_ROUNDS

    rounds = list(ApplicationRound.objects.filter(policy=policy_id, closes_at__gt=timezone.now()).order_by("opens_at"))
    if rounds:
        raise ValidationError(RETIRE_OPEN_ROUNDS.format(count=len(rounds), names="、".join(r.name for r in rounds)), code="open_rounds")
