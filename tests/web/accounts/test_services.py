"""Accounts: registration bound to a verified identifier, masking, roles, login throttling."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ipfund.web.accounts import services
from ipfund.web.accounts.identifiers import INVALID_RIC, INVALID_USCC
from ipfund.web.accounts.idgen import make_ric, make_uscc
from ipfund.web.accounts.role_changes import role_change_request
from ipfund.web.audit.models import AuditEvent
from ipfund.web.demo import flow
from ipfund.web.masking import MaskingLogFilter, mask_bank_account, mask_id_number, mask_person_name


def register(**overrides):
    fields = dict(username="xc-tech", password="Strong-Pass-2026", email="a@b.cn", kind="enterprise",
                  id_number=make_uscc("enterprise", 501), name="星辰科技", sme=True, bank_account="6222020200112233446")
    fields.update(overrides)
    return services.applicant_register(**fields)


def test_register_binds_a_verified_code(db):
    user = register()
    assert user.applicant.id_number == make_uscc("enterprise", 501) and user.roles == ["applicant"]


@pytest.mark.parametrize("kind,number,message", [
    ("enterprise", "91441200MA4W0Q9X3B", INVALID_USCC),
    ("enterprise", "123", INVALID_USCC),
    ("person", "441202199001010000", INVALID_RIC),
    ("person", make_uscc("enterprise", 3), INVALID_RIC),
])
def test_invalid_identifiers_are_refused(db, kind, number, message):
    with pytest.raises(ValidationError) as err:
        register(kind=kind, id_number=number)
    assert err.value.message_dict["id_number"] == [message]


def test_one_identifier_one_account(db):
    register()
    with pytest.raises(ValidationError) as err:
        register(username="another")
    assert err.value.message_dict["id_number"] == [services.ID_NUMBER_TAKEN]


def test_person_registration_and_masks(db):
    number = make_ric(77)
    user = register(username="p1", kind="person", id_number=number, name="张三丰", sme=True)
    profile = user.applicant
    assert profile.sme is False  # a person is never an SME
    assert profile.masked_id_number == number[:4] + "*" * 12 + number[-2:]
    assert mask_bank_account("6222020200112233445") == "**** 3445"
    assert mask_person_name("张三") == "张*" and mask_id_number("") == ""


def test_audit_keeps_personal_numbers_masked(db):
    user = register(kind="person", id_number=make_ric(78), name="李四")
    event = AuditEvent.objects.get(action="applicant_register")
    assert user.applicant.id_number not in str(event.after)
    assert "6222020200112233445" not in str(event.after)


def test_log_filter_masks_numbers():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "ID %s acct %s", (make_ric(5), "6222020200112233445"), None)
    MaskingLogFilter().filter(record)
    assert make_ric(5) not in record.getMessage() and "6222020200112233445" not in record.getMessage()


def test_profile_update_is_own_only(db):
    user = register()
    other = register(username="other", id_number=make_uscc("enterprise", 502))
    services.applicant_profile_update(actor=user, profile=user.applicant, contact_phone="13900000001")
    with pytest.raises(PermissionDenied):
        services.applicant_profile_update(actor=other, profile=user.applicant, name="篡改")
    with pytest.raises(ValidationError):
        services.applicant_profile_update(actor=user, profile=user.applicant, id_number="x")


def test_roles_only_by_admin(staff):
    with pytest.raises(PermissionDenied):
        role_change_request(actor=staff.reviewer, user=staff.reviewer2, roles=["admin"])
    updated = flow.roles_set(staff, staff.reviewer2, ["reviewer", "approver"])
    assert updated.roles == ["approver", "reviewer"]
    with pytest.raises(ValidationError):
        role_change_request(actor=staff.admin, user=staff.reviewer2, roles=["king"])
