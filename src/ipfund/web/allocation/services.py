"""Allocation services, the bureau's steps on the platform after a round closes (audited):

- pro_rata_preview / pro_rata_apply (按同一比例核减): where a package declares `allocation:
  pro_rata`, approvals of that year (or round) are not refused by the budget; once every round of
  it has closed, the bureau previews and then applies one ratio to every standing award the
  budget carries: each is cut with ledger.services.award_reduce, the reason and the explanation
  naming the budget, the total, the ratio, the amount before and after and the remainder rule.
  Within the budget the same step confirms that nothing is cut (recorded, audited: payments go
  on). A budget is cut once (refused a second time, saying why: the cut is the budget's allocation,
  told to applicants and paid; the ledger only takes back); payments of its awards wait for the
  cut; after it, approvals against the budget fit what is left (already_allocated → budget_guard).
- quota_score / quota_fill / quota_guard (择优名额): scorers (reviewers) score or rank the
  claims of a quota's items (over the API one by one, or on the page a whole sheet at once:
  quota_sheet / quota_scores_enter, each value through quota_score); once the rounds have closed the bureau fills the quota from the
  ranking — the first N are approvable, the rest are refused “未入选（名额N个，排名第k）” — and
  every approval of those items checks, under the fill's row lock, that its claim was selected
  and that fewer than N of the fill's claims stand approved.

Where a package declares nothing, none of this applies: the budget guard refuses as before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ipfund.web.accounts import roles
from ipfund.web.audit.actions import AuditAction
from ipfund.web.audit.services import audit_record
from ipfund.web.budgets.models import Budget
from ipfund.web.budgets.selectors import _grants_of, policy_title
from ipfund.web.budgets.services import budget_guard
from ipfund.web.claims import duties
from ipfund.web.claims.models import Claim
from ipfund.web.claims.workflow import Action, State
from ipfund.web.engine_door import (
    ALLOCATION_BY, ALLOCATION_REMAINDERS, ALLOCATION_TIES, ProRataPlan, Quota, policy_allocation, policy_by_id,
    pro_rata_plan, quota_ranking,
)
from ipfund.web.ledger.selectors import award_net
from ipfund.web.ledger.services import award_reduce
from ipfund.web.payments.installments import cut_shares_text, installments_after_reduction
from ipfund.web.rounds.models import ApplicationRound
from ipfund.web.rounds.selectors import interpretations_in_force

from .models import ProRataCut, ProRataLine, QuotaFill, QuotaPlace, QuotaScore

ONLY_APPROVER = "只有审定人员可以办理资金分配。"
ONLY_REVIEWER = "只有评审（初审）人员可以评分或排序。"
NOT_DECLARED = "《{title}》没有规定超出预算按比例核减：超出预算的审定按预算控制拒绝，无需核减。"
WRONG_SCOPE = "《{title}》规定按{over}核减，该预算不是{over}。"
ROUNDS_OPEN = "申报批次“{round}”尚未截止（截止时间 {closes}），截止后才能按比例核减或按排名确定名额。"
ALREADY_CUT = "该预算已于 {at} 按比例核减（比例 {ratio}），不能再次核减。{why}"
ONCE_WHY = ("每个预算的资金分配只办理一次：按同一比例核减（或确认无需核减）即确定该预算的全部资助，已通知申请人、可以拨付，"
            "不再重新核减，也不撤销（资助台账只记核减，不能补回）。此后的审定按预算控制，只能使用预算余额；"
            "追加的预算用于此后的审定，不补回已核减的资助。")
NOTHING_TO_CUT = "审定总额 {total} 元未超过预算 {budget} 元，无需核减。"
NO_CUT_RATIO = "1"  # ProRataCut.ratio of an allocation confirmed without a cut (within the budget)
ALREADY_CONFIRMED = "该预算已于 {at} 确认审定总额未超过预算、无需核减，资金分配已办理，不能再次办理。{why}"
CUT_TO_ZERO = "申报 {reference} 核减后金额为零（审定 {amount} 元），不能按比例核减：请先核实预算。"
CUT_REASON = "按同一比例核减（{clause}）：{scope}预算 {budget} 元，审定总额 {total} 元，核减比例 {ratio}。"
CUT_EXPLANATION = (
    "依据《{title}》{clause}“{sentence}”，{scope}审定资助总额 {total} 元超过预算 {budget} 元，"
    "各项资助按同一比例核减：核减比例 = 预算 ÷ 审定总额 = {budget} ÷ {total} ≈ {ratio}（按精确比例计算）。"
    "本项原审定 {before} 元，按比例计算后舍去不足 1 分的部分为 {floor} 元{extra}，核减 {cut} 元，核减后资助 {after} 元。"
    "尾差规则：{rule}。{stages}"
)
EXTRA_FEN = "，按尾差规则补 0.01 元，为 {after} 元"
PAYMENT_WAITS = "《{title}》规定超出预算按同一比例核减：{scope}的资金分配尚未办理，办理后才能拨付。"

NOT_A_QUOTA_ITEM = "该申报项目没有名额限制，无需评分。"
SCORE_INVALID = "评分应为 0 至 100 之间、最多两位小数的数字。"
PLACE_INVALID = "排序名次应为正整数（1 为第一）。"
SCORE_STATE = "只能对待审定（或待初审）的申报评分、排序。"
UNKNOWN_QUOTA = "《{title}》没有名额：{quota}。"
ALREADY_FILLED = "该名额已于 {at} 按排名确定，不能再次确定。"
NOTHING_TO_FILL = "没有待审定的申报，无需确定名额。"
UNSCORED = "以下申报尚未评分（排序）：{refs}。全部评分后才能按排名确定名额。"
NOT_SELECTED = "未入选（名额{count}个，排名第{place}）"
NOT_FILLED = "“{label}”每{per}不超过 {count} 个：请先在“资金分配”中按评审排名确定名额，再审定。"
QUOTA_FULL = "“{label}”名额 {count} 个已全部审定，不能再审定。"
QUOTA_REFUSAL_REASON = "{label}：{text}（依据{clause}“{sentence}”；按{by}排序，{ties}）"

PER_WORD = {"year": "年", "round": "批次"}


def _require(actor, role: str, message: str) -> None:
    if not roles.has_role(actor, role):
        raise PermissionDenied(message)


def _interpretation(policy_id: str, iid: str) -> str:
    chosen = interpretations_in_force(policy=policy_id).get(iid)
    if chosen:
        return chosen
    policy = policy_by_id(policy_id)
    return policy.interpretations[iid].default if policy is not None and iid in policy.interpretations else ""


def _rounds_of(policy: str, *, year: int | None = None, round_id: int | None = None) -> list[ApplicationRound]:
    """The rounds a budget or quota period spans: one round, or the policy's rounds closing in the year."""
    if round_id is not None:
        return list(ApplicationRound.objects.filter(pk=round_id))
    zone = timezone.get_current_timezone()
    start, end = dt.datetime(year or 0, 1, 1, tzinfo=zone), dt.datetime((year or 0) + 1, 1, 1, tzinfo=zone)
    return list(ApplicationRound.objects.filter(policy=policy).filter(Q(opens_at__lt=end) & Q(closes_at__gte=start)))


