"""The policy sandbox's changes: a scenario written (checked, audited), a run asked for (a background
job, audited) and a run carried out — the ledger's standing awards in the order they were granted,
then the pending claims, then the register's potential claims, decided under today's rules and
under the scenario through the engine door's `decide_scenario`. Nothing here writes to the ledger,
a claim or a proposal: a run only reads them, and keeps what it found on its ScenarioRun."""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ipfund.web.accounts import roles
from ipfund.web.audit.actions import AuditAction
from ipfund.web.audit.services import audit_record
from ipfund.web.engine_door import (
    BatchError,
    ParameterOverride,
    Policy,
    contract_of_claim,
    decide_scenario,
    draft_policy_load,
    policy_by_id,
    scenario_interpretations,
    scenario_policy,
)

from .models import Scenario, ScenarioRun
from .results import Case, Outcome, summarise

log = logging.getLogger(__name__)

ROLES = (roles.FINANCE, roles.ADMIN)  # who may write and run scenarios (预算、财务与管理员)
NOT_ALLOWED = "只有财务人员和管理员可以使用政策沙盘。"
NAME_REQUIRED = "请填写情景名称。"
NAME_TOO_LONG = "情景名称不能超过 100 个字。"
POLICY_UNKNOWN = "请从列表中选择政策。"
SETTING_FORM = "第 {n} 行“{text}”应写作“参数=值”或“参数=值@YYYY-MM-DD”（如 custody_sme.cap_per_year=5000@2025-01-01）。"
SETTING_DATE = "第 {n} 行“{text}”中的施行日期应为 YYYY-MM-DD 格式的日期。"
OPTION_FORM = "“{text}”应写作“解释编号=选项”（如 A23=event_year）。"
NOTHING_CHANGED = "情景没有改变任何内容：请修改参数、选择解释或上传政策包草案。"
DRAFT_NOT_ZIP = "政策包草案应为 ZIP 压缩包。"
DRAFT_TOO_BIG = "上传的政策包草案超过 {limit} MB。"
RUN_FAILED = "测算失败：{error}"

# Claims not yet decided: they stand for money the policy may still owe.
PENDING_STATES = ("submitted", "returned", "recommended", "proposed")
_SETTING = re.compile(r"^\s*(?P<name>[A-Za-z0-9_.]+)(\[(?P<key>[A-Za-z0-9_.-]+)\])?\s*=\s*(?P<value>.+?)\s*$")


def sandbox_check(actor) -> None:
    if actor is not None and not any(roles.has_role(actor, r) for r in ROLES):
        raise PermissionDenied(NOT_ALLOWED)


# -- writing a scenario ---------------------------------------------------------------------


def parse_setting(text: str, n: int = 1) -> ParameterOverride:
    """`param=value`, `param=value@YYYY-MM-DD` or `table[key]=value[@date]` (the CLI's --set and the
    form's lines) as an override; the value is checked later, against its parameter."""
    value_part, start = text, None
    if "@" in text:
        value_part, _, when = text.rpartition("@")
        try:
            start = dt.date.fromisoformat(when.strip())
        except ValueError:
            raise ValidationError({"overrides": [SETTING_DATE.format(n=n, text=text.strip())]}) from None
    match = _SETTING.match(value_part)
    if match is None:
        raise ValidationError({"overrides": [SETTING_FORM.format(n=n, text=text.strip())]})
    return ParameterOverride(match["name"], match["value"], start, match["key"])


def parse_settings(lines) -> list[ParameterOverride]:
    return [parse_setting(line, n) for n, line in enumerate(lines, 1) if line.strip()]


def parse_options(lines) -> dict[str, str]:
    out = {}
    for line in lines:
        if not line.strip():
            continue
        iid, sep, option = line.partition("=")
        if not sep or not iid.strip() or not option.strip():
            raise ValidationError({"interpretations": [OPTION_FORM.format(text=line.strip())]})
        out[iid.strip()] = option.strip()
    return out


def _overrides_of(scenario: Scenario) -> list[ParameterOverride]:
    return [ParameterOverride(o["parameter"], o["value"], dt.date.fromisoformat(o["start"]) if o.get("start") else None,
                              o.get("key")) for o in scenario.overrides]


def _changed_policy(scenario: Scenario, base: Policy) -> Policy:
    """The policy the scenario decides under: its draft package (or the base) with its parameter values."""
    source = draft_policy_load(Path(settings.MEDIA_ROOT) / scenario.draft_folder) if scenario.draft_folder else base
    return scenario_policy(source, _overrides_of(scenario), label=scenario.name)


