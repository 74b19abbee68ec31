"""Promises and recovery through the services: the promise recorded at approval with its letter and
its term started by the payment, a breach recorded with evidence taking the amount due back in the
ledger (caps and budgets freed), repayments and a write-off approved by a second person settling the
receivable, the notice stating the facts, reconcile clean at every step."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ipfund.web.audit.models import AuditEvent
from ipfund.web.audit.services import audit_verify
from ipfund.web.budgets.selectors import budget_statuses
from ipfund.web.budgets.services import budget_set
from ipfund.web.demo import flow
from ipfund.web.documents.recovery_notice import recovery_notice_issue
from ipfund.web.engine_door import default_policy
from ipfund.web.ledger.models import AwardEntry, CapBucket, DuplicateKey
from ipfund.web.reconcile import audit_reconcile
from ipfund.web.ledger.selectors import award_net
from ipfund.web.promises.models import Promise, RecoveryCase, WriteOff
from ipfund.web.promises.services import (
    promise_remind, promises_refresh, recovery_amount, recovery_open, recovery_repay, recovery_write_off_decide,
    recovery_write_off_request,
)
from ipfund.web.rounds.services import interpretation_choose

from ipfund.web.demo.promises import paid_promise

pytestmark = pytest.mark.django_db


def _open(staff, promise, *, days_ago=30, breach="moved_out_of_zone"):
    return recovery_open(actor=staff.reviewer, promise=promise, breach=breach,
                         breached_on=timezone.localdate() - dt.timedelta(days=days_ago),
                         note="企业登记住所变更至端州区，已迁离本区。", upload=flow.pdf_upload("变更登记.pdf"))


def test_approval_records_the_promise_with_its_letter_and_payment_starts_the_term(staff, open_round, applicant):
    promise = paid_promise(staff, applicant("service_agency"))
    assert promise.text == "上述机构在申请资助时需提交在区内经营不少于3年的承诺书。"
    assert promise.evidence is not None and promise.evidence.requirement == "在区内经营不少于3年的承诺书"
    assert (promise.years, promise.start_basis, promise.recovery_basis) == (3, "payment", "all")
    paid_on = timezone.localdate() - dt.timedelta(days=365)
    assert promise.term_start == paid_on
    assert promise.term_end.year == paid_on.year + 3 and promise.state == Promise.ACTIVE
    assert promise.interpretations == ["A37=payment", "A38=all"]
    assert AuditEvent.objects.filter(action="promise_record").count() == 1
    assert AuditEvent.objects.filter(action="promise_start").count() == 1


def test_a_breach_recovers_all_frees_cap_key_and_budget_and_reconciles(staff, open_round, applicant):
    policy = default_policy().id
    year = timezone.localdate().year
    budget_set(actor=staff.admin, policy=policy, year=year, amount="1000000")
    promise = paid_promise(staff, applicant("service_agency"))
    claim = promise.claim
    [before] = budget_statuses(year=year, policy=policy)
    assert before.committed == Decimal("50000.00")
    case = _open(staff, promise)
    assert (case.amount_due, case.basis, case.awarded) == (Decimal("50000.00"), "all", Decimal("50000.00"))
    assert case.entry.kind == AwardEntry.REVERSAL and case.entry.amount == Decimal("-50000.00")
    assert award_net(claim=claim) == 0
    assert DuplicateKey.objects.get(entry__claim=claim).released_by_id == case.entry.pk
    assert all(b.used == 0 for b in CapBucket.objects.filter(item="agency_establishment"))
    [after] = budget_statuses(year=year, policy=policy)
    assert after.committed == Decimal("0.00")
    promise.refresh_from_db()
    assert promise.state == Promise.BROKEN and case.outstanding == Decimal("50000.00")
    result = audit_reconcile()
    assert result.ok, result.message


def test_proportional_recovery_is_the_days_left_over_the_term_rounded_half_up(staff, open_round, applicant):
    interpretation_choose(actor=staff.admin, policy=default_policy().id, interpretation="A38", option="proportional",
                          effective_from=timezone.localdate() - dt.timedelta(days=800), reason="按比例追回")
    promise = paid_promise(staff, applicant("service_agency"))
    assert promise.recovery_basis == "proportional"
    case = _open(staff, promise, days_ago=100)
    term_days = (promise.term_end - promise.term_start).days
    days_left = (promise.term_end - case.breached_on).days
    assert (case.term_days, case.days_left) == (term_days, days_left)
    exact = Decimal("50000.00") * days_left / term_days
    assert case.amount_due == exact.quantize(Decimal("0.01"))
    assert case.entry.kind == AwardEntry.REDUCTION and case.entry.amount == -case.amount_due
    assert award_net(claim=promise.claim) == Decimal("50000.00") - case.amount_due
    assert audit_reconcile().ok, audit_reconcile().message


@pytest.mark.parametrize("awarded,left,term,due", [
    ("100000.00", 365, 1096, "33302.92"),   # 33302.919… → .92
    ("50000.00", 1, 1095, "45.66"),          # 45.6621 → .66
    ("1.00", 1, 200, "0.01"),                # 0.005 exactly: half up to one fen
    ("100000.00", 1096, 1096, "100000.00"),  # broken on the first day: all
])
def test_recovery_amount_rounding(awarded, left, term, due):
    start = dt.date(2024, 1, 1)
    end = start + dt.timedelta(days=term)
    amount, term_days, days_left = recovery_amount(awarded=Decimal(awarded), basis="proportional", term_start=start,
                                                   term_end=end, breached_on=end - dt.timedelta(days=left))
    assert (amount, term_days, days_left) == (Decimal(due), term, left)


def test_breach_needs_staff_evidence_a_date_in_the_term_and_a_declared_breach(staff, open_round, applicant):
    promise = paid_promise(staff, applicant("service_agency"))
    with pytest.raises(PermissionDenied):
        recovery_open(actor=staff.finance, promise=promise, breach="deregistered", breached_on=timezone.localdate(),
                      note="x", upload=flow.pdf_upload())
    with pytest.raises(ValidationError) as exc:
        recovery_open(actor=staff.reviewer, promise=promise, breach="bankrupt",
                      breached_on=promise.term_start - dt.timedelta(days=1), note=" ", upload=None)
    errors = exc.value.message_dict
    assert set(errors) == {"breach", "breached_on", "note", "evidence"}
    assert "承诺期" in errors["breached_on"][0] and "证明材料" in errors["evidence"][0]
    assert not RecoveryCase.objects.exists() and award_net(claim=promise.claim) == Decimal("50000.00")


def test_repayments_and_a_write_off_by_a_second_person_settle_the_case(staff, open_round, applicant):
    promise = paid_promise(staff, applicant("service_agency"))
    case = _open(staff, promise)
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        recovery_repay(actor=staff.reviewer, case=case, amount="100", paid_on=today, reference="R1")
    with pytest.raises(ValidationError) as exc:
        recovery_repay(actor=staff.finance, case=case, amount="50000.01", paid_on=today, reference="R1")
    assert "超过尚未归还的 50,000.00 元" in exc.value.message_dict["amount"][0]
    recovery_repay(actor=staff.finance, case=case, amount="30000.00", paid_on=today, reference="HD-R1")
    case.refresh_from_db()
    assert case.outstanding == Decimal("20000.00") and case.state == RecoveryCase.OPEN
    write_off = recovery_write_off_request(actor=staff.finance, case=case, amount="20000.00", reason="企业已注销，无财产可供执行。")
    with pytest.raises(PermissionDenied):
        recovery_write_off_decide(actor=staff.finance, write_off=write_off, approve=True)
    recovery_write_off_decide(actor=staff.admin, write_off=write_off, approve=True, note="同意核销")
    case.refresh_from_db()
    write_off.refresh_from_db()
    assert write_off.state == WriteOff.APPROVED and write_off.decided_by == staff.admin
    assert case.outstanding == 0 and case.state == RecoveryCase.SETTLED
    assert audit_verify().ok
    result = audit_reconcile()
    assert result.ok, result.message


def test_what_is_written_off_was_spent_so_the_budget_carries_it_again(staff, open_round, applicant):
    """The breach frees the budget (50,000.00 taken back, expected back); 30,000.00 is repaid and
    20,000.00 written off: that money was paid and will not come back, so the year's budget carries
    20,000.00 again — audited, and reconcile holds the running total to the ledger plus the charge.
    A rejected write-off charges nothing. The award stays taken back (cap and key free)."""
    from ipfund.web.budgets.models import Budget, BudgetCharge

    policy = default_policy().id
    year = timezone.localdate().year
    budget = budget_set(actor=staff.admin, policy=policy, year=year, amount="1000000")
    promise = paid_promise(staff, applicant("service_agency"))
    case = _open(staff, promise)
    assert Budget.objects.get(pk=budget.pk).committed == Decimal("0.00")
    recovery_repay(actor=staff.finance, case=case, amount="30000.00", paid_on=timezone.localdate(), reference="HD-R1")
    refused = recovery_write_off_request(actor=staff.finance, case=case, amount="20000.00", reason="企业称无力归还。")
    recovery_write_off_decide(actor=staff.admin, write_off=refused, approve=False, note="未穷尽追缴手段")
    assert not BudgetCharge.objects.exists() and Budget.objects.get(pk=budget.pk).committed == Decimal("0.00")
    write_off = recovery_write_off_request(actor=staff.finance, case=case, amount="20000.00", reason="企业已注销，无财产可供执行。")
    recovery_write_off_decide(actor=staff.admin, write_off=write_off, approve=True, note="同意核销")
    charge = BudgetCharge.objects.get()
    assert (charge.amount, charge.source, charge.grant.claim_id) == (Decimal("20000.00"), f"write_off:{write_off.pk}", promise.claim_id)
    assert "核销 20,000.00 元" in charge.reason and "不再收回" in charge.reason
    assert Budget.objects.get(pk=budget.pk).committed == Decimal("20000.00")
    [status] = budget_statuses(year=year, policy=policy)
    assert status.committed == Decimal("20000.00")
    event = AuditEvent.objects.get(action="budget_charge")
    assert event.after["amount"] == "20000.00" and event.after["budgets"] == {str(budget.pk): "20000.00"}
    assert award_net(claim=promise.claim) == 0
    assert all(b.used == 0 for b in CapBucket.objects.filter(item="agency_establishment"))
    result = audit_reconcile()
    assert result.ok, result.message
    # The charge cannot be taken away (insert-only, in the database too); a write-off whose amount
    # was changed behind the services no longer matches its charge: reconcile says so.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetCharge.objects.filter(pk=charge.pk).delete()
    WriteOff.objects.filter(pk=write_off.pk).update(amount=Decimal("19000.00"))
    assert f"追回案件 #{case.pk} 的核销 #{write_off.pk}（19000.00 元，已批准）计入预算 20000.00 元" in "".join(audit_reconcile().differences)


def test_the_database_refuses_a_write_off_decided_by_its_requester(staff, open_round, applicant):
    from django.db import IntegrityError, transaction

    case = _open(staff, paid_promise(staff, applicant("service_agency")))
    write_off = recovery_write_off_request(actor=staff.finance, case=case, amount="1.00", reason="测试")
    with pytest.raises(IntegrityError), transaction.atomic():
        WriteOff.objects.filter(pk=write_off.pk).update(decided_by=staff.finance, state=WriteOff.APPROVED)


def test_the_notice_states_the_facts_as_printed(staff, open_round, applicant, tmp_path):
    promise = paid_promise(staff, applicant("service_agency", name="肇庆星河知识产权代理有限公司"))
    case = _open(staff, promise)
    recovery_repay(actor=staff.finance, case=case, amount="12345.67", paid_on=timezone.localdate(), reference="HD-0001")
    case.refresh_from_db()
    pdf, number = recovery_notice_issue(actor=staff.reviewer, case=case)
    again, same = recovery_notice_issue(actor=staff.reviewer, case=case)
    assert number == same and number.startswith("肇高经科追〔")
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    text = "".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                                  text=True).stdout.split())
    for expected in ("追回资助资金通知书", number, "肇庆星河知识产权代理有限公司", "上述机构在申请资助时需提交在区内经营不少于3年的承诺书。",
                     "50,000.00", "伍万元整", "12,345.67", "37,654.33", "HD-0001", "迁离本区", "2016000000000000000",
                     f"{case.due_by.year}年{case.due_by.month}月{case.due_by.day}日前"):
        assert expected in text, (expected, text)


def test_terms_kept_and_reminders(staff, open_round, applicant):
    promise = paid_promise(staff, applicant("service_agency"), paid_days_ago=3 * 365 - 10)
    sent = promise_remind()
    assert sent == 1 and promise_remind() == 0
    promises_refresh(today=promise.term_end + dt.timedelta(days=1))
    promise.refresh_from_db()
    assert promise.state == Promise.KEPT


# ------------------------------------------------------------------------------------------
# A promise on an award paid in stages (the county fund's 专利导航服务补助, 立项50%/验收50%, with a
# promise added in a copy of the fixture: 3 years in the county from the first payment).

COUNTY = "fictional-county-fund-2026"
PROMISE_PARAM = """  navigation.promise_years:
    clause: 第八条
    title: 承诺在县内经营的年限
    kind: number
    values: [{from: 2026-01-01, value: 3}]
