"""Forms of the alliance review pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ipfund.web.accounts.models import User
from ipfund.web.analysis.forms import _StaffChoice, staff_label, staff_users
from ipfund.web.common.facts import ERROR_CHOOSE, ERROR_INTEGER
from ipfund.web.common.forms import ERROR_FILE_REQUIRED, REQUIRED, _too_long, _yes_no

from .models import CRITERIA, CRITERION_MAX

CHOOSE = {"required": ERROR_CHOOSE, "invalid_choice": ERROR_CHOOSE}
FILE_HELP = _("PDF、JPEG 或 PNG，单个文件不超过 10 MB")


def _text(label, limit, rows=None, required=True):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput
    return forms.CharField(label=label, max_length=limit, required=required, widget=widget, error_messages=_too_long(label, limit))


def _file(label):
    return forms.FileField(label=label, help_text=FILE_HELP, error_messages={"required": ERROR_FILE_REQUIRED},
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))


class ApplyForm(forms.Form):
    alliance_name = _text(_("联盟名称"), 200)
    industry = _text(_("产业领域"), 200)
    members = _text(_("成员单位（每行一个）"), 4000, rows=4)
    description = _text(_("联盟简介与工作基础"), 4000, rows=4)
    charter = _file(_("联盟章程"))


class _Members(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return staff_label(user)


class PanelForm(forms.Form):
    members = _Members(label=_("评审专家"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple,
                       error_messages={"required": ERROR_CHOOSE, "invalid_choice": ERROR_CHOOSE})
    chair = _StaffChoice(label=_("组长"), queryset=User.objects.none(), empty_label="—", error_messages=CHOOSE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = self.fields["chair"].queryset = staff_users()


class DeclareForm(forms.Form):
    conflict = _yes_no(_("是否与申请单位存在利益冲突"), initial=None)
    note = _text(_("说明（存在冲突时必填）"), 500, rows=2, required=False)


class ScoreForm(forms.Form):
    comment = _text(_("评审意见"), 2000, rows=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, label in CRITERIA.items():
            self.fields[field] = forms.IntegerField(
                label=f"{label}（0–{CRITERION_MAX}）", min_value=0, max_value=CRITERION_MAX,
                error_messages={**REQUIRED, "invalid": ERROR_INTEGER,
                                "min_value": _("评分不能小于 0。"), "max_value": _("评分不能大于 25。")})
        self.order_fields([*CRITERIA, "comment"])


class DecideForm(forms.Form):
    passed = forms.TypedChoiceField(label=_("评审结论"), choices=(("true", _("通过")), ("false", _("不通过"))),
                                    coerce=lambda v: v == "true", widget=forms.RadioSelect, error_messages=CHOOSE)
    note = _text(_("评审结论意见"), 2000, rows=3)
    decision_number = _text(_("结论文件文号"), 100)
    document = _file(_("评审结论文件"))
