"""The pages and the API: a clerk uploads, confirms the mapping, resolves a name and runs matching;
the enterprise is sent to 可直接享受 on signing in, confirms and declines; 政策雷达 on page and API."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal


from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ipfund.web.api.services import api_token_create
from ipfund.web.claims.models import Claim
from ipfund.web.claims.workflow import State
from ipfund.web.demo import flow
from ipfund.web.jobs.models import Job
from ipfund.web.jobs.services import job_run
from ipfund.web.registers.models import RegisterImport, RegisterRow

from tests.web.portal.test_every_page import code_patterns, problems, visible_text

from .conftest import ON, SUCCESSOR, csv_bytes, enterprise_rows, xlsx_bytes


def _no_codes(client, url) -> None:
    """The page as a person reads it: no item, reason, state or field codes, no raw JSON, no English."""
    response = client.get(url)
    assert response.status_code == 200, url
    found = problems(visible_text(response.content.decode()), code_patterns())
    assert not found, f"{url}: {found}"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client, kind, name, rows, *, item="", title=""):
    body = {"kind": kind, "name": title, "item": item, "file": SimpleUploadedFile(name, rows)}
    response = client.post(reverse("registers:registers"), body)
    assert response.status_code == 302, response.content.decode()[:2000]
    return RegisterImport.objects.latest("id")


def test_a_clerk_imports_resolves_and_matches_and_the_enterprise_answers(staff, applicant):
    company = applicant("enterprise", sme=True, name="肇庆宏达科技有限公司")
    code = company.applicant.ledger_identity
    clerk = _client(staff.reviewer)
    imp = _upload(clerk, "enterprises", "名录.csv", csv_bytes(enterprise_rows(("肇庆宏达科技有限公司", code, "肇庆高新区迎宾大道 1 号"))))
    page = clerk.get(reverse("registers:mapping", args=[imp.pk])).content.decode()
    assert "核对列映射" in page and "肇庆宏达科技有限公司" in page
    mapping = {f"map-{i}": imp.mapping[column] for i, column in enumerate(imp.header)}
    assert clerk.post(reverse("registers:mapping", args=[imp.pk]), mapping).status_code == 302

    awards = _upload(clerk, "awards", "专利奖.xlsx", xlsx_bytes([["单位", "专利号", "奖项等级", "获奖日期"],
                                                               ["宏达科技", "ZL201910000001.2", "金奖", "2026-05-10"],
                                                               ["宏达科技有限公司", "ZL201910000002.7", "铜奖", "2026-05-10"]]),
                     item="china_patent_award", title="2026年中国专利奖获奖名单")
    mapping = {"map-0": "name", "map-1": "patent_number", "map-2": "level", "map-3": "event_date"}
    refused = clerk.post(reverse("registers:mapping", args=[awards.pk]), mapping).content.decode()
    assert "第 3 行“奖项等级”列：“铜奖”不是可选值" in refused
    assert not RegisterRow.objects.filter(version=awards).exists()

    fixed = _upload(clerk, "awards", "专利奖.csv", csv_bytes([["单位", "专利号", "奖项等级", "获奖日期"],
                                                             ["宏达科技", "ZL201910000001.2", "金奖", "2026-05-10"],
                                                             ["宏达科技有限公司", "ZL201910000002.7", "银奖", "2026-05-10"]]),
                    item="china_patent_award", title="2026年中国专利奖获奖名单（更正）")
    assert clerk.post(reverse("registers:mapping", args=[fixed.pk]), mapping).status_code == 302
    waiting = RegisterRow.objects.get(version=fixed, state=RegisterRow.UNMATCHED)
    page = clerk.get(reverse("registers:waiting")).content.decode()
    assert "宏达科技" in page and code in page  # the fuzzy suggestion
    clerk.post(reverse("registers:resolve", args=[waiting.pk]), {"credit_code": code})
    run_url = _match(clerk, ON)
    run_page = clerk.get(run_url).content.decode()
    assert "400,000.00" in run_page and "250,000.00" in run_page
    for url in (reverse("registers:registers"), reverse("registers:waiting"), run_url,
                reverse("registers:version", args=[fixed.pk])):
        _no_codes(clerk, url)

    enterprise = _client(company)
    assert enterprise.get(reverse("portal:dashboard"))["Location"] == reverse("registers:direct")
    page = enterprise.get(reverse("registers:direct")).content.decode()
    assert page.count("可直接享受") >= 2 and "2026年中国专利奖获奖名单（更正）" in page
    gold, silver = Claim.objects.filter(applicant=company.applicant, state=State.PROPOSED).order_by("id")
    response = enterprise.post(reverse("registers:confirm", args=[gold.pk]),
                               {"bank_name": "中国银行", "bank_account": "6222020011112222333", "bank_holder": "肇庆宏达科技有限公司"})
    assert response.status_code == 302
    enterprise.post(reverse("registers:decline", args=[silver.pk]), {"statement": "本单位放弃。"})
    gold.refresh_from_db()
    silver.refresh_from_db()
    assert (gold.state, silver.state) == (State.SUBMITTED, State.DECLINED)
    staff_page = _client(staff.reviewer2).get(reverse("portal:staff_claim", args=[gold.pk])).content.decode()
    assert "免申即享：依据的名单记录" in staff_page and "宏达科技" in staff_page and "金奖" in staff_page

    for url in (reverse("registers:direct"), reverse("registers:radar"), reverse("portal:claim_detail", args=[silver.pk])):
        _no_codes(enterprise, url)
    _no_codes(_client(staff.reviewer2), reverse("portal:staff_claim", args=[gold.pk]))
    _no_codes(_client(staff.reviewer2), reverse("portal:claim_audit", args=[gold.pk]))

    # 政策雷达 on the page and the API, on a day the successor is in force
    with flow.clock_at(IN_FORCE):
        _radar_seen(enterprise, company)


def _match(clerk, on: dt.date, policy: str = "") -> str:
    """Matching as a clerk runs it: 运行匹配 on 名单与免申即享 asks for a background job, whose page
    shows its progress until the worker (here, in the test) has run it; then it links to the run."""
    page = clerk.get(reverse("registers:registers")).content.decode()
    assert 'name="kind" value="match_run"' in page and reverse("portal:job_start") in page
    response = clerk.post(reverse("portal:job_start"), {"kind": "match_run", "policy": policy, "on": on.isoformat(),
                                                        "back": reverse("registers:registers")})
    assert response.status_code == 302, response
    job = Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    waiting = clerk.get(response["Location"]).content.decode()
    assert "免申即享匹配" in waiting and "排队中" in waiting and 'id="job-progress"' in waiting and 'http-equiv="refresh"' in waiting
    job = job_run(job_id=job.pk)
    assert job.state == Job.DONE, job.error
    done = clerk.get(response["Location"]).content.decode()
    assert "已完成" in done and 'id="job-download"' in done
    found = re.search(r'id="job-result" href="([^"]+)"', done)
    assert found is not None
    return found.group(1)


IN_FORCE = timezone.make_aware(dt.datetime.combine(ON, dt.time(12)))


def _radar_seen(enterprise, company):
    radar = enterprise.get(reverse("registers:radar")).content.decode()
    assert "中国专利奖奖励" in radar and "¥150,000.00 至 ¥400,000.00" in radar
    _, token = api_token_create(actor=company, name="t")
    items = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/radar").json()
    patent = next(i for i in items if i["policy"] == SUCCESSOR and i["item"] == "china_patent_award")
    assert (patent["estimate_low"], patent["estimate_high"]) == ("150000.00", "400000.00")
    assert patent["evidence"] == ["中国专利奖获奖证书", "专利证书"]
    custody = next(i for i in items if i["item"] == "custody_sme")
    assert custody["estimate_high"] is None and "60%" in custody["summary"]
    assert Decimal(patent["estimate_high"]) == Decimal("400000.00")


def test_the_radar_leaves_out_what_the_applicant_cannot_claim(staff, applicant):
    outside = applicant("enterprise", sme=False, in_zone=False)
    with flow.clock_at(IN_FORCE):
        page = _client(outside).get(reverse("registers:radar")).content.decode()
    assert "中国专利奖奖励" not in page and "托管" not in page
    staff_answer = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(actor=staff.finance, name='t', second_factor=True)[1]}")
    assert staff_answer.get("/api/radar").status_code == 403
