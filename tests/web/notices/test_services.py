"""The public notice: publish, object, resolve (upheld revokes through the ledger), close → final."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ipfund.web.claims.models import Claim
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.ledger.models import AwardEntry, CapBucket, DuplicateKey
from ipfund.web.ledger.selectors import standing_grant
from ipfund.web.notices import services
from ipfund.web.notices.models import Objection


@pytest.fixture
def approved(applicant, open_round, staff):
    person = applicant("person", name="张三丰")
    company = applicant("enterprise", sme=True)
    return [
        flow.advance(flow.submitted_from_sample(person, sample("patent_attorney")), "approved", staff),
        flow.advance(flow.submitted_from_sample(company, sample("custody_sme")), "approved", staff),
    ]


def test_publish_masks_persons_and_shows_no_id_numbers(approved, staff, settings):
    notice = services.notice_publish(actor=staff.reviewer)
    entries = list(notice.entries.all())
    assert [e.recipient for e in entries] == ["张*丰", approved[1].applicant.name]
    assert entries[0].amount == Decimal("5000.00")
    assert notice.ends_at - notice.published_at == dt.timedelta(days=settings.IPFUND_NOTICE_DAYS)
    assert set(Claim.objects.values_list("state", flat=True)) == {"in_notice"}
    for entry in entries:
        assert entry.claim.applicant.id_number not in (entry.recipient + entry.item_title)


def test_nothing_to_publish(staff, db):
    with pytest.raises(ValidationError) as err:
        services.notice_publish(actor=staff.reviewer)
    assert err.value.messages == [services.NOTHING_TO_PUBLISH]


def test_upheld_objection_revokes_and_frees_key_and_cap(approved, staff):
    notice = services.notice_publish(actor=staff.reviewer)
    entry = notice.entries.get(claim=approved[1])
    objection = services.objection_file(entry=entry, name="李四", contact="13900000000", reason="该企业非中小微企业", upload=flow.pdf_upload())
    assert objection.evidence.name.startswith("objections/")
    services.objection_resolve(actor=staff.reviewer2, objection=objection, upheld=True, resolution="经核实，异议成立")
    claim = Claim.objects.get(pk=approved[1].pk)
    assert claim.state == "revoked"
    entries = AwardEntry.objects.filter(claim=claim).order_by("id")
    assert [(e.kind, e.amount) for e in entries] == [("grant", Decimal("3000.00")), ("reversal", Decimal("-3000.00"))]
    assert CapBucket.objects.get(item="custody_sme").used == 0
    assert standing_grant(claim=claim)[1] == 0


def test_dismissed_objection_keeps_award_and_close_makes_final(approved, staff):
    notice = services.notice_publish(actor=staff.reviewer)
    entry = notice.entries.first()
    objection = services.objection_file(entry=entry, name="王五", contact="wang@example.cn", reason="怀疑重复申报")
    with pytest.raises(ValidationError) as err:
        services.notice_close(actor=staff.reviewer, notice=notice)
    assert err.value.code == "period_not_over"
    with flow.clock_at(notice.ends_at + dt.timedelta(minutes=1)):
        with pytest.raises(ValidationError) as err:
            services.notice_close(actor=staff.reviewer, notice=notice)
        assert err.value.messages == [services.NOTICE_OPEN_OBJECTIONS.format(count=1)]
        services.objection_resolve(actor=staff.reviewer2, objection=objection, upheld=False, resolution="异议不成立")
        services.notice_close(actor=staff.reviewer, notice=notice)
    assert set(Claim.objects.values_list("state", flat=True)) == {"final"}
    assert Objection.objects.get().state == "dismissed"


def test_objection_after_period_refused(approved, staff):
    notice = services.notice_publish(actor=staff.reviewer, period_days=1)
    with flow.clock_at(timezone.now() + dt.timedelta(days=2)):
        with pytest.raises(ValidationError) as err:
            services.objection_file(entry=notice.entries.first(), name="赵六", contact="1", reason="x")
    assert err.value.messages == [services.OBJECTION_PERIOD_OVER]


def test_revoked_patent_can_be_funded_again(applicant, open_round, staff):
    a, b = applicant("enterprise"), applicant("enterprise")
    first = flow.advance(flow.submitted_from_sample(a, sample("china_patent_award")), "approved", staff)
    notice = services.notice_publish(actor=staff.reviewer)
    objection = services.objection_file(entry=notice.entries.get(), name="钱七", contact="1", reason="实际获奖单位为他人")
    services.objection_resolve(actor=staff.reviewer2, objection=objection, upheld=True, resolution="成立")
    assert not DuplicateKey.objects.filter(released_by__isnull=True).exists()
    second = flow.advance(flow.submitted_from_sample(b, sample("china_patent_award")), "approved", staff)
    assert second.approved_amount == Decimal("300000.00") and first.pk != second.pk


def test_notices_close_by_themselves_at_their_end_as_the_manual_close_does(approved, staff):
    from io import StringIO

    from django.core.management import call_command

    from ipfund.web.audit.models import AuditEvent
    from ipfund.web.jobs.housekeeping import housekeeping

    notice = services.notice_publish(actor=staff.reviewer)
    objection = services.objection_file(entry=notice.entries.first(), name="王五", contact="wang@example.cn", reason="怀疑重复申报")
    housekeeping()  # before the end: nothing moves
    notice.refresh_from_db()
    assert notice.state == "open" and set(Claim.objects.values_list("state", flat=True)) == {"in_notice"}
    with flow.clock_at(notice.ends_at + dt.timedelta(minutes=1)):
        out = StringIO()
        call_command("close_notices", stdout=out)  # an objection still open: the notice waits, named
        assert "未能结束公示" in out.getvalue() and services.NOTICE_OPEN_OBJECTIONS.format(count=1) in out.getvalue()
        services.objection_resolve(actor=staff.reviewer2, objection=objection, upheld=False, resolution="异议不成立")
        housekeeping()  # the hourly run closes it now
    notice.refresh_from_db()
    assert notice.state == "closed" and notice.closed_at is not None
    assert set(Claim.objects.values_list("state", flat=True)) == {"final"}
    finalized = AuditEvent.objects.filter(action="claim_finalize").order_by("seq")
    assert [(e.actor_id, e.actor_label, e.after["state"]) for e in finalized] == [(None, "system", "final")] * 2
    assert AuditEvent.objects.filter(action="notice_close", actor_label="system").count() == 1
    out = StringIO()
    call_command("close_notices", stdout=out)
    assert out.getvalue().strip() == "没有到期未结束的公示。"
