"""Account security pages: password change, password reset by mail, staff second factor (TOTP)."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login

from ipfund.web.accounts.mfa import (
    mfa_check,
    mfa_device_confirm,
    mfa_device_start,
    mfa_enrolled,
    mfa_manual_key,
    mfa_qr_svg,
)
from ipfund.web.accounts.services import account_password_change, account_password_set
from ipfund.web.common.forms import MfaTokenForm
from ipfund.web.common.views import show_service_error

PASSWORD_CHANGED = _("密码已修改。")
MFA_ENROLLED = _("双因素认证已启用，今后登录时需输入验证器中的验证码。")


def _next(request, default="portal:dashboard"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_password_change(
                actor=request.user, old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as exc:
            show_service_error(exc, [form], fallback_form=form)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, PASSWORD_CHANGED)
            return _next(request)
    return render(request, "portal/registration/password_change.html", {
        "form": form, "next": request.GET.get("next", ""), "required": request.user.password_change_required,
    })


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/registration/password_reset.html"
    email_template_name = "portal/registration/password_reset_email.txt"
    subject_template_name = "portal/registration/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/registration/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("portal:password_reset_complete")

    def form_valid(self, form):
        # The new password goes through the audited service instead of the form's own save().
        try:
            account_password_set(actor=form.user, new_password=form.cleaned_data["new_password1"], via="reset")
        except ValidationError as exc:
            show_service_error(exc, [form], fallback_form=form)
            return self.form_invalid(form)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/registration/password_reset_complete.html"


@login_required
def mfa_setup(request):
    if mfa_enrolled(request.user):
        if request.user.is_verified():  # enrolled, and this sign-in verified: say so (the menu's link)
            return render(request, "portal/registration/mfa_enrolled.html")
        return redirect("portal:mfa_verify")
    device = mfa_device_start(actor=request.user)
    form = MfaTokenForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = mfa_device_confirm(actor=request.user, device=device, token=form.cleaned_data["token"])
        except ValidationError as exc:
            show_service_error(exc, [form], fallback_form=form)
        else:
            otp_login(request, device)
            messages.success(request, MFA_ENROLLED)
            return _next(request)
    return render(request, "portal/registration/mfa_setup.html", {
        "form": form, "qr": mfa_qr_svg(device), "key": mfa_manual_key(device), "next": request.GET.get("next", ""),
    })


@login_required
def mfa_verify(request):
    if not mfa_enrolled(request.user):
        return redirect("portal:mfa_setup")
    form = MfaTokenForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = mfa_check(user=request.user, token=form.cleaned_data["token"])
        except ValidationError as exc:
            show_service_error(exc, [form], fallback_form=form)
        else:
            otp_login(request, device)
            return _next(request)
    return render(request, "portal/registration/mfa_verify.html", {"form": form, "next": request.GET.get("next", "")})
