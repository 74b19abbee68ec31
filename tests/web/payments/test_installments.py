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
from ipfund.web.ledger.reconcile import audit_reconcile
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
