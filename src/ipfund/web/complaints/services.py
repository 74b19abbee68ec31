"""Services of complaints and rights assistance: file (anyone, limited like objections), look up by
reference and query code, change status with notes and routing, link an assistance case to the
litigation claim it supported. Each change is atomic and audited."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ipfund.web.accounts import roles
from ipfund.web.audit.actions import AuditAction
from ipfund.web.audit.services import audit_record
from ipfund.web.claims.models import Claim
from ipfund.web.claims.reference import reference_next
from ipfund.web.filed import file_keep
from ipfund.web.texts import texts_check

from .models import Complaint, ComplaintStep

SERIES = "ZQGX-TS"
# The items whose claims an assistance case may be linked to (三's litigation subsidy).
LITIGATION_ITEMS = ("patent_litigation",)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed back

ONLY_STAFF = "只有初审人员和管理员可以处理举报投诉和维权援助。"
CHOOSE = "请选择{label}。"
ADDRESS_LIMIT = "同一网络地址每小时最多提交 {limit} 件举报投诉，请稍后再试。"
HOUR_LIMIT = "本小时收到的举报投诉已达 {limit} 件，请稍后再试，或直接拨打 12345 热线。"
MOVE_ILLEGAL = "“{state}”的事项不能改为“{target}”。"
ROUTE_REQUIRED = "转办时请选择转办去向。"
LINK_ONLY_ASSISTANCE = "只有维权援助事项可以关联专利侵权诉讼资助申报。"
LINK_NOT_FOUND = "找不到受理编号为 {reference} 的申报。"
LINK_NOT_LITIGATION = "申报 {reference} 不是专利侵权诉讼资助申报。"

TEXT_LIMITS = {"name": 100, "contact": 200, "respondent": 200, "right_number": 100, "route_to": 200, "public_note": 500}
# Where each state may go next.
MOVES = {
    Complaint.RECEIVED: (Complaint.ACCEPTED, Complaint.DECLINED),
    Complaint.ACCEPTED: (Complaint.ROUTED, Complaint.CLOSED),
    Complaint.ROUTED: (Complaint.ROUTED, Complaint.CLOSED),
    Complaint.CLOSED: (),
    Complaint.DECLINED: (),
}


def _require_staff(actor) -> None:
    if not (roles.has_role(actor, roles.REVIEWER) or roles.has_role(actor, roles.ADMIN)):
        raise PermissionDenied(ONLY_STAFF)


def _code_hash(reference: str, code: str) -> str:
    message = f"complaint:{reference.strip().upper()}:{code.strip().upper()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _checked_texts(fields: dict[str, tuple[str, str, bool]]) -> dict[str, str]:
    errors: dict = {}
    limits = {**TEXT_LIMITS, "description": settings.IPFUND_COMPLAINT_TEXT_MAX, "note": settings.IPFUND_COMPLAINT_TEXT_MAX}
    clean = texts_check(fields, limits, errors)
    if errors:
        raise ValidationError(errors)
    return clean


def _limits(client: str, now) -> None:
    """A rate per client address and for everyone, counted in the database (every worker sees them)."""
    hour_ago = now - timedelta(hours=1)
    per_address = settings.IPFUND_COMPLAINTS_PER_ADDRESS_PER_HOUR
    if client and Complaint.objects.filter(client_hash=client, filed_at__gte=hour_ago).count() >= per_address:
        raise ValidationError(ADDRESS_LIMIT.format(limit=per_address), code="throttled")
    per_hour = settings.IPFUND_COMPLAINTS_PER_HOUR
    if Complaint.objects.filter(filed_at__gte=hour_ago).count() >= per_hour:
        raise ValidationError(HOUR_LIMIT.format(limit=per_hour), code="throttled")


@transaction.atomic
def complaint_file(
    *, kind: str, right_type: str, description: str, right_number: str = "", respondent: str = "",
    name: str = "", contact: str = "", upload=None, client: str = "",
) -> tuple[Complaint, str]:
    """Anyone files a complaint or an assistance request; name and contact may stay empty.

    Returns the complaint and its query code (查询码), shown once: with the reference it is how the
    person follows the case, so a reference alone (a sequence number) reveals nothing."""
    errors = {}
    if kind not in Complaint.KINDS:
        errors["kind"] = [CHOOSE.format(label="事项类别")]
    if right_type not in Complaint.RIGHTS:
        errors["right_type"] = [CHOOSE.format(label="权利类型")]
    try:
        clean = _checked_texts({
            "description": ("情况说明", description, True), "right_number": ("权利编号", right_number, False),
            "respondent": ("被投诉方", respondent, False), "name": ("姓名或单位", name, False),
            "contact": ("联系方式", contact, False),
        })
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    # One lock for every filing, so the hourly counts cannot be overrun by filings at the same instant.
    reference = reference_next(SERIES, at=now)
    _limits(client, now)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    complaint = Complaint(reference=reference, lookup_hash=_code_hash(reference, code), kind=kind,
                          right_type=right_type, client_hash=client, **clean)
    if upload is not None:
        file_keep(complaint, "evidence", upload)
    try:
        complaint.save()
    except Exception:
        if complaint.evidence:
            complaint.evidence.delete(save=False)
        raise
    ComplaintStep.objects.create(complaint=complaint, state=Complaint.RECEIVED, public_note="已收到，等待受理。")
    # Who filed is personal data: the trail keeps that a complaint was filed, and its kind.
    audit_record(actor="public", action=AuditAction.COMPLAINT_FILE, obj=complaint,
                 after={"reference": reference, "kind": kind, "anonymous": complaint.anonymous})
    return complaint, code


def complaint_lookup(*, reference: str, code: str) -> Complaint | None:
    """The complaint whose reference and query code both match, or None (which one was wrong is not said)."""
    complaint = Complaint.objects.filter(reference=(reference or "").replace("\x00", "").strip().upper()).first()
    if complaint is None or not code:
        return None
    return complaint if hmac.compare_digest(complaint.lookup_hash, _code_hash(complaint.reference, code)) else None


@transaction.atomic
def complaint_update(
    *, actor, complaint: Complaint, state: str, note: str, public_note: str = "", route: str = "", route_to: str = ""
) -> Complaint:
    """Accept, decline, route (to enforcement, the court's mediation or an assistance agency) or close."""
    _require_staff(actor)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if state not in MOVES[complaint.state]:
        target = Complaint.STATES.get(state, state)
        raise ValidationError({"state": [MOVE_ILLEGAL.format(state=complaint.state_label, target=target)]})
    clean = _checked_texts({"note": ("办理说明", note, True), "public_note": ("告知投诉人的说明", public_note, False),
                            "route_to": ("承办单位名称", route_to, False)})
    if state == Complaint.ROUTED and route not in Complaint.ROUTES:
        raise ValidationError({"route": [ROUTE_REQUIRED]})
    before = {"state": complaint.state, "route": complaint.route}
    complaint.state = state
    if state == Complaint.ROUTED:
        complaint.route, complaint.route_to = route, clean["route_to"]
    complaint.save()
    ComplaintStep.objects.create(complaint=complaint, actor=actor, state=state, route=complaint.route if state == Complaint.ROUTED else "",
                                 route_to=clean["route_to"] if state == Complaint.ROUTED else "", **{k: clean[k] for k in ("note", "public_note")})
    audit_record(actor=actor, action=AuditAction.COMPLAINT_UPDATE, obj=complaint, before=before,
                 after={"state": state, "route": complaint.route, "note": clean["note"]})
    return complaint


@transaction.atomic
def complaint_link_claim(*, actor, complaint: Complaint, claim_reference: str) -> Complaint:
    """Record that this assistance case supported a litigation claim; that claim's reviewer sees it."""
    _require_staff(actor)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.kind != Complaint.ASSISTANCE:
        raise ValidationError({"claim_reference": [LINK_ONLY_ASSISTANCE]})
    reference = (claim_reference or "").replace("\x00", "").strip().upper()
    claim = Claim.objects.filter(reference=reference).first()
    if claim is None:
        raise ValidationError({"claim_reference": [LINK_NOT_FOUND.format(reference=reference or "（空）")]})
    if claim.item not in LITIGATION_ITEMS:
        raise ValidationError({"claim_reference": [LINK_NOT_LITIGATION.format(reference=reference)]})
    before = {"claim": complaint.claim_id}
    complaint.claim = claim
    complaint.save(update_fields=["claim", "updated_at"])
    audit_record(actor=actor, action=AuditAction.COMPLAINT_LINK_CLAIM, obj=complaint, before=before,
                 after={"claim": claim.pk, "claim_reference": claim.reference})
    return complaint
