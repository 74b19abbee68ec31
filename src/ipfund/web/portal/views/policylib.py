"""The administrator's 政策库 (policy library): the installed policy packages, one package's check,
test and diff, and the upload that activates a package only when its check and test pass."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipfund.web.accounts import roles
from ipfund.web.engine_door import policy_library
from ipfund.web.engine_door import ORIGIN_STORE
from ipfund.web.policylib.forms import CompareForm, PackageUploadForm, RetireForm
from ipfund.web.policylib.services import package_page, package_retire, package_retired, package_upload, retired_ids
from ipfund.web.common.views import role_required, run_service

ACTIVATED = _("政策包 {title}（{number}）已通过检查和测试，已启用。")
NO_PACKAGE = _("没有安装这项政策。")
RETIRED = _("政策包已停用：不能再以此政策设立申报批次。")


@role_required(roles.ADMIN)
def library(request):
    form = PackageUploadForm(data=request.POST or None, files=request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = package_upload(actor=request.user, upload=form.cleaned_data["package"])
        if outcome.activated:
            messages.success(request, str(ACTIVATED).format(title=outcome.package.title, number=outcome.package.document_number))  # type: ignore[union-attr]  # (an Optional not checked here, as before (issue 23: typed later))
            return redirect("portal:admin_policy", policy_id=outcome.package.id)  # type: ignore[union-attr]  # (an Optional not checked here, as before (issue 23: typed later))
    packages, problems = policy_library(timezone.localdate())
    return render(request, "portal/staff/policylib.html",
                  {"form": form, "packages": packages, "problems": problems, "outcome": outcome, "retired": retired_ids()})


@role_required(roles.ADMIN)
def package(request, policy_id):
    packages, _problems = policy_library(timezone.localdate())
    choices = [(p.id, f"{p.document_number}《{p.title}》") for p in packages if p.id != policy_id]
    form = CompareForm(request.GET or None, choices=choices)
    page = package_page(policy_id, form.cleaned_data["against"] if form.is_valid() else None)
    if page is None:
        raise Http404(NO_PACKAGE)
    if not form.is_bound and page["against"]:
        form = CompareForm(initial={"against": page["against"]}, choices=choices)
    retire_form = RetireForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and retire_form.is_valid():
        if run_service(request, lambda: package_retire(actor=request.user, policy_id=policy_id, reason=retire_form.cleaned_data["reason"]),
                       form=retire_form, success=RETIRED):
            return redirect("portal:admin_policy", policy_id=policy_id)
    retired = package_retired(policy_id)
    return render(request, "portal/staff/policy_package.html", {
        **page, "form": form, "retire_form": retire_form, "retired": retired,
        "retirable": retired is None and page["package"].origin == ORIGIN_STORE,
    })
