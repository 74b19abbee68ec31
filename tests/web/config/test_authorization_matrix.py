"""Authorization generated from the URL list: every principal × every endpoint × own/other object.

Every URL pattern the root URLconf serves and every operation of the API's OpenAPI schema must
have a row in MATRIX (a new URL without one fails ``test_every_url_is_in_the_matrix``). Each row
names the objects its path parameters take and, per method, which principals get through; every
other principal must be refused (a redirect to the login page, 401, 403 or 404). "Gets through"
means the request reached the view: any other answer, including a form re-shown with its errors,
a 405 for a GET of a POST-only action, or a 400 for an empty API body.

The principals: anonymous; ``own`` (the applicant whose claim the objects belong to); ``other``
(another applicant); ``staff_own`` (a reviewer who is also the claim's applicant: separation of
duties keeps them off it); one staff member per role; and ``finance_handler`` (a finance member
who recommended the final claim before moving to finance: separation of duties at payment keeps
them from paying it, recording it failed or batching it, though they read finance's pages).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from captcha.models import CaptchaStore
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ipfund.web.accounts.models import User
from ipfund.web.accounts.role_changes import role_change_request
from ipfund.web.alliances.demo import alliance_review_passed
from ipfund.web.alliances.services import alliance_apply, alliance_panel_form
from ipfund.web.analysis.services import activity_assign, activity_register, activity_report
from ipfund.web.complaints.services import complaint_file
from ipfund.web.accounts.services import staff_user_create
from ipfund.web.api.services import api_token_create
from ipfund.web.api.views import api
from ipfund.web.budgets.services import budget_set
from ipfund.web.demo import flow
from ipfund.web.demo.samples import sample
from ipfund.web.jobs.models import Job
from ipfund.web.payments.models import BankAccountChange
from ipfund.web.demo.promises import paid_promise
from ipfund.web.promises.services import recovery_open, recovery_write_off_request
from ipfund.web.notices.services import notice_close, notice_publish, objection_file
from ipfund.web.registers.matching import match_run
from ipfund.web.registers.models import Register
from ipfund.web.registers.services import register_for, register_import, register_upload
from ipfund.web.review.services import approval_approve, review_recommend
from ipfund.web.sandbox.models import ScenarioRun
from ipfund.web.sandbox.services import parse_settings, scenario_create
from ipfund.web.engine_door import default_policy

ANON, OWN, OTHER, STAFF_OWN = "anonymous", "own", "other", "staff_own"
REVIEWER, APPROVER, FINANCE, ADMIN = "reviewer", "approver", "finance", "admin"
FINANCE_HANDLER = "finance_handler"
PRINCIPALS = (ANON, OWN, OTHER, STAFF_OWN, REVIEWER, APPROVER, FINANCE, ADMIN, FINANCE_HANDLER)

EVERYONE = set(PRINCIPALS)
SIGNED_IN = EVERYONE - {ANON}
APPLICANTS = {OWN, OTHER}
OWNER = {OWN, STAFF_OWN}  # each on their own claim
STAFF = {REVIEWER, APPROVER, FINANCE, ADMIN, FINANCE_HANDLER}
FINANCE_ROLE = {FINANCE, FINANCE_HANDLER}  # pages and lists: both; paying the final claim: FINANCE only
REVIEWERS = {REVIEWER, STAFF_OWN}

# name → (path parameters: parameter → object, {method: principals that get through})
#: The alliance panel is formed of the reviewer probed, the approver and finance (not whoever else is staff).
PANEL_STAFF = STAFF - {FINANCE_HANDLER}

MATRIX: dict[str, tuple[dict, dict]] = {
    # public pages
    "portal:home": ({}, {"GET": EVERYONE}),
    "portal:calculator": ({}, {"GET": EVERYONE, "POST": EVERYONE}),
    "portal:policy": ({}, {"GET": EVERYONE}),
    "portal:notices": ({}, {"GET": EVERYONE}),
    "portal:notice_detail": ({"pk": "notice"}, {"GET": EVERYONE}),
    "portal:objection_new": ({"pk": "notice", "entry_pk": "entry"}, {"GET": EVERYONE, "POST": EVERYONE}),
    "set_language": ({}, {"POST": EVERYONE}),
    # accounts
    "portal:register": ({}, {"GET": EVERYONE, "POST": EVERYONE}),
    "portal:login": ({}, {"GET": EVERYONE, "POST": EVERYONE}),
    "captcha-image": ({"key": "captcha"}, {"GET": EVERYONE}),  # the sign-in captcha's picture
    "portal:logout": ({}, {"POST": EVERYONE}),
    "portal:dashboard": ({}, {"GET": SIGNED_IN}),
    "portal:password_change": ({}, {"GET": SIGNED_IN}),
    "portal:password_reset": ({}, {"GET": EVERYONE}),
    "portal:password_reset_done": ({}, {"GET": EVERYONE}),
    "portal:password_reset_confirm": ({"uidb64": "MQ", "token": "set-password"}, {"GET": EVERYONE}),
    "portal:password_reset_complete": ({}, {"GET": EVERYONE}),
    "portal:mfa_setup": ({}, {"GET": SIGNED_IN}),
    "portal:mfa_verify": ({}, {"GET": SIGNED_IN}),
    "portal:notifications": ({}, {"GET": SIGNED_IN}),
    "portal:notifications_read": ({}, {"POST": SIGNED_IN}),
    "portal:api_tokens": ({}, {"GET": SIGNED_IN, "POST": SIGNED_IN}),
    "portal:api_token_revoke": ({"pk": "token"}, {"POST": {OWN}}),  # own's token: nobody else's to revoke
    # applicant pages: own objects only
    "portal:profile": ({}, {"GET": APPLICANTS | {STAFF_OWN}}),
    "portal:eligible": ({}, {"GET": APPLICANTS | {STAFF_OWN}}),
    "portal:my_claims": ({}, {"GET": APPLICANTS | {STAFF_OWN}}),
    "portal:claim_new": ({"item": "item"}, {"GET": APPLICANTS | {STAFF_OWN}}),
    "portal:claim_new_under": ({"policy": "zhaoqing-hitech-ip-2022", "item": "item"}, {"GET": APPLICANTS | {STAFF_OWN}}),
    "portal:claim_detail": ({"pk": "claim"}, {"GET": OWNER}),
    "portal:evidence_change": ({"pk": "claim", "evidence_pk": "evidence"}, {"GET": OWNER, "POST": OWNER}),
    "portal:claim_edit": ({"pk": "claim"}, {"GET": OWNER}),
    "portal:claim_submit": ({"pk": "claim"}, {"POST": OWNER}),
    "portal:claim_withdraw": ({"pk": "claim"}, {"POST": OWNER}),
    # files behind a permission check
    "portal:evidence_file": ({"pk": "evidence"}, {"GET": OWNER | STAFF}),
    "portal:objection_file": ({"pk": "objection"}, {"GET": REVIEWERS | {ADMIN}}),
    # back office
    "portal:claim_link": ({"pk": "claim"}, {"GET": SIGNED_IN}),
    "portal:review_queue": ({}, {"GET": REVIEWERS}),
    "portal:approval_queue": ({}, {"GET": {APPROVER}}),
    # staff_own may read their own claim's staff page but never act on it
    "portal:staff_claim": ({"pk": "claim"}, {"GET": STAFF | {STAFF_OWN}}),
    "portal:claim_audit": ({"pk": "claim"}, {"GET": STAFF | {STAFF_OWN}}),
    "portal:claim_action": ({"pk": "claim", "action": "reject"}, {"POST": {REVIEWER}}),
    # stages (分期拨付): a reviewer records an installment's condition; never on their own claim
    "portal:installment_outcome": ({"pk": "claim", "number": "2"}, {"POST": {REVIEWER}}),
    "portal:installments_waiting": ({}, {"GET": REVIEWERS}),
    "portal:notice_manage": ({}, {"GET": REVIEWERS}),
    "portal:notice_close": ({"pk": "notice"}, {"POST": REVIEWERS}),
    "portal:objections": ({}, {"GET": REVIEWERS}),
    "portal:objection_detail": ({"pk": "objection"}, {"GET": REVIEWERS | {ADMIN}}),
    "portal:finance_queue": ({}, {"GET": FINANCE_ROLE}),
    "portal:finance_claim": ({"pk": "claim"}, {"GET": FINANCE_ROLE}),
    "portal:admin_rounds": ({}, {"GET": {ADMIN}}),
    "portal:admin_round_edit": ({"pk": "round"}, {"GET": {ADMIN}}),
    "portal:admin_users": ({}, {"GET": {ADMIN}}),
    "portal:admin_user_roles": ({"pk": "user"}, {"GET": {ADMIN}}),
    "portal:admin_interpretations": ({}, {"GET": {ADMIN}}),
    "portal:admin_policies": ({}, {"GET": {ADMIN}, "POST": {ADMIN}}),
    "portal:admin_policy": ({"policy_id": "zhaoqing-hitech-ip-2022"}, {"GET": {ADMIN}, "POST": {ADMIN}}),
    "portal:admin_role_changes": ({}, {"GET": {ADMIN}}),
    "portal:admin_reveal_log": ({}, {"GET": {ADMIN}}),
    "portal:admin_role_change_decide": ({"pk": "role_change", "action": "confirm"}, {"POST": {ADMIN}}),
    "portal:queue_batch": ({"action": "recommend"}, {"POST": REVIEWERS}),
    "portal:finance_batch": ({}, {"POST": FINANCE_ROLE}),  # an unfilled form: re-shown
    "portal:account_changes": ({}, {"GET": FINANCE_ROLE | {ADMIN}}),
    "portal:account_change": ({"pk": "account_change"}, {"GET": FINANCE_ROLE | {ADMIN}}),
    "portal:statistics": ({}, {"GET": STAFF | {STAFF_OWN}}),
    "portal:admin_budgets": ({}, {"GET": {ADMIN}}),
    # 资金分配 (按同一比例核减, 择优名额): the bureau's approvers; scorers (初审) enter a quota's scores
    "portal:allocation": ({}, {"GET": {APPROVER} | REVIEWERS}),
    "portal:allocation_apply": ({"pk": "budget"}, {"POST": {APPROVER}}),
    "portal:allocation_quota_fill": ({}, {"POST": {APPROVER}}),
    "portal:allocation_quota_scores": ({}, {"POST": REVIEWERS}),  # an unknown quota: back to the page
    # documents and exports
    "portal:notice_pdf": ({"pk": "notice"}, {"GET": EVERYONE}),
    "portal:claim_receipt": ({"pk": "claim"}, {"GET": OWNER | STAFF}),
    "portal:decision_letter": ({"pk": "final_claim"}, {"GET": {OWN} | STAFF | {STAFF_OWN}}),
    "portal:payment_list_pdf": ({}, {"GET": FINANCE_ROLE}),
    "portal:exports": ({}, {"GET": STAFF | {STAFF_OWN}}),
    "portal:job_start": ({}, {"POST": STAFF | {STAFF_OWN}}),
    "portal:job_detail": ({"pk": "job"}, {"GET": {FINANCE}}),  # the finance member's own job: nobody else's
    "portal:job_file": ({"pk": "job"}, {"GET": {FINANCE}}),
    # Django's admin: only its index is probed (its own permissions guard the rest)
    "admin:*": ({}, {"GET": {ADMIN}}),
    # the API, by operation; a staff token sees what its pages show, never another applicant's draft
    "GET /api/openapi.json": ({}, {"GET": EVERYONE}),
    "GET /api/docs": ({}, {"GET": EVERYONE}),
    "GET /api/policies": ({}, {"GET": EVERYONE}),
    "GET /api/items": ({}, {"GET": EVERYONE}),
    "GET /api/items/{item_id}": ({"item_id": "item"}, {"GET": EVERYONE}),
    "POST /api/evaluate": ({}, {"POST": EVERYONE}),
    "GET /api/notices": ({}, {"GET": EVERYONE}),
    "GET /api/claims": ({}, {"GET": SIGNED_IN}),
    "POST /api/claims": ({}, {"POST": APPLICANTS | {STAFF_OWN}}),
    "GET /api/claims/{claim_id}": ({"claim_id": "claim"}, {"GET": OWNER | STAFF}),
    "POST /api/claims/{claim_id}/evidence": ({"claim_id": "claim"}, {"POST": OWNER}),
    "POST /api/claims/{claim_id}/submit": ({"claim_id": "claim"}, {"POST": OWNER}),
    "POST /api/claims/{claim_id}/withdraw": ({"claim_id": "claim"}, {"POST": OWNER}),
    "GET /api/claims/{claim_id}/estimate": ({"claim_id": "claim"}, {"GET": OWNER | STAFF}),
    # finance's API: payments for finance only (never by who handled the claim), budgets for
    # finance and administrators
    "GET /api/payments": ({}, {"GET": FINANCE_ROLE}),
    "POST /api/payments/batch": ({}, {"POST": {FINANCE}}),  # the final claim in it: never its handler
    "POST /api/payments/{claim_id}/paid": ({"claim_id": "final_claim"}, {"POST": {FINANCE}}),
    "POST /api/payments/{claim_id}/failed": ({"claim_id": "final_claim"}, {"POST": {FINANCE}}),
    "GET /api/budgets": ({}, {"GET": FINANCE_ROLE | {ADMIN}}),
    # 资金分配 over the API: approvers preview and cut a budget, fill a quota; reviewers score
    "GET /api/budgets/{budget_id}/pro-rata": ({"budget_id": "budget"}, {"GET": {APPROVER}}),
    "POST /api/budgets/{budget_id}/pro-rata": ({"budget_id": "budget"}, {"POST": {APPROVER}}),
    "POST /api/claims/{claim_id}/quota-score": ({"claim_id": "claim"}, {"POST": {REVIEWER}}),
    "GET /api/quotas/{policy}/{quota}": ({"policy": "policy_id", "quota": "quota_id"}, {"GET": {APPROVER}}),
    "POST /api/quotas/{policy}/{quota}": ({"policy": "policy_id", "quota": "quota_id"}, {"POST": {APPROVER}}),
    # registers and 免申即享: reviewers and administrators keep the registers; applicants answer proposals
    "registers:registers": ({}, {"GET": REVIEWERS | {ADMIN}, "POST": REVIEWERS | {ADMIN}}),
    "registers:register_version": ({"pk": "register"}, {"POST": REVIEWERS | {ADMIN}}),
    "registers:mapping": ({"pk": "register_upload"}, {"GET": REVIEWERS | {ADMIN}}),
    "registers:version": ({"pk": "register_version"}, {"GET": REVIEWERS | {ADMIN}}),
    "registers:waiting": ({}, {"GET": REVIEWERS | {ADMIN}}),
    "registers:resolve": ({"pk": "register_row"}, {"POST": REVIEWERS | {ADMIN}}),
    "registers:run": ({"pk": "match_run"}, {"GET": REVIEWERS | {ADMIN}}),
    "registers:direct": ({}, {"GET": APPLICANTS | {STAFF_OWN}}),
    # the policy sandbox (政策沙盘): finance and administrators
    "sandbox:scenarios": ({}, {"GET": FINANCE_ROLE | {ADMIN}}),
    "sandbox:scenario_new": ({}, {"GET": FINANCE_ROLE | {ADMIN}, "POST": FINANCE_ROLE | {ADMIN}}),
    "sandbox:scenario": ({"pk": "scenario"}, {"GET": FINANCE_ROLE | {ADMIN}}),
    "sandbox:run_start": ({"pk": "scenario"}, {"POST": FINANCE_ROLE | {ADMIN}}),
    "sandbox:run": ({"pk": "sandbox_run"}, {"GET": FINANCE_ROLE | {ADMIN}}),
    "sandbox:compare": ({}, {"GET": FINANCE_ROLE | {ADMIN}}),
    "POST /api/sandbox/scenarios": ({}, {"POST": FINANCE_ROLE | {ADMIN}}),
    "POST /api/sandbox/scenarios/{scenario_id}/runs": ({"scenario_id": "scenario"}, {"POST": FINANCE_ROLE | {ADMIN}}),
    "GET /api/sandbox/runs/{run_id}": ({"run_id": "sandbox_run"}, {"GET": FINANCE_ROLE | {ADMIN}}),
    "registers:confirm": ({"pk": "claim"}, {"POST": OWNER}),
    "registers:decline": ({"pk": "claim"}, {"POST": OWNER}),
    "registers:radar": ({}, {"GET": APPLICANTS | {STAFF_OWN}}),
    "GET /api/radar": ({}, {"GET": APPLICANTS | {STAFF_OWN}}),
    # 二（一） analysis review: administrators, and the staff assigned (here the reviewer) only
    "analysis:list": ({}, {"GET": STAFF | {STAFF_OWN}}),  # everyone sees only what is assigned to them
    "analysis:new": ({}, {"GET": {ADMIN}, "POST": {ADMIN}}),
    "analysis:detail": ({"pk": "activity"}, {"GET": {REVIEWER, ADMIN}}),
    "analysis:assign": ({"pk": "activity"}, {"POST": {ADMIN}}),
    "analysis:report": ({"pk": "activity"}, {"POST": {REVIEWER}}),
    "analysis:conclude": ({"pk": "activity"}, {"POST": {ADMIN}}),
    "analysis:report_file": ({"pk": "activity"}, {"GET": {REVIEWER, ADMIN}}),
    # 三 complaints and rights assistance: anyone files and looks up; reviewers and administrators handle
    "complaints:new": ({}, {"GET": EVERYONE, "POST": EVERYONE}),
    "complaints:filed": ({}, {"GET": EVERYONE}),
    "complaints:status": ({}, {"GET": EVERYONE, "POST": EVERYONE}),
    "complaints:list": ({}, {"GET": REVIEWERS | {ADMIN}}),
    "complaints:detail": ({"pk": "complaint"}, {"GET": REVIEWERS | {ADMIN}, "POST": REVIEWERS | {ADMIN}}),
    "complaints:link": ({"pk": "complaint"}, {"POST": REVIEWERS | {ADMIN}}),
    "complaints:file": ({"pk": "complaint"}, {"GET": REVIEWERS | {ADMIN}}),
    "POST /api/complaints": ({}, {"POST": EVERYONE}),
    "POST /api/complaints/status": ({}, {"POST": EVERYONE}),
    # 二（四） alliance review: own's application; its panel (reviewer chairs, approver, finance) and administrators
    "alliances:mine": ({}, {"GET": APPLICANTS | {STAFF_OWN}, "POST": APPLICANTS | {STAFF_OWN}}),
    "alliances:own": ({"pk": "alliance"}, {"GET": {OWN}}),
    "alliances:charter": ({"pk": "alliance"}, {"GET": {OWN} | PANEL_STAFF}),
    "alliances:decision_file": ({"pk": "alliance_passed"}, {"GET": {OWN} | STAFF | {STAFF_OWN}}),
    "alliances:list": ({}, {"GET": STAFF | {STAFF_OWN}}),
    "alliances:detail": ({"pk": "alliance"}, {"GET": PANEL_STAFF}),
    "alliances:panel": ({"pk": "alliance"}, {"POST": {ADMIN}}),
    "alliances:declare": ({"pk": "alliance"}, {"POST": PANEL_STAFF}),
    "alliances:score": ({"pk": "alliance"}, {"POST": PANEL_STAFF}),
    "alliances:decide": ({"pk": "alliance"}, {"POST": PANEL_STAFF}),
    # 五（一） promises and recovery: staff read; the services decide who records what (breach: reviewers
    # and administrators; repayments: finance; write-offs: finance or administrators, a second person approves)
    "promises:list": ({}, {"GET": STAFF | {STAFF_OWN}}),
    "promises:detail": ({"pk": "promise"}, {"GET": STAFF | {STAFF_OWN}, "POST": STAFF | {STAFF_OWN}}),
    "promises:letter": ({"pk": "promise"}, {"GET": STAFF | {STAFF_OWN}}),
    "promises:case": ({"pk": "recovery"}, {"GET": STAFF | {STAFF_OWN}}),
    "promises:repay": ({"pk": "recovery"}, {"POST": STAFF | {STAFF_OWN}}),
    "promises:write_off": ({"pk": "recovery"}, {"POST": STAFF | {STAFF_OWN}}),
    "promises:notice": ({"pk": "recovery"}, {"GET": STAFF | {STAFF_OWN}}),
    "promises:evidence": ({"pk": "recovery"}, {"GET": STAFF | {STAFF_OWN}}),
    "promises:decide": ({"pk": "write_off"}, {"POST": STAFF | {STAFF_OWN}}),
    "promises:mine": ({}, {"GET": APPLICANTS | {STAFF_OWN}}),  # each sees only their own
    "promises:my_notice": ({"pk": "recovery"}, {"GET": set()}),  # the case's agency only (tests/web/promises/test_pages.py)
    "GET /api/promises": ({}, {"GET": STAFF | {STAFF_OWN}}),
    "POST /api/promises/{promise_id}/breach": ({"promise_id": "promise"}, {"POST": REVIEWERS | {ADMIN}}),
    "GET /api/recoveries": ({}, {"GET": STAFF | {STAFF_OWN}}),
    "GET /api/recoveries/{recovery_id}": ({"recovery_id": "recovery"}, {"GET": STAFF | {STAFF_OWN}}),
    "POST /api/recoveries/{recovery_id}/repayments": ({"recovery_id": "recovery"}, {"POST": FINANCE_ROLE}),
    "POST /api/recoveries/{recovery_id}/write-offs": ({"recovery_id": "recovery"}, {"POST": FINANCE_ROLE | {ADMIN}}),
    # asked for by finance: finance itself is refused; the administrator or another finance member decides
    "POST /api/write-offs/{write_off_id}/decision": ({"write_off_id": "write_off"}, {"POST": {ADMIN, FINANCE_HANDLER}}),
}
TOKEN_CALLS = ("GET /api/claims", "POST /api/claims", "GET /api/payments", "POST /api/payments", "GET /api/budgets",
               "GET /api/radar", "GET /api/sandbox", "POST /api/sandbox",
               "POST /api/budgets", "GET /api/quotas", "POST /api/quotas",
               "GET /api/promises", "POST /api/promises", "GET /api/recoveries", "POST /api/recoveries", "POST /api/write-offs")

# Patterns that are not endpoints of their own: the API's URLs are checked per operation above.
NOT_ENDPOINTS = {"api:api-root"}


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def url_names() -> set[str]:
    names = set()
    for name in _walk(get_resolver().url_patterns):
        if name.startswith("admin:"):
            names.add("admin:*")
        elif name.startswith("api:"):
            continue
        else:
            names.add(name)
    return names


def api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    operations = {f"{method.upper()} /api{path.removeprefix('/api')}" for path, ops in schema["paths"].items() for method in ops}
    return operations | {"GET /api/openapi.json", "GET /api/docs"}


def test_every_url_is_in_the_matrix():
    declared = set(MATRIX)
    served = url_names() | api_operations()
    missing, stale = sorted(served - declared), sorted(declared - served)
    assert not missing, f"URLs without a row in the authorization matrix: {missing}"
    assert not stale, f"rows for URLs that are not served: {stale}"


@pytest.fixture
def world(staff, applicant, open_round, django_capture_on_commit_callbacks):
    """One claim of ``own`` through to the notice with an objection; principals signed in."""
    own, other = applicant("enterprise", sme=True), applicant("enterprise", sme=True)
    staff_own = applicant("enterprise", sme=True)
    # finance_handler recommended the final claim as a reviewer, then moved to finance
    handler = flow.roles_set(staff, staff_user_create(actor=staff.admin, username="matrix-handler", password="Zq-Office-2026!x",
                                                      roles=["reviewer"]), ["reviewer"])
    final_claim = review_recommend(actor=handler, claim=flow.submitted_from_sample(own, sample("custody_sme", 2)))
    final_claim = approval_approve(actor=staff.approver, claim=final_claim)
    handler = flow.roles_set(staff, handler, ["finance"])
    User.objects.filter(pk=handler.pk).update(password_change_required=False)  # as after the first sign-in
    handler.refresh_from_db()
    earlier = notice_publish(actor=staff.reviewer2, claims=[final_claim])
    with flow.clock_at(earlier.ends_at):
        notice_close(actor=staff.reviewer2, notice=earlier)
    claim = flow.advance(flow.submitted_from_sample(own, sample("custody_sme")), "approved", staff)
    notice = notice_publish(actor=staff.reviewer2)
    entry = notice.entries.get()
    objection = objection_file(entry=entry, name="王五", contact="1", reason="重复", upload=flow.pdf_upload())
    # staff_own is a reviewer who applied for a claim of their own: probed on that claim. An
    # account can no longer be given both roles (roles.APPLICANT_WITH_STAFF); one that held them
    # before that rule is written as the database holds it, and is still kept off its own claim.
    staff_claim = flow.advance(flow.submitted_from_sample(staff_own, sample("custody_sme", 1)), "approved", staff)
    User.objects.filter(pk=staff_own.pk).update(roles=["applicant", "reviewer"])
    staff_own.refresh_from_db()
    users = {OWN: own, OTHER: other, STAFF_OWN: staff_own, REVIEWER: staff.reviewer2, APPROVER: staff.approver,
             FINANCE: staff.finance, ADMIN: staff.admin, FINANCE_HANDLER: handler}
    objects = {
        "claim": claim, "notice": notice, "entry": entry, "objection": objection, "evidence": claim.evidence.first(),
        "final_claim": final_claim, "round": open_round, "user": staff.finance, "item": "custody_sme",
        "token": api_token_create(actor=own, name="own")[0],
        "captcha": CaptchaStore.generate_key(),
        # asked for by the second administrator, so the one probed may confirm it
        "role_change": role_change_request(actor=staff.admin2, roles=["reviewer"], user=staff_user_create(
            actor=None, username="matrix-newcomer", password="Zq-Office-2026!x")),
        "job": _finance_job(staff.finance),
        "budget": budget_set(actor=staff.admin, policy=open_round.policy, year=2099, amount="1000"),
        "policy_id": open_round.policy, "quota_id": "no_such_quota",
        "account_change": BankAccountChange.objects.create(
            applicant=own.applicant, bank_name="中国银行", bank_account="6222020011112222333", bank_holder="x", requested_by=own
        ),
        **_register_objects(staff),
        **_sandbox_objects(staff),
    }
    objects.update(_bureau_register_objects(staff, own))
    return {"users": users, "objects": objects, "staff_claim": staff_claim}


def _register_objects(staff) -> dict:
    """A register with an upload waiting for its mapping, an imported version with a row whose
    name waits for a clerk, and a matching run."""
    register = register_for(kind=Register.AWARDS, code="matrix", name="矩阵名单", item="china_patent_award")
    content = "获奖单位,专利号,奖项等级,获奖日期\n无名单位,ZL201910000001.2,金奖,2024-05-10\n".encode()
    upload = register_upload(actor=staff.reviewer, register=register, file_name="a.csv", content=content)
    version = register_import(actor=staff.reviewer, upload=register_upload(
        actor=staff.reviewer, register=register, file_name="b.csv", content=content))
    return {"register": register, "register_upload": upload, "register_version": version,
            "register_row": version.register_rows.get(), "match_run": match_run(actor=staff.reviewer).run}


def _sandbox_objects(staff) -> dict:
    """A scenario of the policy sandbox and a run of it, asked for and not yet carried out."""
    scenario = scenario_create(actor=staff.admin, name="矩阵情景", policy=default_policy().id,
                               overrides=parse_settings(["patent_attorney.amount=8000"]))
    return {"scenario": scenario, "sandbox_run": ScenarioRun.objects.create(scenario=scenario, requested_by=staff.finance)}


def _bureau_register_objects(staff, own) -> dict:
    """The analysis register's activity (assigned to the reviewer probed, report in), a complaint with
    evidence, an alliance application under review by a panel and one passed."""
    activity = activity_register(actor=staff.admin, title="矩阵", kind="merger", parties="甲", department="乙",
                                 due_on=dt.date.today() + dt.timedelta(days=5))
    activity_assign(actor=staff.admin, activity=activity, analyst=staff.reviewer2)
    activity_report(actor=staff.reviewer2, activity=activity, upload=flow.pdf_upload(), conclusion="no_risk",
                    findings="无", recommendation="可")
    complaint, _ = complaint_file(kind="assistance", right_type="patent", description="矩阵", upload=flow.pdf_upload())
    alliance = alliance_apply(actor=own, alliance_name="矩阵联盟", industry="新材料", members="甲", description="乙",
                              charter=flow.pdf_upload())
    alliance_panel_form(actor=staff.admin, application=alliance, members=[staff.reviewer2, staff.approver, staff.finance],
                        chair=staff.reviewer2)
    promise = paid_promise(staff, flow.new_applicant("service_agency"))
    recovery = recovery_open(actor=staff.reviewer, promise=promise, breach="deregistered", breached_on=dt.date.today(),
                             note="矩阵", upload=flow.pdf_upload())
    write_off = recovery_write_off_request(actor=staff.finance, case=recovery, amount="1.00", reason="矩阵")
    return {"activity": activity, "complaint": complaint, "alliance": alliance,
            "alliance_passed": alliance_review_passed(own, label="矩阵"),
            "promise": promise, "recovery": recovery, "write_off": write_off}


def _finance_job(user) -> Job:
    folder = Path(settings.MEDIA_ROOT) / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "matrix.txt").write_text("x", encoding="utf-8")
    return Job.objects.create(kind="queue_finance", requested_by=user, state=Job.DONE, file="jobs/matrix.txt",
                              filename="matrix.txt", content_type="text/plain")


def _client(world, principal, *, api_call: bool) -> Client:
    if principal == ANON:
        return Client()
    user = world["users"][principal]
    if api_call:
        _, secret = api_token_create(actor=user, name="matrix", second_factor=True)  # as issued after TOTP
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client = Client()
    client.force_login(user)
    return client


def _path(name: str, params: dict, world, principal) -> str:
    objects = dict(world["objects"])
    if principal == STAFF_OWN:  # staff_own's own claim: separation of duties is what refuses
        objects["claim"] = world["staff_claim"]
        objects["evidence"] = world["staff_claim"].evidence.first()
    values = {param: (obj if isinstance(obj, str) and obj not in objects else objects[obj]) for param, obj in params.items()}
    values = {k: (v.pk if hasattr(v, "pk") else v) for k, v in values.items()}
    if name == "admin:*":
        return reverse("admin:index")
    if " " in name:
        path = name.split(" ", 1)[1]
        for param, value in values.items():
            path = path.replace("{" + param + "}", str(value))
        return path
    return reverse(name, kwargs=values)


def _got_through(response) -> bool:
    if response.status_code in (401, 403, 404):
        return False
    location = response.get("Location", "") if response.status_code in (301, 302) else ""
    return not ("/accounts/login/" in location or "/django-admin/login/" in location)


def test_every_principal_on_every_endpoint(world):
    wrong = []
    for name, (params, methods) in sorted(MATRIX.items()):
        api_call = name.startswith(TOKEN_CALLS)
        for method, allowed in methods.items():
            for principal in PRINCIPALS:
                client = _client(world, principal, api_call=api_call)
                path = _path(name, params, world, principal)
                if method == "GET":
                    response = client.get(path)
                elif name == "POST /api/claims":  # a usable body, so a refusal comes from the rules
                    s = sample("custody_sme", 7)
                    body = {"item": s.item, "event_date": s.event_date.isoformat(), "facts": s.facts}
                    response = client.post(path, body, content_type="application/json")
                elif name == "POST /api/claims/{claim_id}/evidence":
                    response = client.post(path, {"requirement": "托管服务合同", "file": flow.pdf_upload()})
                elif name.startswith("POST /api/payments"):  # usable bodies: refusals come from the rules
                    today = dt.date.today().isoformat()
                    body = {"reason": "矩阵", "paid_on": today, "reference": "矩阵",
                            "claims": [world["objects"]["final_claim"].pk]}
                    response = client.post(path, body, content_type="application/json")
                elif name.startswith("POST /api"):
                    response = client.post(path, "{}", content_type="application/json")
                else:  # filled in, so a refusal comes from the rules, not from an empty form
                    response = client.post(path, {"reason": "矩阵", "comment": "矩阵"})
                expected = principal in allowed
                if _got_through(response) != expected:
                    wrong.append(f"{method} {path} as {principal}: {response.status_code} ({'expected through' if expected else 'expected refused'})")
    assert not wrong, "\n".join(wrong)
