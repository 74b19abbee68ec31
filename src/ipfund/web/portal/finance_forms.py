"""Forms of the money pages: budgets (administrator), batch payments and account-change review (finance)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ipfund.web.engine_door import known_policies
from ipfund.web.common.facts import ERROR_REQUIRED
from ipfund.web.common.forms import PaymentForm
from ipfund.web.rounds.models import ApplicationRound

REQUIRED = {"required": ERROR_REQUIRED}
ERROR_YEAR = _("请输入四位数的年份，例如 2026。")
ERROR_ROUND = _("请选择列表中的申报批次。")
ERROR_NOTHING_SELECTED = _("请至少选择一项待拨付资助。")


class BudgetForm(forms.Form):
    policy = forms.ChoiceField(label=_("政策"), error_messages={**REQUIRED, "invalid_choice": _("请选择政策。")})
    year = forms.IntegerField(
        label=_("预算年度"), min_value=2000, max_value=2100,
        error_messages={**REQUIRED, "invalid": ERROR_YEAR, "min_value": ERROR_YEAR, "max_value": ERROR_YEAR},
    )
    round = forms.ModelChoiceField(
        label=_("申报批次（可选，不选为全年预算）"), queryset=ApplicationRound.objects.none(), required=False,
        empty_label=_("— 全年预算 —"), error_messages={"invalid_choice": ERROR_ROUND},
    )
    # Text, not a number field: the service reads "18,000" and "18000.50" alike and names the field.
    amount = forms.CharField(label=_("预算金额（元）"), max_length=30, error_messages=REQUIRED)
    note = forms.CharField(label=_("说明（如预算文件文号）"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        policies = known_policies()
        self.fields["policy"].choices = [(p.id, p.title) for p in policies]  # type: ignore[attr-defined]  # (a choice field: the stubs type form fields as Field)
        self.fields["round"].queryset = ApplicationRound.objects.filter(policy__in=[p.id for p in policies])  # type: ignore[attr-defined]  # (a choice field: the stubs type form fields as Field)
        self.fields["round"].label_from_instance = lambda r: r.name  # type: ignore[attr-defined]  # (a choice field: the stubs type form fields as Field)


class BudgetWaiverForm(forms.Form):
    """不设预算: a policy's approvals of a year go on without a budget, with the reason recorded."""

    policy = forms.ChoiceField(label=_("政策"), error_messages={**REQUIRED, "invalid_choice": _("请选择政策。")})
    year = forms.IntegerField(
        label=_("年度"), min_value=2000, max_value=2100,
        error_messages={**REQUIRED, "invalid": ERROR_YEAR, "min_value": ERROR_YEAR, "max_value": ERROR_YEAR},
    )
    note = forms.CharField(label=_("不设预算的理由"), widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": _("请填写不设预算的理由（如：据实列支，不设年度上限）。")})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "waiver")
        super().__init__(*args, **kwargs)
        self.fields["policy"].choices = [(p.id, p.title) for p in known_policies()]


class BatchPaymentForm(PaymentForm):
    """The awards ticked on finance's list, paid in one bank batch under one reference."""

    claims = forms.TypedMultipleChoiceField(
        label=_("待拨付资助"), coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": ERROR_NOTHING_SELECTED, "invalid_choice": ERROR_NOTHING_SELECTED},
    )

    def __init__(self, *args, claim_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claims"].choices = [(pk, f"#{pk}") for pk in claim_ids]  # type: ignore[attr-defined]  # (a choice field: the stubs type form fields as Field)


class BankChangeRejectForm(forms.Form):
    reason = forms.CharField(label=_("不通过的理由"), widget=forms.Textarea(attrs={"rows": 2}), error_messages=REQUIRED)