def _interpretations(scenario: Scenario, base: Policy, changed: Policy) -> tuple[dict[str, str], dict[str, str]]:
    """(today's interpretations, the scenario's): the bureau's choices in force, and those overlaid
    with the scenario's (the choices of interpretations a draft package lacks are dropped)."""
    from ipfund.web.rounds.selectors import interpretations_in_force

    today = interpretations_in_force(policy=base.id)
    chosen = {k: v for k, v in today.items() if k in changed.interpretations}
    return (scenario_interpretations(base, today),
            scenario_interpretations(changed, {**chosen, **scenario.interpretations}))


def _draft_unpack(upload) -> tuple[str, str, str]:
    """An uploaded draft package unpacked under MEDIA_ROOT/sandbox/drafts (never the policy store):
    (folder relative to MEDIA_ROOT, digest, title). Its problems are a ValidationError on `draft`."""
    from ipfund.web.policylib.services import PackageRefused, package_digest, unpack

    if getattr(upload, "size", 0) > settings.IPFUND_MAX_UPLOAD_BYTES:
        raise ValidationError({"draft": [DRAFT_TOO_BIG.format(limit=settings.IPFUND_MAX_UPLOAD_BYTES // (1024 * 1024))]})
    relative = f"sandbox/drafts/{timezone.localdate():%Y/%m}/{secrets.token_hex(12)}"
    folder = Path(settings.MEDIA_ROOT) / relative
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        unpack(upload, folder)
        policy = draft_policy_load(folder)
    except PackageRefused as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise ValidationError({"draft": exc.problems}) from None
    except BatchError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise ValidationError({"draft": [str(exc)]}) from None
    return relative, package_digest(folder), f"{policy.document_number}《{policy.title}》"


def _draft_copy(source: Path) -> tuple[str, str, str]:
    """A draft package folder (the CLI's --draft) copied under MEDIA_ROOT/sandbox/drafts, so that the
    scenario can be run again as it was: (folder relative to MEDIA_ROOT, digest, title)."""
    from ipfund.web.policylib.services import package_digest

    relative = f"sandbox/drafts/{timezone.localdate():%Y/%m}/{secrets.token_hex(12)}"
    folder = Path(settings.MEDIA_ROOT) / relative
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copytree(source, folder)
        policy = draft_policy_load(folder)
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise ValidationError({"draft": [f"政策包草案 {source} 无法读取：{exc.strerror or exc}"]}) from None
    except BatchError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise ValidationError({"draft": [str(exc)]}) from None
    return relative, package_digest(folder), f"{policy.document_number}《{policy.title}》"


@transaction.atomic
def scenario_create(*, actor, name: str, policy: str, overrides: list[ParameterOverride] | None = None,
                    interpretations: dict[str, str] | None = None, draft=None, include_register: bool = True,
                    note: str = "", draft_dir: Path | None = None) -> Scenario:
    """Write a scenario: every value checked against the policy (a Chinese error naming the field),
    audited. `draft` is an uploaded .zip, `draft_dir` a package folder (the CLI): either is kept
    under MEDIA_ROOT for the scenario, never installed."""
    sandbox_check(actor)
    overrides, interpretations = list(overrides or []), dict(interpretations or {})
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [NAME_REQUIRED]
    elif len(name.strip()) > 100:
        errors["name"] = [NAME_TOO_LONG]
    base = policy_by_id(policy or "")
    if base is None:
        errors["policy"] = [POLICY_UNKNOWN]
    if errors:
        raise ValidationError(errors)
    assert base is not None
    draft_folder = digest = title = upload_name = ""
    if draft is not None:
        draft_folder, digest, title = _draft_unpack(draft)
        upload_name = getattr(draft, "name", "") or ""
    elif draft_dir is not None:
        draft_folder, digest, title = _draft_copy(Path(draft_dir))
        upload_name = Path(draft_dir).name
    if not overrides and not interpretations and not draft_folder:
        raise ValidationError({"overrides": [NOTHING_CHANGED]})
    scenario = Scenario(name=name.strip(), policy=base.id, overrides=[o.as_dict() for o in overrides],
                        interpretations=interpretations, draft_folder=draft_folder, draft_name=upload_name,
                        draft_digest=digest, draft_title=title, include_register=include_register, note=note or "",
                        created_by=actor if getattr(actor, "is_authenticated", False) else None)
    try:
        changed = _changed_policy(scenario, base)
    except BatchError as exc:
        raise ValidationError({"draft" if draft_folder and "参数" not in str(exc) else "overrides": [str(exc)]}) from None
    try:
        _interpretations(scenario, base, changed)
    except BatchError as exc:
        raise ValidationError({"interpretations": [str(exc)]}) from None
    scenario.save()
    audit_record(actor=actor or "system", action=AuditAction.SANDBOX_SCENARIO_CREATE, obj=scenario,
                 after={"name": scenario.name, "policy": scenario.policy, "overrides": scenario.overrides,
                        "interpretations": scenario.interpretations, "draft": scenario.draft_digest,
                        "include_register": scenario.include_register})
    return scenario


# -- running it -------------------------------------------------------------------------------


def run_request(*, actor, scenario: Scenario) -> ScenarioRun:
    """Ask for a run: a ScenarioRun kept from now on, carried out by a background job (progress shown)."""
    from ipfund.web.jobs.services import job_request

    sandbox_check(actor)
    with transaction.atomic():
        run = ScenarioRun.objects.create(scenario=scenario, requested_by=actor)
        audit_record(actor=actor, action=AuditAction.SANDBOX_RUN_REQUEST, obj=run,
                     after={"scenario": scenario.pk, "name": scenario.name, "policy": scenario.policy})
        run.job = job_request(actor=actor, kind="sandbox_run", params={"run": str(run.pk)})
        run.save(update_fields=["job"])
    return run


def _case_of_award(entry, year: int) -> Case:
    a = entry.claim_data.get("applicant") or {}
    return Case("award", entry.claim.reference or f"#{entry.claim_id}", str(a.get("id") or entry.applicant_id),
                str(a.get("name") or ""), str(a.get("kind") or ""), entry.item, year, str(year))


def gather(policy: Policy, *, today: dt.date, include_register: bool = True) -> tuple[list[dict], list[Case]]:
    """What a run decides, in order: the ledger's standing grants of the policy as they were granted
    (the claim as judged, counted in their approval year), the pending claims as they were
    submitted, then the register's potential claims (both counted in this year)."""
    from ipfund.web.claims.models import Claim
    from ipfund.web.ledger.models import AwardEntry
    from ipfund.web.registers.matching import register_candidates

    claims: list[dict] = []
    cases: list[Case] = []
    grants = (AwardEntry.objects.filter(policy=policy.id, kind=AwardEntry.GRANT, reversed_by__isnull=True)
              .select_related("claim").order_by("created_at", "pk"))
    for entry in grants.iterator(chunk_size=2000):
        claims.append(entry.claim_data)
        cases.append(_case_of_award(entry, timezone.localtime(entry.created_at).year))
    pending = (Claim.objects.filter(policy=policy.id, state__in=PENDING_STATES).exclude(award_entries__isnull=False)
               .select_related("applicant").order_by("submitted_at", "pk"))
    for claim in pending.iterator(chunk_size=2000):
        data = contract_of_claim(claim)
        a = data["applicant"]
        claims.append(data)
        cases.append(Case("pending", claim.reference or f"#{claim.pk}", a["id"], a.get("name") or "", a["kind"], claim.item,
                          today.year, str(today.year)))
    if include_register:
        for candidate in register_candidates(policy):
            data = contract_of_claim(candidate)
            claims.append(data)
            cases.append(Case("register", candidate.source, candidate.applicant.ledger_identity, candidate.applicant.name,
                              candidate.applicant.kind, candidate.item, today.year, str(today.year)))
    return claims, cases


def _budget_lines(policy: Policy, years) -> dict[str, dict]:
    from ipfund.web.budgets.models import Budget

    amounts = {b.year: b.amount for b in Budget.objects.filter(policy=policy.id, round__isnull=True, year__in=list(years))}
    return {str(y): ({"label": f"{y} 年度预算", "amount": f"{amounts[y]:.2f}"} if y in amounts
                     else {"label": f"{y} 年度（未设预算）", "amount": None}) for y in years}


def compute(policy: Policy, changed: Policy, claims: list[dict], cases: list[Case], *, today_rules: dict[str, str],
            scenario_rules: dict[str, str], progress: Callable[[int, int | None], None] | None = None) -> tuple[list[Outcome], dict]:
    """Decide the claims under today's rules and under the scenario; the outcomes and the kept results."""
    if progress is None:
        def progress(done: int, total: int | None = None) -> None:
            return None
    total = 2 * len(claims)
    progress(0, total)
    base = decide_scenario(policy, claims, interpretations=today_rules)
    progress(len(claims), total)
    after = decide_scenario(changed, claims, interpretations=scenario_rules)
    progress(total, total)
    zero = Decimal("0.00")
    outcomes = [Outcome(c, b.amount if b.eligible else zero, s.amount if s.eligible else zero)
                for c, b, s in zip(cases, base, after)]
    items = {**{i.id: i.title for i in changed.items.values()}, **{i.id: i.title for i in policy.items.values()}}
    results = summarise(outcomes, item_labels=items, kind_labels=dict(policy.kind_labels),
                        budget_lines=_budget_lines(policy, {c.year for c in cases}),
                        item_order=[*policy.items, *(i for i in changed.items if i not in policy.items)])
    return outcomes, results


def run_execute(run: ScenarioRun, progress: Callable[[int, int | None], None] | None = None) -> list[Outcome]:
    """Carry out a run now: its results kept on the run, audited. Nothing in the ledger changes.
    A failure is recorded on the run (in Chinese) and raised again."""
    scenario = run.scenario
    run.state, run.started_at = ScenarioRun.RUNNING, timezone.now()
    run.save(update_fields=["state", "started_at"])
    try:
        base = policy_by_id(scenario.policy)
        if base is None:
            raise BatchError(f"政策 {scenario.policy} 未安装")
        changed = _changed_policy(scenario, base)
        today_rules, scenario_rules = _interpretations(scenario, base, changed)
        claims, cases = gather(base, today=timezone.localdate(), include_register=scenario.include_register)
        outcomes, results = compute(base, changed, claims, cases, today_rules=today_rules, scenario_rules=scenario_rules,
                                    progress=progress)
    except Exception as exc:
        log.exception("sandbox run %s failed", run.pk)
        message = str(exc) if isinstance(exc, BatchError) else "平台内部错误，请联系管理员"
        ScenarioRun.objects.filter(pk=run.pk).update(state=ScenarioRun.FAILED, error=RUN_FAILED.format(error=message),
                                                     finished_at=timezone.now())
        run.refresh_from_db()
        raise
    results["interpretations"] = {"today": today_rules, "scenario": scenario_rules}
    with transaction.atomic():
        run.state, run.finished_at, run.results = ScenarioRun.DONE, timezone.now(), results
        run.base_version, run.scenario_version = base.version, changed.version[:200]
        run.save(update_fields=["state", "finished_at", "results", "base_version", "scenario_version"])
        audit_record(actor=run.requested_by or "system", action=AuditAction.SANDBOX_RUN, obj=run,
                     after={"scenario": scenario.pk, "name": scenario.name, "policy": scenario.policy,
                            "base_version": run.base_version, "scenario_version": run.scenario_version,
                            "totals": results["totals"]})
    return outcomes


def run_now(*, actor, scenario: Scenario) -> tuple[ScenarioRun, list[Outcome]]:
    """A run carried out at once, without a job (the CLI): kept and audited as any other."""
    sandbox_check(actor)
    run = ScenarioRun.objects.create(scenario=scenario, requested_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit_record(actor=actor or "system", action=AuditAction.SANDBOX_RUN_REQUEST, obj=run,
                 after={"scenario": scenario.pk, "name": scenario.name, "policy": scenario.policy})
    return run, run_execute(run)



# -- showing a scenario -------------------------------------------------------------------------


def _value_text(kind: str, value, unit: str = "元") -> str:
    if kind in ("money",):
        return f"{Decimal(str(value)):,.2f} 元"
    if kind == "rate":
        text = str(value).strip()
        return text if text.endswith("%") else f"{Decimal(text) * 100:g}%"
    if kind == "money_table" and isinstance(value, dict):
        return "，".join(f"{k} {Decimal(str(v)):,.2f} 元" for k, v in value.items())
    return str(value)


def describe(scenario: Scenario) -> dict:
    """The scenario in words: each parameter change (title, old and new value, from when), each
    interpretation choice (question and option) and the draft package."""
    policy = policy_by_id(scenario.policy)
    changes, options = [], []
    for o in scenario.overrides:
        par = policy.parameters.get(o["parameter"]) if policy is not None else None
        title = par.title if par is not None else o["parameter"]
        kind = "money" if o.get("key") else (par.kind if par is not None else "")
        if o.get("key"):
            title = f"{title}·{_option_label(policy, o['key'])}"
        try:
            value = _value_text(kind, o["value"])
        except (ArithmeticError, ValueError):
            value = str(o["value"])
        when = f"自 {o['start']} 起" if o.get("start") else "全部日期"
        changes.append({"title": title, "value": value, "when": when, "parameter": o["parameter"]})
    for iid, option in scenario.interpretations.items():
        interp = policy.interpretations.get(iid) if policy is not None else None
        if interp is None:
            options.append({"question": iid, "option": option})
        else:
            label = interp.options.get(option, option)
            options.append({"question": f"{iid} {interp.question}",
                            "option": label if isinstance(label, str) else str(label.get("label", option))})
    return {"policy_title": policy.title if policy is not None else scenario.policy, "changes": changes,
            "options": options, "draft": scenario.draft_title}


def _option_label(policy, key: str) -> str:
    """A money table's key as the item's facts name it (an enum option's label), else the key."""
    for item in policy.items.values():
        for fact in item.facts:
            if fact.option_labels and key in fact.option_labels:
                return str(fact.option_labels[key])
    return key