"""
PROMISE_SPEC = """    promise:
      text: 受补助企业应承诺自首次拨付之日起在本县经营不少于3年。
      evidence: 在县内经营承诺书
      years: navigation.promise_years
      from: payment
      recovery: {basis}
      breaches: [moved_out_of_zone, deregistered]
"""


@pytest.fixture(params=["all", "proportional"])
def staged_promise_policy(request, tmp_path, monkeypatch, staff):
    import shutil

    from ipfund.web.rounds.services import round_create

    source = Path(__file__).resolve().parents[2] / "fixtures" / "policies" / COUNTY
    target = tmp_path / "policies" / COUNTY
    shutil.copytree(source, target)
    text = (target / "policy.yaml").read_text(encoding="utf-8")
    text = text.replace("parameters:\n", "parameters:\n" + PROMISE_PARAM, 1)
    text = text.replace("    evidence: [专利导航服务合同, 付款凭证]\n",
                        "    evidence: [专利导航服务合同, 付款凭证, 在县内经营承诺书]\n" + PROMISE_SPEC.format(basis=request.param), 1)
    (target / "policy.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(tmp_path / "policies"))
    now = timezone.now()
    round_create(actor=staff.admin, policy=COUNTY, name="2026年县专项资金批次", opens_at=now - dt.timedelta(days=1),
                 closes_at=now + dt.timedelta(days=30), items=["navigation"])
    return request.param


def _staged_paid_in_full(staff, applicant, budget):
    """A 专利导航 award of 30,000.00 (contract 100,000 × 30%) approved past the year's 24,000.00
    budget, cut pro rata after the round (第十二条) to 24,000.00 — 12,000.00 per installment, each
    keeping its 50% — and paid in both: the first at 立项, the second after 验收合格 (recorded by a
    second reviewer)."""
    from ipfund.web.allocation.services import pro_rata_apply
    from ipfund.web.claims.models import Claim
    from ipfund.web.claims.services import claim_draft_create, claim_submit
    from ipfund.web.payments.installments import installment_outcome
    from ipfund.web.payments.models import Installment
    from ipfund.web.payments.services import payment_record
    from ipfund.web.rounds.models import ApplicationRound

    user = applicant("enterprise")
    claim = claim_draft_create(actor=user, item="navigation", event_date=dt.date(2026, 6, 1), policy=COUNTY,
                               facts={"contract_no": "S-PR-1", "contract_amount": "100000"})
    flow.attach_all_evidence(user, claim)
    claim = flow.advance(claim_submit(actor=user, claim=claim), "approved", staff)
    flow.publish_and_finalize(staff, [claim])
    ApplicationRound.objects.filter(policy=COUNTY).update(opens_at=timezone.now() - dt.timedelta(days=2),
                                                          closes_at=timezone.now() - dt.timedelta(minutes=1))
    pro_rata_apply(actor=staff.approver, budget=budget)
    assert [i.amount for i in Installment.objects.filter(claim=claim).order_by("number")] == [Decimal("12000.00")] * 2
    first_paid = timezone.localdate() - dt.timedelta(days=200)
    payment_record(actor=staff.finance, claim=Claim.objects.get(pk=claim.pk), paid_on=first_paid, reference="PZ-1")
    installment_outcome(actor=staff.reviewer2, installment=Installment.objects.get(claim=claim, number=2), met=True,
                        note="验收合格", upload=flow.pdf_upload("验收意见书.pdf"))
    payment_record(actor=staff.finance, claim=Claim.objects.get(pk=claim.pk), paid_on=timezone.localdate() - dt.timedelta(days=100),
                   reference="PZ-2")
    promises_refresh()
    return Claim.objects.get(pk=claim.pk)


def test_a_recovery_of_an_award_paid_in_both_installments(staff, applicant, staged_promise_policy):
    """Both installments paid (24,000.00 after the cut), then the enterprise moves out: all of it (或 the days
    left over the term, 3 years from the first payment) is taken back in the ledger — a reversal or
    a reduction against the one grant — the budget carries the rest, the paid installments stay
    as paid, and reconcile agrees; finance sees nothing more to pay."""
    from ipfund.web.payments.models import Installment
    from ipfund.web.payments.selectors import to_pay

    year = timezone.localdate().year
    budget = budget_set(actor=staff.admin, policy=COUNTY, year=year, amount="24000")
    claim = _staged_paid_in_full(staff, applicant, budget)
    assert claim.state == "paid"
    assert [(i.number, i.amount, i.state) for i in Installment.objects.filter(claim=claim).order_by("number")] == [
        (1, Decimal("12000.00"), Installment.PAID), (2, Decimal("12000.00"), Installment.PAID)]
    promise = Promise.objects.get(claim=claim)
    assert promise.term_start == timezone.localdate() - dt.timedelta(days=200)  # the first payment starts the term
    assert audit_reconcile().ok, audit_reconcile().differences

    case = _open(staff, promise)
    if staged_promise_policy == "all":
        due, kind = Decimal("24000.00"), AwardEntry.REVERSAL
    else:  # the days of the term left over its days, of the award's net after the cut, to the fen
        due = recovery_amount(awarded=Decimal("24000.00"), basis="proportional", term_start=promise.term_start,
                              term_end=promise.term_end, breached_on=case.breached_on)[0]
        assert Decimal("0") < due < Decimal("24000.00") and case.awarded == Decimal("24000.00")
        kind = AwardEntry.REDUCTION
    assert case.amount_due == due and case.entry.kind == kind and case.entry.amount == -due
    assert award_net(claim=claim) == Decimal("24000.00") - due
    budget.refresh_from_db()
    assert budget.committed == Decimal("24000.00") - due
    [status] = budget_statuses(year=year, policy=COUNTY)
    assert status.committed == budget.committed and status.paid == Decimal("24000.00")
    assert [i.state for i in Installment.objects.filter(claim=claim).order_by("number")] == [Installment.PAID] * 2
    assert not any(r.claim.pk == claim.pk for r in to_pay(user=staff.finance))
    result = audit_reconcile()
    assert result.ok, result.differences
