"""Services of the alliance review: apply, form the panel, declare conflicts, score, decide; and the
gate that lets the secretariat claim the 二（四） subsidy only after a passed review.

Conflicts of interest are enforced like separation of duties (claims/duties.py): nobody sits on the
panel of an application from their own organisation; a member who declares a conflict is recused
and can neither score nor decide; nobody scores before declaring."""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ipfund.web.accounts import roles
from ipfund.web.accounts.selectors import applicant_of
from ipfund.web.audit.actions import AuditAction
from ipfund.web.audit.services import audit_record
from ipfund.web.claims import duties
from ipfund.web.claims.reference import reference_next
from ipfund.web.filed import file_keep
from ipfund.web.notifications.services import notification_send
from ipfund.web.texts import texts_check

from .models import CRITERIA, CRITERION_MAX, AllianceApplication, PanelMember, mean_of

SERIES = "ZQGX-LM"
# The items that pay an alliance's secretariat after a passed review (二（四） of the 2022 policy).
ALLIANCE_ITEMS = ("patent_alliance",)

ONLY_APPLICANT = "请以申报单位账户提交专利联盟评审申请。"
ONLY_ADMIN = "只有管理员可以组织评审专家组。"
CHARTER_REQUIRED = "请上传联盟章程。"
WRONG_STATE = "该申请当前为“{state}”，不能{action}。"
PANEL_TOO_SMALL = "评审专家组至少需要 {min} 名工作人员。"
PANEL_NOT_STAFF = "{name} 不是工作人员，不能担任评审专家。"
CHAIR_NOT_MEMBER = "组长须为专家组成员。"
OWN_APPLICATION = "{name} 与申请单位存在关联（本人或本单位的申请），应当回避，不能担任评审专家。"
NOT_MEMBER = "您不是该申请评审专家组的成员。"
DECLARE_FIRST = "请先作出利益冲突声明，再评分。"
RECUSED = "您已声明存在利益冲突并回避，不能评分或作出评审结论。"
ALREADY_DECLARED = "您已作出利益冲突声明。"
CONFLICT_NOTE = "声明存在利益冲突时，请说明情况。"
SCORE_RANGE = "{label}的评分应为 0 至 {max} 的整数。"
NOT_CHAIR = "只有专家组组长可以作出评审结论。"
NOT_ALL_SCORED = "还有 {count} 名专家未声明或未评分，全部完成后才能作出结论。"
TOO_FEW_SCORES = "有效评分的专家不足 {min} 名（回避的专家不计），请管理员补充专家。"
BELOW_PASS = "平均分 {mean} 低于通过分数 {pass_score}，不能作出“通过”的结论。"
DOCUMENT_REQUIRED = "请上传评审结论文件。"
CLAIM_NO_REVIEW = "专利联盟秘书处工作经费补贴须经主管部门组织评审通过：联盟编号 {id} 没有本单位评审通过的记录（先在“专利联盟评审”提交申请）。"
PANEL_NOTE = "您被选为专利联盟评审 {reference}「{name}」的评审专家{chair}，请先作出利益冲突声明后评分。"
DECIDED_NOTE = "您的专利联盟评审申请 {reference}「{name}」{result}。"

LIMITS = {"alliance_name": 200, "industry": 200, "members": 4000, "description": 4000, "note": 2000,
          "decision_number": 100, "comment": 2000}


def _texts(fields: dict[str, tuple[str, str, bool]]) -> dict[str, str]:
    errors: dict = {}
    clean = texts_check(fields, LIMITS, errors)
    if errors:
        raise ValidationError(errors)
    return clean


def _lock(application) -> AllianceApplication:
    return AllianceApplication.objects.select_for_update().select_related("applicant").get(pk=application.pk)


def _member(application, actor) -> PanelMember:
    member = PanelMember.objects.select_for_update().filter(application=application, user=actor).first()
    if member is None:
        raise PermissionDenied(NOT_MEMBER)
    return member


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def alliance_apply(*, actor, alliance_name: str, industry: str, members: str, description: str, charter) -> AllianceApplication:
    """The alliance's secretariat (an applicant of the platform) asks the bureau for the review."""
    profile = applicant_of(actor)
    if profile is None:
        raise PermissionDenied(ONLY_APPLICANT)
    clean = _texts({"alliance_name": ("联盟名称", alliance_name, True), "industry": ("产业领域", industry, True),
                    "members": ("成员单位", members, True), "description": ("联盟简介与工作基础", description, True)})
    if charter is None:
        raise ValidationError({"charter": [CHARTER_REQUIRED]})
    application = AllianceApplication(reference=reference_next(SERIES), applicant=profile, **clean)
    file_keep(application, "charter", charter)
    application.save()
    audit_record(actor=actor, action=AuditAction.ALLIANCE_APPLY, obj=application,
                 after={"reference": application.reference, "alliance_name": application.alliance_name})
    return application


