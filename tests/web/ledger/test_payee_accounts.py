"""The accounts money goes to (issue #21 item 6): an encrypted account copied from one
applicant's row to another's does not decrypt, and `audit reconcile` names it; an account changed
around the platform no longer matches its last audited change, and reconcile names that too; the
platform's own changes (registration, update, a confirmed change) reconcile clean."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from ipfund.web.accounts.models import ApplicantProfile
from ipfund.web.accounts.services import applicant_profile_update
from ipfund.web.audit.models import AuditEvent
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web import reconcile_accounts
from ipfund.web.reconcile import audit_reconcile
from ipfund.web.masking import mask_bank_account
from ipfund.web.payments.models import BankAccountChange
from ipfund.web.payments.services import PayeeAccount, bank_change_confirm, bank_change_request, payee_account, payment_record
from ipfund.web.pii.fields import MisplacedCiphertext

PROFILES = ApplicantProfile._meta.db_table


def raw_token(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def raw_set(table: str, column: str, pk: int, token: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [token, pk])


def test_an_account_copied_to_another_applicant_does_not_decrypt(applicant):
    victim, thief = applicant("enterprise", sme=True), applicant("enterprise", sme=True)
    assert audit_reconcile().ok
    raw_set(PROFILES, "bank_account", victim.applicant.pk, raw_token(PROFILES, "bank_account", thief.applicant.pk))
    profile = ApplicantProfile.objects.get(pk=victim.applicant.pk)
    with pytest.raises(MisplacedCiphertext):
        profile.bank_account  # noqa: B018  (reading is what refuses)
    with pytest.raises(MisplacedCiphertext):
        payee_account(profile)  # the next payment cannot go to the thief's account
    assert profile.name  # the rest of the row reads as before
    differences = audit_reconcile().differences
    assert reconcile_accounts.MISPLACED.format(table=PROFILES, pk=profile.pk, column="bank_account") in differences
    # the same token moved to another column of the thief's own row does not open either
    raw_set(PROFILES, "contact_phone", thief.applicant.pk, raw_token(PROFILES, "bank_account", thief.applicant.pk))
    assert reconcile_accounts.MISPLACED.format(table=PROFILES, pk=thief.applicant.pk, column="contact_phone") in audit_reconcile().differences


def test_an_account_changed_around_the_platform_is_named(applicant):
    user = applicant("enterprise", sme=True)
    profile = ApplicantProfile.objects.get(user=user)
    old = profile.bank_account
    profile.bank_account = "6217000000000000012"  # a save that no service made: no audit event
    profile.save(update_fields=["bank_account"])
    registered = AuditEvent.objects.get(action="applicant_register", object_id=str(profile.pk))
    assert audit_reconcile().differences == [reconcile_accounts.PAYEE_ACCOUNT.format(
        profile=profile.pk, name=profile.name, now=mask_bank_account("6217000000000000012"),
        seq=registered.seq, action="applicant_register", audited=mask_bank_account(old))]


def test_the_platforms_own_account_changes_reconcile(applicant, open_round, staff):
    user = applicant("enterprise", sme=True)
    applicant_profile_update(actor=user, profile=user.applicant, bank_account="6217000000000000012")
    claim = flow.advance(flow.submitted_from_sample(user, sample("custody_sme")), "approved", staff)
    flow.publish_and_finalize(staff, claims=[claim])
    change = bank_change_request(actor=user, profile=user.applicant,
                                 account=PayeeAccount("中国银行肇庆分行", "6217000000000000129", user.applicant.name))
    assert BankAccountChange.objects.get(pk=change.pk).bank_account == "6217000000000000129"  # sealed at its own row
    bank_change_confirm(actor=staff.finance, change=change)
    claim.refresh_from_db()
    payment_record(actor=staff.finance, claim=claim, paid_on=timezone.localdate(), reference="ZF-1")
    result = audit_reconcile()
    assert result.ok, result.differences
    # the payment's own account, changed afterwards around the platform, is named against its event
    payment = claim.payment
    payment.bank_account = "6217000000000000555"
    payment.save(update_fields=["bank_account"])
    assert any(d.startswith(f"拨付记录 #{payment.pk}") for d in audit_reconcile().differences)


def test_values_written_before_binding_are_bound_by_the_migration_and_refused_unbound(applicant):
    import importlib
    from types import SimpleNamespace

    from ipfund.web.pii.fields import encrypt

    user = applicant("enterprise", sme=True)
    pk = user.applicant.pk
    raw_set(PROFILES, "bank_account", pk, encrypt("6222020011112222333"))  # as written before this version
    with pytest.raises(MisplacedCiphertext):
        ApplicantProfile.objects.get(pk=pk).bank_account  # noqa: B018  (an unbound token is not read)
    migration = importlib.import_module("ipfund.web.payments.migrations.0005_bind_encrypted_values_to_their_rows")
    migration.bind_existing(None, SimpleNamespace(connection=connection))
    assert ApplicantProfile.objects.get(pk=pk).bank_account == "6222020011112222333"