def _all_closed(rounds: list[ApplicationRound]) -> None:
    now = timezone.now()
    for rnd in rounds:
        if rnd.closes_at > now:
            raise ValidationError(ROUNDS_OPEN.format(round=rnd.name, closes=timezone.localtime(rnd.closes_at).strftime("%Y-%m-%d %H:%M")),
                                  code="round_open")


def _scope(budget: Budget) -> str:
    return f"申报批次“{budget.round.name}”" if budget.round is not None else f"{budget.year} 年度"


# ------------------------------------------------------------------------------------------
# Pro rata.


@dataclass(frozen=True)
class ProRataPreview:
    budget: Budget
    plan: ProRataPlan
    claims: dict
    title: str
    clause: str
    sentence: str
    remainder_rule: str

    @property
    def rule_text(self) -> str:
        return ALLOCATION_REMAINDERS[self.remainder_rule]

    def explanation(self, line) -> str:
        extra = EXTRA_FEN.format(after=line.after) if line.extra else ""
        return CUT_EXPLANATION.format(
            title=self.title, clause=self.clause, sentence=self.sentence.rstrip("。"), scope=_scope(self.budget),
            total=self.plan.total, budget=self.plan.budget, ratio=self.plan.ratio_text, before=line.amount,
            floor=line.floor, extra=extra, cut=line.cut, after=line.after, rule=self.rule_text,
            stages=cut_shares_text(self.claims[line.key], line.cut))


