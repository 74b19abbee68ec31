"""Administrator pages: application rounds (申报批次), users and roles, the policy's interpretation choices."""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipfund.web.accounts import roles
from ipfund.web.accounts.models import RoleChange
from ipfund.web.accounts.role_changes import role_change_request
from django.core.paginator import Paginator
from django.db.models import Q

from ipfund.web.accounts.services import staff_name_set, staff_user_create
from ipfund.web.common.forms import InterpretationForm, RoundForm, RolesForm, StaffNameForm, StaffUserForm
from ipfund.web.common.policy import page_policy, policy_choices, policy_facts
from ipfund.web.common.views import role_required, run_service
from ipfund.web.portal.wording import for_people
from ipfund.web.rounds.models import ApplicationRound, InterpretationChoice
from ipfund.web.rounds.selectors import interpretations_in_force, round_phase
from ipfund.web.rounds.services import interpretation_choose, round_create, round_update

ROUND_SAVED = _("申报批次已保存。")
USER_CREATED = _("用户已创建。所选角色须由另一位管理员在“角色变更确认”中确认后生效。")
ROLES_SAVED = _("角色变更已提交：授予角色的变更须由另一位管理员确认后生效；只收回角色的变更已立即生效。")
INTERPRETATION_SAVED = _("解释口径已记录。")
NAME_SAVED = _("姓名已保存。")
USERS_PER_PAGE = 50


def _policy_picked(request):
    """The policy an admin page works on: `policy` of the form or the query (installed), else the
    first in force."""
    return page_policy(request.POST.get("policy") or request.GET.get("policy"))


@role_required(roles.ADMIN)
def rounds(request):
    policy = _policy_picked(request)
    form = RoundForm(data=request.POST or None, policy=policy)
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            lambda: round_create(actor=request.user, policy=policy.id, **form.cleaned_data),
            form=form,
            success=ROUND_SAVED,
        ):
            return redirect(f"{reverse('portal:admin_rounds')}?policy={policy.id}")
    now = timezone.now()
    titles = dict(policy_choices())
    rows = [
        {"round": r, "open": r.is_open(now), "phase": round_phase(r, at=now), "policy_title": titles.get(r.policy, r.policy)}
        for r in ApplicationRound.objects.order_by("-opens_at", "-id")
    ]
    return render(request, "portal/staff/rounds.html", {
        "form": form, "rows": rows, "policy": policy_facts(policy), "policies": policy_choices(),
    })


@role_required(roles.ADMIN)
def round_edit(request, pk):
    rnd = get_object_or_404(ApplicationRound, pk=pk)
    initial = {
        "name": rnd.name,
        "opens_at": timezone.localtime(rnd.opens_at),
        "closes_at": timezone.localtime(rnd.closes_at),
        "items": rnd.items,
    }
    policy = page_policy(rnd.policy)
    form = RoundForm(data=request.POST or None, initial=initial, policy=policy)
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            lambda: round_update(actor=request.user, round=rnd, **form.cleaned_data),
            form=form,
            success=ROUND_SAVED,
        ):
            return redirect("portal:admin_rounds")
    return render(request, "portal/staff/round_edit.html", {"form": form, "round": rnd, "policy": policy_facts(policy)})


@role_required(roles.ADMIN)
def users(request):
    User = get_user_model()
    form = StaffUserForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            lambda: staff_user_create(actor=request.user, **form.cleaned_data),
            form=form,
            success=USER_CREATED,
        ):
            return redirect("portal:admin_users")
    query = request.GET.get("q", "").strip()
    people = User.objects.order_by("username").select_related("applicant")
    if query:  # a login name, a staff member's name, an applicant's name or an e-mail address
        people = people.filter(Q(username__icontains=query) | Q(real_name__icontains=query)
                               | Q(applicant__name__icontains=query) | Q(email__icontains=query))
    page = Paginator(people, USERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/staff/users.html", {"form": form, "page": page, "people": page.object_list, "query": query})


@role_required(roles.ADMIN)
def user_roles(request, pk):
    User = get_user_model()
    person = get_object_or_404(User, pk=pk)
    # bound on every POST: unticking every role sends no field at all
    naming = request.method == "POST" and "name-real_name" in request.POST
    name_form = StaffNameForm(data=request.POST if naming else None, prefix="name", initial={"real_name": person.real_name})
    if naming and name_form.is_valid():
        if run_service(
            request,
            lambda: staff_name_set(actor=request.user, user=person, real_name=name_form.cleaned_data["real_name"]),
            form=name_form,
            success=NAME_SAVED,
        ):
            return redirect("portal:admin_user_roles", pk=person.pk)
    form = RolesForm(data=request.POST if request.method == "POST" and not naming else None, initial={"roles": person.roles or []})
    if request.method == "POST" and not naming and form.is_valid():
        if run_service(
            request,
            lambda: role_change_request(actor=request.user, user=person, roles=form.cleaned_data["roles"]),
            form=form,
            success=ROLES_SAVED,
        ):
            return redirect("portal:admin_role_changes")
    pending = RoleChange.objects.filter(user=person, state=RoleChange.PENDING).select_related("requested_by").first()
    return render(request, "portal/staff/user_roles.html", {
        "form": form, "name_form": name_form, "person": person, "pending": pending,
        "is_applicant": roles.APPLICANT in (person.roles or []),
    })


def _question(policy, iid: str) -> str:
    spec = policy.interpretations.get(iid)
    return f"{spec.clause} {spec.question}" if spec else iid


def _option_text(policy, choice) -> str:
    spec = policy.interpretations.get(choice.interpretation)
    return for_people(spec.options.get(choice.option, choice.option)) if spec else choice.option


@role_required(roles.ADMIN)
def interpretations(request):
    policy = _policy_picked(request)
    selectable = [i for i in policy.interpretations.values() if i.selectable]
    form = InterpretationForm(data=request.POST or None, initial={"effective_from": timezone.localdate()})
    form.fields["interpretation"].choices = [("", _("— 请选择 —"))] + [(i.id, f"{i.clause} {i.question}") for i in selectable]  # type: ignore[attr-defined]  # (a choice field: the stubs type form fields as Field)
    form.fields["option"].choices = [("", _("— 请选择 —"))] + [  # type: ignore[attr-defined]  # (a choice field: the stubs type form fields as Field)
        (f"{i.clause} {i.question}", [(option, for_people(text)) for option, text in i.options.items()]) for i in selectable
    ]
    if request.method == "POST" and form.is_valid():
        if run_service(
            request,
            lambda: interpretation_choose(actor=request.user, policy=policy.id, **form.cleaned_data),
            form=form,
            success=INTERPRETATION_SAVED,
        ):
            return redirect(f"{reverse('portal:admin_interpretations')}?policy={policy.id}")
    in_force = interpretations_in_force(policy=policy.id)
    rows = [
        {
            "spec": i,
            "current": in_force.get(i.id, i.default),
            "current_text": for_people(i.options.get(in_force.get(i.id, i.default), "")),
        }
        for i in policy.interpretations.values()
    ]
    history = [
        {"choice": h, "question": _question(policy, h.interpretation), "option": _option_text(policy, h)}
        for h in InterpretationChoice.objects.filter(policy=policy.id).select_related("decided_by")
    ]
    return render(
        request,
        "portal/staff/interpretations.html",
        {"form": form, "rows": rows, "history": history, "selectable": selectable,
         "policy": policy_facts(policy), "policies": policy_choices()},
    )
