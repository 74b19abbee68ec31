"""Register services: upload a file (its columns mapped as proposed), import it as the register's
next version once the mapping is confirmed (every row or none), and resolve a name by hand.
Each writes an audit event in its transaction."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ipfund.web.accounts import roles
from ipfund.web.audit.actions import AuditAction
from ipfund.web.audit.services import audit_record
from ipfund.web.engine_door import uscc_valid

from . import tables
from .models import NameResolution, Register, RegisterImport, RegisterRow
from .signals import register_imported
from .names import in_zone, name_normal, suggestions
from .selectors import enterprise_index, enterprise_rows

NOT_ALLOWED = "只有初审人员或管理员可以导入名单、确认匹配。"
TOO_LARGE = "文件过大：最多 {mb} MB。"
NOT_WAITING = "该导入已完成，不能再修改列映射。"
ROW_NOT_WAITING = "该行已处理。"
CODE_UNKNOWN = "企业名录中没有统一社会信用代码 {code}：请先导入包含该企业的名录。"
CODE_INVALID = "统一社会信用代码无效：{code}"
REGISTER_CODE_TAKEN = "名单代码 {code} 已用于“{name}”（{kind}）。"
MAX_BYTES = 20 * 1024 * 1024
ENTERPRISES_CODE = "enterprises"
ENTERPRISES_NAME = "企业名录（一企一档）"


def clerk_check(actor) -> None:
    if actor is not None and not (roles.has_role(actor, roles.REVIEWER) or roles.has_role(actor, roles.ADMIN)):
        raise PermissionDenied(NOT_ALLOWED)


def register_for(*, kind: str, code: str = "", name: str = "", item: str = "") -> Register:
    """The register a file is imported into: the one enterprise register, or a list by its code
    (made on first import; an award list names the item its rows claim)."""
    if kind == Register.ENTERPRISES:
        register, _ = Register.objects.get_or_create(code=ENTERPRISES_CODE, defaults={"kind": kind, "name": ENTERPRISES_NAME})
        return register
    if kind == Register.AWARDS:
        tables.award_fields(item)  # refuses an item no installed policy has
    code = code or (f"{kind}-{item}" if item else kind)
    register = Register.objects.filter(code=code).first()
    if register is None:
        return Register.objects.create(kind=kind, code=code, name=name or code, item=item)
    if register.kind != kind or (item and register.item != item):
        raise ValidationError({"code": [REGISTER_CODE_TAKEN.format(code=code, name=register.name, kind=register.kind_label)]})
    return register


def fields_of(kind: str, item: str = "") -> tuple[tables.Field, ...]:
    """The template's columns of a kind of register (an award list: those of its item's facts)."""
    if kind == Register.ENTERPRISES:
        return tables.ENTERPRISE_FIELDS
    if kind == Register.AWARDS:
        return tables.award_fields(item)
    return tables.LIST_FIELDS


def register_fields(register: Register) -> tuple[tables.Field, ...]:
    return fields_of(register.kind, register.item)


@transaction.atomic
def register_upload(*, actor, register: Register, file_name: str, content: bytes) -> RegisterImport:
    """Keep an uploaded file with its header and the proposed mapping, for the clerk to confirm."""
    clerk_check(actor)
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": [TOO_LARGE.format(mb=MAX_BYTES // (1024 * 1024))]})
    try:
        table = tables.read_table(file_name, content)
    except ValueError as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    upload = RegisterImport.objects.create(
        register=register, file_name=file_name[-255:], sha256=hashlib.sha256(content).hexdigest(), content=content,
        header=table.header, mapping=tables.mapping_proposed(table.header, register_fields(register)),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(actor=actor or "system", action=AuditAction.REGISTER_UPLOAD, obj=upload,
                 after={"register": register.code, "file": upload.file_name, "sha256": upload.sha256,
                        "rows": len(table.rows)})
    return upload


def _resolve_name(name: str, normal: str, index, remembered) -> tuple[str, str, list]:
    """(state, credit code, candidates) of a row that names an organisation without a code."""
    if normal in remembered:
        return RegisterRow.MATCHED, remembered[normal], []
    found = index.get(normal, [])
    codes = sorted({code for code, _ in found})
    if len(codes) == 1:
        return RegisterRow.MATCHED, codes[0], []
    if len(codes) > 1:
        return RegisterRow.AMBIGUOUS, "", [{"credit_code": c, "name": n, "score": 100} for c, n in found]
    return RegisterRow.UNMATCHED, "", suggestions(normal, index)


@transaction.atomic
def register_import(*, actor, upload: RegisterImport, mapping: dict[str, str] | None = None) -> RegisterImport:
    """Import an upload as its register's next version with the confirmed mapping: every row, or
    none (a ValidationError lists each bad cell by row and column)."""
    clerk_check(actor)
    upload = RegisterImport.objects.select_for_update().get(pk=upload.pk)
    if upload.state != RegisterImport.MAPPING:
        raise ValidationError(NOT_WAITING)
    register = upload.register
    fields = register_fields(register)
    mapping = dict(upload.mapping if mapping is None else mapping)
    problems = tables.mapping_check(mapping, upload.header, fields)
    if problems:
        raise ValidationError({"mapping": problems})
    table = tables.read_table(upload.file_name, bytes(upload.content))
    rows, errors = tables.rows_read(table, mapping, fields)
    if errors:
        raise ValidationError({"file": errors})
    index = enterprise_index() if register.kind != Register.ENTERPRISES else {}
    remembered = dict(NameResolution.objects.values_list("name_normal", "credit_code"))
    Register.objects.select_for_update().filter(pk=register.pk).first()  # versions given one at a time
    version = (register.imports.aggregate(v=Max("version"))["v"] or 0) + 1
    made = []
    for number, data in rows:
        name = data.get("name") or ""
        normal = name_normal(name) if name else ""
        code = data.get("credit_code") or ""
        state, candidates = RegisterRow.MATCHED, []
        if register.kind == Register.ENTERPRISES:
            data["in_zone"] = in_zone(data.get("address") or "")
            data["kind"] = data.get("kind") or "enterprise"
            data["sme"] = bool(data.get("sme"))
        elif not code:
            state, code, candidates = _resolve_name(name, normal, index, remembered)
        made.append(RegisterRow(version=upload, number=number, data=data, name=name[:300], name_normal=normal[:300],
                                credit_code=code, state=state, candidates=candidates))
    RegisterRow.objects.bulk_create(made, batch_size=2000)
    upload.version, upload.state, upload.mapping, upload.rows = version, RegisterImport.IMPORTED, mapping, len(made)
    upload.imported_at = timezone.now()
    upload.save()
    waiting = sum(1 for r in made if r.state in RegisterRow.WAITING)
    audit_record(actor=actor or "system", action=AuditAction.REGISTER_IMPORT, obj=upload,
                 after={"register": register.code, "version": version, "rows": len(made), "waiting": waiting,
                        "mapping": mapping, "sha256": upload.sha256})
    # Promises (built on registers) flag an enterprise out of the zone or deregistered within a term.
    register_imported.send(sender=RegisterImport, upload=upload)
    return upload


@transaction.atomic
def register_row_resolve(*, actor, row: RegisterRow, credit_code: str = "", ignore: bool = False) -> RegisterRow:
    """A clerk says which enterprise a row's name stands for (remembered for later imports), or
    that the row is to be left out."""
    clerk_check(actor)
    row = RegisterRow.objects.select_for_update().select_related("version__register").get(pk=row.pk)
    if row.state not in RegisterRow.WAITING:
        raise ValidationError(ROW_NOT_WAITING)
    before = {"state": row.state, "credit_code": row.credit_code}
    if ignore:
        row.state = RegisterRow.IGNORED
    else:
        code = (credit_code or "").strip().upper()
        if not uscc_valid(code):
            raise ValidationError({"credit_code": [CODE_INVALID.format(code=credit_code)]})
        if not enterprise_rows([code]):
            raise ValidationError({"credit_code": [CODE_UNKNOWN.format(code=code)]})
        row.state, row.credit_code = RegisterRow.RESOLVED, code
        if row.name_normal:
            NameResolution.objects.update_or_create(name_normal=row.name_normal,
                                                    defaults={"credit_code": code, "resolved_by": actor})
    row.resolved_by, row.resolved_at = actor, timezone.now()
    row.save()
    audit_record(actor=actor, action=AuditAction.REGISTER_ROW_RESOLVE, obj=row, before=before,
                 after={"state": row.state, "credit_code": row.credit_code, "name": row.name,
                        "register": row.version.register.code, "version": row.version.version})
    return row