def pro_rata_declared(budget: Budget):
    """The package's pro-rata declaration if it covers this budget (year ↔ annual, round ↔ round)."""
    pr = policy_allocation(budget.policy).pro_rata
    if pr is None:
        return None
    return pr if (pr.over == "round") == (budget.round_id is not None) else None


def over_allowed(policy: str) -> frozenset[str]:
    """The budgets (year / round) an approval of this policy may take past their amount."""
    pr = policy_allocation(policy).pro_rata
    return frozenset({pr.over}) if pr is not None else frozenset()


def already_allocated(policy: str) -> frozenset[int]:
    """The policy's budgets already cut pro rata: final, so a later award (a round opened after
    the cut, a late approval) must fit what is left of them — it is never carried past them uncut."""
    if policy_allocation(policy).pro_rata is None:
        return frozenset()
    return frozenset(ProRataCut.objects.filter(budget__policy=policy).values_list("budget_id", flat=True))


def pro_rata_preview(*, actor, budget: Budget) -> ProRataPreview:
    _require(actor, roles.APPROVER, ONLY_APPROVER)
    policy = policy_by_id(budget.policy)
    title = policy.title if policy else budget.policy
    pr = policy_allocation(budget.policy).pro_rata
    if pr is None:
        raise ValidationError(NOT_DECLARED.format(title=title), code="not_declared")
    if pro_rata_declared(budget) is None:
        raise ValidationError(WRONG_SCOPE.format(title=title, over="年度预算" if pr.over == "year" else "申报批次预算"),
                              code="wrong_scope")
    rule = pr.remainder_under({pr.remainder[0]: _interpretation(budget.policy, pr.remainder[0])}) \
        if isinstance(pr.remainder, tuple) else pr.remainder
    claims = {c.pk: c for c in Claim.objects.filter(pk__in=_grants_of(budget).values("claim")).order_by("submitted_at", "pk")}
    awards = [(pk, award_net(claim=c)) for pk, c in claims.items()]
    awards = [(pk, net) for pk, net in awards if net > 0]
    plan = pro_rata_plan(budget.amount, awards, rule)
    return ProRataPreview(budget, plan, claims, title, pr.clause, pr.sentence, rule)


