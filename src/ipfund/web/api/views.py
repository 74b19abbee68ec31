"""API handlers: thin wrappers over the services and selectors (same permissions as the pages)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils import timezone
from ninja import Body, File, Form, Header, NinjaAPI, Status
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaError
from ninja.files import UploadedFile
from ninja.security import HttpBearer

from ipfund.web.payments.installments import installments_for
from ipfund.web.claims import selectors as claim_selectors
from ipfund.web.claims import services as claim_services
from ipfund.web.notices.selectors import notice_entries, notices_public
from ipfund.web.engine_door import (
    fact_source,
    BatchError,
    evaluate_batch,
    known_policies,
    policy_by_id,
    policy_state,
    policy_state_label,
    policy_validity,
    stored_explanation,
)
from ipfund.web.common.policy import page_policy
from ipfund.web.throttle import client_hash, rate_allow

from ipfund.web.common import schemas
from .bodies import BATCH_UNUSABLE, body_digest, evaluate_body_check, idempotency_key_check
from .schema_errors import schema_errors
from .services import TokenExpired, api_token_user

api = NinjaAPI(
    title="ipfund 知识产权专项资金平台 API",
    version="1",
    description="本区已安装的各项知识产权政策（/api/policies）：资助项目、政策计算器，以及申报人凭令牌按政策提交申报、查询状态。",
    urls_namespace="api",
)


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


bearer = BearerToken()


def _messages(exc: ValidationError) -> tuple[str, dict[str, list[str]]]:
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        first = next(iter(errors.values()))[0]
        return first, errors
    return exc.messages[0], {}


@api.exception_handler(ValidationError)
def _validation(request, exc: ValidationError):
    detail, errors = _messages(exc)
    status = 422 if isinstance(exc, claim_services.IdempotencyKeyReused) else 400
    return api.create_response(request, {"detail": detail, "errors": errors}, status=status)


@api.exception_handler(SchemaError)
def _schema(request, exc: SchemaError):
    """A body, query or header not of the schema: 422 in Chinese, by field (not pydantic's English)."""
    errors = schema_errors(exc.errors)
    return api.create_response(request, {"detail": next(iter(errors.values()))[0], "errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"detail": "请提供有效的接口令牌（Authorization: Bearer …）。", "errors": {}}, status=401)


@api.exception_handler(TokenExpired)
def _expired(request, exc: TokenExpired):
    return api.create_response(request, {"detail": str(exc), "errors": {"Authorization": [str(exc)]}}, status=401)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "forbidden", "errors": {}}, status=403)


@api.exception_handler(ObjectDoesNotExist)
def _missing(request, exc):
    return api.create_response(request, {"detail": "未找到。", "errors": {}}, status=404)


@api.exception_handler(BatchError)
def _batch(request, exc):
    return api.create_response(request, {"detail": BATCH_UNUSABLE, "errors": {"batch": [str(exc.args[0]) if exc.args else ""]}}, status=400)


# --- public ----------------------------------------------------------------------------------


def _policy_out(policy) -> dict:
    today = timezone.localdate()
    start, end = policy_validity(policy, today)
    return {
        "id": policy.id, "title": policy.title, "document_number": policy.document_number,
        "issuer": policy.issuer, "valid_from": start, "valid_until": end,
        "state": policy_state(policy, today), "state_label": policy_state_label(policy, today),
        "version": policy.version, "continues": policy.predecessor_id,
    }


@api.get("/policies", response=list[schemas.PolicyOut], tags=["policy"], summary="已安装的政策（现行在前）")
def policies(request):
    return [_policy_out(p) for p in known_policies()]


def _item_out(policy, item) -> dict:
    return {
        "policy": policy.id,
        "id": item.id,
        "clause": item.clause,
        "title": item.title,
        "kinds": list(item.kinds),
        "summary": item.summary,
        "source": item.source,
        "facts": [
            {"name": f.name, "type": f.type, "label": f.label, "options": list(f.options), "optional": f.optional,
             "source": fact_source(f), "columns": _columns_out(f)}
            for f in item.facts
        ],
        "evidence": list(item.evidence),
    }


def _columns_out(fact) -> dict | None:
    """A lines fact's columns (清单：每行 category、count、object), None for any other fact."""
    cols = getattr(fact, "columns", None)
    if cols is None:
        return None
    return {
        "category": {"label": cols.category_label, "options": dict(cols.options)},
        "count": {"label": cols.count_label, "unit": cols.count_unit},
        "object": None if cols.object_label is None else {"label": cols.object_label, "normal": cols.object_normal},
    }


def _policy_asked(policy: str | None):
    """The policy a call names (404 when none is installed under it), else the first in force."""
    if not policy:
        return page_policy(None)
    return policy_by_id(policy)


@api.get("/items", response={200: list[schemas.ItemOut], 404: schemas.ErrorOut}, tags=["policy"],
         summary="资助项目及金额（policy：政策编号，省略时为现行政策）")
def items(request, policy: str | None = None):
    spec = _policy_asked(policy)
    if spec is None:
        return Status(404, {"detail": f"未安装的政策：{policy}。", "errors": {"policy": [f"未安装的政策：{policy}。"]}})
    return [_item_out(spec, item) for item in spec.items.values()]


@api.get("/items/{item_id}", response={200: schemas.ItemOut, 404: schemas.ErrorOut}, tags=["policy"])
def item_detail(request, item_id: str, policy: str | None = None):
    spec = _policy_asked(policy)
    item = spec.items.get(item_id) if spec is not None else None
    if item is None:
        return Status(404, {"detail": "未找到。", "errors": {}})
    return _item_out(spec, item)


@api.post(
    "/evaluate",
    response={200: dict, 400: schemas.ErrorOut, 413: schemas.ErrorOut, 429: schemas.ErrorOut},
    tags=["policy"],
    summary="政策计算器（合同格式）",
)
def evaluate(request, batch: Body[dict]):
    """Body: the contract's batch; optional `history` and `interpretations` as in the contract, and
    `registers` (the lists a package's facts read: {code: {label, version, imported_on, entries}}).

    Anonymous callers may send at most ``IPFUND_EVALUATE_MAX_CLAIMS`` claims a request and
    ``IPFUND_EVALUATE_PER_MINUTE`` requests a minute from one address (429 beyond); a caller with
    an API token is not limited.
    """
    if _token_user(request) is None:
        limited = _anonymous_limits(request, batch)
        if limited is not None:
            return limited
    body, history, interpretations = evaluate_body_check(batch)
    # The lists a package's facts read (失信名单 …), as the CLI's --registers file gives them.
    registers = body.pop("registers", None)
    return evaluate_batch(body, history=history, interpretations=interpretations, explain=True, registers=registers)


EVALUATE_TOO_MANY = "一次最多计算 {limit} 件申报（claims 共 {count} 件），请分批提交，或凭 API 令牌调用。"
EVALUATE_RATE = "政策计算器每分钟最多调用 {limit} 次，请 1 分钟后再试。"


def _token_user(request):
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        return api_token_user(token.strip())
    except TokenExpired:  # the calculator then answers as to anyone without a token
        return None


def _anonymous_limits(request, batch: dict):
    limit = settings.IPFUND_EVALUATE_MAX_CLAIMS
    claims = batch.get("claims")
    if isinstance(claims, list) and len(claims) > limit:
        message = EVALUATE_TOO_MANY.format(limit=limit, count=len(claims))
        return api.create_response(request, {"detail": message, "errors": {"claims": [message]}}, status=413)
    per_minute = settings.IPFUND_EVALUATE_PER_MINUTE
    if not rate_allow("evaluate", client_hash(request), limit=per_minute, window_seconds=60):
        message = EVALUATE_RATE.format(limit=per_minute)
        response = api.create_response(request, {"detail": message, "errors": {}}, status=429)
        response["Retry-After"] = "60"
        return response
    return None


@api.get("/notices", response=list[schemas.NoticeOut], tags=["notices"], summary="公示")
def notices(request):
    return [
        {
            "id": n.pk,
            "title": n.title,
            "published_at": n.published_at,
            "ends_at": n.ends_at,
            "state": n.state,
            "entries": [
                {"recipient": e.recipient, "item_title": e.item_title, "citation": e.citation, "amount": f"{e.amount:.2f}"}
                for e in notice_entries(n)
            ],
        }
        for n in notices_public()[:50]
    ]


# --- claims (bearer token) ---------------------------------------------------------------------


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _claim_out(claim) -> dict:
    policy = policy_by_id(claim.policy)
    return {
        "id": claim.pk,
        "policy": claim.policy,
        "policy_title": policy.title if policy is not None else claim.policy,
        "policy_version": claim.policy_version,
        "item": claim.item,
        "state": claim.state,
        "state_label": claim.state_label,
        "event_date": claim.event_date,
        "facts": claim.facts,
        "engine_amount": _money(claim.engine_amount),
        "recommended_amount": _money(claim.recommended_amount),
        "approved_amount": _money(claim.approved_amount),
        "review_comment": claim.review_comment,
        "decision_reason": claim.decision_reason,
        "explanation": stored_explanation(claim.decision),
        "evidence": [
            {"id": e.pk, "requirement": e.requirement, "original_name": e.original_name,
             "content_type": e.content_type, "size": e.size}
            for e in claim.evidence.all()
        ],
        "evidence_missing": claim_services.evidence_missing(claim),
        "created_at": claim.created_at,
        "submitted_at": claim.submitted_at,
        "installments": [
            {"number": i.number, "amount": _money(i.amount), "share": i.share, "condition": i.condition,
             "condition_label": i.condition_label, "state": i.state, "state_label": i.state_label,
             "paid_on": i.payment.paid_on if i.state == i.PAID and getattr(i, "payment", None) else None,
             "outcome_note": i.outcome_note}
            for i in installments_for(claim)
        ],
    }


ERRORS = {400: schemas.ErrorOut, 401: schemas.ErrorOut, 403: schemas.ErrorOut, 404: schemas.ErrorOut, 422: schemas.ErrorOut}


@api.get("/claims", response=list[schemas.ClaimOut], auth=bearer, tags=["claims"], summary="我的申报（工作人员：本人的待办）")
def claims_list(request):
    """An applicant's token lists their claims; a staff token lists what that person's queue pages list."""
    return [_claim_out(c) for c in claim_selectors.claims_listed_for(request.auth).prefetch_related("evidence")[:200]]


@api.post("/claims", response={201: schemas.ClaimOut, 200: schemas.ClaimOut, **ERRORS}, auth=bearer, tags=["claims"],
          summary="新建申报（可同时提交）")
def claims_create(request, body: schemas.ClaimIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    """A retried call with the same `Idempotency-Key` header and body returns the claim the first call
    made; the same key with another body answers 422. With `"submit": true` the claim is created and
    submitted at once or not at all."""
    key = idempotency_key_check(idempotency_key)
    claim, created = claim_services.claim_create(
        actor=request.auth, policy=body.policy, item=body.item, event_date=body.event_date, facts=body.facts,
        idempotency_key=key,
        request_digest=body_digest(body.dict()), submit=body.submit,
    )
    return Status(201 if created else 200, _claim_out(claim))


@api.get("/claims/{claim_id}", response={200: schemas.ClaimOut, **ERRORS}, auth=bearer, tags=["claims"])
def claims_detail(request, claim_id: int):
    return _claim_out(claim_selectors.claim_get_for(request.auth, claim_id))


@api.post("/claims/{claim_id}/evidence", response={201: schemas.EvidenceOut, **ERRORS}, auth=bearer, tags=["claims"],
          summary="上传证明材料（PDF/JPEG/PNG）")
def claims_evidence(request, claim_id: int, requirement: Form[str], file: File[UploadedFile]):
    claim = claim_selectors.claim_get_for(request.auth, claim_id)
    evidence = claim_services.evidence_attach(actor=request.auth, claim=claim, requirement=requirement, upload=file)
    return Status(201, {"id": evidence.pk, "requirement": evidence.requirement, "original_name": evidence.original_name,
                 "content_type": evidence.content_type, "size": evidence.size})


@api.post("/claims/{claim_id}/submit", response={200: schemas.ClaimOut, **ERRORS}, auth=bearer, tags=["claims"])
def claims_submit(request, claim_id: int):
    claim = claim_selectors.claim_get_for(request.auth, claim_id)
    return _claim_out(claim_services.claim_submit(actor=request.auth, claim=claim))


@api.post("/claims/{claim_id}/withdraw", response={200: schemas.ClaimOut, **ERRORS}, auth=bearer, tags=["claims"])
def claims_withdraw(request, claim_id: int):
    claim = claim_selectors.claim_get_for(request.auth, claim_id)
    return _claim_out(claim_services.claim_withdraw(actor=request.auth, claim=claim))


@api.get("/claims/{claim_id}/estimate", response={200: dict, **ERRORS}, auth=bearer, tags=["claims"],
         summary="按当前台账估算金额")
def claims_estimate(request, claim_id: int):
    claim = claim_selectors.claim_get_for(request.auth, claim_id)
    return claim_services.claim_estimate(actor=request.auth, claim=claim).as_record()


# --- finance: payments and budgets (api/finance.py) ---------------------------------------------

from .finance import router as finance_router  # noqa: E402  (after the handlers above, on the same api)

api.add_router("/", finance_router, auth=bearer)

# --- 政策雷达 (registers/api.py) ----------------------------------------------------------------

from ipfund.web.registers.api import router as radar_router  # noqa: E402

api.add_router("/", radar_router, auth=bearer)
# --- 政策沙盘 (sandbox/api.py) ------------------------------------------------------------------

from ipfund.web.sandbox.api import router as sandbox_router  # noqa: E402

api.add_router("/", sandbox_router, auth=bearer)

# --- 资金分配: pro-rata cuts and quotas (allocation/api.py) ----------------------------------------

from ipfund.web.allocation.api import router as allocation_router  # noqa: E402

api.add_router("/", allocation_router, auth=bearer)

# --- 五（一） promises and recovery (promises/api.py) ---------------------------------------------

from ipfund.web.promises.api import router as promises_router  # noqa: E402

api.add_router("/", promises_router, auth=bearer)

# --- complaints and rights assistance (三), without a token (complaints/api.py) -----------------

from ipfund.web.complaints.api import router as complaints_router  # noqa: E402

api.add_router("/complaints", complaints_router)
