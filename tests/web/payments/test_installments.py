"""Stages (分期拨付) on the platform: the fictional county fund's 专利导航服务补助 is paid half at
立项 and half once a reviewer confirms 验收合格 (tests/fixtures/policies/fictional-county-fund-2026,
第八条). The whole award is granted at approval (caps, budget); each installment is its own row
and its own payment; the second is held until its condition is met and cancelled — by a ledger
reduction, or a reversal when nothing was paid — when it fails; reconcile agrees throughout
(SQLite; PostgreSQL with DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ipfund.web.audit.models import AuditEvent
from ipfund.web.claims import duties
from ipfund.web.claims.models import Claim
from ipfund.web.claims.services import claim_draft_create, claim_submit
from ipfund.web.claims.workflow import State
from ipfund.web.demo import flow
from ipfund.web.ledger.models import AwardEntry, CapBucket
from ipfund.web.reconcile import audit_reconcile
from ipfund.web.ledger.selectors import award_net
from ipfund.web.payments.installments import installment_outcome, installments_for
from ipfund.web.payments.models import Installment, Payment
from ipfund.web.payments.selectors import to_pay
from ipfund.web.payments.services import payment_record
from tests.web.exports.test_exports import export

# the county fund installed beside the 2022 policy, 不设预算, a round open for its items (a fixture)
from tests.web.ledger.test_shared_rules import COUNTY, county  # noqa: F401  (county: a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("county")]


def final_navigation(staff, user, contract_no="S-001", amount="100000") -> Claim:
    claim = claim_draft_create(actor=user, item="navigation", event_date=dt.date(2026, 6, 1), policy=COUNTY,
                               facts={"contract_no": contract_no, "contract_amount": amount})
    flow.attach_all_evidence(user, claim)
    claim = flow.advance(claim_submit(actor=user, claim=claim), "approved", staff)
    flow.publish_and_finalize(staff, [claim])
    return Claim.objects.get(pk=claim.pk)


def pay(staff, claim, ref="PZ-1"):
    return payment_record(actor=staff.finance, claim=Claim.objects.get(pk=claim.pk), paid_on=timezone.localdate(), reference=ref)


def test_approval_plans_two_installments_and_grants_the_whole_award(staff, applicant):
    claim = final_navigation(staff, applicant("enterprise"))
    assert claim.approved_amount == Decimal("30000.00")
    rows = installments_for(claim)
    assert [(i.number, i.amount, i.condition_label, i.state) for i in rows] == [
        (1, Decimal("15000.00"), "立项时", Installment.DUE), (2, Decimal("15000.00"), "验收合格", Installment.WAITING)]
    grant = AwardEntry.objects.get(claim=claim)
    assert grant.amount == Decimal("30000.00") and {i.grant_id for i in rows} == {grant.pk}
    # the whole award counts against the yearly total at approval
    assert CapBucket.objects.get(item="cap:yearly_total").used == Decimal("30000.00")
    plan = AuditEvent.objects.get(action="installments_plan", object_id=str(claim.pk))
    assert [i["amount"] for i in plan.after["installments"]] == ["15000.00", "15000.00"]
    assert audit_reconcile().ok, audit_reconcile().differences


def test_installments_paid_in_order_the_second_held_until_accepted(staff, applicant):
    claim = final_navigation(staff, applicant("enterprise"))
    first = pay(staff, claim)
    assert (first.amount, first.installment.number) == (Decimal("15000.00"), 1)
    claim.refresh_from_db()
    assert claim.state == State.PARTLY_PAID
    assert claim.state_label == "部分拨付（余款待条件满足）"
    assert audit_reconcile().ok, audit_reconcile().differences
    # finance sees the second installment, held on its condition
    row = next(r for r in to_pay(user=staff.finance) if r.claim.pk == claim.pk)
    assert row.net == Decimal("15000.00") and "第 2 期 15000.00 元须验收合格后拨付" in row.blocked
    with pytest.raises(ValidationError) as exc:
        pay(staff, claim, "PZ-2")
    assert "须验收合格后拨付，尚未确认" in str(exc.value)

    # the reviewer records 验收合格 with the acceptance report
    second = Installment.objects.get(claim=claim, number=2)
    installment_outcome(actor=staff.reviewer2, installment=second, met=True, note="2026年7月1日验收合格",
                        upload=flow.pdf_upload("验收意见书.pdf"))
    second.refresh_from_db()
    assert second.state == Installment.DUE and second.confirmed_by == staff.reviewer2 and second.evidence is not None
    event = AuditEvent.objects.get(action="installment_confirm")
    assert event.object_id == str(claim.pk) and event.after["outcome"] == "验收合格"
    with pytest.raises(ValidationError):  # recorded once
        installment_outcome(actor=staff.reviewer2, installment=second, met=False, note="再次", upload=flow.pdf_upload())

    last = pay(staff, claim, "PZ-2")
    claim.refresh_from_db()
    assert (last.amount, last.installment.number, claim.state) == (Decimal("15000.00"), 2, State.PAID)
    assert sum(p.amount for p in Payment.objects.filter(claim=claim)) == award_net(claim=claim) == Decimal("30000.00")
    assert not any(r.claim.pk == claim.pk for r in to_pay(user=staff.finance))
    with pytest.raises(ValidationError):
        pay(staff, claim, "PZ-3")
    assert audit_reconcile().ok, audit_reconcile().differences


def test_a_failed_acceptance_cancels_the_rest_by_a_reduction_and_closes_the_claim(staff, applicant):
    claim = final_navigation(staff, applicant("enterprise"), "S-002")
    pay(staff, claim)
    second = Installment.objects.get(claim=claim, number=2)
    outcome = installment_outcome(actor=staff.reviewer2, installment=second, met=False, note="验收专家组认定未完成导航报告",
                                  upload=flow.pdf_upload("验收意见书.pdf"))
    assert outcome.closed and [i.number for i in outcome.cancelled] == [2]
    second.refresh_from_db()
    reduction = second.cancelled_by
    assert second.state == Installment.CANCELLED
    assert (reduction.kind, reduction.amount) == (AwardEntry.REDUCTION, Decimal("-15000.00"))
    assert "验收不合格" in reduction.reason
    assert award_net(claim=claim) == Decimal("15000.00")
    # the freed half is back in the yearly total
    assert CapBucket.objects.get(item="cap:yearly_total").used == Decimal("15000.00")
    claim.refresh_from_db()
    assert claim.state == State.CLOSED
    assert claim.decision_reason.startswith("验收不合格，第 2 期资助合计 15000.00 元已取消；已拨付 15000.00 元，本申报结案")
    assert AuditEvent.objects.filter(action="claim_close", object_id=str(claim.pk)).exists()
    assert not any(r.claim.pk == claim.pk for r in to_pay(user=staff.finance))
    result = audit_reconcile()
    assert result.ok, result.differences


def test_a_failure_before_any_payment_revokes_the_award(staff, applicant):
    claim = final_navigation(staff, applicant("enterprise"), "S-003")
    # 验收 fails before the first installment is paid: the first is still due, the second cancelled
    second = Installment.objects.get(claim=claim, number=2)
    installment_outcome(actor=staff.reviewer2, installment=second, met=False, note="未通过验收", upload=flow.pdf_upload())
    claim.refresh_from_db()
    assert claim.state == State.FINAL and award_net(claim=claim) == Decimal("15000.00")
    assert audit_reconcile().ok, audit_reconcile().differences
    paid = pay(staff, claim)
    claim.refresh_from_db()
    assert paid.amount == Decimal("15000.00") and claim.state == State.PAID
    assert audit_reconcile().ok, audit_reconcile().differences


def test_who_may_record_an_outcome_and_what_it_needs(staff, applicant):
    claim = final_navigation(staff, applicant("enterprise"), "S-004")
    second = Installment.objects.get(claim=claim, number=2)
    with pytest.raises(PermissionDenied):
        installment_outcome(actor=staff.finance, installment=second, met=True, note="合格", upload=flow.pdf_upload())
    with pytest.raises(ValidationError) as exc:
        installment_outcome(actor=staff.reviewer2, installment=second, met=True, note="", upload=None)
    assert set(exc.value.message_dict) == {"note", "evidence"}
    first = Installment.objects.get(claim=claim, number=1)
    with pytest.raises(ValidationError):  # an installment paid at approval has no condition to record
        installment_outcome(actor=staff.reviewer2, installment=first, met=True, note="合格", upload=flow.pdf_upload())
    # whoever confirmed the condition handled the claim (separation of duties: never its payer)
    installment_outcome(actor=staff.reviewer2, installment=second, met=True, note="合格", upload=flow.pdf_upload())
    assert staff.reviewer2.pk in duties.handlers_of(claim)
    assert not duties.may_pay(staff.reviewer2, claim)


def test_an_item_paid_at_once_has_no_installments(staff, applicant):
    user = applicant("enterprise")
    claim = claim_draft_create(actor=user, item="custody", event_date=dt.date(2026, 6, 1), policy=COUNTY,
                               facts={"contract_no": "T-001", "contract_amount": "10000"})
    flow.attach_all_evidence(user, claim)
    claim = flow.advance(claim_submit(actor=user, claim=claim), "approved", staff)
    flow.publish_and_finalize(staff, [claim])
    assert installments_for(claim) == []
    payment = pay(staff, claim)
    claim.refresh_from_db()
    assert (payment.amount, payment.installment, claim.state) == (Decimal("5000.00"), None, State.PAID)
    assert claim.payment == payment
    assert audit_reconcile().ok, audit_reconcile().differences


def test_the_bank_batch_lists_the_installment_due_and_holds_one_waiting(staff, applicant):
    due = final_navigation(staff, applicant("enterprise", name="肇庆甲导航有限公司"), "S-010")
    waiting = final_navigation(staff, applicant("enterprise", name="肇庆乙导航有限公司"), "S-011")
    pay(staff, waiting)  # its second installment now waits for 验收
    job, sheets = export(staff.finance, "bank_batch", template="generic_xlsx")
    _header, *rows = sheets["批量代发"]
    assert [(r[2], Decimal(str(r[4]))) for r in rows] == [("肇庆甲导航有限公司", Decimal("15000.00"))]
    assert any("第1期" in str(cell) for cell in rows[0])
    held = sheets["未导出"][1:]
    assert [(h[1], Decimal(str(h[2]))) for h in held] == [("肇庆乙导航有限公司", Decimal("15000.00"))]
    assert "第 2 期 15000.00 元须验收合格后拨付" in held[0][3]
    assert due.state == State.FINAL
    # the finance queue export says which installment each payment pays, or what it waits for
    _job, queue = export(staff.finance, "queue_finance")
    header, *lines = queue["待拨付清单"]
    stage = header.index("分期拨付")
    assert sorted(str(line[stage]) for line in lines) == sorted(["第 1 期", "第 2 期 15000.00 元须验收合格后拨付，尚未确认，不能拨付。"])


def test_finance_api_pays_installment_by_installment(staff, applicant):
    from tests.web.api.test_finance_api import get, post

    claim = final_navigation(staff, applicant("enterprise"), "S-020")
    rows = {r["claim_id"]: r for r in get(staff.finance, "/api/payments", state="final").json()}
    assert rows[claim.pk]["amount"] == "15000.00"  # the first installment is what the next payment pays
    response = post(staff.finance, f"/api/payments/{claim.pk}/paid", {"paid_on": dt.date.today().isoformat(), "reference": "API-1"})
    assert response.status_code == 200, response.json()
    row = next(r for r in get(staff.finance, "/api/payments", state="partly_paid").json() if r["claim_id"] == claim.pk)
    assert (row["state_label"], row["amount"]) == ("部分拨付（余款待条件满足）", "15000.00")
    refused = post(staff.finance, f"/api/payments/{claim.pk}/paid", {"paid_on": dt.date.today().isoformat(), "reference": "API-2"})
    assert refused.status_code == 400 and "须验收合格后拨付" in str(refused.json())


def test_reconcile_names_an_installment_that_disagrees(staff, applicant):
    claim = final_navigation(staff, applicant("enterprise"), "S-030")
    payment = pay(staff, claim)
    assert audit_reconcile().ok
    # an installment's amount changed behind the services: its payment and the net no longer agree
    Installment.objects.filter(claim=claim, number=1).update(amount=Decimal("14000.00"))
    differences = audit_reconcile().differences
    assert f"申报 #{claim.pk} 拨付记录 #{payment.pk} 为 15000.00 元，所付第 1 期为 14000.00 元。" in differences
    assert f"申报 #{claim.pk} 未取消的各期合计 29000.00 元，台账净额 30000.00 元。" in differences
    Installment.objects.filter(claim=claim, number=1).update(amount=Decimal("15000.00"))
    # an installment marked cancelled with no ledger entry taking it back
    grant = AwardEntry.objects.get(claim=claim)
    Installment.objects.filter(claim=claim, number=2).update(state=Installment.CANCELLED, cancelled_by=grant)
    differences = audit_reconcile().differences
    assert f"申报 #{claim.pk} 第 2 期已取消，却没有对应的核减或冲销台账记录。" in differences
    assert f"申报 #{claim.pk} 未取消的各期合计 15000.00 元，台账净额 30000.00 元。" in differences


def test_a_cut_of_an_award_in_stages_shrinks_its_unpaid_installments(staff, applicant):
    """What the pro-rata cut and the recovery of unpaid money call after award_reduce."""
    from ipfund.web.ledger.services import award_reduce
    from ipfund.web.payments.installments import installments_after_reduction

    claim = final_navigation(staff, applicant("enterprise"), "S-040")
    pay(staff, claim)
    entry = award_reduce(actor=staff.admin, claim=claim, amount=Decimal("6000.00"), reason="超出预算，按同一比例核减")
    changed = installments_after_reduction(actor=staff.admin, claim=claim, amount=Decimal("6000.00"), entry=entry)
    assert [(i.number, i.amount, i.state) for i in changed] == [(2, Decimal("9000.00"), Installment.WAITING)]
    assert audit_reconcile().ok, audit_reconcile().differences
    with pytest.raises(ValidationError):  # the paid first installment is not cut: it is recovered
        installments_after_reduction(actor=staff.admin, claim=claim, amount=Decimal("9000.01"), entry=entry)


def test_a_failed_installment_payment_is_paid_again_as_the_same_installment(staff, applicant):
    from ipfund.web.payments.services import (
        PayeeAccount, bank_change_confirm, bank_change_request, payment_batch_record, payment_fail,
    )

    claim = final_navigation(staff, applicant("enterprise"), "S-050")
    payment_fail(actor=staff.finance, claim=claim, reason="收款账户已销户")
    claim.refresh_from_db()
    assert claim.state == State.PAYMENT_FAILED
    # the same account is barred until changed; the next installment is still the first
    assert Installment.objects.get(claim=claim, number=1).state == Installment.DUE
    change = bank_change_request(actor=claim.applicant.user, profile=claim.applicant,
                                 account=PayeeAccount("中国银行肇庆分行", "6217000000004321", claim.applicant.name))
    bank_change_confirm(actor=staff.admin, change=change)
    retried = pay(staff, claim, "PZ-R")
    claim.refresh_from_db()
    assert (retried.installment.number, retried.amount, claim.state) == (1, Decimal("15000.00"), State.PARTLY_PAID)
    other = final_navigation(staff, applicant("enterprise"), "S-051")
    result = payment_batch_record(actor=staff.finance, claim_ids=[other.pk], paid_on=timezone.localdate(), reference="PL-1")
    assert [(line.paid, line.payment.amount, line.payment.installment.number) for line in result.lines] == [
        (True, Decimal("15000.00"), 1)]
    again = payment_batch_record(actor=staff.finance, claim_ids=[other.pk], paid_on=timezone.localdate(), reference="PL-2")
    assert not again.paid and "须验收合格后拨付" in again.refused[0].message
    assert audit_reconcile().ok, audit_reconcile().differences


def test_the_applicant_reads_the_installments_through_the_api(staff, applicant):
    from tests.web.api.test_finance_api import get

    user = applicant("enterprise")
    claim = final_navigation(staff, user, "S-060")
    pay(staff, claim)
    body = get(user, f"/api/claims/{claim.pk}").json()
    assert [(i["number"], i["amount"], i["condition_label"], i["state_label"], i["paid_on"] is not None)
            for i in body["installments"]] == [(1, "15000.00", "立项时", "已拨付", True),
                                               (2, "15000.00", "验收合格", "待验收", False)]
    assert body["state_label"] == "部分拨付（余款待条件满足）"