@transaction.atomic
def pro_rata_apply(*, actor, budget: Budget) -> ProRataCut:
    """Cut every standing award the budget carries by one ratio; audited; refused a second time."""
    _require(actor, roles.APPROVER, ONLY_APPROVER)
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    done = ProRataCut.objects.filter(budget=budget).first()
    if done is not None:
        at = timezone.localtime(done.applied_at).strftime("%Y-%m-%d %H:%M")
        text = ALREADY_CONFIRMED if done.ratio == NO_CUT_RATIO else ALREADY_CUT
        raise ValidationError(text.format(at=at, ratio=done.ratio, why=ONCE_WHY), code="already_cut")
    _all_closed(_rounds_of(budget.policy, year=budget.year, round_id=budget.round_id))
    preview = pro_rata_preview(actor=actor, budget=budget)
    plan = preview.plan
    if not plan.cuts:
        return _confirm_no_cut(actor, budget, plan)
    for line in plan.lines:
        if line.after <= 0:
            raise ValidationError(CUT_TO_ZERO.format(reference=preview.claims[line.key].reference, amount=line.amount),
                                  code="cut_to_zero")
    try:
        with transaction.atomic():
            cut = ProRataCut.objects.create(
                budget=budget, policy=budget.policy, budget_amount=plan.budget, approved_total=plan.total,
                after_total=plan.after_total, ratio=plan.ratio_text, remainder_rule=preview.remainder_rule,
                unallocated=plan.unallocated, applied_by=actor)
    except IntegrityError:
        raise ValidationError(ALREADY_CUT.format(at="刚才", ratio=plan.ratio_text, why=ONCE_WHY), code="already_cut") from None
    reason = CUT_REASON.format(clause=preview.clause, scope=_scope(budget), budget=plan.budget, total=plan.total,
                               ratio=plan.ratio_text)
    for line in plan.lines:
        claim = preview.claims[line.key]
        explanation = preview.explanation(line)  # its installments as they stand before the cut
        entry = award_reduce(actor=actor, claim=claim, amount=line.cut, reason=reason) if line.cut > 0 else None
        if entry is not None:  # an award paid in stages: each unpaid installment carries its share of the cut
            installments_after_reduction(actor=actor, claim=claim, amount=line.cut, entry=entry, proportional=True)
        ProRataLine.objects.create(cut=cut, claim=claim, before=line.amount, after=line.after, extra=line.extra,
                                   explanation=explanation, entry=entry)
    audit_record(actor=actor, action=AuditAction.ALLOCATION_PRO_RATA, obj=cut,
                 before={"budget": budget.pk, "approved_total": plan.total},
                 after={"budget": budget.pk, "budget_amount": plan.budget, "ratio": plan.ratio_text,
                        "after_total": plan.after_total, "unallocated": plan.unallocated,
                        "remainder_rule": preview.remainder_rule, "awards": len(plan.lines)})
    return cut


def _confirm_no_cut(actor, budget: Budget, plan) -> ProRataCut:
    """The approved total is within the budget: nothing is cut, but the allocation is done (the
    budget's payments may go on; later approvals fit what is left): recorded and audited."""
    try:
        with transaction.atomic():
            done = ProRataCut.objects.create(
                budget=budget, policy=budget.policy, budget_amount=plan.budget, approved_total=plan.total,
                after_total=plan.total, ratio=NO_CUT_RATIO, remainder_rule="", unallocated=Decimal("0.00"), applied_by=actor)
    except IntegrityError:
        raise ValidationError(ALREADY_CONFIRMED.format(at="刚才", ratio=NO_CUT_RATIO, why=ONCE_WHY), code="already_cut") from None
    audit_record(actor=actor, action=AuditAction.ALLOCATION_PRO_RATA, obj=done,
                 before={"budget": budget.pk, "approved_total": plan.total},
                 after={"budget": budget.pk, "budget_amount": plan.budget, "ratio": NO_CUT_RATIO, "after_total": plan.total,
                        "cut": False, "note": NOTHING_TO_CUT.format(total=plan.total, budget=plan.budget), "awards": 0})
    return done


def payment_waits_for_allocation(claim: Claim) -> str | None:
    """Why a claim may not be paid yet: its policy cuts pro rata, its budget exists and is not cut."""
    pr = policy_allocation(claim.policy).pro_rata
    if pr is None:
        return None
    grant = claim.award_entries.filter(kind="grant").first()
    if grant is None:
        return None
    if pr.over == "round":
        budget = Budget.objects.filter(round_id=claim.round_id).first() if claim.round_id else None
    else:
        budget = Budget.objects.filter(policy=grant.policy, year=timezone.localdate(grant.created_at).year,
                                       round__isnull=True).first()
    if budget is None or ProRataCut.objects.filter(budget=budget).exists():
        return None
    return PAYMENT_WAITS.format(title=policy_title(claim.policy), scope=_scope(budget))


