"""Tamper evidence the database enforces, and what `audit reconcile` and the keyed, checkpointed
chain find when someone who may change the schema goes around it — the raw-SQL tampering of
issue #11: ledger amounts multiplied, cap buckets raised, duplicate keys deleted, a claim's
approved amount changed, the last event deleted with the head updated, an event rewritten with
every later hash recomputed."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.db import IntegrityError, connection, transaction

from ipfund.web.audit import services
from ipfund.web.audit.canonical import canonical_json, event_hash
from ipfund.web.audit.models import AuditEvent, AuditHead
from ipfund.web.demo import flow
from ipfund.web.demo.loader import load_demo
from ipfund.web.demo.samples import sample
from ipfund.web import reconcile
from ipfund.web.ledger.models import AwardEntry, CapBucket, DuplicateKey
from ipfund.web.reconcile import audit_reconcile
from ipfund.web.ledger.services import award_revoke


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params))


def refused(statement: str, params=()) -> str:
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        sql(statement, params)
    return str(exc.value)


@pytest.fixture
def approved(enterprise, open_round, staff):
    """Two approved custody claims of one SME and year (a shared cap bucket) and a patent award."""
    claims = [flow.advance(flow.submitted_from_sample(enterprise, sample("custody_sme", i), facts={"service_year": 2023, "actual_cost": "4000"}), "approved", staff) for i in range(2)]
    claims.append(flow.advance(flow.submitted_from_sample(enterprise, sample("china_patent_award")), "approved", staff))
    return claims


def test_the_database_refuses_changes_to_ledger_keys_and_audit(approved):
    assert "资助台账只能追加" in refused("UPDATE ledger_awardentry SET amount = amount * 10")
    assert "资助台账只能追加" in refused("DELETE FROM ledger_awardentry")
    assert "重复资助键" in refused("DELETE FROM ledger_duplicatekey")
    assert "重复资助键" in refused("UPDATE ledger_duplicatekey SET key = 'x'")
    assert "审计事件只能追加" in refused("UPDATE audit_auditevent SET action = 'forged'")
    assert "审计事件只能追加" in refused("DELETE FROM audit_auditevent")
    if connection.vendor == "postgresql":
        sql("SET CONSTRAINTS ALL IMMEDIATE")  # the test's open transaction holds deferred checks
        assert "审计事件只能追加" in refused("TRUNCATE audit_auditevent CASCADE")
    assert audit_reconcile().ok


def test_a_duplicate_key_may_be_released_once_and_only_that(approved, staff):
    claim = approved[2]
    key = DuplicateKey.objects.get(entry__claim=claim)
    reversal = award_revoke(actor=staff.reviewer, claim=claim, reason="异议成立")
    assert DuplicateKey.objects.get(pk=key.pk).released_by == reversal
    assert "重复资助键" in refused("UPDATE ledger_duplicatekey SET released_by_id = NULL WHERE id = %s", [key.pk])


def test_reconcile_is_clean_on_the_demo_data_set(db):
    load_demo()
    result = audit_reconcile()
    assert result.ok, result.differences
    assert result.counts["entries"] > 5 and result.counts["payments"] > 0
    assert AwardEntry.objects.filter(kind=AwardEntry.REVERSAL).exists()  # revoked claims included


def test_multiplied_ledger_amounts_are_named(approved, triggers_dropped):
    grant = AwardEntry.objects.get(claim=approved[2])
    sql("UPDATE ledger_awardentry SET amount = amount * 10 WHERE id = %s", [grant.pk])
    differences = audit_reconcile().differences
    assert reconcile.CLAIM_AMOUNT.format(claim=approved[2].pk, approved="300000.00", granted="3000000.00") in differences
    assert reconcile.AUDIT_ENTRY_AMOUNT.format(entry=grant.pk, amount="3000000.00", seq=_event("award_grant", grant.pk).seq, audited="300000.00") in differences


def test_a_raised_cap_bucket_is_named(approved):
    bucket = CapBucket.objects.get(item="custody_sme")
    sql("UPDATE ledger_capbucket SET used = used + 1000 WHERE id = %s", [bucket.pk])
    assert audit_reconcile().differences == [
        reconcile.BUCKET_MISMATCH.format(group=bucket.group, item="custody_sme", used="5000.00", ledger="4000.00")
    ]


def test_a_deleted_duplicate_key_is_named(approved, triggers_dropped):
    key = DuplicateKey.objects.get(entry__claim=approved[2])
    sql("DELETE FROM ledger_duplicatekey WHERE id = %s", [key.pk])
    assert audit_reconcile().differences == [reconcile.KEY_MISSING.format(entry=key.entry_id, key=key.key)]


def test_a_changed_approved_amount_is_named(approved):
    claim = approved[0]
    sql("UPDATE claims_claim SET approved_amount = 9999 WHERE id = %s", [claim.pk])
    differences = audit_reconcile().differences
    seq = AuditEvent.objects.filter(action="claim_approve", object_id=str(claim.pk)).get().seq
    assert differences == [
        reconcile.CLAIM_AMOUNT.format(claim=claim.pk, approved="9999.00", granted="2000.00"),
        reconcile.AUDIT_CLAIM_AMOUNT.format(claim=claim.pk, approved="9999.00", seq=seq, audited="2000.00"),
    ]


def test_deleted_last_event_with_the_head_updated_is_caught_by_the_checkpoint(approved, triggers_dropped):
    services.audit_checkpoint()
    last, before = AuditEvent.objects.order_by("-seq")[:2]
    sql("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    sql("UPDATE audit_audithead SET seq = %s, last_hash = %s WHERE id = 1", [before.seq, before.hash])
    result = services.audit_verify()
    assert not result.ok
    assert result.message == services.VERIFY_TRUNCATED.format(checkpoint=last.seq, count=before.seq)
    assert reconcile.AUDIT_CHAIN.format(message=result.message) in audit_reconcile().differences


def _rewrite_from(seq: int, after: dict, rehash) -> None:
    """Change event ``seq`` and recompute every later hash and the head, as a forger would."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        fields = {**event.hashed_fields(), "prev_hash": prev}
        if event.seq == seq:
            fields["after"] = after
        new = rehash(fields)
        sql("UPDATE audit_auditevent SET after = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [canonical_json(fields["after"]), prev, new, event.pk])
        prev = new
    sql("UPDATE audit_audithead SET last_hash = %s WHERE id = 1", [prev])


@pytest.mark.parametrize("forger", ["sha256", "wrong-key"])
def test_a_rewritten_event_with_recomputed_hashes_is_caught_because_the_chain_is_keyed(approved, triggers_dropped, forger):
    rehash = {
        "sha256": lambda f: hashlib.sha256(canonical_json(f).encode()).hexdigest(),
        "wrong-key": lambda f: hmac.new(b"guessed", canonical_json(f).encode(), hashlib.sha256).hexdigest(),
    }[forger]
    grant = _event("award_grant", AwardEntry.objects.get(claim=approved[2]).pk)
    _rewrite_from(grant.seq, {**grant.after, "amount": "3000000.00"}, rehash)
    result = services.audit_verify()
    # every rewritten event is named, from the first on (verify goes on past a break)
    last = AuditEvent.objects.order_by("-seq").first().seq
    assert not result.ok and result.broken_seq == grant.seq
    assert result.problems == tuple(services.VERIFY_BAD_HASH.format(seq=s) for s in range(grant.seq, last + 1))


def test_the_same_rewrite_with_the_key_verifies_which_is_why_the_key_stays_outside(approved, triggers_dropped):
    # What the chain cannot prove: whoever holds IPFUND_AUDIT_KEY can rewrite it; only the
    # checkpoint (if written since) and reconcile against the ledger remain.
    services.audit_checkpoint()
    grant = _event("award_grant", AwardEntry.objects.get(claim=approved[2]).pk)
    _rewrite_from(grant.seq, {**grant.after, "amount": "3000000.00"}, event_hash)
    assert services.audit_verify(require_checkpoint=False).message.startswith("第")  # the checkpoint no longer fits
    assert reconcile.AUDIT_ENTRY_AMOUNT.format(
        entry=AwardEntry.objects.get(claim=approved[2]).pk, amount="300000.00", seq=grant.seq, audited="3000000.00"
    ) in audit_reconcile().differences


def test_a_forged_checkpoint_is_refused(approved, settings):
    services.audit_checkpoint()
    path = settings.IPFUND_CHECKPOINT_DIR / "audit-head.json"
    path.write_text(path.read_text().replace('"seq": ', '"seq": 1'), encoding="utf-8")
    result = services.audit_verify()
    assert not result.ok and "校验码不符" in result.message


def test_checkpoint_required_in_production_mode(approved, settings):
    settings.IPFUND_CHECKPOINT_REQUIRED = True
    assert not services.audit_verify().ok
    services.audit_checkpoint()
    head = AuditHead.objects.get(pk=1)
    assert services.audit_verify().message.endswith(services.VERIFY_CHECKPOINT_OK.format(seq=head.seq))


@pytest.mark.django_db(transaction=True)
def test_each_commit_moves_the_checkpoint(staff, settings):
    head = AuditHead.objects.get(pk=1)
    from ipfund.web.audit.checkpoint import checkpoint_read

    assert checkpoint_read().seq == head.seq
    with transaction.atomic():
        services.audit_record(actor=staff.admin, action="test_write", object_type="test", object_id="1")
    assert checkpoint_read().seq == head.seq + 1


def _event(action: str, entry_pk: int) -> AuditEvent:
    return AuditEvent.objects.get(action=action, object_id=str(entry_pk))
