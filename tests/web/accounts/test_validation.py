"""Issue #11 item 7: identifiers through python-stdnum with GB 32100's structure, usernames
normalised with look-alikes and reserved names refused, bank accounts checked, shared accounts flagged."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ipfund.web.accounts import identifiers, usernames
from ipfund.web.accounts.idgen import make_uscc
from ipfund.web.accounts.models import User
from ipfund.web.accounts.services import applicant_profile_update, applicant_register, staff_user_create
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample


def register(**overrides):
    fields = dict(username="xc-tech", password="Strong-Pass-2026", email="a@b.cn", kind="enterprise",
                  id_number=make_uscc("enterprise", 901), name="星辰科技")
    return applicant_register(**{**fields, **overrides})


@pytest.mark.parametrize("code", ["000000000000000000", "00000000000000000X"])
def test_a_credit_code_of_zeros_is_refused_at_registration(db, code):
    with pytest.raises(ValidationError) as err:
        register(id_number=code)
    assert err.value.message_dict["id_number"] == [identifiers.INVALID_USCC]


def test_registration_form_refuses_zeros_by_field(db):
    response = Client().post(reverse("portal:register"), {
        "kind": "enterprise", "id_number": "000000000000000000", "name": "零号公司", "username": "zero",
        "email": "zero@example.cn", "password1": "Kexin-2026-long", "password2": "Kexin-2026-long", "in_zone": "true",
        "sme": "false",
    })
    assert identifiers.INVALID_USCC in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "raw, message",
    [
        ("r\u0435viewer", usernames.USERNAME_CHARACTERS),  # Cyrillic е
        ("\u03bfperator", usernames.USERNAME_CHARACTERS),  # Greek ο
        ("张三", usernames.USERNAME_CHARACTERS),
        ("a b", usernames.USERNAME_CHARACTERS),
        ("system", usernames.USERNAME_RESERVED),
        ("ADMIN", usernames.USERNAME_RESERVED),
        ("Ｓｙｓｔｅｍ", usernames.USERNAME_RESERVED),  # full-width, NFKC folds it to "system"
        ("public", usernames.USERNAME_RESERVED),
    ],
)
def test_look_alike_and_reserved_usernames_are_refused(db, raw, message):
    with pytest.raises(ValidationError) as err:
        register(username=raw)
    assert err.value.message_dict["username"] == [message]


def test_usernames_are_normalised_so_case_variants_collide(db, staff):
    user = register(username="XC-Tech")
    assert user.username == "xc-tech"
    with pytest.raises(ValidationError) as err:
        register(username="ｘｃ-ＴＥＣＨ", id_number=make_uscc("enterprise", 902))
    assert "username" in err.value.message_dict
    with pytest.raises(ValidationError):
        staff_user_create(actor=staff.admin, username="Auditor", password="Zq-Office-2026!x")


@pytest.mark.parametrize(
    "account, ok",
    [
        ("6222020011112222333", True),          # UnionPay card, Luhn check digit right
        ("6222 0200 1111 2222 334", False),     # UnionPay card, check digit wrong
        ("44050167890100001234", True),         # 对公 account, 20 digits: no common check digit
        ("1234567", False),                     # too short
        ("1" * 31, False),                      # too long
        ("6222-0200-abcd", False),              # not digits
        ("６２２２０２００１１１１２２２２３３３", False),  # full-width digits are not ASCII digits
    ],
)
def test_bank_accounts(db, account, ok):
    if ok:
        assert register(bank_account=account).applicant.bank_account == account.replace(" ", "")
    else:
        with pytest.raises(ValidationError) as err:
            register(bank_account=account)
        assert "bank_account" in err.value.message_dict


def test_profile_update_checks_the_bank_account(applicant):
    user = applicant("enterprise")
    with pytest.raises(ValidationError) as err:
        applicant_profile_update(actor=user, profile=user.applicant, bank_account="6222020011112222334")
    assert err.value.message_dict["bank_account"] == [identifiers.INVALID_BANK_CARD]


def test_a_shared_bank_account_is_flagged_to_staff(staff, applicant, open_round):
    a, b = applicant("enterprise", sme=True), applicant("enterprise", sme=True)
    applicant_profile_update(actor=b, profile=b.applicant, bank_account=a.applicant.bank_account)
    claim = flow.submitted_from_sample(a, sample("custody_sme"))
    client = Client()
    client.force_login(staff.reviewer)
    page = client.get(reverse("portal:staff_claim", args=[claim.pk])).content.decode()
    assert 'id="shared-account"' in page and b.applicant.name in page
    c = applicant("enterprise", sme=True)
    alone = flow.submitted_from_sample(c, sample("custody_sme", 1))
    assert 'id="shared-account"' not in client.get(reverse("portal:staff_claim", args=[alone.pk])).content.decode()
