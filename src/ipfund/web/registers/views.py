"""Pages of the registers and 免申即享: the clerk's registers, mapping, names to resolve and
matching runs; the enterprise's 可直接享受 (confirm or decline) and 政策雷达. Thin: services decide."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ipfund.web.accounts import roles
from ipfund.web.accounts.selectors import applicant_of
from ipfund.web.claims.models import Claim
from ipfund.web.claims.workflow import State
from ipfund.web.engine_door import known_policies, policies_in_force, policy_by_id, stored_explanation
from ipfund.web.common.views import error_messages, role_required

from . import matching
from .display import row_fields
from .models import MatchRun, Proposal, Register, RegisterImport, RegisterRow
from .radar import radar_for
from .selectors import latest_version, proposal_of, rows_waiting
from .tables import read_table
from .services import register_fields, register_for, register_import, register_row_resolve, register_upload

CLERKS = (roles.REVIEWER, roles.ADMIN)
UPLOADED = "文件已上传，请核对列映射后导入。"
IMPORTED = "已导入“{name}”第 {version} 版，共 {rows} 行；{waiting} 行单位名称待人工确认。"
RESOLVED = "已确认：第 {row} 行“{name}”。"
CONFIRMED = "已确认享受，申报已转入初审，编号 {reference}。"
DECLINED = "已提交放弃声明。"
NAME_REQUIRED = "请填写名单名称。"
ITEM_REQUIRED = "获奖名单须选择对应的申报项目。"


def _item_choices():
    seen, out = set(), [("", "（企业名录、信用代码名单不需要）")]
    for policy in known_policies():
        for spec in policy.items.values():
            if spec.id not in seen:
                seen.add(spec.id)
                out.append((spec.id, f"{spec.title}（{spec.clause}）"))
    return out


class NewRegisterForm(forms.Form):
    kind = forms.ChoiceField(label="名单类型", choices=list(Register.KINDS.items()))
    name = forms.CharField(label="名单名称", max_length=200, required=False,
                           help_text="如：2026年中国专利奖获奖名单（企业名录不需要）")
    item = forms.ChoiceField(label="对应申报项目（获奖名单）", required=False)
    file = forms.FileField(label="文件（Excel .xlsx 或 CSV）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = _item_choices()

    def clean(self):
        data = super().clean()
        if data.get("kind") == Register.AWARDS and not data.get("item"):
            self.add_error("item", ITEM_REQUIRED)
        if data.get("kind") in (Register.AWARDS, Register.LIST) and not (data.get("name") or "").strip():
            self.add_error("name", NAME_REQUIRED)
        return data


class VersionForm(forms.Form):
    file = forms.FileField(label="新版本文件")


class MatchForm(forms.Form):
    policy = forms.ChoiceField(label="政策", required=False)
    on = forms.DateField(label="按该日期的现行政策", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].choices = [("", "全部现行政策")] + [(p.id, p.title) for p in policies_in_force()]


def _code_for(kind: str, item: str) -> str:
    n = Register.objects.filter(kind=kind).count() + 1
    return f"{kind}-{item}-{n}" if item else f"{kind}-{n}"


@role_required(*CLERKS)
def registers(request):
    form = NewRegisterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = request.FILES["file"]
        try:
            with transaction.atomic():
                item = data["item"] if data["kind"] == Register.AWARDS else ""
                register = Register.objects.filter(kind=Register.ENTERPRISES).first() if data["kind"] == Register.ENTERPRISES else None
                register = register or register_for(kind=data["kind"], code=_code_for(data["kind"], item),
                                                    name=data["name"].strip(), item=item)
                imp = register_upload(actor=request.user, register=register, file_name=upload.name, content=upload.read())
        except ValidationError as exc:
            form.add_error(None, error_messages(exc))
        else:
            messages.success(request, UPLOADED)
            return redirect("registers:mapping", pk=imp.pk)
    rows = []
    for register in Register.objects.all():
        version = latest_version(register)
        waiting = version.register_rows.filter(state__in=RegisterRow.WAITING).count() if version else 0
        rows.append({"register": register, "version": version, "waiting": waiting,
                     "item": _item_title(register.item) if register.item else ""})
    return render(request, "registers/registers.html", {
        "form": form, "registers": rows, "version_form": VersionForm(), "match_form": MatchForm(),
        "waiting": rows_waiting().count(), "runs": MatchRun.objects.all()[:10],
        "pending": RegisterImport.objects.filter(state=RegisterImport.MAPPING).select_related("register")[:20],
    })


def _item_title(item: str) -> str:
    for policy in known_policies():
        if item in policy.items:
            return policy.items[item].title
    return item


@role_required(*CLERKS)
@require_POST
def register_version(request, pk):
    register = get_object_or_404(Register, pk=pk)
    form = VersionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择文件。")
        return redirect("registers:registers")
    upload = request.FILES["file"]
    try:
        imp = register_upload(actor=request.user, register=register, file_name=upload.name, content=upload.read())
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
        return redirect("registers:registers")
    messages.success(request, UPLOADED)
    return redirect("registers:mapping", pk=imp.pk)


@role_required(*CLERKS)
def mapping(request, pk):
    imp = get_object_or_404(RegisterImport.objects.select_related("register"), pk=pk)
    if imp.state != RegisterImport.MAPPING:
        return redirect("registers:version", pk=imp.pk)
    fields = register_fields(imp.register)
    errors = []
    chosen = dict(imp.mapping)
    if request.method == "POST":
        chosen = {column: request.POST.get(f"map-{i}", "") for i, column in enumerate(imp.header)}
        try:
            imp = register_import(actor=request.user, upload=imp, mapping=chosen)
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            waiting = imp.register_rows.filter(state__in=RegisterRow.WAITING).count()
            messages.success(request, IMPORTED.format(name=imp.register.name, version=imp.version, rows=imp.rows,
                                                      waiting=waiting))
            return redirect("registers:version", pk=imp.pk)
    table = read_table(imp.file_name, bytes(imp.content))
    columns = [{"index": i, "name": column, "chosen": chosen.get(column, ""),
                "examples": [("" if cells[i] is None else str(cells[i])) for _, cells in table.rows[:3]]}
               for i, column in enumerate(imp.header)]
    return render(request, "registers/mapping.html", {"imp": imp, "columns": columns, "fields": fields, "errors": errors,
                                                      "row_count": len(table.rows)})


@role_required(*CLERKS)
def version(request, pk):
    imp = get_object_or_404(RegisterImport.objects.select_related("register"), pk=pk, state=RegisterImport.IMPORTED)
    page = Paginator(imp.register_rows.all(), 100).get_page(request.GET.get("page"))
    rows = [{"row": row, "fields": row_fields(row)} for row in page]
    versions = imp.register.imports.filter(state=RegisterImport.IMPORTED).exclude(pk=imp.pk).order_by("-version")
    return render(request, "registers/version.html", {"imp": imp, "page": page, "rows": rows, "versions": versions})


@role_required(*CLERKS)
def waiting(request):
    page = Paginator(rows_waiting(), 50).get_page(request.GET.get("page"))
    rows = [{"row": row, "fields": row_fields(row)} for row in page]
    return render(request, "registers/waiting.html", {"page": page, "rows": rows})


@role_required(*CLERKS)
@require_POST
def resolve(request, pk):
    row = get_object_or_404(RegisterRow, pk=pk)
    try:
        register_row_resolve(actor=request.user, row=row, credit_code=request.POST.get("credit_code", ""),
                             ignore=request.POST.get("ignore") == "1")
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, RESOLVED.format(row=row.number, name=row.name))
    return redirect("registers:waiting")


@role_required(*CLERKS)
def run(request, pk):
    match_run = get_object_or_404(MatchRun, pk=pk)
    proposals = []
    for p in match_run.proposals.select_related("row__version__register", "claim").defer("row__version__content").order_by("id"):
        policy = policy_by_id(p.policy)
        proposals.append({"p": p, "policy": policy.title if policy else p.policy,
                          "item": policy.items[p.item].title if policy and p.item in policy.items else p.item})
    return render(request, "registers/run.html", {"run": match_run, "proposals": proposals})


# -- the enterprise ----------------------------------------------------------------------------


class ConfirmForm(forms.Form):
    bank_name = forms.CharField(label="开户银行", max_length=200, required=False)
    bank_account = forms.CharField(label="银行账号", max_length=40, required=False)
    bank_holder = forms.CharField(label="户名", max_length=200, required=False)


class DeclineForm(forms.Form):
    statement = forms.CharField(label="放弃声明", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


@role_required(roles.APPLICANT)
def direct(request):
    """可直接享受: the proposals made to this applicant, to confirm or decline."""
    profile = applicant_of(request.user)
    if profile is None:
        return redirect("portal:home")
    if profile.kind != "person":
        matching.proposals_materialise(profile=profile)
    claims = list(Claim.objects.filter(applicant=profile, state=State.PROPOSED).order_by("id"))
    cards = []
    for claim in claims:
        proposal = proposal_of(claim)
        policy = policy_by_id(claim.policy)
        cards.append({
            "claim": claim, "policy": policy, "spec": policy.items[claim.item] if policy else None,
            "explanation": stored_explanation(claim.decision), "proposal": proposal,
            "source": row_fields(proposal.row) if proposal else [],
            # one pair of forms a card: ids of their own, names as the services read them
            "confirm_form": ConfirmForm(initial={"bank_name": profile.bank_name, "bank_holder": profile.bank_holder or profile.name},
                                        auto_id=f"id_%s_{claim.pk}"),
            "decline_form": DeclineForm(auto_id=f"id_%s_{claim.pk}"),
        })
    done = Claim.objects.filter(applicant=profile, proposal__isnull=False).exclude(state=State.PROPOSED).order_by("-id")[:20]
    return render(request, "registers/direct.html", {"cards": cards, "profile": profile, "done": done})


def _own_proposed(request, pk) -> Claim:
    return get_object_or_404(Claim, pk=pk, applicant__user=request.user)


@role_required(roles.APPLICANT)
@require_POST
def confirm(request, pk):
    claim = _own_proposed(request, pk)
    form = ConfirmForm(request.POST)
    form.is_valid()
    try:
        claim = matching.proposal_confirm(actor=request.user, claim=claim, **form.cleaned_data)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
        return redirect("registers:direct")
    messages.success(request, CONFIRMED.format(reference=claim.reference))
    return redirect("portal:claim_detail", pk=claim.pk)


@role_required(roles.APPLICANT)
@require_POST
def decline(request, pk):
    claim = _own_proposed(request, pk)
    try:
        matching.proposal_decline(actor=request.user, claim=claim, statement=request.POST.get("statement", ""))
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
        return redirect("registers:direct")
    messages.success(request, DECLINED)
    return redirect("registers:direct")


@role_required(roles.APPLICANT)
def radar(request):
    profile = applicant_of(request.user)
    if profile is None:
        return redirect("portal:home")
    on = timezone.localdate()
    return render(request, "registers/radar.html", {"profile": profile, "items": radar_for(profile, on), "on": on})


def waiting_count_for(user) -> int:
    """How many proposals wait for this applicant's answer (the start page sends it to 可直接享受)."""
    profile = applicant_of(user)
    if profile is None or profile.kind == "person":
        return 0
    return (Claim.objects.filter(applicant=profile, state=State.PROPOSED).count()
            + Proposal.objects.filter(credit_code=profile.ledger_identity, claim__isnull=True).count())

