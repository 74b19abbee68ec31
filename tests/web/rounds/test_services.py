"""Rounds and interpretation choices: admin only; the engine runs with the choices in force."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ipfund.web.claims.services import claim_estimate
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.rounds import services
from ipfund.web.engine_door import default_policy
from ipfund.web.rounds.selectors import interpretations_in_force, round_open_for


P = default_policy().id


def test_round_rules(staff):
    now = timezone.now()
    with pytest.raises(PermissionDenied):
        services.round_create(actor=staff.reviewer, name="x", opens_at=now, closes_at=now + dt.timedelta(days=1), items=["custody_sme"])
    with pytest.raises(ValidationError) as err:
        services.round_create(actor=staff.admin, name="x", opens_at=now, closes_at=now, items=["nope"])
    assert err.value.message_dict["closes_at"] == [services.ROUND_DATES]
    assert err.value.message_dict["items"] == [services.ROUND_UNKNOWN_ITEM.format(title=default_policy().title, item="nope")]
    rnd = services.round_create(actor=staff.admin, name="专场", opens_at=now - dt.timedelta(hours=1),
                                closes_at=now + dt.timedelta(days=1), items=["custody_sme"])
    assert round_open_for(P, "custody_sme") == rnd and round_open_for(P, "china_patent_award") is None
    services.round_update(actor=staff.admin, round=rnd, closes_at=now - dt.timedelta(minutes=1))
    assert round_open_for(P, "custody_sme") is None


def test_interpretation_choice_from_a_date_changes_the_engine(applicant, open_round, staff):
    agency = applicant("service_agency")
    first = flow.submitted_from_sample(agency, sample("service_revenue", 0))  # year 2022
    flow.advance(first, "approved", staff)
    second = flow.draft_from_sample(agency, sample("service_revenue", 1))  # year 2023
    assert claim_estimate(actor=agency, claim=second).eligible is True  # A12 per_year (default)

    today = timezone.localdate()
    services.interpretation_choose(actor=staff.admin, interpretation="A12", option="once",
                                   effective_from=today + dt.timedelta(days=10), reason="局务会决定自下月起每单位只奖一次")
    assert interpretations_in_force(policy=P) == {}
    services.interpretation_choose(actor=staff.admin, interpretation="A12", option="once",
                                   effective_from=today, reason="局务会决定每单位只奖一次")
    assert interpretations_in_force(policy=P) == {"A12": "once"}
    decision = claim_estimate(actor=agency, claim=second)
    assert decision.eligible is False and decision.reasons == ("duplicate",)


def test_interpretation_choice_is_checked(staff):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as err:
        services.interpretation_choose(actor=staff.admin, interpretation="A12", option="never", effective_from=today, reason="r")
    assert err.value.message_dict["option"] == [services.UNKNOWN_OPTION.format(option="never")]
    with pytest.raises(ValidationError) as err:
        services.interpretation_choose(actor=staff.admin, interpretation="A27", option="both_awards", effective_from=today, reason="r")
    assert err.value.message_dict["interpretation"] == [services.NOT_SELECTABLE.format(interpretation="A27")]
    with pytest.raises(ValidationError) as err:
        services.interpretation_choose(actor=staff.admin, interpretation="A7", option="per_year", effective_from=today, reason=" ")
    assert err.value.message_dict["reason"] == [services.REASON_REQUIRED]
    with pytest.raises(PermissionDenied):
        services.interpretation_choose(actor=staff.reviewer, interpretation="A7", option="per_year", effective_from=today, reason="r")


def test_a_round_that_can_admit_no_valid_event_is_refused_and_a_late_round_is_not(staff, client):
    """The 2022 policy took effect 2022-01-18: a round closing before then can take no event of it;
    a round today (after it expired 2025-01-17) still takes late claims of events inside it."""
    tz = timezone.get_current_timezone()
    before = dict(opens_at=dt.datetime(2021, 11, 1, tzinfo=tz), closes_at=dt.datetime(2021, 12, 31, tzinfo=tz))
    with pytest.raises(ValidationError) as err:
        services.round_create(actor=staff.admin, name="过早的批次", items=["custody_sme"], **before)
    (message,) = err.value.message_dict["closes_at"]
    assert "2021-12-31" in message and "2022-01-18" in message and "肇高管办〔2022〕2号" in message
    now = timezone.now()
    late = services.round_create(actor=staff.admin, name="逾期补报批次", items=["custody_sme"],
                                 opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=30))
    assert late.policy == "zhaoqing-hitech-ip-2022"
