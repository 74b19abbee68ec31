"""Forms of the promise and recovery pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ipfund.web.common.facts import ERROR_CHOOSE
from ipfund.web.common.forms import REQUIRED

from .models import BREACH_LABELS

CHOOSE = {"required": ERROR_CHOOSE, "invalid_choice": ERROR_CHOOSE}
DATE = {"required": _("请填写日期。"), "invalid": _("请按 YYYY-MM-DD 填写日期。")}
DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class BreachForm(forms.Form):
    breach = forms.ChoiceField(label=_("违反承诺的情形"), choices=[], error_messages=CHOOSE)
    breached_on = forms.DateField(label=_("违反承诺的日期"), widget=DATE_WIDGET, error_messages=DATE)
    note = forms.CharField(label=_("违反承诺的事实"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages=REQUIRED)
    evidence = forms.FileField(label=_("证明材料"), help_text=_("如工商变更登记、注销公告；PDF、JPEG 或 PNG"),
                               error_messages={"required": _("请上传违反承诺的证明材料。")},
                               widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))

    def __init__(self, *args, breaches=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["breach"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [(b, BREACH_LABELS[b]) for b in breaches]


class RepaymentForm(forms.Form):
    amount = forms.CharField(label=_("归还金额（元）"), max_length=20, error_messages=REQUIRED)
    paid_on = forms.DateField(label=_("归还日期"), widget=DATE_WIDGET, error_messages=DATE)
    reference = forms.CharField(label=_("银行回单号"), max_length=100, error_messages=REQUIRED)


class WriteOffForm(forms.Form):
    amount = forms.CharField(label=_("核销金额（元）"), max_length=20, error_messages=REQUIRED)
    reason = forms.CharField(label=_("核销理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages=REQUIRED)


class DecideForm(forms.Form):
    note = forms.CharField(label=_("批准意见"), max_length=2000, required=False)
