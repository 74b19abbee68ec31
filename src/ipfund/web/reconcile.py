"""`audit reconcile`: the stores that must agree, held against each other, every difference named.

- cap buckets against the ledger: a bucket's `used` is the sum of the ledger entries (grants and
  their reversals) that name its group; a group named in the ledger has a bucket;
- duplicate keys against the ledger: each grant with a key holds it, released exactly when the
  grant was reversed;
- claims against the ledger: an approved claim (approved … paid) has a grant of its approved
  amount still standing, a revoked one nets to zero, any other has no ledger entry;
- payments against the ledger: a payment pays the claim's net award — or, for an award paid in
  stages (分期拨付), each payment pays its own installment, the payments never exceed the net, and
  the installments not cancelled add up to the net (each cancelled one names the ledger entry,
  reduction or reversal, that took it back);
- the audit chain against all of them: every ledger entry and payment has its event with the
  same amount, every claim's approved amount is the one its approval event recorded, and the
  chain itself verifies;
- budgets against the ledger: each budget's running total (Budget.committed, what approvals are
  checked against) is the ledger's sum of the awards it carries;
- the accounts money goes to (reconcile_accounts.py): every encrypted value opens at its own row,
  each payee account is the one its last audited change recorded, each payment's the one its
  payment event recorded.

Cap buckets are updated by design (they are the lock and the running total), so they are not
insert-only: this is what checks them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ipfund.web.audit.models import AuditEvent
from ipfund.web.audit.services import audit_verify
from ipfund.web.claims.models import Claim
from ipfund.web.claims.workflow import State
from ipfund.web.engine_door import ledger_scope
from ipfund.web.payments.models import Installment, Payment

from ipfund.web.ledger.models import AwardEntry, AwardTotal, CapBucket, DuplicateKey

AWARDED_STATES = frozenset({State.APPROVED, State.IN_NOTICE, State.FINAL, State.PAID, State.PAYMENT_FAILED,
                            State.PARTLY_PAID, State.CLOSED})
# The states a claim paid in stages may be in once one of its installments is paid.
STAGED_PAID_STATES = frozenset({State.PAID, State.PARTLY_PAID, State.CLOSED, State.PAYMENT_FAILED})

OK = "对账一致：{entries} 条台账记录、{buckets} 个上限额度、{claims} 件申报、{payments} 笔拨付与审计链相符。"
BUCKET_MISMATCH = "上限额度 {group}（{item}）已用 {used} 元，台账合计 {ledger} 元。"
BUCKET_MISSING = "台账记录 #{entry} 计入的上限额度 {group}（{item}）不存在。"
TOTAL_MISMATCH = "统计汇总中 {policy} 的 {item} 为 {total} 元（{grants} 笔资助），台账记录合计 {ledger} 元（{ledger_grants} 笔）。"
KEY_MISSING = "台账记录 #{entry} 的重复资助键 {key} 在重复键表中不存在。"
KEY_MISMATCH = "重复资助键 #{pk} 为 {key}，其台账记录 #{entry} 记载的是 {ledger_key}。"
KEY_NOT_RELEASED = "台账记录 #{entry} 已被冲销，但其重复资助键 {key} 仍被占用。"
KEY_RELEASED = "重复资助键 {key} 已释放，但其台账记录 #{entry} 没有被冲销。"
CLAIM_NO_GRANT = "申报 #{claim} 状态为“{state}”，审定金额 {approved} 元，但台账中没有资助记录。"
CLAIM_AMOUNT = "申报 #{claim} 审定金额 {approved} 元，台账资助 {granted} 元。"
CLAIM_NET = "申报 #{claim} 状态为“{state}”，台账净额 {net} 元，应为 {expected} 元。"
CLAIM_UNEXPECTED = "申报 #{claim} 状态为“{state}”，却有台账记录（净额 {net} 元）。"
PAYMENT_AMOUNT = "申报 #{claim} 拨付 {paid} 元，台账净额 {net} 元。"
PAYMENT_STATE = "申报 #{claim} 有拨付记录，状态却为“{state}”。"
STAGED_PAYMENT_AMOUNT = "申报 #{claim} 拨付记录 #{payment} 为 {paid} 元，所付第 {n} 期为 {amount} 元。"
STAGED_PAYMENT_NONE = "申报 #{claim} 分期拨付，拨付记录 #{payment} 却未对应任何一期。"
STAGED_PAID_STATE = "申报 #{claim} 第 {n} 期状态为“{state}”，与拨付记录不符。"
STAGED_OVERPAID = "申报 #{claim} 已拨付合计 {paid} 元，超过台账净额 {net} 元。"
STAGED_LIVE = "申报 #{claim} 未取消的各期合计 {live} 元，台账净额 {net} 元。"
STAGED_CANCELLED = "申报 #{claim} 第 {n} 期已取消，却没有对应的核减或冲销台账记录。"
AUDIT_ENTRY_MISSING = "台账记录 #{entry}（申报 #{claim}，{amount} 元）在审计链中没有对应事件。"
AUDIT_ENTRY_AMOUNT = "台账记录 #{entry} 金额 {amount} 元，审计链第 {seq} 条记录的是 {audited} 元。"
AUDIT_PAYMENT_MISSING = "拨付记录 #{payment}（申报 #{claim}）在审计链中没有对应事件。"
AUDIT_PAYMENT_AMOUNT = "拨付记录 #{payment} 金额 {amount} 元，审计链第 {seq} 条记录的是 {audited} 元。"
AUDIT_CLAIM_AMOUNT = "申报 #{claim} 审定金额 {approved} 元，审计链第 {seq} 条（审定）记录的是 {audited} 元。"
AUDIT_CLAIM_MISSING = "申报 #{claim} 审定金额 {approved} 元，审计链中没有审定事件。"
AUDIT_CHAIN = "审计链：{message}"
BUDGET_MISMATCH = "资金预算（{scope}）记载已审定 {running} 元，台账合计 {ledger} 元。"
RECOVERY_ENTRY = "追回案件 #{case} 应追回 {due} 元，其台账记录 #{entry} 金额不符。"
WRITE_OFF_CHARGE = "追回案件 #{case} 的核销 #{write_off}（{amount} 元，已批准）计入预算 {charged} 元，应与核销金额相同。"
RECOVERY_OWED = "追回案件 #{case} 应追回 {due} 元，已归还 {repaid} 元、已核销 {written_off} 元，状态为“{state}”。"
RECOVERY_CLAIM = "台账记录 #{entry} 由申报 #{claim} 的追回案件记账，却不属于该申报。"


@dataclass
class ReconcileResult:
    differences: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.differences

    @property
    def message(self) -> str:
        return OK.format(**self.counts) if self.ok else "\n".join(self.differences)


def _money(value) -> str:
    return f"{Decimal(value):.2f}"


def _amount(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except Exception:  # an event whose amount is not a number differs from any entry
        return None


def audit_reconcile() -> ReconcileResult:
    result = ReconcileResult()
    diff = result.differences
    entries = list(AwardEntry.objects.order_by("id"))
    buckets = list(CapBucket.objects.order_by("policy", "item", "group"))
    claims = list(Claim.objects.exclude(state=State.DRAFT).order_by("id"))
    payments = list(Payment.objects.order_by("id"))
    result.counts = {"entries": len(entries), "buckets": len(buckets), "claims": len(claims), "payments": len(payments)}

    # Cap buckets against the ledger.
    ledger_used: dict[tuple, Decimal] = defaultdict(Decimal)
    first_entry: dict[tuple, int] = {}
    for entry in entries:
        for group in entry.cap_groups or []:
            # A group's name holds its ledger scope (policy/item): the same bucket for every policy
            # that continues the item.
            ledger_used[(*ledger_scope(group), group)] += entry.amount
            first_entry.setdefault((*ledger_scope(group), group), entry.pk)
    bucket_keys = set()
    for bucket in buckets:
        key = (bucket.policy, bucket.item, bucket.group)
        bucket_keys.add(key)
        if bucket.used != ledger_used.get(key, Decimal(0)):
            diff.append(BUCKET_MISMATCH.format(group=bucket.group, item=bucket.item, used=_money(bucket.used),
                                               ledger=_money(ledger_used.get(key, 0))))
    for key in sorted(set(ledger_used) - bucket_keys):
        diff.append(BUCKET_MISSING.format(entry=first_entry[key], group=key[2], item=key[1]))

    # The dashboard's totals (kept by a trigger, ledger/totals.py) against the ledger, by item.
    ledger_items: dict[tuple[str, str], list] = defaultdict(lambda: [Decimal(0), 0])
    for entry in entries:
        sums = ledger_items[(entry.policy, entry.item)]
        sums[0] += entry.amount
        sums[1] += entry.kind == AwardEntry.GRANT
    total_items: dict[tuple[str, str], list] = defaultdict(lambda: [Decimal(0), 0])
    for policy, item, fen, n in AwardTotal.objects.values_list("policy", "item", "fen", "grants"):
        sums = total_items[(policy, item)]
        sums[0] += Decimal(fen).scaleb(-2)
        sums[1] += n
    for policy_item in sorted(set(ledger_items) | set(total_items)):
        (total, n_total), (ledger, n_ledger) = total_items[policy_item], ledger_items[policy_item]
        if total != ledger or n_total != n_ledger:
            diff.append(TOTAL_MISMATCH.format(policy=policy_item[0], item=policy_item[1], total=_money(total), grants=n_total,
                                              ledger=_money(ledger), ledger_grants=n_ledger))

    # Duplicate keys against the ledger.
    reversed_grants = {e.reverses_id for e in entries if e.kind == AwardEntry.REVERSAL}
    keys_by_entry: defaultdict[int, list[DuplicateKey]] = defaultdict(list)
    for dup in DuplicateKey.objects.order_by("id"):
        keys_by_entry[dup.entry_id].append(dup)
    grants = {e.pk: e for e in entries if e.kind == AwardEntry.GRANT}
    for grant in grants.values():
        held = keys_by_entry.pop(grant.pk, [])
        if grant.duplicate_key and not held:
            diff.append(KEY_MISSING.format(entry=grant.pk, key=grant.duplicate_key))
        for dup in held:
            if dup.key != grant.duplicate_key or (dup.policy, dup.item) != ledger_scope(grant.duplicate_key):
                diff.append(KEY_MISMATCH.format(pk=dup.pk, key=dup.key, entry=grant.pk, ledger_key=grant.duplicate_key))
            if grant.pk in reversed_grants and dup.released_by_id is None:
                diff.append(KEY_NOT_RELEASED.format(entry=grant.pk, key=dup.key))
            if grant.pk not in reversed_grants and dup.released_by_id is not None:
                diff.append(KEY_RELEASED.format(entry=grant.pk, key=dup.key))
    for orphans in keys_by_entry.values():  # keys of entries that are not grants
        for dup in orphans:
            diff.append(KEY_MISMATCH.format(pk=dup.pk, key=dup.key, entry=dup.entry_id, ledger_key="—"))

    # Claims and payments against the ledger.
    staged: dict[int, list[Installment]] = defaultdict(list)  # awards paid in stages (分期拨付)
    for inst in Installment.objects.order_by("claim_id", "number"):
        staged[inst.claim_id].append(inst)
    net: dict[int, Decimal] = defaultdict(Decimal)
    grant_of: dict[int, AwardEntry] = {}
    reduced: dict[int, Decimal] = defaultdict(Decimal)  # a claim's reductions (negative): the award stands, smaller
    for entry in entries:
        net[entry.claim_id] += entry.amount
        if entry.kind == AwardEntry.GRANT:
            grant_of[entry.claim_id] = entry
        elif entry.kind == AwardEntry.REDUCTION:
            reduced[entry.claim_id] += entry.amount
    # Money recovered for a broken promise (web/promises): the entry a recovery case posted takes
    # its amount back while the claim stays paid; what was paid is the net plus what was recovered.
    from ipfund.web.promises.models import RecoveryCase

    recovery_entries = {pk: claim for pk, claim in RecoveryCase.objects.values_list("entry_id", "claim_id")}
    recovered: dict[int, Decimal] = defaultdict(Decimal)
    recovered_all: dict[int, Decimal] = defaultdict(Decimal)  # reversals posted by recoveries (negative)
    for entry in entries:
        if entry.pk in recovery_entries:
            if recovery_entries[entry.pk] != entry.claim_id:
                diff.append(RECOVERY_CLAIM.format(entry=entry.pk, claim=recovery_entries[entry.pk]))
            recovered[entry.claim_id] -= entry.amount
            if entry.kind == AwardEntry.REVERSAL:
                recovered_all[entry.claim_id] += entry.amount
    entry_amount = {e.pk: e.amount for e in entries}
    from ipfund.web.budgets.models import BudgetCharge

    charged = dict(BudgetCharge.objects.filter(source__startswith="write_off:").values_list("source", "amount"))
    for case in RecoveryCase.objects.prefetch_related("repayments", "write_offs").order_by("id"):
        for w in case.write_offs.all():  # what was written off was spent: the budgets carry it again
            expected_charge = w.amount if w.state == w.APPROVED else None
            if charged.get(f"write_off:{w.pk}") != expected_charge:
                diff.append(WRITE_OFF_CHARGE.format(case=case.pk, write_off=w.pk, amount=_money(w.amount),
                                                    charged=_money(charged.get(f"write_off:{w.pk}", Decimal(0)))))
        if entry_amount.get(case.entry_id) != -case.amount_due:
            diff.append(RECOVERY_ENTRY.format(case=case.pk, due=_money(case.amount_due), entry=case.entry_id))
        if case.outstanding < 0 or (case.outstanding == 0) != (case.state == RecoveryCase.SETTLED):
            diff.append(RECOVERY_OWED.format(case=case.pk, due=_money(case.amount_due), repaid=_money(case.repaid),
                                             written_off=_money(case.written_off), state=case.state_label))
    for claim in claims:
        state = State(claim.state).label
        grant, claim_net = grant_of.get(claim.pk), net.get(claim.pk, Decimal(0))
        if claim.state == State.CLOSED and claim.pk in staged:
            # closed when a condition failed: the award nets to what was paid (nothing, when revoked)
            paid = sum((i.amount for i in staged[claim.pk] if i.state == Installment.PAID), Decimal(0))
            if grant is None or claim.approved_amount != grant.amount:
                diff.append(CLAIM_AMOUNT.format(claim=claim.pk, approved=_money(claim.approved_amount or 0),
                                                granted=_money(grant.amount if grant else 0)))
            if claim_net != paid:
                diff.append(CLAIM_NET.format(claim=claim.pk, state=state, net=_money(claim_net), expected=_money(paid)))
        elif claim.state in AWARDED_STATES:
            if grant is None:
                diff.append(CLAIM_NO_GRANT.format(claim=claim.pk, state=state, approved=_money(claim.approved_amount or 0)))
                continue
            if claim.approved_amount != grant.amount:
                diff.append(CLAIM_AMOUNT.format(claim=claim.pk, approved=_money(claim.approved_amount or 0), granted=_money(grant.amount)))
            # A recovery of all (a reversal) nets the claim to zero; one in proportion is among `reduced`.
            expected = grant.amount + reduced[claim.pk] + recovered_all[claim.pk]
            if claim_net != expected:
                diff.append(CLAIM_NET.format(claim=claim.pk, state=state, net=_money(claim_net), expected=_money(expected)))
        elif claim.state == State.REVOKED:
            if claim_net != 0:
                diff.append(CLAIM_NET.format(claim=claim.pk, state=state, net=_money(claim_net), expected="0.00"))
        elif claim.pk in net:
            diff.append(CLAIM_UNEXPECTED.format(claim=claim.pk, state=state, net=_money(claim_net)))
    claim_state = {c.pk: c.state for c in claims}
    _staged(diff, staged, payments, net, claim_state, entries, recovered)
    for payment in payments:
        if payment.claim_id in staged:
            continue  # held against its installment (_staged)
        claim_net = net.get(payment.claim_id, Decimal(0))
        if payment.amount != claim_net + recovered.get(payment.claim_id, Decimal(0)):
            diff.append(PAYMENT_AMOUNT.format(claim=payment.claim_id, paid=_money(payment.amount),
                                              net=_money(claim_net + recovered.get(payment.claim_id, Decimal(0)))))
        if claim_state.get(payment.claim_id) != State.PAID:
            diff.append(PAYMENT_STATE.format(claim=payment.claim_id, state=State(claim_state.get(payment.claim_id, State.DRAFT)).label))

    _budgets_against_the_ledger(diff)
    _against_the_chain(result, entries, claims, payments)
    # The accounts money goes to: sealed at their own rows, and as last audited.
    from ipfund.web.reconcile_accounts import payee_differences

    diff.extend(payee_differences(payments))
    return result


def _budgets_against_the_ledger(diff: list[str]) -> None:
    from ipfund.web.budgets.models import Budget
    from ipfund.web.budgets.selectors import committed, policy_title

    for budget in Budget.objects.select_related("round").order_by("policy", "year", "round_id"):
        total = committed(budget)
        if total != budget.committed:
            scope = (f"《{policy_title(budget.policy)}》申报批次“{budget.round.name}”" if budget.round
                     else f"《{policy_title(budget.policy)}》{budget.year} 年度")
            diff.append(BUDGET_MISMATCH.format(scope=scope, running=_money(budget.committed), ledger=_money(total)))


def _staged(diff: list, staged: dict, payments, net: dict, claim_state: dict, entries, recovered: dict) -> None:
    """Awards paid in stages: each payment pays its own installment; the payments never exceed the
    net; the installments not cancelled add up to the net; each cancelled one names the ledger
    entry (reduction or reversal, of the same claim) that took it back. Money recovered for a
    broken promise (`recovered`, by claim) was paid and is taken back in the ledger, not from the
    installments: it counts with the net (what was paid is the net plus what was recovered)."""
    paid_by: dict[int, list] = defaultdict(list)
    for payment in payments:
        if payment.claim_id in staged:
            paid_by[payment.claim_id].append(payment)
    taking_back = {e.pk: e.claim_id for e in entries if e.kind in (AwardEntry.REDUCTION, AwardEntry.REVERSAL)}
    for claim_id, rows in staged.items():
        by_pk = {i.pk: i for i in rows}
        claim_net = net.get(claim_id, Decimal(0)) + recovered.get(claim_id, Decimal(0))
        total = Decimal(0)
        for payment in paid_by.get(claim_id, []):
            total += payment.amount
            inst = by_pk.get(payment.installment_id)
            if inst is None:
                diff.append(STAGED_PAYMENT_NONE.format(claim=claim_id, payment=payment.pk))
                continue
            if payment.amount != inst.amount:
                diff.append(STAGED_PAYMENT_AMOUNT.format(claim=claim_id, payment=payment.pk, paid=_money(payment.amount),
                                                         n=inst.number, amount=_money(inst.amount)))
            if inst.state != Installment.PAID:
                diff.append(STAGED_PAID_STATE.format(claim=claim_id, n=inst.number, state=inst.state_label))
            if claim_state.get(claim_id) not in STAGED_PAID_STATES:
                diff.append(PAYMENT_STATE.format(claim=claim_id, state=State(claim_state.get(claim_id, State.DRAFT)).label))
        paid_rows = {p.installment_id for p in paid_by.get(claim_id, [])}
        for inst in rows:
            if inst.state == Installment.PAID and inst.pk not in paid_rows:
                diff.append(STAGED_PAID_STATE.format(claim=claim_id, n=inst.number, state=inst.state_label))
            if inst.state == Installment.CANCELLED and taking_back.get(inst.cancelled_by_id) != claim_id:
                diff.append(STAGED_CANCELLED.format(claim=claim_id, n=inst.number))
        if total > claim_net:
            diff.append(STAGED_OVERPAID.format(claim=claim_id, paid=_money(total), net=_money(claim_net)))
        live = sum((i.amount for i in rows if i.state != Installment.CANCELLED), Decimal(0))
        if live != claim_net:
            diff.append(STAGED_LIVE.format(claim=claim_id, live=_money(live), net=_money(claim_net)))


def _against_the_chain(result: ReconcileResult, entries, claims, payments) -> None:
    diff = result.differences
    chain = audit_verify()
    if not chain.ok:
        diff.append(AUDIT_CHAIN.format(message=chain.message))
    events = AuditEvent.objects.filter(
        action__in=["award_grant", "award_revoke", "award_reduce", "payment_record", "claim_approve"]
    ).order_by("seq").only("seq", "action", "object_type", "object_id", "before", "after")
    by_object: dict[tuple, AuditEvent] = {}
    approvals: dict[str, AuditEvent] = {}
    for event in events:
        if event.action == "claim_approve":
            approvals[event.object_id] = event  # the last approval of a claim counts
        else:
            by_object[(event.action, event.object_id)] = event
    for entry in entries:
        action = {AwardEntry.GRANT: "award_grant", AwardEntry.REDUCTION: "award_reduce"}.get(entry.kind, "award_revoke")
        event = by_object.get((action, str(entry.pk)))
        if event is None:
            diff.append(AUDIT_ENTRY_MISSING.format(entry=entry.pk, claim=entry.claim_id, amount=_money(entry.amount)))
            continue
        # A grant's event records its amount; a revocation's the amount it took back; a
        # reduction's the amount it cut.
        if action == "award_grant":
            audited = _amount((event.after or {}).get("amount"))
        elif action == "award_reduce":
            audited = _amount((event.after or {}).get("reduced_by"))
        else:
            audited = _amount((event.before or {}).get("amount"))
        expected = entry.amount if action == "award_grant" else -entry.amount
        if audited != expected:
            diff.append(AUDIT_ENTRY_AMOUNT.format(entry=entry.pk, amount=_money(expected), seq=event.seq, audited=audited))
    for payment in payments:
        event = by_object.get(("payment_record", str(payment.pk)))
        if event is None:
            diff.append(AUDIT_PAYMENT_MISSING.format(payment=payment.pk, claim=payment.claim_id))
        elif _amount((event.after or {}).get("amount")) != payment.amount:
            diff.append(AUDIT_PAYMENT_AMOUNT.format(payment=payment.pk, amount=_money(payment.amount), seq=event.seq,
                                                    audited=(event.after or {}).get("amount")))
    for claim in claims:
        if claim.approved_amount is None:
            continue
        event = approvals.get(str(claim.pk))
        if event is None:
            diff.append(AUDIT_CLAIM_MISSING.format(claim=claim.pk, approved=_money(claim.approved_amount)))
        elif _amount((event.after or {}).get("approved_amount")) != claim.approved_amount:
            diff.append(AUDIT_CLAIM_AMOUNT.format(claim=claim.pk, approved=_money(claim.approved_amount), seq=event.seq,
                                                  audited=(event.after or {}).get("approved_amount")))
