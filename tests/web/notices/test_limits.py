"""Limits on anonymous objections (#11): lengths, one open objection per contact per award,
a rate per client address and per notice; each objection gets a reference number."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.notices import services
from ipfund.web.notices.models import Objection

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(applicant, open_round, staff):
    claim = flow.advance(flow.submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme")), "approved", staff)
    notice = services.notice_publish(actor=staff.reviewer)
    return notice.entries.get(claim=claim)


def url(entry):
    return reverse("portal:objection_new", args=[entry.notice_id, entry.pk])


def post(entry, client=None, address="203.0.113.7", **data):
    body = {"name": "李四", "contact": "13900000000", "reason": "该企业不是中小微企业。", **data}
    return (client or Client()).post(url(entry), body, REMOTE_ADDR=address)


def test_objection_gets_a_reference_number_shown_to_the_objector(entry):
    response = post(entry)
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert re.fullmatch(r"ZQGX-YY-\d{4}-000001", objection.reference)
    assert services.objection_file(entry=entry, name="王五", contact="13700000000", reason="理由").reference.endswith("000002")


def test_objection_reference_is_in_the_success_message(entry):
    client = Client()
    response = post(entry, client=client)
    page = client.get(response["Location"]).content.decode()
    assert Objection.objects.get().reference in page


def test_length_limits_name_the_field(entry, settings):
    settings.IPFUND_OBJECTION_REASON_MAX = 50
    response = post(entry, reason="理" * 51)
    assert response.status_code == 200
    assert "异议理由不能超过 50 个字。" in response.content.decode()
    with pytest.raises(services.ValidationError) as err:
        services.objection_file(entry=entry, name="李" * 101, contact="x", reason="y")
    assert err.value.message_dict == {"name": ["姓名不能超过 100 个字。"]}
    assert not Objection.objects.exists()


def test_one_open_objection_per_contact_per_award(entry):
    assert post(entry).status_code == 302
    again = post(entry, contact=" 139 0000 0000 ", address="198.51.100.1")
    assert again.status_code == 200
    assert services.OBJECTION_ALREADY_OPEN in again.content.decode()
    assert post(entry, contact="13911111111", address="198.51.100.1").status_code == 302
    assert Objection.objects.count() == 2


def test_rate_per_address(entry, settings):
    settings.IPFUND_OBJECTIONS_PER_ADDRESS_PER_HOUR = 2
    for n in range(2):
        assert post(entry, contact=f"1390000000{n}").status_code == 302
    refused = post(entry, contact="13900000009")
    assert services.OBJECTION_ADDRESS_LIMIT.format(limit=2) in refused.content.decode()
    assert post(entry, contact="13900000009", address="198.51.100.2").status_code == 302
    assert Objection.objects.count() == 3
    # the address is kept only as a keyed hash
    assert all("203.0.113.7" not in o.client_hash for o in Objection.objects.all())


def test_rate_per_address_behind_the_trusted_proxy_is_the_forwarded_client(entry, settings):
    settings.IPFUND_OBJECTIONS_PER_ADDRESS_PER_HOUR = 1
    settings.IPFUND_TRUSTED_PROXIES = ["127.0.0.1"]

    def via_proxy(client_address, contact):
        body = {"name": "李四", "contact": contact, "reason": "该企业不是中小微企业。"}
        return Client().post(url(entry), body, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=client_address)

    assert via_proxy("203.0.113.7", "13900000001").status_code == 302
    # another person behind the same proxy is not held to the first one's limit
    assert via_proxy("198.51.100.2", "13900000002").status_code == 302
    refused = via_proxy("203.0.113.7", "13900000003")
    assert services.OBJECTION_ADDRESS_LIMIT.format(limit=1) in refused.content.decode()


def test_rate_per_notice(entry, settings):
    settings.IPFUND_OBJECTIONS_PER_NOTICE_PER_HOUR = 2
    for n in range(2):
        assert post(entry, contact=f"1390000000{n}", address=f"198.51.100.{n}").status_code == 302
    refused = post(entry, contact="13900000009", address="198.51.100.99")
    assert services.OBJECTION_NOTICE_LIMIT.format(limit=2) in refused.content.decode()
    assert Objection.objects.count() == 2
