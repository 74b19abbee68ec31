"""Personal data at rest: encrypted numbers, the blind index, pseudonyms in the ledger and the
audit chain, rotation (rekey), audited reveal and erasure that keeps the chain verifiable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection

from ipfund.engine.identifiers import is_pseudonym
from ipfund.web.accounts.idgen import make_ric
from ipfund.web.accounts.models import ApplicantProfile
from ipfund.web.accounts.services import ID_NUMBER_TAKEN, applicant_register
from ipfund.web.audit.models import AuditEvent
from ipfund.web.audit.services import audit_verify
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.ledger.models import AwardEntry, CapBucket, DuplicateKey
from ipfund.web.payments.models import BankAccountChange
from ipfund.web.accounts import pii
from ipfund.web.pii.pseudonyms import person_pseudonym


def database_text() -> str:
    """Every row of every table as text: what someone reading the database files would see."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            parts.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(parts)


def approved_person_claim(applicant, staff, item="patent_attorney", variant=0):
    person = applicant("person")
    claim = flow.submitted_from_sample(person, sample(item, variant))
    return person, flow.advance(claim, "approved", staff)


def test_numbers_are_nowhere_in_clear_in_the_database(applicant, staff, open_round):
    person, claim = approved_person_claim(applicant, staff)
    profile = person.applicant
    text = database_text()
    assert profile.id_number and profile.id_number not in text
    assert profile.bank_account and profile.bank_account not in text
    assert "13800138000" not in text
    # …while the platform reads them back in clear through the field.
    assert ApplicantProfile.objects.get(pk=profile.pk).id_number == profile.id_number


def test_ledger_keys_caps_and_audit_carry_the_pseudonym(applicant, staff, open_round):
    person, claim = approved_person_claim(applicant, staff, "guangdong_outstanding_inventor")
    number = person.applicant.id_number
    pseudonym = person_pseudonym(number)
    assert is_pseudonym(pseudonym) and person.applicant.ledger_identity == pseudonym
    entry = AwardEntry.objects.get(claim=claim)
    assert entry.claim_data["applicant"]["id"] == pseudonym
    assert pseudonym in entry.duplicate_key
    assert DuplicateKey.objects.get(entry=entry).key == entry.duplicate_key
    events = " ".join(str(e.before) + str(e.after) for e in AuditEvent.objects.all())
    assert pseudonym in events and number not in events


def test_a_persons_cap_group_is_the_pseudonym(applicant, staff, open_round):
    person = applicant("person")
    facts = {"case_number": "（2023）粤73民初9001号", "venue": "domestic", "infringement_established": True, "judgment_effective": True}
    claim = flow.submitted_from_sample(person, sample("patent_litigation"), facts=facts)
    flow.advance(claim, "approved", staff)
    group = CapBucket.objects.get(item="patent_litigation").group
    assert group == f"{claim.policy}/patent_litigation|{person.applicant.ledger_identity}|domestic"
    assert person.applicant.id_number not in group


def test_same_number_cannot_register_twice_blind_index(db):
    number = make_ric(777)
    args = dict(password="Zq-pass-2026!x", email="a@example.cn", kind="person", name="张三")
    applicant_register(username="first", id_number=number, **args)
    with pytest.raises(ValidationError) as exc:
        applicant_register(username="second", id_number=number.lower(), **args)
    assert exc.value.message_dict["id_number"] == [ID_NUMBER_TAKEN]


def test_rekey_moves_every_value_onto_the_newest_key(applicant, settings):
    person = applicant("person")
    old_keys = list(settings.IPFUND_DATA_KEYS)
    new_key = Fernet.generate_key().decode()
    settings.IPFUND_DATA_KEYS = [new_key, *old_keys]
    call_command("rekey", verbosity=0)
    settings.IPFUND_DATA_KEYS = [new_key]  # the old key retired: everything still reads
    profile = ApplicantProfile.objects.get(pk=person.applicant.pk)
    assert profile.id_number == person.applicant.id_number
    assert profile.bank_account == person.applicant.bank_account
    assert profile.contact_phone == "13800138000"