# ------------------------------------------------------------------------------------------
# Quotas.


def _quota_of(claim: Claim):
    return policy_allocation(claim.policy).quota_for(claim.item)


def _period(quota, claim: Claim) -> dict:
    if quota.per == "round":
        return {"round_id": claim.round_id, "year": None}
    when = claim.round.closes_at if claim.round is not None else (claim.submitted_at or timezone.now())
    return {"round_id": None, "year": when.year}


def _value(quota, raw) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if quota.by == "ranking":
        if value != value.to_integral_value() or value < 1:
            raise ValidationError({"value": [PLACE_INVALID]})
        return value
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100) or value != value.quantize(Decimal("0.01")):
        raise ValidationError({"value": [SCORE_INVALID]})
    return value


@transaction.atomic
def quota_score(*, actor, claim: Claim, value, note: str = "") -> QuotaScore:
    """A scorer's score (panel_score) or place (ranking) of a claim under a quota; changed until filled."""
    _require(actor, roles.REVIEWER, ONLY_REVIEWER)
    duties.check_not_own_claim(actor, claim)
    quota = _quota_of(claim)
    if quota is None:
        raise ValidationError(NOT_A_QUOTA_ITEM, code="not_a_quota_item")
    if claim.state not in (State.SUBMITTED, State.RECOMMENDED):
        raise ValidationError(SCORE_STATE, code="state")
    if QuotaPlace.objects.filter(claim=claim).exists():
        raise ValidationError(ALREADY_FILLED.format(at="此前"), code="already_filled")
    value = _value(quota, value)
    score = QuotaScore.objects.filter(claim=claim, scorer=actor).first()
    before = {"value": score.value} if score else None
    if score is None:
        score = QuotaScore(claim=claim, scorer=actor)
    score.value, score.note = value, (note or "").strip()
    score.save()
    audit_record(actor=actor, action=AuditAction.QUOTA_SCORE, obj=score, before=before,
                 after={"claim": claim.pk, "quota": quota.id, "by": quota.by, "value": value})
    return score


@dataclass(frozen=True)
class QuotaSheet:
    """A scorer's sheet of a quota and period: the claims to score (or, once filled, those ranked),
    the scorer's own values, and whether it can still be changed."""
    quota: Quota
    period: dict
    claims: list[Claim]
    values: dict[int, Decimal]
    fill: QuotaFill | None

    @property
    def field(self) -> str:
        return SHEET_FIELD[self.quota.by]


SHEET_FIELD = {"panel_score": "评分", "ranking": "排序名次"}
SHEET_ERROR = "申报 {reference} 的{field}：{message}"


def _quota_named(policy: str, quota_id: str) -> Quota:
    quota = next((q for q in policy_allocation(policy).quotas if q.id == quota_id), None)
    if quota is None:
        raise ValidationError(UNKNOWN_QUOTA.format(title=policy_title(policy), quota=quota_id), code="unknown_quota")
    return quota


