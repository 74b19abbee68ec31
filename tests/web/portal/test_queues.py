"""Staff queues at scale: search, sorting, pagination, counts per state, batch actions, reference numbers."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from ipfund.web.claims.models import Claim
from ipfund.web.claims.workflow import State
from ipfund.web.demo.flow import advance, submitted_from_sample
from ipfund.web.demo.samples import sample
from ipfund.web.portal.views.staff import QUEUE_PAGE_SIZE

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"^ZQGX-\d{4}-\d{6}$")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_submission_gives_a_unique_per_year_reference_kept_on_resubmission(staff, applicant, open_round):
    first = submitted_from_sample(applicant("enterprise"), sample("china_patent_award"))
    second = submitted_from_sample(applicant("enterprise"), sample("china_patent_award"))
    assert REFERENCE.match(first.reference) and REFERENCE.match(second.reference)
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1
    returned = advance(first, "returned", staff)
    from ipfund.web.claims.services import claim_submit

    again = claim_submit(actor=returned.applicant.user, claim=returned)
    assert again.reference == first.reference


def test_search_by_name_credit_code_and_reference(staff, applicant, open_round):
    a = submitted_from_sample(applicant("enterprise", name="肇庆星河电子有限公司"), sample("china_patent_award"))
    b = submitted_from_sample(applicant("service_agency"), sample("custody_provider"))
    client = signed_in(staff.reviewer)
    url = reverse("portal:review_queue")

    def found(q):
        return {c.pk for c in client.get(url, {"q": q}).context["claims"]}

    assert found("星河") == {a.pk}
    assert found(b.applicant.id_number) == {b.pk}
    assert found(b.applicant.id_number.lower()) == {b.pk}
    assert found(a.reference) == {a.pk}
    assert found("不存在的单位") == set()
    assert client.get(url, {"q": "\x00"}).status_code == 200


def test_sorting_and_counts_per_state(staff, applicant, open_round):
    claims = [submitted_from_sample(applicant("enterprise"), sample("china_patent_award")) for _ in range(3)]
    advance(claims[0], "recommended", staff)
    client = signed_in(staff.reviewer)
    url = reverse("portal:review_queue")
    ascending = [c.pk for c in client.get(url, {"sort": "reference"}).context["claims"]]
    descending = [c.pk for c in client.get(url, {"sort": "-reference"}).context["claims"]]
    assert ascending == [claims[1].pk, claims[2].pk] and descending == ascending[::-1]
    response = client.get(url)
    counts = {value: n for value, _, n in response.context["states"]}
    assert counts[State.SUBMITTED] == 2 and counts[State.RECOMMENDED] == 1
    html = response.content.decode()
    assert "初审推荐（待审定） <b>1</b>" in html
    # an unknown sort key falls back to the default order rather than failing
    assert client.get(url, {"sort": "password"}).status_code == 200


def test_pagination(staff, applicant, open_round, monkeypatch):
    monkeypatch.setattr("ipfund.web.portal.views.staff.QUEUE_PAGE_SIZE", 2)
    claims = [submitted_from_sample(applicant("enterprise"), sample("china_patent_award")) for _ in range(3)]
    client = signed_in(staff.reviewer)
    url = reverse("portal:review_queue")
    first = client.get(url)
    assert [c.pk for c in first.context["claims"]] == [claims[0].pk, claims[1].pk]
    assert "第 1 / 2 页" in first.content.decode() and 'rel="next"' in first.content.decode()
    second = client.get(url, {"page": 2})
    assert [c.pk for c in second.context["claims"]] == [claims[2].pk]
    assert client.get(url, {"page": "abc"}).status_code == 200
    assert QUEUE_PAGE_SIZE == 50


def test_batch_recommend_gives_a_result_per_claim(staff, applicant, open_round):
    done_before = advance(submitted_from_sample(applicant("enterprise"), sample("china_patent_award")), "recommended", staff)
    eligible = submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme"))
    not_sme = submitted_from_sample(applicant("enterprise", sme=False), sample("custody_sme"))
    response = signed_in(staff.reviewer).post(
        reverse("portal:queue_batch", args=["recommend"]), {"claims": [str(eligible.pk), str(not_sme.pk), str(done_before.pk)]}
    )
    assert response.status_code == 200
    results = {r.claim_id: r for r in response.context["results"]}
    assert results[eligible.pk].ok and Claim.objects.get(pk=eligible.pk).state == State.RECOMMENDED
    assert Claim.objects.get(pk=eligible.pk).recommended_amount == Claim.objects.get(pk=eligible.pk).engine_amount
    assert not results[not_sme.pk].ok and "中小微企业" in results[not_sme.pk].message
    assert not results[done_before.pk].ok and "初审推荐" in results[done_before.pk].message  # refused, not redone
    assert Claim.objects.get(pk=not_sme.pk).state == State.SUBMITTED
    section = re.search(r'<section class="panel" id="batch-results">.*?</section>', response.content.decode(), re.S).group(0)
    assert "批量初审推荐结果" in section and eligible.reference in section and "custody_sme" not in section


def test_batch_approve_keeps_separation_of_duties_and_caps(staff, applicant, open_round):
    a = advance(submitted_from_sample(applicant("enterprise"), sample("china_patent_award")), "recommended", staff)
    b = advance(submitted_from_sample(applicant("enterprise", sme=True), sample("custody_sme")), "recommended", staff)
    # the reviewer of both cannot approve them: an approver-and-reviewer is refused claim by claim
    staff.reviewer.roles = [*staff.reviewer.roles, "approver"]
    staff.reviewer.save()
    refused = signed_in(staff.reviewer).post(reverse("portal:queue_batch", args=["approve"]), {"claims": [a.pk, b.pk]})
    assert all(not r.ok and "初审推荐人" in r.message for r in refused.context["results"])
    done = signed_in(staff.approver).post(reverse("portal:queue_batch", args=["approve"]), {"claims": [a.pk, b.pk]})
    assert all(r.ok for r in done.context["results"])
    assert set(Claim.objects.filter(pk__in=[a.pk, b.pk]).values_list("state", flat=True)) == {State.APPROVED}


def test_batch_needs_the_role_and_a_selection(staff, applicant, open_round):
    claim = submitted_from_sample(applicant("enterprise"), sample("china_patent_award"))
    assert signed_in(staff.approver).post(reverse("portal:queue_batch", args=["recommend"]), {"claims": [claim.pk]}).status_code == 403
    assert signed_in(staff.finance).post(reverse("portal:queue_batch", args=["approve"]), {"claims": [claim.pk]}).status_code == 403
    empty = signed_in(staff.reviewer).post(reverse("portal:queue_batch", args=["recommend"]), {})
    assert "请至少选择一件申报。" in empty.content.decode()
    assert Claim.objects.get(pk=claim.pk).state == State.SUBMITTED


def test_deep_pages_list_the_same_claims_in_the_same_order(staff, applicant, open_round, monkeypatch):
    """Deep into a list a page's claims are found by their ids first: every page of every sort
    order holds the claims the whole sorted list holds there, each once."""
    monkeypatch.setattr("ipfund.web.portal.views.staff.QUEUE_PAGE_SIZE", 2)
    claims = [submitted_from_sample(applicant("enterprise", name=f"肇庆{word}有限公司"), sample("china_patent_award"))
              for word in ("乙", "甲", "丙", "丁", "戊")]
    client = signed_in(staff.reviewer)
    url = reverse("portal:review_queue")

    def pages(sort: str) -> list[list[int]]:
        return [[c.pk for c in client.get(url, {"sort": sort, "page": n}).context["claims"]] for n in (1, 2, 3)]

    for sort in ("applicant", "-applicant", "reference", "-submitted"):
        monkeypatch.setattr("ipfund.web.claims.counting.DEFERRED_FROM", 10_000)  # every page read whole
        whole = pages(sort)
        monkeypatch.setattr("ipfund.web.claims.counting.DEFERRED_FROM", 1)  # every page but the first by ids
        assert pages(sort) == whole
        assert sorted(pk for page in whole for pk in page) == sorted(c.pk for c in claims)
    by_name = sorted(claims, key=lambda c: (c.applicant.name, c.pk))
    assert pages("applicant") == [[c.pk for c in by_name[:2]], [c.pk for c in by_name[2:4]], [by_name[4].pk]]