def test_reveal_is_audited_and_limited_to_the_role(applicant, staff):
    profile = applicant("person").applicant
    with pytest.raises(PermissionDenied):
        pii.pii_reveal(actor=staff.finance, profile=profile, field="id_number", purpose="核对")
    with pytest.raises(ValidationError):
        pii.pii_reveal(actor=staff.reviewer, profile=profile, field="id_number", purpose=" ")
    with pytest.raises(ValidationError):
        pii.pii_reveal(actor=staff.reviewer, profile=profile, field="bank_account", purpose="核对")
    value = pii.pii_reveal(actor=staff.reviewer, profile=profile, field="id_number", purpose="核对身份证明材料")
    assert value == profile.id_number
    event = AuditEvent.objects.filter(action="pii_reveal").get()
    assert event.actor == staff.reviewer and event.after == {"field": "id_number", "purpose": "核对身份证明材料"}
    assert value not in str(event.after)


def test_erasure_blanks_the_person_and_keeps_ledger_and_chain(applicant, staff, open_round):
    person, claim = approved_person_claim(applicant, staff)
    profile = person.applicant
    number, pseudonym = profile.id_number, profile.ledger_identity
    ledger_before = list(AwardEntry.objects.values_list("id", "amount", "claim_data", "duplicate_key"))
    change = BankAccountChange.objects.create(applicant=profile, bank_name="中国银行肇庆分行", bank_account="6217850000000000123",
                                              bank_holder="张三", requested_by=person)

    erased = pii.applicant_erase(actor=staff.admin, profile=profile, reason="本人依《个人信息保护法》第四十七条申请删除")

    assert erased.id_number == "" and erased.bank_account == "" and erased.contact_phone == ""
    assert erased.id_number_index is None and erased.name == pii.ERASED_NAME
    assert erased.ledger_identity == pseudonym and erased.masked_id_number == "（已删除）"
    assert not erased.user.is_active
    change.refresh_from_db()
    assert change.bank_account == "" and change.bank_holder == ""
    assert list(AwardEntry.objects.values_list("id", "amount", "claim_data", "duplicate_key")) == ledger_before
    assert audit_verify().ok
    assert number not in database_text()
    # The pseudonym still holds the duplicate key: the same person cannot be paid twice.
    assert DuplicateKey.objects.filter(key__contains=pseudonym, released_by__isnull=True).exists()
    with pytest.raises(ValidationError):
        pii.applicant_erase(actor=staff.admin, profile=erased, reason="再次")


def test_only_an_administrator_erases(applicant, staff):
    person = applicant("person")
    with pytest.raises(PermissionDenied):
        pii.applicant_erase(actor=staff.reviewer, profile=person.applicant, reason="申请删除")


def test_production_refuses_to_start_without_keys(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IPFUND_", "DATABASE_URL"))}
    env.update(IPFUND_PRODUCTION="1", IPFUND_SECRET_KEY="x" * 50, IPFUND_ALLOWED_HOSTS="example.cn",
               IPFUND_DATA_DIR=str(tmp_path))
    code = "import ipfund.web.config.settings"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode != 0
    assert "生产环境必须设置密钥：IPFUND_DATA_KEYS、IPFUND_INDEX_KEY、IPFUND_AUDIT_KEY" in result.stderr


def test_the_account_paid_is_encrypted_too_and_rekeyed(applicant, staff, open_round, settings):
    """The account recorded on a payment is personal data like the profile's: never in clear in
    the database, read back in clear by the platform, moved to a new key by rekey."""
    import datetime as dt

    from django.utils import timezone

    from ipfund.web.notices.services import notice_close, notice_publish
    from ipfund.web.payments.models import Payment
    from ipfund.web.payments.services import payment_record

    person, claim = approved_person_claim(applicant, staff)
    notice = notice_publish(actor=staff.reviewer)
    with flow.clock_at(notice.ends_at + dt.timedelta(seconds=1)):
        notice_close(actor=staff.reviewer, notice=notice)
    claim.refresh_from_db()
    payment = payment_record(actor=staff.finance, claim=claim, paid_on=timezone.localdate(), reference="ZF-PII-1")
    account = person.applicant.bank_account
    assert Payment.objects.get(pk=payment.pk).bank_account == account
    assert account not in database_text()
    new_key = Fernet.generate_key().decode()
    settings.IPFUND_DATA_KEYS = [new_key, *settings.IPFUND_DATA_KEYS]
    call_command("rekey", verbosity=0)
    settings.IPFUND_DATA_KEYS = [new_key]
    assert Payment.objects.get(pk=payment.pk).bank_account == account
