"""The data migrations on rows written by the previous version: plaintext numbers encrypted and
indexed, a person's number replaced by the pseudonym in the ledger and stored decisions, the
unkeyed audit chain re-hashed under the key (and a broken one refused), the triggers installed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from ipfund.web.accounts.idgen import make_ric
from ipfund.web.audit.canonical import GENESIS_HASH, event_fields, unkeyed_event_hash
from ipfund.web.pii.pseudonyms import person_pseudonym

BEFORE = [("accounts", "0001_initial"), ("audit", "0001_initial"), ("ledger", "0001_initial")]
NUMBER = make_ric(4242)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def old_rows(apps, *, break_chain: bool = False):
    User = apps.get_model("accounts", "User")
    Profile = apps.get_model("accounts", "ApplicantProfile")
    Claim = apps.get_model("claims", "Claim")
    AwardEntry = apps.get_model("ledger", "AwardEntry")
    DuplicateKey = apps.get_model("ledger", "DuplicateKey")
    CapBucket = apps.get_model("ledger", "CapBucket")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditHead = apps.get_model("audit", "AuditHead")
    user = User.objects.create(username="old-person", roles=["applicant"])
    profile = Profile.objects.create(user=user, kind="person", id_number=NUMBER, name="李四", contact_phone="13900139000",
                                     bank_account="6222020000000000999")
    claim = Claim.objects.create(applicant=profile, policy="zhaoqing-hitech-ip-2022", item="patent_litigation",
                                 event_date=dt.date(2023, 6, 1), facts={}, state="approved",
                                 decision={"explanation": [f"上限：同一申请人（{NUMBER}、domestic）"]})
    group = f"patent_litigation|{NUMBER}|domestic"
    entry = AwardEntry.objects.create(claim=claim, applicant=profile, policy="zhaoqing-hitech-ip-2022", item="patent_litigation",
                                      kind="grant", amount=Decimal("20000.00"), claim_data={"applicant": {"id": NUMBER, "kind": "person"}},
                                      duplicate_key="patent_litigation|（2023）粤73民初1号", cap_groups=[group], created_by=user)
    DuplicateKey.objects.create(policy="zhaoqing-hitech-ip-2022", item="patent_litigation", key=entry.duplicate_key, entry=entry)
    CapBucket.objects.create(policy="zhaoqing-hitech-ip-2022", item="patent_litigation", group=group, cap=Decimal("100000"), used=Decimal("20000"))
    prev = GENESIS_HASH
    for seq in (1, 2, 3):
        event = AuditEvent(seq=seq, at=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), actor_label="system",
                           action="old", object_type="t", object_id=str(seq), before=None, after={"n": seq}, prev_hash=prev)
        event.hash = unkeyed_event_hash(event_fields(event))
        if break_chain and seq == 2:
            event.after = {"n": 20}  # changed after hashing
        event.save()
        prev = event.hash
    AuditHead.objects.create(pk=1, seq=3, last_hash=prev)
    return profile.pk


@pytest.mark.django_db(transaction=True)
def test_rows_of_the_previous_version_are_encrypted_pseudonymised_and_rekeyed():
    leaves = latest()
    try:
        pk = old_rows(migrate(BEFORE))
        migrate(leaves)
        from ipfund.web.accounts.models import ApplicantProfile
        from ipfund.web.audit.services import audit_verify
        from ipfund.web.claims.models import Claim
        from ipfund.web.ledger.models import AwardEntry, CapBucket, DuplicateKey

        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number, bank_account, contact_phone FROM accounts_applicantprofile WHERE id = %s", [pk])
            raw = cursor.fetchone()
        assert NUMBER not in raw[0] and "6222020000000000999" not in raw[1] and "13900139000" not in raw[2]
        profile = ApplicantProfile.objects.get(pk=pk)
        assert (profile.id_number, profile.bank_account, profile.contact_phone) == (NUMBER, "6222020000000000999", "13900139000")
        pseudonym = person_pseudonym(NUMBER)
        assert profile.ledger_identity == pseudonym and profile.id_number_index
        entry = AwardEntry.objects.get(applicant_id=pk)
        assert entry.claim_data["applicant"]["id"] == pseudonym
        assert entry.cap_groups == [f"patent_litigation|{pseudonym}|domestic"]
        assert CapBucket.objects.get().group == entry.cap_groups[0]
        assert DuplicateKey.objects.get().key == entry.duplicate_key
        assert pseudonym in Claim.objects.get().decision["explanation"][0]
        assert audit_verify().ok
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE ledger_awardentry SET amount = 1")
    finally:
        migrate(leaves)


@pytest.mark.django_db(transaction=True)
def test_a_broken_unkeyed_chain_stops_the_migration():
    leaves = latest()
    try:
        old_rows(migrate(BEFORE), break_chain=True)
        with pytest.raises(RuntimeError, match="审计链在第 2 条事件处不完整"):
            migrate(leaves)
    finally:
        from ipfund.web.audit.insert_only import ALL_TABLES, drop_sql

        with connection.cursor() as cursor:  # let the flush after the test empty the tables
            for statement in drop_sql(connection.vendor, ALL_TABLES):
                cursor.execute(statement)
        migrate([("audit", "0001_initial")])
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")
        migrate(leaves)
