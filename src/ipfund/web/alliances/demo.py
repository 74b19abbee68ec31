"""Passed alliance reviews for the demo and the tests' sample claims: the review is run by the
services, as the bureau would (apply, panel, declarations, scores, the chair's decision), so a
sample claim of an alliance item carries the 联盟编号 of a real passed review."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.exceptions import ImproperlyConfigured

from ipfund.web.accounts import roles
from ipfund.web.accounts.models import User
from ipfund.web.accounts.selectors import applicant_of
from ipfund.web.claims import duties

from . import services
from .models import CRITERIA, AllianceApplication

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
NO_STAFF = "运行专利联盟评审需要一名管理员和至少 {min} 名其他工作人员（先创建工作人员）。"


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def alliance_review_passed(user, *, label: str) -> AllianceApplication:
    """``user``'s alliance ``label`` reviewed and passed (the same review again for the same label)."""
    from django.conf import settings

    profile = applicant_of(user)
    name = f"肇庆高新区{label}专利联盟"
    done = AllianceApplication.objects.filter(applicant=profile, alliance_name=name, state=AllianceApplication.PASSED).first()
    if done is not None:
        return done
    application = services.alliance_apply(
        actor=user, alliance_name=name, industry="新材料", members=f"{profile.name}\n肇庆高新区新材料产业协会",
        description="联盟由区内龙头企业牵头组建，设秘书处，开展专利池构建与协同运用。", charter=_pdf("章程.pdf"),
    )
    staff = [u for u in User.objects.filter(is_active=True).order_by("pk") if roles.is_staff_member(u)]
    admin = next((u for u in staff if roles.has_role(u, roles.ADMIN)), None)
    experts = [u for u in staff if u != admin and not duties.is_own_claim(u, application)][: settings.IPFUND_ALLIANCE_PANEL_MIN]
    if admin is None or len(experts) < settings.IPFUND_ALLIANCE_PANEL_MIN:
        raise ImproperlyConfigured(NO_STAFF.format(min=settings.IPFUND_ALLIANCE_PANEL_MIN))
    services.alliance_panel_form(actor=admin, application=application, members=experts, chair=experts[0])
    for expert in experts:
        services.alliance_declare(actor=expert, application=application, conflict=False)
        services.alliance_score(actor=expert, application=application, scores={f: 20 for f in CRITERIA},
                                comment="组建规范，运行良好，建议通过。")
    return services.alliance_decide(actor=experts[0], application=application, passed=True, note="专家组评审通过。",
                                     decision_number=f"肇高知评〔{application.reference[-11:-7]}〕{application.pk}号",
                                     document=_pdf("评审结论.pdf"))
