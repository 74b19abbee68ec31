"""Sign-up, sign-in and sign-out, the applicant's profile, notifications, and the role-aware start page."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ipfund.web.accounts import roles
from ipfund.web.accounts.backends import BACKEND
from ipfund.web.accounts.mfa import mfa_enrolled
from ipfund.web.accounts.selectors import applicant_of
from ipfund.web.accounts.services import applicant_register_errors, applicant_profile_update, applicant_register
from ipfund.web.notifications.selectors import notifications_for
from ipfund.web.notifications.services import notification_mark_read
from ipfund.web.api.models import ApiToken
from ipfund.web.api.services import api_token_create, api_token_revoke
from ipfund.web.payments.services import bank_change_pending
from ipfund.web.common.forms import REGISTER_FIELD_ALIASES, ApiTokenForm, LoginForm, ProfileForm, RegisterForm
from ipfund.web.common.views import role_required, run_service

REGISTERED = _("注册成功，欢迎使用。")
PROFILE_SAVED = _("账户资料已保存。")
BANK_CHANGE_HELD = _("新的银行账户已提交。因您有待拨付的资助，新账户须经工作人员复核确认后才生效；确认前暂停拨付。")
NOTIFICATIONS_READ = _("已全部标记为已读。")
TOKEN_CREATED = _("令牌已生成。请立即复制保存：它只显示这一次。")
TOKEN_REVOKED = _("令牌已撤销，使用它的请求将被拒绝。")

# Where each role starts after signing in, in this order of precedence.
START_PAGES = (
    (roles.APPLICANT, "portal:my_claims"),
    (roles.REVIEWER, "portal:review_queue"),
    (roles.APPROVER, "portal:approval_queue"),
    (roles.FINANCE, "portal:finance_queue"),
    (roles.ADMIN, "portal:admin_rounds"),
)


class PortalLoginView(LoginView):
    template_name = "portal/registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    next_page = reverse_lazy("portal:dashboard")  # type: ignore[assignment]  # (a lazy string, which Django takes: the stubs say str)


class PortalLogoutView(LogoutView):
    next_page = reverse_lazy("portal:home")  # type: ignore[assignment]  # (a lazy string, which Django takes: the stubs say str)


def register(request):
    if request.user.is_authenticated:
        return redirect("portal:dashboard")
    form = RegisterForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = applicant_register(**form.service_arguments())
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                target = REGISTER_FIELD_ALIASES.get(field, field)
                form.add_error(target if target in form.fields else None, [m for e in errors for m in e.messages])
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, REGISTERED)
            return redirect("portal:eligible")
    elif request.method == "POST":
        # The form's own errors (a field left empty, the passwords differing) do not hide the rest:
        # the service's checks run on what was typed, each error beside its field, all at once.
        for field, found in applicant_register_errors(**form.typed_arguments()).items():
            target = REGISTER_FIELD_ALIASES.get(field, field)
            if target in form.fields and target not in form.errors and (form.data.get(target) or "").strip():
                form.add_error(target, found)
    return render(request, "portal/registration/register.html", {"form": form})


@login_required
def dashboard(request):
    from ipfund.web.registers.views import waiting_count_for

    if roles.has_role(request.user, roles.APPLICANT) and waiting_count_for(request.user):
        return redirect("registers:direct")  # 免申即享: proposals wait for the enterprise's answer
    for role, url_name in START_PAGES:
        if roles.has_role(request.user, role):
            return redirect(url_name)
    return redirect("portal:home")


@role_required(roles.APPLICANT)
def profile(request):
    applicant = applicant_of(request.user)
    if applicant is None:
        return redirect("portal:home")
    initial = {
        "name": applicant.name,
        "address": applicant.address,
        "in_zone": "true" if applicant.in_zone else "false",
        "sme": "true" if applicant.sme else "false",
        "contact_name": applicant.contact_name,
        "contact_phone": applicant.contact_phone,
        "bank_name": applicant.bank_name,
        "bank_holder": applicant.bank_holder,
    }
    form = ProfileForm(data=request.POST or None, initial=initial)
    pending = bank_change_pending(applicant)
    if request.method == "POST" and form.is_valid():
        try:
            applicant_profile_update(actor=request.user, profile=applicant, **form.changes(applicant))
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, [m for e in errors for m in e.messages])
        else:
            held = bank_change_pending(applicant)
            messages.success(request, BANK_CHANGE_HELD if held and held != pending else PROFILE_SAVED)
            return redirect("portal:profile")
    return render(request, "portal/applicant/profile.html", {"form": form, "applicant": applicant, "pending_change": pending})


@login_required
def notifications(request):
    items = list(notifications_for(request.user).select_related("claim")[:200])
    return render(request, "portal/applicant/notifications.html", {"notifications": items})


@login_required
@require_POST
def notifications_read(request):
    notification_mark_read(actor=request.user)
    messages.success(request, NOTIFICATIONS_READ)
    return redirect("portal:notifications")


@login_required
def api_tokens(request):
    """Issue, list and revoke one's own API tokens; a new secret is shown once, on this answer only."""
    form = ApiTokenForm(data=request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        made = {}

        def create():
            made["token"], made["secret"] = api_token_create(  # type: ignore[assignment]  # (as written before types were checked (issue 23: typed later))
                actor=request.user, name=form.cleaned_data["name"], days=form.cleaned_data.get("days"),
                second_factor=request.user.is_verified(),
            )

        if run_service(request, create, form=form, success=TOKEN_CREATED):
            secret, form = made["secret"], ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    needs_mfa = roles.is_staff_member(request.user) and not request.user.is_verified()
    response = render(request, "portal/applicant/api_tokens.html", {
        "form": form, "tokens": tokens, "secret": secret, "needs_mfa": needs_mfa, "now": timezone.now(),
        "mfa_url": reverse("portal:mfa_verify" if mfa_enrolled(request.user) else "portal:mfa_setup") + "?next=" + request.path,
    })
    response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@login_required
@require_POST
def api_token_revoke_view(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, TOKEN_REVOKED)
    return redirect("portal:api_tokens")
