"""Notice services: publish approved awards, file and resolve objections, close the notice."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ipfund.web.accounts import roles
from ipfund.web.audit.services import audit_record
from ipfund.web.audit.actions import AuditAction
from ipfund.web.claims import duties
from ipfund.web.claims.models import Claim
from ipfund.web.claims.reference import OBJECTION, reference_next
from ipfund.web.claims.services import claim_lock, claim_transition
from ipfund.web.claims.workflow import Action, State
from ipfund.web.ledger.services import award_revoke
from ipfund.web.masking import mask_person_name
from ipfund.web.engine_door import policy_of
from ipfund.web.uploads import check_upload

from .models import Notice, NoticeEntry, Objection

ONLY_REVIEWER = "只有初审人员可以发布公示和处理异议。"
NOTHING_TO_PUBLISH = "没有待公示的审定通过申报。"
NOT_APPROVED = "只能公示审定通过的申报：{id} 当前状态为“{state}”。"
PERIOD_INVALID = "公示期应为 1 至 60 天。"
OBJECTION_PERIOD_OVER = "公示期已结束，不再受理异议。"
OBJECTION_FIELDS = "请填写{label}。"
OBJECTION_RESOLVED = "该异议已处理。"
RESOLUTION_REQUIRED = "请填写处理意见。"
NOTICE_PERIOD_NOT_OVER = "公示期至 {ends} 结束，期满后才能结束公示。"
NOTICE_OPEN_OBJECTIONS = "还有 {count} 件异议未处理，处理完毕后才能结束公示。"
NOTICE_CLOSED = "该公示已结束。"
NOTICE_TITLE = "知识产权专项资金拟资助名单公示（{date}）"
NOTICE_TITLE_ROUNDS = "{rounds}知识产权专项资金拟资助名单公示（{date}）"
OBJECTION_TOO_LONG = "{label}不能超过 {limit} 个字。"
OBJECTION_ALREADY_OPEN = "您对该项资助的异议正在处理中，请勿重复提交。"
OBJECTION_ADDRESS_LIMIT = "同一网络地址每小时最多提交 {limit} 件异议，请稍后再试。"
OBJECTION_NOTICE_LIMIT = "该公示本小时收到的异议已达 {limit} 件，请稍后再试，或直接与实施单位联系。"
OBJECTION_LIMITS = {"name": 100, "contact": 200}
# Who closes a notice at the end of its period when no reviewer did (the audit trail's own label).
SYSTEM = "system"


def _require_reviewer(actor) -> None:
    if not roles.has_role(actor, roles.REVIEWER):
        raise PermissionDenied(ONLY_REVIEWER)


def _entry_for(claim: Claim) -> NoticeEntry:
    item = policy_of(claim).items[claim.item]
    profile = claim.applicant
    recipient = mask_person_name(profile.name) if profile.is_person else profile.name
    return NoticeEntry(  # type: ignore[misc]  # (an Optional not checked here, as before (issue 23: typed later))
        claim=claim, recipient=recipient, item_title=item.title, citation=item.clause, amount=claim.approved_amount
    )


def _automatic_title(pks: list[int], now) -> str:
    """The title a notice gets when none is typed: the names of its rounds, and the date."""
    names = list(dict.fromkeys(
        Claim.objects.filter(pk__in=pks, round__isnull=False).order_by("round__opens_at").values_list("round__name", flat=True)
    ))
    date = timezone.localdate(now).isoformat()
    return NOTICE_TITLE_ROUNDS.format(rounds="、".join(names), date=date) if names else NOTICE_TITLE.format(date=date)


@transaction.atomic
def notice_publish(*, actor, claims=None, title: str = "", period_days: int | None = None) -> Notice:
    """Publish approved awards (all of them, or the given claims) for the notice period."""
    _require_reviewer(actor)
    period_days = settings.IPFUND_NOTICE_DAYS if period_days is None else int(period_days)
    if not 1 <= period_days <= 60:
        raise ValidationError({"period_days": [PERIOD_INVALID]})
    if claims is None:
        pks = list(Claim.objects.filter(state=State.APPROVED).order_by("id").values_list("pk", flat=True))
    else:
        pks = sorted(c.pk if isinstance(c, Claim) else int(c) for c in claims)
    if not pks:
        raise ValidationError(NOTHING_TO_PUBLISH, code="nothing_to_publish")
    now = timezone.now()
    notice = Notice.objects.create(
        title=(title or "").strip() or _automatic_title(pks, now),
        published_at=now,
        ends_at=now + timedelta(days=period_days),
        period_days=period_days,
        published_by=actor,
    )
    for pk in pks:
        claim = claim_lock(pk)
        if claim.state != State.APPROVED:
            raise ValidationError(NOT_APPROVED.format(id=claim.number, state=claim.state_label), code="not_approved")
        entry = _entry_for(claim)
        entry.notice = notice
        entry.save()
        claim_transition(actor=actor, claim=claim, action=Action.PUBLISH)
    audit_record(
        actor=actor,
        action=AuditAction.NOTICE_PUBLISH,
        obj=notice,
        after={"title": notice.title, "ends_at": notice.ends_at, "claims": pks},
    )
    return notice


def _objection_text_errors(name: str, contact: str, reason: str) -> dict:
    errors = {}
    limits = {**OBJECTION_LIMITS, "reason": settings.IPFUND_OBJECTION_REASON_MAX}
    for field, label, value in (("name", "姓名", name), ("contact", "联系方式", contact), ("reason", "异议理由", reason)):
        value = (value or "").strip()
        if not value:
            errors[field] = [OBJECTION_FIELDS.format(label=label)]
        elif len(value) > limits[field]:
            errors[field] = [OBJECTION_TOO_LONG.format(label=label, limit=limits[field])]
    return errors


def _contact_key(contact: str) -> str:
    return "".join(contact.split()).lower()


def _objection_limits(*, entry: NoticeEntry, notice: Notice, contact: str, client: str, now) -> None:
    """At most one open objection per contact per award; a rate per client address and per notice.

    Counted in the database under the notice's row lock, so every worker sees the same counts.
    """
    # read through the rows: an encrypted contact opens only at its own row
    open_same = (o.contact for o in Objection.objects.filter(entry=entry, state=Objection.OPEN).only("id", "contact"))
    if any(_contact_key(c) == _contact_key(contact) for c in open_same):
        raise ValidationError({"contact": [OBJECTION_ALREADY_OPEN]})
    hour_ago = now - timedelta(hours=1)
    per_address = settings.IPFUND_OBJECTIONS_PER_ADDRESS_PER_HOUR
    if client and Objection.objects.filter(client_hash=client, filed_at__gte=hour_ago).count() >= per_address:
        raise ValidationError(OBJECTION_ADDRESS_LIMIT.format(limit=per_address), code="throttled")
    per_notice = settings.IPFUND_OBJECTIONS_PER_NOTICE_PER_HOUR
    if Objection.objects.filter(entry__notice=notice, filed_at__gte=hour_ago).count() >= per_notice:
        raise ValidationError(OBJECTION_NOTICE_LIMIT.format(limit=per_notice), code="throttled")


@transaction.atomic
def objection_file(*, entry: NoticeEntry, name: str, contact: str, reason: str, upload=None, client: str = "") -> Objection:
    """Anyone, without an account, objects to one award during the notice period.

    ``client`` is the keyed hash of the sender's address (throttle.client_hash), for the limits.
    """
    errors = _objection_text_errors(name, contact, reason)
    if errors:
        raise ValidationError(errors)
    notice = Notice.objects.select_for_update().get(pk=entry.notice_id)
    now = timezone.now()
    if not notice.in_period(now):
        raise ValidationError(OBJECTION_PERIOD_OVER, code="period_over")
    _objection_limits(entry=entry, notice=notice, contact=contact.strip(), client=client, now=now)
    objection = Objection(
        entry=entry,
        name=name.strip(),
        contact=contact.strip(),
        reason=reason.strip(),
        client_hash=client,
        reference=reference_next(OBJECTION, at=now),
    )
    if upload is not None:
        checked = check_upload(upload, field="evidence")
        objection.evidence_content_type = checked.content_type
        objection.evidence.save("upload", upload, save=False)
    try:
        objection.save()
    except Exception:
        if objection.evidence:
            objection.evidence.delete(save=False)
        raise
    # The objector's contact is personal data: the trail keeps that an objection was filed.
    audit_record(
        actor="public",
        action=AuditAction.OBJECTION_FILE,
        obj=objection,
        after={"entry": entry.pk, "claim": entry.claim_id, "reference": objection.reference},
    )
    return objection


@transaction.atomic
def objection_resolve(*, actor, objection: Objection, upheld: bool, resolution: str) -> Objection:
    """Upheld revokes the award through the ledger (a reversing entry); dismissed keeps it."""
    _require_reviewer(actor)
    if not (resolution or "").strip():
        raise ValidationError({"resolution": [RESOLUTION_REQUIRED]})
    objection = Objection.objects.select_for_update().select_related("entry__claim__applicant").get(pk=objection.pk)
    duties.check_may_resolve_objection(actor, objection.entry.claim)
    if objection.state != Objection.OPEN:
        raise ValidationError(OBJECTION_RESOLVED, code="resolved")
    objection.state = Objection.UPHELD if upheld else Objection.DISMISSED
    objection.resolution = resolution.strip()
    objection.resolved_by = actor
    objection.resolved_at = timezone.now()
    objection.save()
    if upheld:
        claim = claim_lock(objection.entry.claim_id)
        if claim.state == State.IN_NOTICE:  # a second upheld objection finds it revoked already
            award_revoke(actor=actor, claim=claim, reason=objection.resolution)
            claim_transition(
                actor=actor, claim=claim, action=Action.REVOKE, note=objection.resolution, decision_reason=objection.resolution
            )
    audit_record(
        actor=actor,
        action=AuditAction.OBJECTION_RESOLVE,
        obj=objection,
        before={"state": Objection.OPEN},
        after={"state": objection.state, "resolution": objection.resolution},
    )
    return objection


@transaction.atomic
def notice_close(*, actor, notice: Notice) -> Notice:
    """After the period, with no open objection, the awards still standing become final."""
    _require_reviewer(actor)
    return _close(actor=actor, notice=notice)


def _close(*, actor, notice: Notice) -> Notice:
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.state != Notice.OPEN:
        raise ValidationError(NOTICE_CLOSED, code="closed")
    now = timezone.now()
    if now < notice.ends_at:
        ends = timezone.localtime(notice.ends_at).strftime("%Y-%m-%d %H:%M")
        raise ValidationError(NOTICE_PERIOD_NOT_OVER.format(ends=ends), code="period_not_over")
    open_count = Objection.objects.filter(entry__notice=notice, state=Objection.OPEN).count()
    if open_count:
        raise ValidationError(NOTICE_OPEN_OBJECTIONS.format(count=open_count), code="open_objections")
    for claim_id in notice.entries.values_list("claim_id", flat=True):
        claim = claim_lock(claim_id)
        if claim.state == State.IN_NOTICE:
            claim_transition(actor=actor, claim=claim, action=Action.FINALIZE)
    notice.state, notice.closed_at = Notice.CLOSED, now
    notice.save()
    audit_record(actor=actor, action=AuditAction.NOTICE_CLOSE, obj=notice, after={"state": notice.state})
    return notice


def notices_close_due() -> tuple[list[Notice], list[tuple[Notice, str]]]:
    """Close, as the system, every open notice whose period has ended — exactly as a reviewer's
    close does (the awards still standing become final). A notice with open objections stays open
    until they are resolved; it comes back with the reason. Run by the housekeeping (hourly) and
    by `ipfund manage close_notices`."""
    closed: list[Notice] = []
    waiting: list[tuple[Notice, str]] = []
    due = Notice.objects.filter(state=Notice.OPEN, ends_at__lte=timezone.now()).order_by("ends_at", "id")
    for notice in due:
        try:
            with transaction.atomic():
                closed.append(_close(actor=SYSTEM, notice=notice))
        except ValidationError as exc:
            waiting.append((notice, "；".join(exc.messages)))
    return closed, waiting
