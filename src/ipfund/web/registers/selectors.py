"""Reads of the registers: the newest version of each, the enterprise register by name and by
credit code, the rows waiting for a clerk, and the proposals an enterprise may confirm."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Proposal, Register, RegisterImport, RegisterRow


def latest_version(register: Register) -> RegisterImport | None:
    return register.imports.filter(state=RegisterImport.IMPORTED).order_by("-version").first()


def latest_versions(kind: str | None = None) -> list[RegisterImport]:
    registers = Register.objects.all() if kind is None else Register.objects.filter(kind=kind)
    return [v for v in (latest_version(r) for r in registers) if v is not None]


def _enterprise_version() -> RegisterImport | None:
    register = Register.objects.filter(kind=Register.ENTERPRISES).first()
    return latest_version(register) if register else None


def enterprise_index() -> dict[str, list[tuple[str, str]]]:
    """The newest enterprise register by normalised name: name → [(credit code, name as written)]."""
    version = _enterprise_version()
    out: dict[str, list[tuple[str, str]]] = {}
    if version is None:
        return out
    for normal, code, name in version.register_rows.values_list("name_normal", "credit_code", "name").iterator(2000):
        out.setdefault(normal, []).append((code, name))
    return out


def enterprise_rows(codes) -> dict[str, RegisterRow]:
    """The newest enterprise register's rows for these credit codes."""
    version = _enterprise_version()
    if version is None:
        return {}
    return {row.credit_code: row for row in version.register_rows.filter(credit_code__in=list(codes))}


def rows_waiting() -> QuerySet[RegisterRow]:
    """Rows of the newest versions whose name a clerk must resolve."""
    newest = [v.pk for v in latest_versions()]
    return (RegisterRow.objects.filter(version__in=newest, state__in=RegisterRow.WAITING)
            .select_related("version__register").order_by("version__register__name", "number"))


def proposals_waiting_for(credit_code: str) -> QuerySet[Proposal]:
    """Proposals for an enterprise not yet turned into its claims (it had no account then)."""
    return Proposal.objects.filter(credit_code=credit_code, claim__isnull=True)


def proposal_of(claim) -> Proposal | None:
    return Proposal.objects.select_related("row__version__register").filter(claim=claim).first()


def list_register_rows(code: str, credit_codes) -> tuple[Register, RegisterImport | None, list[tuple[str, str | None, str | None]]] | None:
    """A list register (失信名单, 高新技术企业名单 …) as a decision reads it: the register, its newest
    imported version, and that version's rows for these credit codes as (credit code, listed on,
    until), dates ISO; None when no register has the code. Rows whose name still waits for a
    clerk stand for no enterprise yet and are not read."""
    register = Register.objects.filter(code=code, kind=Register.LIST).first()
    if register is None:
        return None
    version = latest_version(register)
    if version is None:
        return register, None, []
    rows = (version.register_rows.filter(credit_code__in=[c.upper() for c in credit_codes])
            .exclude(state__in=(*RegisterRow.WAITING, RegisterRow.IGNORED)).values_list("credit_code", "data"))
    return register, version, [(c, (d or {}).get("listed_on"), (d or {}).get("until")) for c, d in rows]
