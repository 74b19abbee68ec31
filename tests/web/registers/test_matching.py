"""免申即享: award lists matched against the policies in force into claims waiting for the
enterprise; the amount is an ordinary claim's; nothing proposed twice; confirm and decline."""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ipfund.web.accounts.idgen import make_uscc
from ipfund.web.audit.models import AuditEvent
from ipfund.web.claims.models import Claim
from ipfund.web.claims.services import claim_draft_create, claim_estimate
from ipfund.web.claims.workflow import State
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.notifications.models import Notification
from ipfund.web.registers.matching import match_run, proposal_confirm, proposal_decline, proposals_materialise
from ipfund.web.registers.models import Proposal, Register
from ipfund.web.registers.services import register_for, register_import, register_upload
from ipfund.web.rounds.services import round_create

from .conftest import ON, SUCCESSOR, csv_bytes, enterprise_rows

OUTSIDE = make_uscc("enterprise", 7201)
NO_ACCOUNT = make_uscc("enterprise", 7202)


def _import(actor, register, rows, name="f.csv"):
    return register_import(actor=actor, upload=register_upload(actor=actor, register=register, file_name=name,
                                                                content=csv_bytes(rows)))


def award_rows(*rows):
    return [["获奖单位", "统一社会信用代码", "专利号", "奖项等级", "获奖日期"], *rows]


@pytest.fixture
def world(staff, applicant):
    company = applicant("enterprise", sme=True, name="肇庆宏达科技有限公司")
    code = company.applicant.ledger_identity
    _import(staff.reviewer, register_for(kind=Register.ENTERPRISES), enterprise_rows(
        ("肇庆宏达科技有限责任公司", code, "肇庆高新区迎宾大道 1 号"),
        ("广州远方有限公司", OUTSIDE, "广州市天河区 3 号"),
        ("星辉电子有限公司", NO_ACCOUNT, "肇庆高新区建设三路 2 号"),
    ))
    awards = register_for(kind=Register.AWARDS, code="cpa", name="中国专利奖获奖名单", item="china_patent_award")
    _import(staff.reviewer, awards, award_rows(
        ["宏达科技有限公司", "", "ZL201910000001.2", "金奖", "2026-05-10"],
        ["宏达科技有限公司", "", "ZL201910000002.7", "优秀奖", "2026-05-10"],
        ["广州远方有限公司", "", "ZL201910000003.1", "银奖", "2026-05-10"],
        ["无名单位", "", "ZL201910000004.6", "银奖", "2026-05-10"],
        ["星辉电子有限公司", NO_ACCOUNT, "ZL201910000005.0", "银奖", "2026-05-10"],
    ))
    return {"company": company, "code": code, "awards": awards}


def test_matching_proposes_eligible_rows_and_reports_the_rest(world, staff):
    result = match_run(actor=staff.reviewer, on=ON)
    kinds = [(line["type"], line["source"]["row"]) for line in result.lines]
    assert kinds == [("proposal", 2), ("proposal", 3), ("proposal", 6), ("ineligible", 4), ("unresolved", 5)]
    first = result.lines[0]
    assert first["credit_code"] == world["code"] and first["policy"] == SUCCESSOR
    assert first["item"] == "china_patent_award" and first["amount"] == "400000.00"
    assert first["source"]["register"] == "cpa" and first["source"]["data"]["facts"]["level"] == "gold"
    assert result.lines[3]["why"] == "申请人不在高新区内"
    assert result.lines[4]["why"] == "单位名称未能匹配到统一社会信用代码，待人工确认"

    claims = Claim.objects.filter(applicant=world["company"].applicant).order_by("id")
    assert [(c.state, c.engine_amount) for c in claims] == [(State.PROPOSED, Decimal("400000.00")),
                                                          (State.PROPOSED, Decimal("150000.00"))]
    # the enterprise without an account gets its claim when it has one
    assert Proposal.objects.get(credit_code=NO_ACCOUNT).claim is None
    assert Notification.objects.filter(user=world["company"], message__contains="可直接享受").count() == 2
    assert AuditEvent.objects.filter(action="claim_propose").count() == 2


