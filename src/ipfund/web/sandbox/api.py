"""政策沙盘 on the API (finance and administrators' tokens): write a scenario, ask for a run (a
background job), read a run's kept results. The same services as the pages."""

from __future__ import annotations

from ninja import Field, Router, Schema, Status

from .models import Scenario, ScenarioRun
from .services import describe, parse_settings, run_request, sandbox_check, scenario_create

router = Router(tags=["sandbox"])


class ErrorOut(Schema):
    detail: str
    errors: dict = Field(default_factory=dict)


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ScenarioIn(Schema):
    name: str = Field("", description="情景名称")
    policy: str = Field("", description="政策 ID（现行规则）")
    settings: list[str] = Field(default_factory=list, description="参数调整，每项“参数=值”或“参数=值@YYYY-MM-DD”；"
                                "金额表的一项写作“参数[类别]=值”")
    interpretations: dict[str, str] = Field(default_factory=dict, description="解释口径：解释编号 → 选项")
    include_register: bool = Field(True, description="是否同时测算名单中的潜在申报（免申即享）")
    note: str = Field("", description="说明")


class ScenarioOut(Schema):
    id: int
    name: str
    policy: str
    changes: list[str] = Field(description="参数调整（中文）")
    options: list[str] = Field(description="解释口径选择（中文）")
    include_register: bool


class RunOut(Schema):
    id: int
    scenario_id: int
    scenario: str = Field(description="情景名称")
    state: str = Field(description="queued 排队中、running 测算中、done 已完成、failed 失败")
    state_label: str
    job_id: int | None = Field(description="后台任务 ID（其 Excel 文件由发起人在页面下载）")
    error: str
    base_version: str = Field(description="现行规则的政策版本")
    scenario_version: str = Field(description="情景规则的版本")
    results: dict = Field(description="测算结果：totals、by_source、by_item、by_year、by_kind、by_budget、gainers、losers；金额为两位小数的字符串")


def _scenario_out(s: Scenario) -> dict:
    words = describe(s)
    return {"id": s.pk, "name": s.name, "policy": s.policy, "include_register": s.include_register,
            "changes": [f"{c['title']}：{c['value']}（{c['when']}）" for c in words["changes"]],
            "options": [f"{o['question']}：{o['option']}" for o in words["options"]]}


def _run_out(r: ScenarioRun) -> dict:
    return {"id": r.pk, "scenario_id": r.scenario_id, "scenario": r.scenario.name, "state": r.state,
            "state_label": r.get_state_display(), "job_id": r.job_id, "error": r.error, "base_version": r.base_version,
            "scenario_version": r.scenario_version, "results": r.results}


@router.post("/sandbox/scenarios", response={201: ScenarioOut, **ERRORS}, summary="新建沙盘情景（财务、管理员）")
def scenario_new(request, body: ScenarioIn):
    """参数值按其类型检查，不符合的以中文说明并指出参数。"""
    sandbox_check(request.auth)
    scenario = scenario_create(actor=request.auth, name=body.name, policy=body.policy,
                               overrides=parse_settings(body.settings), interpretations=body.interpretations,
                               include_register=body.include_register, note=body.note)
    return Status(201, _scenario_out(scenario))


@router.post("/sandbox/scenarios/{scenario_id}/runs", response={202: RunOut, **ERRORS}, summary="运行沙盘测算（后台任务）")
def run_new(request, scenario_id: int):
    sandbox_check(request.auth)
    run = run_request(actor=request.auth, scenario=Scenario.objects.get(pk=scenario_id))
    return Status(202, _run_out(run))


@router.get("/sandbox/runs/{run_id}", response={200: RunOut, **ERRORS}, summary="沙盘测算的状态和结果")
def run_get(request, run_id: int):
    sandbox_check(request.auth)
    return Status(200, _run_out(ScenarioRun.objects.select_related("scenario").get(pk=run_id)))