def quota_sheet(*, actor, policy: str, quota_id: str, year: int | None = None, round_id: int | None = None) -> QuotaSheet:
    """What a scorer enters on the page (资金分配): until the quota is filled, the period's claims of
    its items that may be scored (待初审, 待审定); after, the claims it ranked, read-only."""
    _require(actor, roles.REVIEWER, ONLY_REVIEWER)
    quota = _quota_named(policy, quota_id)
    period = {"year": None if quota.per == "round" else year, "round_id": round_id if quota.per == "round" else None}
    fill = QuotaFill.objects.filter(policy=policy, quota=quota.id, **period).first()
    if fill is not None:
        claims = [p.claim for p in fill.places.select_related("claim").order_by("claim__submitted_at", "claim_id")]
    else:
        rounds = _rounds_of(policy, year=year, round_id=round_id if quota.per == "round" else None)
        claims = list(Claim.objects.filter(policy=policy, item__in=quota.items, state__in=[State.SUBMITTED, State.RECOMMENDED],
                                           round__in=rounds).order_by("submitted_at", "pk"))
    values = dict(QuotaScore.objects.filter(scorer=actor, claim__in=[c.pk for c in claims]).values_list("claim_id", "value"))
    return QuotaSheet(quota, period, claims, values, fill)


@transaction.atomic
def quota_scores_enter(*, actor, sheet: QuotaSheet, raw: dict[int, str]) -> list[QuotaScore]:
    """Enter a sheet's values at once (a clerk typing in the panel's scores): each through
    quota_score — the same checks and audit as the API — all or none; a blank value is left as it
    is. Refused with one Chinese message per claim and field (申报 {reference} 的评分：…)."""
    errors: list[str] = []
    saved: list[QuotaScore] = []
    for claim in sheet.claims:
        value = (raw.get(claim.pk) or "").strip()
        if not value:
            continue
        try:
            with transaction.atomic():
                saved.append(quota_score(actor=actor, claim=claim, value=value))
        except ValidationError as exc:
            errors += [SHEET_ERROR.format(reference=claim.reference or claim.pk, field=sheet.field, message=m)
                       for m in exc.messages]
        except PermissionDenied as exc:
            errors.append(SHEET_ERROR.format(reference=claim.reference or claim.pk, field=sheet.field, message=str(exc)))
    if errors:
        transaction.set_rollback(True)
        raise ValidationError(errors, code="sheet")
    return saved


@dataclass(frozen=True)
class QuotaPreview:
    quota: Quota
    period: dict
    ranked: list
    claims: dict
    unscored: list[Claim]


def quota_preview(*, actor, policy: str, quota_id: str, year: int | None = None, round_id: int | None = None) -> QuotaPreview:
    _require(actor, roles.APPROVER, ONLY_APPROVER)
    quota = _quota_named(policy, quota_id)
    rounds = _rounds_of(policy, year=year, round_id=round_id if quota.per == "round" else None)
    claims_qs = Claim.objects.filter(policy=policy, item__in=quota.items, state=State.RECOMMENDED,
                                     round__in=rounds).select_related("round").order_by("submitted_at", "pk")
    claims = {c.pk: c for c in claims_qs}
    scores: dict[int, list[Decimal]] = {pk: [] for pk in claims}
    for s in QuotaScore.objects.filter(claim__in=claims_qs):
        scores[s.claim_id].append(s.value)
    unscored = [c for pk, c in claims.items() if not scores[pk]]
    ranked = quota_ranking([(pk, scores[pk], (claims[pk].submitted_at, pk)) for pk in claims if scores[pk]],
                           quota.by, quota.ties)
    period = {"year": None if quota.per == "round" else year, "round_id": round_id if quota.per == "round" else None}
    return QuotaPreview(quota, period, ranked, claims, unscored)