def test_a_proposal_is_what_an_ordinary_claim_of_the_same_facts_gets(world, staff):
    match_run(actor=staff.reviewer, on=ON)
    proposed = Claim.objects.filter(state=State.PROPOSED).order_by("id")
    for claim in proposed:
        ordinary = claim_draft_create(actor=world["company"], item=claim.item, event_date=claim.event_date,
                                      facts=claim.facts, policy=claim.policy)
        assert claim_estimate(actor=world["company"], claim=ordinary).amount == claim.engine_amount


def test_a_rerun_proposes_only_what_is_new(world, staff):
    match_run(actor=staff.reviewer, on=ON)
    assert [line["type"] for line in match_run(actor=staff.reviewer, on=ON).lines] == ["ineligible", "unresolved"]
    _import(staff.reviewer, world["awards"], award_rows(
        ["宏达科技有限公司", "", "ZL201910000001.2", "金奖", "2026-05-10"],
        ["宏达科技有限公司", "", "ZL201910000006.5", "银奖", "2026-05-12"],
    ))
    new = [line for line in match_run(actor=staff.reviewer, on=ON).lines if line["type"] == "proposal"]
    assert [(line["source"]["version"], line["facts"]["patent_number"]) for line in new] == [(2, "ZL201910000006.5")]


def test_nothing_already_claimed_or_awarded_is_proposed(world, staff, applicant):
    flow.no_budget(staff, SUCCESSOR)
    now = timezone.now()
    round_create(actor=staff.admin, policy=SUCCESSOR, name="2026年批次", opens_at=now - dt.timedelta(days=1),
                 closes_at=now + dt.timedelta(days=30), items=["china_patent_award"])
    # the gold patent awarded to someone else already (the key is the patent), the second claimed by the company
    other = applicant("enterprise")
    awarded = flow.submitted_from_sample(other, sample("china_patent_award"), policy=SUCCESSOR,
                                         event_date=dt.date(2026, 5, 1),
                                         facts={"patent_number": "ZL201910000001.2", "level": "gold"})
    flow.advance(awarded, "approved", staff)
    claim_draft_create(actor=world["company"], item="china_patent_award", event_date=dt.date(2026, 5, 10),
                       facts={"patent_number": "ZL201910000002.7", "level": "excellence"}, policy=SUCCESSOR)
    lines = match_run(actor=staff.reviewer, on=ON).lines
    proposals = [line["facts"]["patent_number"] for line in lines if line["type"] == "proposal"]
    assert proposals == ["ZL201910000005.0"]
    gold = next(line for line in lines if line["type"] == "ineligible" and line["source"]["row"] == 2)
    assert gold["why"] == "同一事项已获资助（重复申报）"


def test_the_enterprise_confirms_one_and_declines_another(world, staff, caplog):
    flow.no_budget(staff, SUCCESSOR)
    match_run(actor=staff.reviewer, on=ON)
    company = world["company"]
    first, second = Claim.objects.filter(applicant=company.applicant, state=State.PROPOSED).order_by("id")
    with pytest.raises(ValidationError) as caught:
        proposal_confirm(actor=company, claim=first)
    assert caught.value.message_dict["bank_account"] == ["请填写收款银行、账号和户名。"]
    confirmed = proposal_confirm(actor=company, claim=first, bank_name="中国银行肇庆分行",
                                 bank_account="6222020011112222333", bank_holder="肇庆宏达科技有限公司")
    assert confirmed.state == State.SUBMITTED and confirmed.reference and confirmed.engine_amount == Decimal("400000.00")
    company.applicant.refresh_from_db()
    assert company.applicant.bank_holder == "肇庆宏达科技有限公司"
    with pytest.raises(ValidationError):
        proposal_decline(actor=company, claim=second, statement="  ")
    declined = proposal_decline(actor=company, claim=second, statement="本单位自愿放弃该项资助。")
    assert declined.state == State.DECLINED and declined.decision_reason == "本单位自愿放弃该项资助。"
    with pytest.raises(ValidationError):
        proposal_confirm(actor=company, claim=second)
    # the confirmed claim goes the ordinary road: recommended and approved at the engine's amount
    approved = flow.advance(confirmed, "approved", staff)
    assert approved.approved_amount == Decimal("400000.00")


