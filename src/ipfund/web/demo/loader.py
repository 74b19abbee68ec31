"""Load the demo data set through the services, replaying a year of the fund's work.

Round one (August 2026) is replayed with the clock set back: claims submitted, reviewed,
approved, published, objected to, closed, paid. Round two is open now, with claims in every
earlier state. Everything goes through the same services the pages call, so the audit chain,
ledger and notifications of the demo are real.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import ROUND_UP, Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ipfund.web.accounts.models import User
from ipfund.web.budgets.models import Budget
from ipfund.web.budgets.selectors import committed as budget_committed
from ipfund.web.budgets.services import budget_set
from ipfund.web.claims.models import Claim
from ipfund.web.claims.services import claim_withdraw
from ipfund.web.notices.services import notice_close, notice_publish, objection_file, objection_resolve
from ipfund.web.payments.services import payment_fail, payment_record
from ipfund.web.engine_door import default_policy
from ipfund.web.review.services import approval_approve, review_recommend, review_reject, review_return
from ipfund.web.rounds.services import round_create

from . import flow
from .samples import sample

TZ = ZoneInfo("Asia/Shanghai")
ALREADY_LOADED = "数据库中已有用户，演示数据未重复载入。"

APPLICANTS = [  # (kind, sme, username or None, name or None)
    ("enterprise", True, "applicant", "肇庆高新区星辰新材料科技有限公司"),
    ("enterprise", True, None, "肇庆市鼎泰智能装备有限公司"),
    ("enterprise", False, None, "广东肇庆华鑫电子股份有限公司"),
    ("enterprise", True, None, "肇庆高新区蓝海生物科技有限公司"),
    ("enterprise", False, None, "肇庆宏远汽车零部件有限公司"),
    ("enterprise", True, None, "肇庆绿源环保科技有限公司"),
    ("service_agency", False, None, "肇庆知联知识产权代理有限公司"),
    ("service_agency", True, None, "广东鼎信知识产权服务有限公司肇庆分公司"),
    ("service_agency", False, None, "肇庆智权专利事务所"),
    ("service_agency", False, None, "国知（肇庆）知识产权运营有限公司"),
    ("school", False, None, "肇庆高新区第一中学"),
    ("school", False, None, "肇庆高新区大旺小学"),
    ("university", False, None, "肇庆理工职业学院"),
    ("university", False, None, "广东肇庆科技大学"),
    ("institution", False, None, "肇庆市产品质量检测研究院"),
    ("institution", False, None, "肇庆高新区创新发展研究中心"),
    ("social_org", False, None, "肇庆高新区知识产权协会"),
    ("social_org", False, None, "肇庆新能源汽车专利联盟"),
    ("person", False, None, "陈志明"),
    ("person", False, None, "林晓雨"),
    ("person", False, None, "黄嘉怡"),
    ("person", False, None, "周国栋"),
]

# Round two: the state each claim is left in, cycled over the items.
ROUND_TWO_TARGETS = ["draft", "submitted", "returned", "recommended", "approved", "in_notice", "rejected", "withdrawn",
                     "submitted", "recommended", "in_notice", "draft"]


@dataclass
class DemoSummary:
    staff_passwords: dict[str, str]
    applicant_password: str
    applicants: int = 0
    claims: int = 0
    states: dict[str, int] = field(default_factory=dict)


def _at(y, m, d, h=10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=TZ)


class _Applicants:
    def __init__(self):
        self.by_kind: dict[str, list] = {}
        for kind, sme, username, name in APPLICANTS:
            user = flow.new_applicant(kind, sme=sme, username=username, name=name)
            self.by_kind.setdefault(kind, []).append(user)
        self._cycles: dict[tuple[str, bool], itertools.cycle] = {}

    def next(self, kind: str, sme: bool):
        """Applicants of ``kind`` in turn (only SMEs when the item needs one)."""
        key = (kind, sme)
        if key not in self._cycles:
            self._cycles[key] = itertools.cycle([u for u in self.by_kind[kind] if u.applicant.sme or not sme])
        return next(self._cycles[key])


def _drive(claim, target: str, staff: flow.Staff):
    """Take a submitted claim to ``target`` (up to approved); a claim the engine refuses (a
    duplicate of an earlier award, say) is rejected instead, as a reviewer would."""
    if target in ("submitted",):
        return claim
    if target == "returned":
        return review_return(actor=staff.reviewer, claim=claim, comment="请补充加盖公章的费用发票复印件。")
    if target == "rejected":
        return review_reject(actor=staff.reviewer2, claim=claim, reason="经核查，申报事项不在本政策资助范围。")
    if target == "withdrawn":
        return claim_withdraw(actor=claim.applicant.user, claim=claim)
    try:
        claim = review_recommend(actor=staff.reviewer, claim=claim)
    except ValidationError as exc:
        return review_reject(actor=staff.reviewer, claim=claim, reason=exc.messages[0])
    if target == "recommended":
        return claim
    try:
        return approval_approve(actor=staff.approver, claim=claim)
    except ValidationError:
        return claim


DRAFT_BUDGET = Decimal("5000000")


@transaction.atomic
def _demo_budget(staff, policy_id: str) -> None:
    """This year's budget, set so that what the demo approved uses about 85% of it (the 预警 shows)."""
    year = timezone.localdate().year
    used = budget_committed(Budget(policy=policy_id, year=year))
    if used > 0:
        amount = (used / Decimal("0.85") / 1000).to_integral_value(rounding=ROUND_UP) * 1000
        budget_set(actor=staff.admin, policy=policy_id, year=year, amount=amount, note="演示数据：区财政年度预算")


