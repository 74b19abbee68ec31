"""A queue's counts at scale: exact up to the cap, 超过 … beyond it (with PostgreSQL's estimate, said
to be one), pages still reachable; a search matching many applicants still finds their claims."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from ipfund.web.claims.workflow import State
from ipfund.web.demo.flow import submitted_from_sample
from ipfund.web.demo.samples import sample

pytestmark = pytest.mark.django_db


def reviewer_client(staff) -> Client:
    client = Client()
    client.force_login(staff.reviewer)
    return client


def test_counts_are_exact_up_to_the_cap(staff, applicant, open_round, monkeypatch):
    monkeypatch.setattr("ipfund.web.claims.counting.COUNT_CAP", 4)
    for _ in range(4):
        submitted_from_sample(applicant("enterprise"), sample("china_patent_award"))
    response = reviewer_client(staff).get(reverse("portal:review_queue"))
    html = response.content.decode()
    assert "共 4 件" in html and "超过" not in html
    assert dict((v, n) for v, _, n in response.context["states"])[State.SUBMITTED] == 4


def test_beyond_the_cap_a_search_says_so_and_marks_an_estimate(staff, applicant, open_round, monkeypatch):
    monkeypatch.setattr("ipfund.web.claims.counting.COUNT_CAP", 2)
    monkeypatch.setattr("ipfund.web.portal.views.staff.QUEUE_PAGE_SIZE", 2)
    claims = [submitted_from_sample(applicant("enterprise", name=f"肇庆星河{i}号有限公司"), sample("china_patent_award"))
              for i in range(3)]
    client = reviewer_client(staff)
    url = reverse("portal:review_queue") + "?q=星河"
    response = client.get(url)
    html = response.content.decode()
    assert "超过 2 件" in html and "共 3 件" not in html
    assert f"{State.SUBMITTED.label} <b>超过 2</b>" in html
    assert dict((v, n) for v, _, n in response.context["states"])[State.SUBMITTED] == "超过 2"
    if connection.vendor == "postgresql":  # the planner's figure, named as an estimate
        assert "估计约" in html and "为数据库的估计数" in html
    else:
        assert "估计" not in html
    # the pages go on past the cap: the third claim is on page 2
    second = client.get(url + "&page=2").context["claims"]
    assert [c.pk for c in second] == [claims[2].pk]


def test_an_unfiltered_queue_is_counted_exactly_from_the_kept_counts(staff, applicant, open_round, monkeypatch):
    """No search and no item: every state counted exactly (the counts the database keeps), beyond
    the cap too; the list's total leaves out the claims of the reviewer's own organisation, which
    the list never shows, and the pages go on to the last claim."""
    from ipfund.web.accounts.services import staff_user_create

    monkeypatch.setattr("ipfund.web.claims.counting.COUNT_CAP", 2)
    monkeypatch.setattr("ipfund.web.portal.views.staff.QUEUE_PAGE_SIZE", 2)
    claims = [submitted_from_sample(applicant("enterprise"), sample("china_patent_award")) for _ in range(3)]
    own_org = applicant("enterprise")
    own = submitted_from_sample(own_org, sample("china_patent_award"))
    colleague = staff_user_create(actor=None, username="colleague", password="Zq-Office-2026!x", roles=["reviewer"],
                                  affiliation=own_org.applicant.id_number.lower())
    client = Client()
    client.force_login(colleague)
    url = reverse("portal:review_queue")
    for query in ({}, {"round": open_round.pk}):
        response = client.get(url, query)
        html = response.content.decode()
        assert dict((v, n) for v, _, n in response.context["states"])[State.SUBMITTED] == 4
        assert "共 3 件" in html and "超过" not in html and "估计" not in html
        listed = [c.pk for c in response.context["claims"]] + [c.pk for c in client.get(url, {**query, "page": 2}).context["claims"]]
        assert listed == [c.pk for c in claims] and own.pk not in listed
    # the counts follow the claims: one recommended moves from one state's count to the other's
    from ipfund.web.review.services import review_recommend

    review_recommend(actor=staff.reviewer, claim=claims[0])
    response = client.get(url)
    states = dict((v, n) for v, _, n in response.context["states"])
    assert (states[State.SUBMITTED], states[State.RECOMMENDED]) == (3, 1)
    assert "共 2 件" in response.content.decode()


def test_a_search_matching_many_applicants_finds_all_their_claims(staff, applicant, open_round, monkeypatch):
    monkeypatch.setattr("ipfund.web.claims.selectors.SEARCH_IDS", 1)
    made = {submitted_from_sample(applicant("enterprise", name=f"肇庆星河{i}号有限公司"), sample("china_patent_award")).pk for i in range(3)}
    other = submitted_from_sample(applicant("enterprise", name="肇庆远山有限公司"), sample("china_patent_award"))
    found = {c.pk for c in reviewer_client(staff).get(reverse("portal:review_queue"), {"q": "星河"}).context["claims"]}
    assert found == made and other.pk not in found


def test_a_narrow_queue_is_counted_in_one_query_and_a_broad_one_state_by_state(
        staff, applicant, open_round, monkeypatch, django_assert_num_queries):
    from ipfund.web.claims.models import Claim
    from ipfund.web.claims.selectors import queue_counts, staff_claims

    made = [submitted_from_sample(applicant("enterprise", name=f"肇庆星河{i}号有限公司"), sample("china_patent_award"))
            for i in range(5)]
    Claim.objects.filter(pk__in=[c.pk for c in made[:2]]).update(state=State.RECOMMENDED)
    claims = staff_claims(user=staff.reviewer)
    with django_assert_num_queries(1):  # at most the cap in all: one grouped query
        counts = queue_counts(claims)
    want = {s: claims.filter(state=s).count() for s in State.values if s != State.DRAFT}
    assert {s: t.exact for s, t in counts.items()} == want
    assert want[State.SUBMITTED] == 3 and want[State.RECOMMENDED] == 2
    # beyond the cap the grouped query gives up, and each state is counted through its index
    monkeypatch.setattr("ipfund.web.claims.counting.COUNT_CAP", 2)
    counts = queue_counts(claims)
    assert counts[State.SUBMITTED].exact is None and counts[State.RECOMMENDED].exact == 2
    assert counts[State.APPROVED].exact == 0