@transaction.atomic
def quota_fill(*, actor, policy: str, quota_id: str, year: int | None = None, round_id: int | None = None) -> QuotaFill:
    """Fill the quota from the ranking: the first N approvable, the rest refused (不予资助) with
    “未入选（名额N个，排名第k）”; audited; once per quota and period."""
    from ipfund.web.claims.services import claim_lock, claim_transition

    preview = quota_preview(actor=actor, policy=policy, quota_id=quota_id, year=year, round_id=round_id)
    quota = preview.quota
    _all_closed(_rounds_of(policy, year=year, round_id=round_id if quota.per == "round" else None))
    existing = QuotaFill.objects.filter(policy=policy, quota=quota.id, **preview.period).first()
    if existing is not None:
        raise ValidationError(ALREADY_FILLED.format(at=timezone.localtime(existing.filled_at).strftime("%Y-%m-%d %H:%M")),
                              code="already_filled")
    if not preview.claims:
        raise ValidationError(NOTHING_TO_FILL, code="nothing_to_fill")
    if preview.unscored:
        raise ValidationError(UNSCORED.format(refs="、".join(c.reference or str(c.pk) for c in preview.unscored)),
                              code="unscored")
    try:
        with transaction.atomic():
            fill = QuotaFill.objects.create(policy=policy, quota=quota.id, count=quota.count, filled_by=actor,
                                            **preview.period)
    except IntegrityError:
        raise ValidationError(ALREADY_FILLED.format(at="刚才"), code="already_filled") from None
    for r in preview.ranked:
        selected = r.place <= quota.count
        QuotaPlace.objects.create(fill=fill, claim_id=r.key, place=r.place, average=r.average_text, selected=selected)
        if not selected:
            claim = claim_lock(preview.claims[r.key])
            text = NOT_SELECTED.format(count=quota.count, place=r.place)
            reason = QUOTA_REFUSAL_REASON.format(label=quota.label, text=text, clause=quota.clause, sentence=quota.sentence,
                                                 by=ALLOCATION_BY[quota.by], ties=ALLOCATION_TIES[quota.ties])
            claim_transition(actor=actor, claim=claim, action=Action.QUOTA_REFUSE, note=reason, decision_reason=reason)
    audit_record(actor=actor, action=AuditAction.QUOTA_FILL, obj=fill,
                 after={"policy": policy, "quota": quota.id, "count": quota.count, **preview.period,
                        "ranking": [{"claim": r.key, "place": r.place, "average": r.average_text} for r in preview.ranked]})
    return fill


def quota_guard(claim: Claim) -> None:
    """Inside an approval's transaction, before the award: a claim of a quota item is approvable
    only if the quota was filled and it was selected, and only while fewer than N of the fill's
    claims stand approved (the fill's row locked, so parallel approvals are counted one by one)."""
    quota = _quota_of(claim)
    if quota is None:
        return
    period = _period(quota, claim)
    fill = QuotaFill.objects.select_for_update().filter(policy=claim.policy, quota=quota.id, **period).first()
    per = PER_WORD[quota.per]
    if fill is None:
        raise ValidationError(NOT_FILLED.format(label=quota.label, per=per, count=quota.count), code="quota_not_filled")
    place = QuotaPlace.objects.filter(fill=fill, claim=claim).first()
    if place is None or not place.selected:
        text = NOT_SELECTED.format(count=fill.count, place=place.place if place else "—")
        raise ValidationError(text, code="quota_not_selected")
    approved = Claim.objects.filter(quota_place__fill=fill, award_entries__kind="grant").exclude(state=State.REVOKED).count()
    if approved >= fill.count:
        raise ValidationError(QUOTA_FULL.format(label=quota.label, count=fill.count), code="quota_full")


# -- the receivers of the signals of the apps below (connected in AllocationConfig.ready) -----------


def award_granting_guard(sender, *, claim: Claim, policy: str, amount: Decimal, on, **kwargs) -> None:
    """ledger's award_granting: a quota (择优名额) filled from the ranking, this claim selected, room
    left; then the budgets the award counts against (past their amount only where the policy allows,
    and never past one whose allocation is done)."""
    quota_guard(claim)
    budget_guard(policy=policy, round_id=claim.round_id, on=on, amount=amount, over_allowed=over_allowed(policy),
                 allocated=already_allocated(policy))


def payment_recording_wait(sender, *, claim: Claim, **kwargs) -> str | None:
    """payments' payment_recording: why the claim waits for its pro-rata cut, or None."""
    return payment_waits_for_allocation(claim)
