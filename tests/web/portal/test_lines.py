"""A claim carrying lines (清单) on the platform (tests/fixtures/policies/fictional-foreign-lines-2026):
the claim form shows rows of inputs and an "增加一行" button that brings the form back one row
longer, as typed and judged of nothing; a bad row is refused beside the field naming its row and
column; the saved claim keeps each line, the applicant's and the staff's claim pages list them,
and the estimate is the sum of the lines."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ipfund.web.claims.models import Claim
from ipfund.web.demo import flow
from ipfund.web.demo.flow import PDF_BYTES
from ipfund.web.rounds.services import round_create

pytestmark = pytest.mark.django_db

POLICY, ITEM = "fictional-foreign-lines-2026", "foreign_lines"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "policies"


@pytest.fixture
def lines_round(monkeypatch, staff):
    monkeypatch.setenv("IPFUND_POLICY_PATH", str(FIXTURES))
    flow.no_budget(staff, POLICY)
    now = timezone.now()
    return round_create(actor=staff.admin, policy=POLICY, name="2026年国外专利批次", opens_at=now - dt.timedelta(days=1),
                        closes_at=now + dt.timedelta(days=30), items=[ITEM])


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url():
    return reverse("portal:claim_new_under", args=[POLICY, ITEM])


def _post(rows: list[tuple[str, str, str]], **extra) -> dict:
    data = {"event_date": "2026-05-01", "idempotency_key": "k-lines", "facts-grants-rows": str(len(rows)),
            "evidence-evidence_0": SimpleUploadedFile("授权证书.pdf", PDF_BYTES, content_type="application/pdf")}
    for i, (obj, cat, count) in enumerate(rows):
        data.update({f"facts-grants-{i}-object": obj, f"facts-grants-{i}-category": cat, f"facts-grants-{i}-count": count})
    data.update(extra)
    return data


def _rows_shown(html: str) -> int:
    return len(re.findall(r'name="facts-grants-\d+-count"', html))


def test_the_form_shows_rows_and_one_more_row_comes_back_as_typed(applicant, lines_round):
    client = signed_in(applicant("enterprise"))
    html = client.get(_url()).content.decode()
    assert _rows_shown(html) == 3 and 'name="add_line" value="facts-grants"' in html
    assert "<th scope=\"col\">专利号</th>" in html and "美日欧" in html and "<script" not in html.split("<main", 1)[-1]

    rows = [("ZL202510000001.2", "major", "2"), ("", "", ""), ("ZL202510000002.7", "other", "1")]
    more = client.post(_url(), _post(rows, add_line="facts-grants"))
    assert more.status_code == 200 and not Claim.objects.exists()
    html = more.content.decode()
    assert _rows_shown(html) == 4
    assert 'value="ZL202510000002.7"' in html and 'value="2"' in html
    assert "errorlist" not in html  # nothing was submitted: nothing is judged


def test_a_bad_row_is_refused_naming_its_row_and_column(applicant, lines_round):
    client = signed_in(applicant("enterprise"))
    rows = [("ZL202510000001.2", "major", "2"), ("ZL202510000002.7", "other", "0"), ("", "major", "1")]
    response = client.post(_url(), _post(rows))
    assert response.status_code == 200 and not Claim.objects.exists()
    html = response.content.decode()
    assert "第2行·数量：应为正整数" in html and "第3行·专利号：请填写此项" in html
    assert 'value="ZL202510000002.7"' in html  # nothing typed is lost


def test_the_engine_refuses_a_repeated_line_beside_the_field(applicant, lines_round):
    client = signed_in(applicant("enterprise"))
    rows = [("ZL202510000001.2", "major", "1"), ("zl 202510000001.2", "major", "1")]
    response = client.post(_url(), _post(rows))
    assert not Claim.objects.exists()
    assert "第2行：与第1行重复（专利号和授权国家或地区相同），请合并为一行" in response.content.decode()


def test_a_claim_with_two_lines_is_saved_estimated_and_shown_line_by_line(applicant, lines_round, staff):
    user = applicant("enterprise")
    client = signed_in(user)
    rows = [("ZL202510000001.2", "major", "2"), ("ZL202510000002.7", "other", "1")]
    response = client.post(_url(), _post(rows))
    claim = Claim.objects.get()
    assert response["Location"] == reverse("portal:claim_detail", args=[claim.pk])
    assert claim.facts == {"grants": [{"category": "major", "count": 2, "object": "ZL202510000001.2"},
                                      {"category": "other", "count": 1, "object": "ZL202510000002.7"}]}
    detail = client.get(response["Location"]).content.decode()
    assert "¥70,000.00" in detail  # 2 × 3万 + 1 × 1万
    assert "第1行 ZL202510000001.2 美日欧 2 个；第2行 ZL202510000002.7 其他国家或地区 1 个" in detail

    edit = client.get(reverse("portal:claim_edit", args=[claim.pk])).content.decode()
    assert 'value="ZL202510000002.7"' in edit and _rows_shown(edit) == 3

    client.post(reverse("portal:claim_submit", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.state == "submitted" and claim.engine_amount == Decimal("70000.00")
    page = signed_in(staff.reviewer).get(reverse("portal:staff_claim", args=[claim.pk])).content.decode()
    assert "第1行 ZL202510000001.2 美日欧 2 个；第2行 ZL202510000002.7 其他国家或地区 1 个" in page
    assert "第1行 202510000001.2 美日欧 2 个 × 3万元 = 6万元" in page  # the explanation, line by line

    # The reviewer's form of the facts has the rows too: one more row asked for recommends nothing.
    reviewer = signed_in(staff.reviewer)
    more = {"facts-grants-rows": "2", "add_line": "facts-grants"}
    for i, (obj, cat, count) in enumerate(rows):
        more.update({f"facts-grants-{i}-object": obj, f"facts-grants-{i}-category": cat, f"facts-grants-{i}-count": count})
    again = reviewer.post(reverse("portal:claim_action", args=[claim.pk, "recommend"]), more).content.decode()
    claim.refresh_from_db()
    assert claim.state == "submitted" and _rows_shown(again) == 3 and 'value="ZL202510000002.7"' in again


def test_the_public_calculator_takes_lines_and_one_more_row(client, lines_round):
    params = {"policy": POLICY, "kind": "enterprise", "item": ITEM, "event_date": "2026-05-01", "in_zone": "true",
              "sme": "false", "facts-grants-rows": "3"}
    rows = [("ZL202510000001.2", "major", "2"), ("ZL202510000001.2", "other", "2"), ("ZL202510000002.7", "other", "1")]
    for i, (obj, cat, count) in enumerate(rows):
        params.update({f"facts-grants-{i}-object": obj, f"facts-grants-{i}-category": cat, f"facts-grants-{i}-count": count})
    more = client.get(reverse("portal:calculator"), {**params, "add_line": "facts-grants"}).content.decode()
    assert _rows_shown(more) == 4 and "errorlist" not in more and 'value="ZL202510000002.7"' in more
    html = client.get(reverse("portal:calculator"), {**params, "evaluate": "1"}).content.decode()
    assert "¥80,000.00" in html  # the first patent's four countries cut to three: 6万 + 1万, then 1万
    assert "第2行 202510000001.2 其他国家或地区 1 个（申报 2，超过最多资助数量） × 1万元 = 1万元" in html
