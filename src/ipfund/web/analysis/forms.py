"""Forms of the analysis-review pages (labels and errors in Chinese; the services check again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ipfund.web.accounts import roles
from ipfund.web.accounts.models import ApplicantProfile, User
from ipfund.web.common.facts import ERROR_CHOOSE, _money_field
from ipfund.web.common.forms import ERROR_FILE_REQUIRED, _date_field, _too_long

from .models import Activity

CHOOSE = {"required": ERROR_CHOOSE, "invalid_choice": ERROR_CHOOSE}
ACCEPT, RETURN = "accept", "return"


def _text(label, limit, rows=None, required=True):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput
    return forms.CharField(label=label, max_length=limit, required=required, widget=widget,
                           error_messages=_too_long(label, limit))


class ActivityForm(forms.Form):
    title = _text(_("活动名称"), 200)
    kind = forms.ChoiceField(label=_("活动类型"), choices=[("", "—")] + list(Activity.KINDS.items()), error_messages=CHOOSE)
    parties = _text(_("涉及主体（每行一个）"), 2000, rows=3)
    amount = _money_field(False, _("涉及金额（元，可选）"))
    department = _text(_("提请部门"), 200)
    due_on = _date_field(_("办结期限"))
    description = _text(_("活动概况（可选）"), 4000, rows=4, required=False)


def staff_label(user) -> str:
    """A staff member as the choice lists show them: name and roles."""
    name = user.get_full_name() or user.get_username()
    shown = "、".join(roles.ROLE_LABELS[r] for r in (user.roles or []) if r in roles.STAFF_ROLES)
    return f"{name}（{shown}）" if shown else name


class _StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return staff_label(user)


class _AgencyChoice(forms.ModelChoiceField):
    def label_from_instance(self, profile):
        return profile.name


def staff_users():
    ids = [u.pk for u in User.objects.filter(is_active=True).order_by("username") if roles.is_staff_member(u)]
    return User.objects.filter(pk__in=ids).order_by("username")


class AssignForm(forms.Form):
    analyst = _StaffChoice(label=_("分析人员（本局）"), queryset=User.objects.none(), required=False, empty_label="—",
                           error_messages=CHOOSE)
    agency = _AgencyChoice(label=_("或签约服务机构"), queryset=ApplicantProfile.objects.none(), required=False,
                           empty_label="—", error_messages=CHOOSE)
    contract_ref = _text(_("政府购买服务合同编号（委托机构时填写）"), 100, required=False)
    due_on = _date_field(_("办结期限"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["analyst"].queryset = staff_users()
        self.fields["agency"].queryset = ApplicantProfile.objects.filter(kind="service_agency").order_by("name")


class ReportForm(forms.Form):
    report = forms.FileField(label=_("分析评议报告"), error_messages={"required": ERROR_FILE_REQUIRED},
                             help_text=_("PDF、JPEG 或 PNG，单个文件不超过 10 MB"),
                             widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
    conclusion = forms.ChoiceField(label=_("评议结论"), choices=list(Activity.CONCLUSIONS.items()),
                                   widget=forms.RadioSelect, error_messages=CHOOSE)
    findings = _text(_("评议意见"), 4000, rows=4)
    recommendation = _text(_("决策建议"), 4000, rows=3)


class ConcludeForm(forms.Form):
    decision = forms.ChoiceField(label=_("验收结果"), widget=forms.RadioSelect, error_messages=CHOOSE,
                                 choices=((ACCEPT, _("验收通过，办结归档")), (RETURN, _("退回修改"))))
    note = _text(_("验收意见（退回时必填）"), 2000, rows=3, required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False)
    kind = forms.ChoiceField(label=_("活动类型"), required=False, choices=[("", _("全部"))] + list(Activity.KINDS.items()))
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + list(Activity.STATES.items()))
    conclusion = forms.ChoiceField(label=_("评议结论"), required=False,
                                   choices=[("", _("全部"))] + list(Activity.CONCLUSIONS.items()))
    year = forms.CharField(label=_("登记年度"), required=False, max_length=4)