def test_an_enterprise_that_registers_later_gets_its_proposal(world, staff, applicant, caplog):
    match_run(actor=staff.reviewer, on=ON)
    from ipfund.web.accounts.services import applicant_register

    with caplog.at_level(logging.INFO, logger="ipfund.messages"), \
            pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.db.transaction.on_commit", lambda f, *a, **k: f())
        user = applicant_register(username="xinghui", password=flow.APPLICANT_PASSWORD, email="x@example.cn",
                                  kind="enterprise", id_number=NO_ACCOUNT, name="星辉电子有限公司", address="肇庆高新区",
                                  in_zone=True, sme=True, contact_name="联系人", contact_phone="13800138000")
        made = proposals_materialise(profile=user.applicant)
    assert [(c.state, c.engine_amount) for c in made] == [(State.PROPOSED, Decimal("250000.00"))]
    assert "message to xinghui" in caplog.text and "可直接享受" in caplog.text
    assert proposals_materialise(profile=user.applicant) == []


def test_a_policy_not_in_force_is_refused(world, staff):
    with pytest.raises(ValidationError) as caught:
        match_run(actor=staff.reviewer, on=ON, policy="zhaoqing-hitech-ip-2022")
    assert caught.value.message_dict["policy"] == ["政策 zhaoqing-hitech-ip-2022 在 2026-06-01 不是现行政策，不能据以匹配。"]


def test_the_message_adapter_is_a_setting(world, staff, settings, django_capture_on_commit_callbacks):
    from django.core import mail

    settings.IPFUND_MESSENGER = "ipfund.web.notifications.adapters.EmailMessenger"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        match_run(actor=staff.reviewer, on=ON)
    sent = [m for m in mail.outbox if m.subject == "【知识产权专项资金】可直接享受的资助"]
    assert [m.to for m in sent] == [[world["company"].email]] * 2
    assert "资助金额 400,000.00 元" in sent[0].body


def _lines_and_records(result):
    lines = [{k: v for k, v in line.items() if k != "proposal"} for line in result.lines]
    records = list(Proposal.objects.filter(run=result.run).order_by("id").values_list("key", "amount", "decision"))
    return lines, records


def test_matching_on_dask_proposes_what_one_process_proposes(world, staff, applicant, settings, dask_client):
    from django.db import transaction

    flow.no_budget(staff, SUCCESSOR)
    now = timezone.now()
    round_create(actor=staff.admin, policy=SUCCESSOR, name="2026年批次", opens_at=now - dt.timedelta(days=1),
                 closes_at=now + dt.timedelta(days=30), items=["china_patent_award"])
    awarded = flow.submitted_from_sample(applicant("enterprise"), sample("china_patent_award"), policy=SUCCESSOR,
                                         event_date=dt.date(2026, 5, 1),
                                         facts={"patent_number": "ZL201910000001.2", "level": "gold"})
    flow.advance(awarded, "approved", staff)  # the ledger holds the gold patent's key: the snapshot must say so
    with transaction.atomic():
        here = _lines_and_records(match_run(actor=staff.reviewer, on=ON))
        transaction.set_rollback(True)
    settings.IPFUND_DASK_SCHEDULER = dask_client.scheduler.address
    told: list = []
    there = _lines_and_records(match_run(actor=staff.reviewer, on=ON, progress=lambda d, t: told.append((d, t))))
    assert there == here
    assert [line["type"] for line in here[0]] == ["proposal", "proposal", "ineligible", "ineligible", "unresolved"]
    # each proposal's stored decision is what the engine door decides for its row alone, one by one
    from ipfund.web.engine_door import decide_claim
    from ipfund.web.registers.matching import _Candidate, _RegisterApplicant

    for p in Proposal.objects.filter(claim__isnull=False).select_related("row", "claim__applicant"):
        a = p.claim.applicant
        alone = decide_claim(_Candidate(f"row-{p.row.pk}", p.policy, p.item,
                                        _RegisterApplicant(p.credit_code, a.kind, a.in_zone, a.sme, p.name),
                                        p.event_date, p.facts))
        assert json.loads(json.dumps(alone.as_record(), default=str)) == p.decision
    assert told and told[-1][0] == told[-1][1]