@transaction.atomic
def alliance_panel_form(*, actor, application: AllianceApplication, members: list, chair) -> AllianceApplication:
    """The bureau names the panel (or changes it before the decision); retained members keep their
    declarations and scores."""
    if not roles.has_role(actor, roles.ADMIN):
        raise PermissionDenied(ONLY_ADMIN)
    application = _lock(application)
    if application.state not in (AllianceApplication.SUBMITTED, AllianceApplication.PANEL):
        raise ValidationError(WRONG_STATE.format(state=application.state_label, action="组织评审"), code="state")
    members = list({m.pk: m for m in members}.values())
    errors = []
    if len(members) < settings.IPFUND_ALLIANCE_PANEL_MIN:
        errors.append(PANEL_TOO_SMALL.format(min=settings.IPFUND_ALLIANCE_PANEL_MIN))
    for user in members:
        if not roles.is_staff_member(user):
            errors.append(PANEL_NOT_STAFF.format(name=_person(user)))
        elif duties.is_own_claim(user, application):
            errors.append(OWN_APPLICATION.format(name=_person(user)))
    if chair is None or chair.pk not in {m.pk for m in members}:
        errors.append(CHAIR_NOT_MEMBER)
    if errors:
        raise ValidationError({"members": errors})
    before = list(application.panel.values_list("user_id", "is_chair"))
    application.panel.exclude(user__in=members).delete()
    for user in members:
        member, created = PanelMember.objects.get_or_create(application=application, user=user)
        if member.is_chair != (user.pk == chair.pk):
            member.is_chair = user.pk == chair.pk
            member.save(update_fields=["is_chair"])
        if created:
            chair_text = "（组长）" if member.is_chair else ""
            notification_send(user=user, message=PANEL_NOTE.format(
                reference=application.reference, name=application.alliance_name, chair=chair_text))
    application.state = AllianceApplication.PANEL
    application.panel_formed_by, application.panel_formed_at = actor, timezone.now()
    application.save()
    audit_record(actor=actor, action=AuditAction.ALLIANCE_PANEL_FORM, obj=application, before={"panel": before},
                 after={"panel": [(m.pk, m.pk == chair.pk) for m in members]})
    return application


@transaction.atomic
def alliance_declare(*, actor, application: AllianceApplication, conflict: bool, note: str = "") -> PanelMember:
    """A member declares, once, whether they have a conflict of interest with the applicant."""
    application = _lock(application)
    if application.state != AllianceApplication.PANEL:
        raise ValidationError(WRONG_STATE.format(state=application.state_label, action="声明"), code="state")
    member = _member(application, actor)
    if member.declaration != PanelMember.PENDING:
        raise ValidationError(ALREADY_DECLARED, code="declared")
    clean = _texts({"note": ("说明", note, False)})
    if conflict and not clean["note"]:
        raise ValidationError({"note": [CONFLICT_NOTE]})
    member.declaration = PanelMember.CONFLICT if conflict else PanelMember.CLEAR
    member.declaration_note, member.declared_at = clean["note"], timezone.now()
    member.save()
    audit_record(actor=actor, action=AuditAction.ALLIANCE_DECLARE, obj=application,
                 after={"member": actor.pk, "declaration": member.declaration, "note": member.declaration_note})
    return member


@transaction.atomic
def alliance_score(*, actor, application: AllianceApplication, scores: dict[str, int], comment: str = "") -> PanelMember:
    """A member who declared no conflict scores each criterion (0–25); a score may be changed until the decision."""
    application = _lock(application)
    if application.state != AllianceApplication.PANEL:
        raise ValidationError(WRONG_STATE.format(state=application.state_label, action="评分"), code="state")
    member = _member(application, actor)
    if member.declaration == PanelMember.PENDING:
        raise PermissionDenied(DECLARE_FIRST)
    if member.declaration == PanelMember.CONFLICT:
        raise PermissionDenied(RECUSED)
    errors = {}
    for field, label in CRITERIA.items():
        value = scores.get(field)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= CRITERION_MAX:
            errors[field] = [SCORE_RANGE.format(label=label, max=CRITERION_MAX)]
    if errors:
        raise ValidationError(errors)
    clean = _texts({"comment": ("评审意见", comment, True)})
    before = {"total": member.total}
    for field in CRITERIA:
        setattr(member, field, scores[field])
    member.comment, member.scored_at = clean["comment"], timezone.now()
    member.save()
    audit_record(actor=actor, action=AuditAction.ALLIANCE_SCORE, obj=application, before=before,
                 after={"member": actor.pk, **{f: scores[f] for f in CRITERIA}, "total": member.total})
    return member


