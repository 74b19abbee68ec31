"""The audit trail: one event per state change, a hash chain, no edit path, verify finds tampering."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from ipfund.web.audit import services
from ipfund.web.audit.models import AuditEvent, AuditImmutableError
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample


def test_every_state_change_is_an_event_with_before_and_after(enterprise, open_round, staff):
    claim = flow.submitted_from_sample(enterprise, sample("custody_sme"))
    claim = flow.advance(claim, "recommended", staff)
    events = list(AuditEvent.objects.filter(object_type="claims.claim", object_id=str(claim.pk)))
    assert [e.action for e in events] == ["claim_draft_create", "claim_submit", "claim_recommend"]
    recommend = events[-1]
    assert recommend.actor == staff.reviewer
    assert recommend.before["state"] == "submitted" and recommend.after["state"] == "recommended"
    assert recommend.after["recommended_amount"] == "3000.00"


def test_chain_verifies(enterprise, open_round):
    flow.submitted_from_sample(enterprise, sample("custody_sme"))
    result = services.audit_verify()
    assert result.ok and result.count == AuditEvent.objects.count() > 5
    assert result.message == services.VERIFY_OK.format(count=result.count)


def test_no_edit_or_delete_path(enterprise):
    event = AuditEvent.objects.first()
    event.action = "something_else"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()


def test_tampered_row_is_reported(enterprise, open_round, triggers_dropped):
    flow.submitted_from_sample(enterprise, sample("custody_sme"))
    target = AuditEvent.objects.order_by("seq")[3]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["forged", target.pk])
    result = services.audit_verify()
    assert not result.ok
    assert result.broken_seq == target.seq
    assert result.message == services.VERIFY_BAD_HASH.format(seq=target.seq)


def test_deleted_row_is_reported(enterprise, open_round, triggers_dropped):
    flow.submitted_from_sample(enterprise, sample("custody_sme"))
    target = AuditEvent.objects.order_by("seq")[2]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [target.pk])
    result = services.audit_verify()
    assert not result.ok and result.broken_seq == target.seq + 1


def test_truncated_tail_is_reported(enterprise, open_round, triggers_dropped):
    flow.submitted_from_sample(enterprise, sample("custody_sme"))
    last = AuditEvent.objects.order_by("-seq").first()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    result = services.audit_verify()
    assert not result.ok and "尾部" in result.message


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain(staff):
    barrier = threading.Barrier(8)

    def work(i):
        try:
            barrier.wait()
            for j in range(5):
                from django.db import transaction

                with transaction.atomic():
                    services.audit_record(actor=staff.admin, action="test_write", object_type="test", object_id=f"{i}-{j}")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert AuditEvent.objects.filter(action="test_write").count() == 40
    assert services.audit_verify().ok


def test_every_break_is_reported_not_only_the_first(enterprise, open_round, triggers_dropped):
    """Issue #21 item 6: verify stopped at the first break, hiding a second edit further on."""
    flow.submitted_from_sample(enterprise, sample("custody_sme"))
    flow.submitted_from_sample(enterprise, sample("custody_sme", 1))
    events = list(AuditEvent.objects.order_by("seq"))
    edited, dropped, also_edited = events[2], events[5], events[-2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["forged", edited.pk])
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [dropped.pk])
        cursor.execute("UPDATE audit_auditevent SET after = %s WHERE id = %s", ['{"amount": "1"}', also_edited.pk])
    result = services.audit_verify()
    assert not result.ok and result.broken_seq == edited.seq
    assert result.problems == (
        services.VERIFY_BAD_HASH.format(seq=edited.seq),
        services.VERIFY_GAP.format(seq=dropped.seq + 1, expected=dropped.seq),
        services.VERIFY_BAD_HASH.format(seq=also_edited.seq),
    )
    assert result.broken == (edited.seq, dropped.seq + 1, also_edited.seq)
    assert result.message.startswith(services.VERIFY_MANY.format(n=3, problems="")[:-1])