def test_matching_is_a_background_job_with_progress_on_dask(world, staff, settings, dask_client):
    """A clerk asks for matching on 名单与免申即享: a job (progress on its page) that decides the
    candidates on Dask, as the sandbox's runs are, makes the proposals into claims 待确认, links to
    the run and writes its lines as a workbook; a bad day or a policy not in force is refused at
    once, naming the field."""
    import io
    import re

    from django.test import Client
    from django.urls import reverse
    from openpyxl import load_workbook

    from ipfund.web.jobs.models import Job
    from ipfund.web.jobs.services import job_run
    from ipfund.web.registers.models import MatchRun

    settings.IPFUND_DASK_SCHEDULER = dask_client.scheduler.address
    clerk = Client()
    clerk.force_login(staff.reviewer)
    back = reverse("registers:registers")
    for params, error in (({"on": "2026-13-01"}, "匹配日期应为 YYYY-MM-DD 格式的日期"),
                          ({"on": ON.isoformat(), "policy": "zhaoqing-hitech-ip-2022"}, "不是现行政策，不能据以匹配")):
        refused = clerk.post(reverse("portal:job_start"), {"kind": "match_run", "back": back, **params}, follow=True)
        assert error in refused.content.decode()
    assert not Job.objects.exists()
    finance = Client()
    finance.force_login(staff.finance)
    finance.post(reverse("portal:job_start"), {"kind": "match_run", "on": ON.isoformat(), "back": back})
    assert not Job.objects.exists()  # matching is the clerks' (reviewers and administrators)

    response = clerk.post(reverse("portal:job_start"), {"kind": "match_run", "on": ON.isoformat(), "back": back})
    job = Job.objects.get()
    assert response["Location"] == reverse("portal:job_detail", args=[job.pk])
    assert job.params == {"on": ON.isoformat()} and not MatchRun.objects.exists()
    page = clerk.get(response["Location"]).content.decode()
    assert "排队中" in page and 'id="job-progress"' in page and 'http-equiv="refresh"' in page
    job = job_run(job_id=job.pk)  # the worker (in the test: here, once the request committed)
    assert job.state == Job.DONE, job.error
    assert job.done == job.total == 5  # the workbook's rows: 3 proposals, 2 rows left out
    run = MatchRun.objects.get()
    assert (run.job_pk, run.started_by, run.proposed, run.ineligible, run.unresolved) == (job.pk, staff.reviewer, 3, 1, 1)
    page = clerk.get(response["Location"]).content.decode()
    result = re.search(r'id="job-result" href="([^"]+)"', page)
    assert "已完成" in page and result is not None and result.group(1) == reverse("registers:run", args=[run.pk])
    shown = clerk.get(result.group(1)).content.decode()
    assert "400,000.00" in shown and "申请人不在高新区内" in shown
    claims = Claim.objects.filter(applicant=world["company"].applicant).order_by("id")
    assert [(c.state, c.engine_amount) for c in claims] == [(State.PROPOSED, Decimal("400000.00")),
                                                          (State.PROPOSED, Decimal("150000.00"))]

    body = b"".join(clerk.get(reverse("portal:job_file", args=[job.pk])).streaming_content)
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["新建议", "未建议的行"]
    proposals = list(book["新建议"].iter_rows(values_only=True))
    assert proposals[0][:5] == ("单位", "统一社会信用代码", "政策", "项目", "金额（元）")
    assert [(r[1], Decimal(str(r[4])), r[8]) for r in proposals[1:]] == [
        (world["code"], Decimal("400000"), 2), (world["code"], Decimal("150000"), 3), (NO_ACCOUNT, Decimal("250000"), 6)]
    from ipfund.web.engine_door import policy_by_id

    assert (proposals[1][2], proposals[1][3]) == (policy_by_id(SUCCESSOR).title, "中国专利奖奖励")  # as people read them
    left = list(book["未建议的行"].iter_rows(values_only=True))
    assert [(r[2], r[3], r[6]) for r in left[1:]] == [("不符合条件", "申请人不在高新区内", 4),
                                                     ("未匹配", "单位名称未能匹配到统一社会信用代码，待人工确认", 5)]
    actions = list(AuditEvent.objects.filter(action__in=["job_request", "match_run", "export_match_run"])
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["job_request", "match_run", "export_match_run"]