# What `ipfund serve --demo` and `ipfund demo` print (and the waiting page shows) while loading.
STEPS = [
    "创建工作人员账号和 22 个申报主体",
    "第一批（2026年8月）：提交申报",
    "第一批：初审、审定",
    "第一批：公示、异议处理、公示期满",
    "第一批：资金拨付",
    "第二批（正在申报）：各环节的申报",
    "设定年度预算",
]


def load_demo(progress=None) -> DemoSummary:
    """Load the demo; ``progress(n, total, step)`` is told of each of the STEPS as it begins."""
    if User.objects.exists():
        raise ValidationError(ALREADY_LOADED)
    steps = iter(range(1, len(STEPS) + 1))

    def step() -> None:
        n = next(steps)
        if progress is not None:
            progress(n, len(STEPS), STEPS[n - 1])
    policy = default_policy()
    items = list(policy.items)
    variants = itertools.count(0)
    claims = []
    this_year = timezone.localdate().year

    step()
    with flow.clock_at(_at(2026, 7, 20)):
        staff = flow.create_staff()
        # Approvals need a budget (or a recorded 不设预算): the years the demo approves in get one
        # before any approval; this year's is set to what was approved at the end (_demo_budget).
        for year in sorted({2026, this_year}):
            budget_set(actor=staff.admin, policy=policy.id, year=year, amount=DRAFT_BUDGET, note="演示数据：区财政年度预算（年初预算）")
        people = _Applicants()
        round_create(actor=staff.admin, policy=policy.id, name="2026年第一批", opens_at=_at(2026, 8, 1, 0), closes_at=_at(2026, 9, 1, 0), items=items)

    # Round one: every item claimed once and decided; most approved and published.
    step()
    with flow.clock_at(_at(2026, 8, 10)):
        round_one = []
        for item in items:
            s = sample(item, next(variants))
            user = people.next(s.kind, s.sme)
            round_one.append(flow.submitted_from_sample(user, s))
    step()
    with flow.clock_at(_at(2026, 8, 18)):
        for i, claim in enumerate(round_one):
            target = "rejected" if i in (4, 13) else ("withdrawn" if i == 9 else "approved")
            if target == "withdrawn":
                claim = claim_withdraw(actor=claim.applicant.user, claim=claim)
            else:
                claim = _drive(claim, target, staff)
            claims.append(claim)
    step()
    with flow.clock_at(_at(2026, 8, 20)):
        notice = notice_publish(actor=staff.reviewer, title="2026年第一批知识产权专项资金拟资助名单公示")
        entries = list(notice.entries.order_by("id"))
        upheld = objection_file(entry=entries[0], name="张先生", contact="13712345678", reason="该奖项实际获奖单位并非申报单位。",
                                upload=flow.pdf_upload("获奖名单.pdf"))
        dismissed = objection_file(entry=entries[1], name="李女士", contact="li@example.cn", reason="怀疑该单位重复申报。")
    with flow.clock_at(_at(2026, 8, 25)):
        objection_resolve(actor=staff.reviewer2, objection=upheld, upheld=True, resolution="经向发奖单位核实，异议成立，撤销资助。")
        objection_resolve(actor=staff.reviewer2, objection=dismissed, upheld=False, resolution="经核查未重复申报，异议不成立。")
    with flow.clock_at(_at(2026, 8, 28)):
        notice_close(actor=staff.reviewer, notice=notice)
    step()
    with flow.clock_at(_at(2026, 9, 5)):
        finals = [e.claim for e in notice.entries.select_related("claim").order_by("id") if e.claim.state == "final"]
        for i, claim in enumerate(finals):
            if i % 4 == 3:
                continue  # left for finance: final, not yet paid
            if i % 5 == 2:
                payment_fail(actor=staff.finance, claim=claim, reason="收款账户已销户，请申报单位更新银行账户。")
            else:
                payment_record(actor=staff.finance, claim=claim, paid_on=dt.date(2026, 9, 5), reference=f"GX-ZF-2026-{claim.pk:04d}")

    # Round two, open now: claims in every earlier state.
    step()
    now = timezone.now()
    round_create(actor=staff.admin, policy=policy.id, name="2026年第二批", opens_at=now - dt.timedelta(days=20), closes_at=now + dt.timedelta(days=38), items=items)
    targets = itertools.cycle(ROUND_TWO_TARGETS)
    pending = []
    for item in items + items:
        s = sample(item, next(variants))
        user = people.next(s.kind, s.sme)
        target = next(targets)
        if target == "draft":
            claim = flow.draft_from_sample(user, s)
            flow.attach_all_evidence(user, claim)
            claims.append(claim)
            continue
        pending.append((_drive(flow.submitted_from_sample(user, s), "approved" if target == "in_notice" else target, staff), target))
    if any(c.state == "approved" for c, t in pending if t == "in_notice"):
        notice_publish(actor=staff.reviewer, claims=[c for c, t in pending if t == "in_notice" and c.state == "approved"],
                       title="2026年第二批知识产权专项资金拟资助名单公示（第一期）")
    claims += [c for c, _ in pending]
    step()
    _demo_budget(staff, policy.id)

    states: dict[str, int] = {}
    for state in Claim.objects.values_list("state", flat=True):
        states[state] = states.get(state, 0) + 1
    return DemoSummary(
        staff_passwords=dict(flow.STAFF_PASSWORDS),
        applicant_password=flow.APPLICANT_PASSWORD,
        applicants=len(APPLICANTS),
        claims=sum(states.values()),
        states=states,
    )
