"""Driving claims through the workflow by the services, as people would: for the demo and tests."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from dataclasses import dataclass
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum import luhn
from django.utils import timezone

from ipfund.web.accounts import roles
from ipfund.web.accounts.idgen import make_ric, make_uscc
from ipfund.web.accounts.models import APPLICANT_KINDS
from ipfund.web.accounts.role_changes import role_change_confirm, role_change_request
from ipfund.web.accounts.services import applicant_register, staff_user_create
from ipfund.web.budgets.services import budget_waive
from ipfund.web.claims.services import claim_draft_create, claim_submit, evidence_attach
from ipfund.web.engine_door import facts_to_confirm, policy_of
from ipfund.web.review.services import approval_approve, review_recommend, review_reject, review_return

from .samples import Sample

# A one-page PDF: enough for the content check and for a browser to show.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

STAFF_PASSWORDS = {
    "admin": "Admin-2026-ipfund",
    "admin2": "Admin2-2026-ipfund",  # the second administrator who confirms role changes
    "reviewer": "Review-2026-ipfund",
    "reviewer2": "Review2-2026-ipfund",
    "approver": "Approve-2026-ipfund",
    "finance": "Finance-2026-ipfund",
}
STAFF_ROLES = {
    "admin": [roles.ADMIN],
    "admin2": [roles.ADMIN],
    "reviewer": [roles.REVIEWER],
    "reviewer2": [roles.REVIEWER],
    "approver": [roles.APPROVER],
    "finance": [roles.FINANCE],
}
# The staff's real names (姓名), as an administrator records them: pages and documents show these.
STAFF_NAMES = {
    "admin": "陈立国",
    "admin2": "周海燕",
    "reviewer": "李明",
    "reviewer2": "王芳",
    "approver": "张建华",
    "finance": "刘静",
}
APPLICANT_PASSWORD = "Apply-2026-ipfund"


@dataclass
class Staff:
    admin: object
    admin2: object
    reviewer: object
    reviewer2: object
    approver: object
    finance: object


def create_staff() -> Staff:
    users = {
        name: staff_user_create(
            actor=None, username=name, password=STAFF_PASSWORDS[name], email=f"{name}@ipfund.local", roles=STAFF_ROLES[name],
            full_name=STAFF_NAMES[name],
        )
        for name in STAFF_PASSWORDS
    }
    return Staff(**users)


def no_budget(staff: Staff, *policies: str, year: int | None = None) -> None:
    """Record 不设预算 for ``policies`` in ``year`` (this year) as an administrator would, so that
    their approvals need no budget (approvals under neither a budget nor this record are refused)."""
    for policy in policies:
        budget_waive(actor=staff.admin, policy=policy, year=year or timezone.localdate().year, note="测试：据实列支，不设年度预算")


def roles_set(staff: Staff, user, role_list):
    """``user`` given exactly ``role_list`` as the platform allows it: asked for by one
    administrator, confirmed by the other (a change that only takes roles away needs no second)."""
    change = role_change_request(actor=staff.admin, user=user, roles=role_list)  # type: ignore[arg-type]  # (as written before types were checked (issue 23: typed later))
    if change.state == change.PENDING:
        role_change_confirm(actor=staff.admin2, change=change)  # type: ignore[arg-type]  # (as written before types were checked (issue 23: typed later))
    user.refresh_from_db()
    return user


_serials = itertools.count(1)

NAMES = {
    "enterprise": "肇庆{n}号新材料科技有限公司",
    "service_agency": "肇庆{n}号知识产权代理有限公司",
    "school": "肇庆高新区第{n}中学",
    "university": "肇庆{n}号理工学院",
    "institution": "肇庆{n}号检测研究院",
    "social_org": "肇庆{n}号知识产权协会",
    "person": "测试申请人{n}",
}


def _card_number(n: int) -> str:
    """A UnionPay card number (62…, 19 digits) with its Luhn check digit."""
    stem = "622202000000000" + f"{n:03d}"
    return stem + luhn.calc_check_digit(stem)


def new_applicant(kind: str, *, sme: bool = False, username: str | None = None, name: str | None = None, in_zone: bool = True):
    """A registered applicant of ``kind`` with a valid credit code or ID number."""
    assert kind in APPLICANT_KINDS
    n = next(_serials)
    number = make_ric(n) if kind == "person" else make_uscc(kind, n)
    return applicant_register(
        username=username or f"{kind}-{n}",
        password=APPLICANT_PASSWORD,
        email=f"{username or kind + '-' + str(n)}@example.cn",
        kind=kind,
        id_number=number,
        name=name or NAMES[kind].format(n=n),
        address="肇庆高新区",
        in_zone=in_zone,
        sme=sme,
        contact_name="联系人",
        contact_phone="13800138000",
        bank_name="中国工商银行肇庆分行",
        bank_account=_card_number(n),
    )


def pdf_upload(name: str = "证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def draft_from_sample(user, s: Sample, **overrides):
    facts = overrides.get("facts", s.facts)
    from ipfund.web.alliances.services import ALLIANCE_ITEMS

    if s.item in ALLIANCE_ITEMS and "facts" not in overrides:  # 二（四）: claimable after a passed review only
        from ipfund.web.alliances.demo import alliance_review_passed

        facts = {**facts, "alliance_id": alliance_review_passed(user, label=facts["alliance_id"]).reference}
    return claim_draft_create(
        actor=user, item=s.item, event_date=overrides.get("event_date", s.event_date), facts=facts,
        policy=overrides.get("policy"), idempotency_key=overrides.get("idempotency_key"),
    )


def attach_all_evidence(user, claim) -> None:
    for label in policy_of(claim).items[claim.item].evidence:
        evidence_attach(actor=user, claim=claim, requirement=label, upload=pdf_upload())


def submitted_from_sample(user, s: Sample, **overrides):
    claim = draft_from_sample(user, s, **overrides)
    attach_all_evidence(user, claim)
    return claim_submit(actor=user, claim=claim)


def advance(claim, target: str, staff: Staff):
    """From submitted to returned, rejected, recommended or approved by the usual hands."""
    if target == "returned":
        return review_return(actor=staff.reviewer, claim=claim, comment="请补充加盖公章的证明材料。")
    if target == "rejected":
        return review_reject(actor=staff.reviewer, claim=claim, reason="经核查，申报材料与事实不符。")
    claim = review_recommend(actor=staff.reviewer, claim=claim, confirmations=to_confirm(claim))
    if target == "recommended":
        return claim
    return approval_approve(actor=staff.approver, claim=claim)


def to_confirm(claim) -> list[str]:
    """The facts of a claim its reviewer must confirm: the usual hand confirms them all."""
    return [f.name for f in facts_to_confirm(policy_of(claim).items[claim.item], claim.facts)]


@contextlib.contextmanager
def clock_at(moment: dt.datetime):
    """Run the services as if it were ``moment`` (the demo replays an earlier round; tests let
    a notice period pass). Time moves on from ``moment`` as the real clock does."""
    start, real_now = timezone.now(), timezone.now
    with mock.patch("django.utils.timezone.now", lambda: moment + (real_now() - start)):
        yield


def publish_and_finalize(staff: Staff, claims=None):
    """Publish the approved claims (all, or ``claims``) and close the notice once its period has
    passed: the awards become final, ready for finance. Returns the notice."""
    from ipfund.web.notices.services import notice_close, notice_publish

    notice = notice_publish(actor=staff.reviewer, claims=claims)
    with clock_at(notice.ends_at + dt.timedelta(seconds=1)):
        notice_close(actor=staff.reviewer, notice=notice)
    return notice