@transaction.atomic
def alliance_decide(
    *, actor, application: AllianceApplication, passed: bool, note: str, decision_number: str, document
) -> AllianceApplication:
    """The chair records the panel's conclusion with its document, once every member has declared and
    every member not recused has scored; a pass needs the mean score to reach the pass mark."""
    application = _lock(application)
    if application.state != AllianceApplication.PANEL:
        raise ValidationError(WRONG_STATE.format(state=application.state_label, action="作出结论"), code="state")
    member = _member(application, actor)
    if not member.is_chair:
        raise PermissionDenied(NOT_CHAIR)
    if member.declaration == PanelMember.CONFLICT:
        raise PermissionDenied(RECUSED)
    panel = list(application.panel.all())
    waiting = [m for m in panel if m.declaration == PanelMember.PENDING
               or (m.declaration == PanelMember.CLEAR and m.scored_at is None)]
    if waiting:
        raise ValidationError(NOT_ALL_SCORED.format(count=len(waiting)), code="waiting")
    totals = [m.total for m in panel if m.declaration == PanelMember.CLEAR]
    if len(totals) < settings.IPFUND_ALLIANCE_PANEL_MIN:
        raise ValidationError(TOO_FEW_SCORES.format(min=settings.IPFUND_ALLIANCE_PANEL_MIN), code="too_few")
    mean = mean_of(totals)
    errors = {}
    if passed and mean < settings.IPFUND_ALLIANCE_PASS_SCORE:
        errors["passed"] = [BELOW_PASS.format(mean=mean, pass_score=settings.IPFUND_ALLIANCE_PASS_SCORE)]
    try:
        clean = _texts({"note": ("评审结论意见", note, True), "decision_number": ("结论文件文号", decision_number, True)})
    except ValidationError as exc:
        errors.update(exc.error_dict)
        clean = {}
    if document is None:
        errors["document"] = [DOCUMENT_REQUIRED]
    if errors:
        raise ValidationError(errors)
    file_keep(application, "decision_document", document, form_field="document")
    application.state = AllianceApplication.PASSED if passed else AllianceApplication.FAILED
    application.mean_score, application.decision_note = mean, clean["note"]
    application.decision_number = clean["decision_number"]
    application.decided_by, application.decided_at = actor, timezone.now()
    application.save()
    notification_send(user=application.applicant.user, message=DECIDED_NOTE.format(
        reference=application.reference, name=application.alliance_name,
        result="评审通过，可申报专利联盟秘书处工作经费补贴" if passed else "评审未通过"))
    audit_record(actor=actor, action=AuditAction.ALLIANCE_DECIDE, obj=application, before={"state": AllianceApplication.PANEL},
                 after={"state": application.state, "mean_score": mean, "decision_number": application.decision_number,
                        "scores": len(totals)})
    return application


def _normal(text: str) -> str:
    """An identifier as the engine compares it: NFKC (full-width becomes half-width), no spaces, upper case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()


def alliance_review_of(claim, facts: dict | None = None) -> AllianceApplication | None:
    """The passed review a claim of an alliance item rests on: the claim's 联盟编号 is the review's
    reference, and the review is its own applicant's."""
    if claim.item not in ALLIANCE_ITEMS:
        return None
    alliance_id = _normal(str(((claim.facts if facts is None else facts) or {}).get("alliance_id", "")))
    return AllianceApplication.objects.filter(
        reference=alliance_id, applicant_id=claim.applicant_id, state=AllianceApplication.PASSED
    ).first()


def alliance_claim_submitting(sender, *, claim, **kwargs) -> None:
    """Receiver of claims' claim_submitting (connected in AlliancesConfig.ready)."""
    alliance_claim_gate(claim)


def alliance_claim_gate(claim, facts: dict | None = None) -> None:
    """Called by claim_submit and by the reviewer's recommendation (with the facts as confirmed): an
    alliance item is claimable only on a passed review of this applicant."""
    if claim.item in ALLIANCE_ITEMS and alliance_review_of(claim, facts) is None:
        alliance_id = str(((claim.facts if facts is None else facts) or {}).get("alliance_id", "")).strip() or "（空）"
        raise ValidationError(CLAIM_NO_REVIEW.format(id=alliance_id), code="alliance_not_reviewed")
