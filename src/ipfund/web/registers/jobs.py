"""Matching as a background job (jobs kind "match_run"): a clerk asks for it on 名单与免申即享 (the
exports' one door, `portal:job_start`), the worker matches — progress shown on the job's page while
the candidates are decided — and writes the run's lines as a workbook: the new proposals, then the
rows left out with why. The run itself (MatchRun, its proposals as claims 待确认) is what
`match_run` makes; the job's page links to it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ipfund.web.engine_door import policies_in_force, policy_by_id
from ipfund.web.exports.xlsx import Column, Sheet, write_workbook

from .matching import POLICY_NOT_IN_FORCE, match_run
from .models import MatchRun

ON_INVALID = "匹配日期应为 YYYY-MM-DD 格式的日期，例如 2026-06-30。"
KINDS = {"unresolved": "未匹配", "ineligible": "不符合条件"}


def clean(params: dict) -> dict:
    """The parameters checked when the job is asked for: the day (default today) and, when named, a
    policy in force on it — each error naming its field."""
    on = params.get("on", "")
    try:
        day = dt.date.fromisoformat(on) if on else timezone.localdate()
    except ValueError:
        raise ValidationError({"on": [ON_INVALID]}) from None
    policy = params.get("policy", "")
    if policy and policy not in {p.id for p in policies_in_force(day)}:
        raise ValidationError({"policy": [POLICY_NOT_IN_FORCE.format(policy=policy, on=day.isoformat())]})
    return {**params, "on": day.isoformat()}


def filename(params: dict) -> str:
    return f"免申即享匹配结果-{params.get('on', '')}.xlsx"


def result_url(job) -> str | None:
    run = MatchRun.objects.filter(job_pk=job.pk).first()
    return reverse("registers:run", args=[run.pk]) if run is not None else None


def run_match(job, path, progress) -> int:
    """The job: matching as `match_run` does it (audited, proposals made into claims 待确认), the
    candidates' decisions told as progress, then the workbook of its lines."""
    params = job.params
    result = match_run(actor=job.requested_by, on=dt.date.fromisoformat(params["on"]), policy=params.get("policy") or None,
                       progress=progress, job_pk=job.pk)
    proposals = [line for line in result.lines if line["type"] == "proposal"]
    left_out = [line for line in result.lines if line["type"] != "proposal"]

    titles: dict[tuple[str, str], tuple[str, str]] = {}

    def named(line: dict) -> tuple[str, str]:  # the policy's and the item's titles, as people read them
        key = (line["policy"], line["item"])
        if key not in titles:
            policy = policy_by_id(line["policy"])
            item = policy.items.get(line["item"]) if policy is not None else None
            titles[key] = (policy.title if policy is not None else line["policy"], item.title if item is not None else line["item"])
        return titles[key]

    def source(line: dict) -> list:
        s = line["source"]
        return [s["register_name"], s["version"], s["row"]]

    sheets = [
        Sheet("新建议", [Column("单位", 36), Column("统一社会信用代码", 22, text=True), Column("政策", 28),
                        Column("项目", 28), Column("金额（元）", 16, money=True), Column("事件日期", 12),
                        Column("名单", 36), Column("版本", 8), Column("行", 8)],
              ([line["name"], line["credit_code"], *named(line), Decimal(line["amount"]), line["event_date"],
                *source(line)] for line in proposals), total=len(proposals)),
        Sheet("未建议的行", [Column("单位", 36), Column("统一社会信用代码", 22, text=True), Column("情况", 12),
                           Column("原因", 60), Column("名单", 36), Column("版本", 8), Column("行", 8)],
              ([line["name"], line["credit_code"], KINDS.get(line["type"], line["type"]), line["why"], *source(line)]
               for line in left_out), total=len(left_out)),
    ]
    return write_workbook(path, sheets, progress)
