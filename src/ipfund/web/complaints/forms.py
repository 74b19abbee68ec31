"""Forms of the complaint pages: the public form, the status look-up, and the bureau's handling."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ipfund.web.common.facts import ERROR_CHOOSE
from ipfund.web.common.forms import REQUIRED, _too_long

from .models import Complaint

CHOOSE = {"required": ERROR_CHOOSE, "invalid_choice": ERROR_CHOOSE}


def _text(label, limit, rows=None, required=True, help_text=""):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput
    return forms.CharField(label=label, max_length=limit, required=required, widget=widget, help_text=help_text,
                           error_messages=_too_long(label, limit))


class ComplaintForm(forms.Form):
    kind = forms.ChoiceField(label=_("事项类别"), choices=list(Complaint.KINDS.items()), widget=forms.RadioSelect,
                             error_messages=CHOOSE)
    right_type = forms.ChoiceField(label=_("权利类型"), choices=list(Complaint.RIGHTS.items()), error_messages=CHOOSE)
    right_number = _text(_("专利号、商标注册号等（可选）"), 100, required=False)
    respondent = _text(_("被投诉方（可选）"), 200, required=False)
    description = _text(_("情况说明"), settings.IPFUND_COMPLAINT_TEXT_MAX, rows=6,
                        help_text=_("侵权事实、发生地点和时间，或需要的援助"))
    name = _text(_("姓名或单位（可不填，匿名提交）"), 100, required=False)
    contact = _text(_("联系方式（可不填）"), 200, required=False)
    evidence = forms.FileField(label=_("证明材料（可选）"), required=False, help_text=_("PDF、JPEG 或 PNG，单个文件不超过 10 MB"),
                               widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))


class LookupForm(forms.Form):
    reference = forms.CharField(label=_("投诉编号"), max_length=32, error_messages=REQUIRED)
    code = forms.CharField(label=_("查询码"), max_length=16, error_messages=REQUIRED)


class UpdateForm(forms.Form):
    state = forms.ChoiceField(label=_("办理结果"), error_messages=CHOOSE, widget=forms.RadioSelect)
    route = forms.ChoiceField(label=_("转办去向（转办时选择）"), required=False,
                              choices=[("", "—")] + list(Complaint.ROUTES.items()), error_messages=CHOOSE)
    route_to = _text(_("承办单位名称（可选）"), 200, required=False)
    note = _text(_("办理说明（内部）"), settings.IPFUND_COMPLAINT_TEXT_MAX, rows=3)
    public_note = _text(_("告知投诉人的说明（查询时可见，可选）"), 500, rows=2, required=False)

    def __init__(self, *args, complaint: Complaint, **kwargs):
        super().__init__(*args, **kwargs)
        from .services import MOVES

        self.fields["state"].choices = [(s, Complaint.STATES[s]) for s in MOVES[complaint.state]]


class LinkForm(forms.Form):
    claim_reference = forms.CharField(label=_("专利侵权诉讼资助申报的受理编号"), max_length=32, error_messages=REQUIRED)
