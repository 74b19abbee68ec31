"""Forms of the portal (besides the facts forms generated per item): accounts, review, notices, finance, admin."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ipfund.web.common import labels
from ipfund.web.common.facts import BOOL_CHOICES, MoneyField, ERROR_CHOOSE, ERROR_DATE, ERROR_MONEY, ERROR_REQUIRED, NO, YES

ERROR_PASSWORDS_DIFFER = _("两次输入的密码不一致。")
ERROR_FILE_REQUIRED = _("请选择要上传的文件。")

REQUIRED = {"required": ERROR_REQUIRED}


def _yes_no(label, initial=YES, required=True):
    return forms.TypedChoiceField(
        label=label,
        choices=BOOL_CHOICES,
        coerce=lambda v: v == YES,
        initial=initial,
        required=required,
        empty_value=False,  # type: ignore[arg-type]  # (Django takes any empty value: the stubs say str)
        widget=forms.RadioSelect,
        error_messages={"required": ERROR_CHOOSE, "invalid_choice": ERROR_CHOOSE},
    )


def _date_field(label, required=True):
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"required": ERROR_REQUIRED, "invalid": ERROR_DATE},
    )


CAPTCHA_ASKED = _("该账户或此网络地址近期登录失败次数较多，请同时输入图中的验证码。")
CAPTCHA_REQUIRED = _("请输入图中的验证码。")
CAPTCHA_WRONG = _("验证码不正确，请输入新图中的字符。")


def _captcha_field():
    from captcha.fields import CaptchaField

    return CaptchaField(label=_("验证码"), error_messages={"required": CAPTCHA_REQUIRED, "invalid": CAPTCHA_WRONG,
                                                       "incomplete": CAPTCHA_REQUIRED})


class LoginForm(AuthenticationForm):
    """Django's sign-in form, with a captcha once failures pile up (accounts.signin_guard): never
    a lock. While the captcha is unsolved the password is not checked, so it cannot be guessed."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.captcha_asked = False
        self.captcha_asked_message = CAPTCHA_ASKED
        if self.is_bound:
            self._ask_captcha_if_needed()

    def _ask_captcha_if_needed(self):
        from ipfund.web.accounts.signin_guard import captcha_required

        if not self.captcha_asked and captcha_required(self.request, self.data.get("username", "")):
            from captcha.models import CaptchaStore

            CaptchaStore.remove_expired()  # each showing stores a challenge: the stale ones go
            self.fields["captcha"] = _captcha_field()
            self.captcha_asked = True

    def clean(self):
        if self.captcha_asked and "captcha" in self._errors:  # type: ignore[attr-defined]  # (as written before types were checked (issue 23: typed later))
            return self.cleaned_data
        try:
            return super().clean()
        finally:
            # this failure may be the one that makes the next attempt ask for a captcha
            self._ask_captcha_if_needed()


class RegisterForm(forms.Form):
    kind = forms.ChoiceField(label=_("申报主体类型"), error_messages={"required": ERROR_CHOOSE, "invalid_choice": ERROR_CHOOSE})
    id_number = forms.CharField(
        label=_("统一社会信用代码 / 居民身份证号码"),
        max_length=18,
        help_text=_("单位填写18位统一社会信用代码；个人填写18位居民身份证号码。注册后不可更改。"),
        error_messages=REQUIRED,
    )
    name = forms.CharField(label=_("单位名称 / 姓名"), max_length=200, error_messages=REQUIRED)
    username = forms.CharField(label=_("登录用户名"), max_length=150, error_messages=REQUIRED)
    email = forms.EmailField(label=_("电子邮箱"), error_messages={**REQUIRED, "invalid": _("请输入有效的电子邮箱地址。")})
    password1 = forms.CharField(label=_("密码"), widget=forms.PasswordInput(render_value=True), error_messages=REQUIRED)
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput(render_value=True), error_messages=REQUIRED)
    address = forms.CharField(label=_("地址"), max_length=300, required=False)
    in_zone = _yes_no(_("是否在高新区注册（个人：在区内工作、学习或居住）"))
    sme = _yes_no(_("是否中小微企业（个人不填）"), initial=NO, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    bank_name = forms.CharField(label=_("开户银行"), max_length=200, required=False)
    bank_account = forms.CharField(label=_("银行账号"), max_length=40, required=False, help_text=_("资助资金拨付到此账户。"))
    bank_holder = forms.CharField(
        label=_("账户户名"), max_length=200, required=False, help_text=_("开户时登记的户名；不填则按单位名称 / 姓名。")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("— 请选择 —"))] + labels.kind_choices()  # type: ignore[attr-defined]  # (a choice field: the stubs type form fields as Field)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:  # type: ignore[index,union-attr]  # (an Optional not checked here, as before (issue 23: typed later))
            self.add_error("password2", ERROR_PASSWORDS_DIFFER)
        if "id_number" in cleaned:  # type: ignore[operator]  # (an Optional not checked here, as before (issue 23: typed later))
            cleaned["id_number"] = cleaned["id_number"].strip().upper()  # type: ignore[index]  # (an Optional not checked here, as before (issue 23: typed later))
        return cleaned

    def typed_arguments(self) -> dict:
        """What was typed into the fields the service checks, as typed (the form need not be valid)."""
        raw = {name: (self.data.get(name) or "").strip() for name in ("username", "email", "kind", "name", "bank_account")}
        return {**raw, "id_number": raw_id.upper() if (raw_id := (self.data.get("id_number") or "").strip()) else "",
                "password": self.data.get("password1") or ""}

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "username": data["username"].strip(),
            "password": data["password1"],
            "email": data["email"],
            "kind": data["kind"],
            "id_number": data["id_number"],
            "name": data["name"],
            "address": data.get("address", ""),
            "in_zone": data["in_zone"],
            "sme": bool(data.get("sme")),
            "contact_name": data.get("contact_name", ""),
            "contact_phone": data.get("contact_phone", ""),
            "bank_name": data.get("bank_name", ""),
            "bank_account": data.get("bank_account", ""),
            "bank_holder": data.get("bank_holder", ""),
        }


# Service errors about the password come back under "password"; the form's field is password1.
REGISTER_FIELD_ALIASES = {"password": "password1"}


class MfaTokenForm(forms.Form):
    token = forms.CharField(label=_("验证码"), max_length=12, error_messages=REQUIRED,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
                            help_text=_("验证器（如手机上的身份验证器应用）当前显示的 6 位数字。"))


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("令牌名称"), max_length=100, error_messages=REQUIRED,
                           help_text=_("例如“财务系统对接”，便于日后区分和撤销。"))
    days = forms.IntegerField(label=_("有效期（天）"), min_value=1, required=False,
                              error_messages={"invalid": _("请输入天数（整数）。"), "min_value": _("有效期至少 1 天。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = self.fields["days"]
        days.initial = settings.IPFUND_API_TOKEN_DAYS
        days.help_text = format_lazy(_("不填为 {default} 天，最长 {max} 天；到期后令牌被拒绝，须重新生成。"),
                                     default=settings.IPFUND_API_TOKEN_DAYS, max=settings.IPFUND_API_TOKEN_MAX_DAYS)


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("单位名称 / 姓名"), max_length=200, error_messages=REQUIRED)
    address = forms.CharField(label=_("地址"), max_length=300, required=False)
    in_zone = _yes_no(_("是否在高新区注册（个人：在区内工作、学习或居住）"))
    sme = _yes_no(_("是否中小微企业（个人不填）"), initial=NO, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    bank_name = forms.CharField(label=_("开户银行"), max_length=200, required=False)
    bank_account = forms.CharField(
        label=_("银行账号"),
        max_length=40,
        required=False,
        help_text=_("为保护信息安全，已保存的账号只显示末四位；留空表示不修改。"),
    )
    bank_holder = forms.CharField(label=_("账户户名"), max_length=200, required=False)

    def changes(self, profile) -> dict:
        data = dict(self.cleaned_data)
        if not data.get("bank_account"):
            data.pop("bank_account", None)
        data["sme"] = bool(data.get("sme"))
        return {k: v for k, v in data.items() if getattr(profile, k) != v}


class ClaimMetaForm(forms.Form):
    """The part of a claim form every item shares: the date of the qualifying event."""

    event_date = _date_field(_("事件日期（获奖公布、称号授予、判决生效、费用发生等日期）"))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)


class EvidenceForm(forms.Form):
    """One file input per evidence requirement of the item; built by :func:`evidence_form`."""


def evidence_form(item_spec, data=None, files=None, have=()) -> EvidenceForm:
    """File inputs named ``evidence_<n>``, labelled by the item's checklist; those already uploaded are optional."""
    fields = {}
    for index, requirement in enumerate(item_spec.evidence):
        fields[f"evidence_{index}"] = forms.FileField(
            label=requirement,
            required=False,
            widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
            help_text=_("已上传，可再上传补充文件") if requirement in have else _("PDF、JPEG 或 PNG，单个文件不超过 10 MB"),
            error_messages={"required": ERROR_FILE_REQUIRED},
        )
        # Required for submission (the service checks), not for saving a draft: marked, not enforced here.
        fields[f"evidence_{index}"].needed = requirement not in have  # type: ignore[attr-defined]  # (as written before types were checked (issue 23: typed later))
    form_class = type("EvidenceForm", (EvidenceForm,), fields)
    form = form_class(data=data, files=files, prefix="evidence")
    form.requirements = {f"evidence_{i}": r for i, r in enumerate(item_spec.evidence)}
    return form


class EvidenceReplaceForm(forms.Form):
    file = forms.FileField(
        label=_("替换为"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
        help_text=_("PDF、JPEG 或 PNG，单个文件不超过 10 MB"),
        error_messages={"required": ERROR_FILE_REQUIRED, "empty": _("文件为空。"), "invalid": ERROR_FILE_REQUIRED},
    )


class _OnAPageWithOthers(forms.Form):
    """A form shown on a page beside others with the same field names (the staff claim page):
    its ids carry ``id_prefix`` so no two inputs share an id, while the posted names stay plain."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ReturnForm(_OnAPageWithOthers):
    id_prefix = "return"
    comment = forms.CharField(label=_("退回补正意见（申请人可见）"), widget=forms.Textarea(attrs={"rows": 3}), error_messages=REQUIRED)


class RejectForm(_OnAPageWithOthers):
    id_prefix = "reject"
    reason = forms.CharField(label=_("不予资助理由"), widget=forms.Textarea(attrs={"rows": 3}), error_messages=REQUIRED)


class RecommendForm(_OnAPageWithOthers):
    id_prefix = "recommend"
    amount = MoneyField(
        label=_("推荐金额（元）"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("留空即按政策计算金额推荐；只能调低，不能调高。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"invalid": ERROR_MONEY, "max_decimal_places": ERROR_MONEY, "min_value": ERROR_MONEY},
    )
    reason = forms.CharField(label=_("调减理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SendBackForm(_OnAPageWithOthers):
    id_prefix = "send_back"
    reason = forms.CharField(label=_("退回初审理由"), widget=forms.Textarea(attrs={"rows": 3}), error_messages=REQUIRED)


def _too_long(label, limit):
    return {**REQUIRED, "max_length": format_lazy(_("{label}不能超过 {limit} 个字。"), label=label, limit=limit)}


class ObjectionForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=100, error_messages=_too_long(_("姓名"), 100))
    contact = forms.CharField(label=_("联系方式"), max_length=200, error_messages=_too_long(_("联系方式"), 200))
    reason = forms.CharField(
        label=_("异议理由"),
        max_length=settings.IPFUND_OBJECTION_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages=_too_long(_("异议理由"), settings.IPFUND_OBJECTION_REASON_MAX),
    )
    evidence = forms.FileField(
        label=_("证明材料（可选）"),
        required=False,
        help_text=_("PDF、JPEG 或 PNG，单个文件不超过 10 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class ObjectionResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("处理结果"),
        choices=((YES, _("异议成立（撤销资助）")), (NO, _("异议不成立（维持资助）"))),
        coerce=lambda v: v == YES,
        widget=forms.RadioSelect,
        error_messages={"required": ERROR_CHOOSE, "invalid_choice": ERROR_CHOOSE},
    )
    resolution = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 3}), error_messages=REQUIRED)


class NoticePublishForm(forms.Form):
    title = forms.CharField(label=_("公示标题（可留空，自动生成）"), max_length=200, required=False)
    period_days = forms.IntegerField(
        label=_("公示期（天）"),
        min_value=1,
        max_value=60,
        error_messages={**REQUIRED, "invalid": _("请输入整数。"), "min_value": _("公示期应为 1 至 60 天。"), "max_value": _("公示期应为 1 至 60 天。")},
    )
    claims = forms.MultipleChoiceField(
        label=_("公示的申报"), widget=forms.CheckboxSelectMultiple, error_messages={"required": _("请至少选择一项申报。")}
    )


class PaymentForm(forms.Form):
    paid_on = _date_field(_("拨付日期"))
    reference = forms.CharField(label=_("拨付凭证号"), max_length=100, error_messages=REQUIRED)


class PaymentFailForm(forms.Form):
    reason = forms.CharField(label=_("拨付失败原因"), widget=forms.Textarea(attrs={"rows": 2}), error_messages=REQUIRED)


class RoundForm(forms.Form):
    name = forms.CharField(label=_("批次名称"), max_length=200, error_messages=REQUIRED)
    opens_at = forms.DateTimeField(
        label=_("开始时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={**REQUIRED, "invalid": _("请输入有效的日期时间。")},
    )
    closes_at = forms.DateTimeField(
        label=_("截止时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={**REQUIRED, "invalid": _("请输入有效的日期时间。")},
    )
    items = forms.MultipleChoiceField(
        label=_("受理项目"), widget=forms.CheckboxSelectMultiple, error_messages={"required": _("请至少选择一个申报项目。")}
    )

    def __init__(self, *args, policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy
        self.fields["items"].choices = [(i.id, f"{i.clause} {i.title}") for i in policy.items.values()]  # type: ignore[attr-defined]  # (a choice field: the stubs type form fields as Field)


class StaffUserForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150, error_messages=REQUIRED)
    full_name = forms.CharField(label=_("姓名"), max_length=50, error_messages=REQUIRED,
                                help_text=_("真实姓名：办理记录、审计记录和文书以此署名。"))
    email = forms.EmailField(label=_("电子邮箱"), required=False, error_messages={"invalid": _("请输入有效的电子邮箱地址。")})
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput(render_value=True), error_messages=REQUIRED,
                               help_text=_("首次登录时须由本人修改。"))
    affiliation = forms.CharField(
        label=_("所属单位统一社会信用代码"), max_length=18, required=False,
        help_text=_("若其所在单位也申报资助，填写后该人员不能处理本单位的申报。"),
    )
    roles = forms.MultipleChoiceField(
        label=_("角色"), widget=forms.CheckboxSelectMultiple, choices=(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(r, labels.role_label(r)) for r in labels.ROLE_LABELS if r != "applicant"]  # type: ignore[attr-defined]  # (a choice field: the stubs type form fields as Field)


class StaffNameForm(forms.Form):
    real_name = forms.CharField(label=_("姓名"), max_length=50, error_messages={**REQUIRED, "max_length": _("姓名不能超过 50 个字。")},
                                help_text=_("工作人员的真实姓名：办理记录、审计记录和拨付清单等文书以此署名。"))


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(label=_("角色"), widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(r, labels.role_label(r)) for r in labels.ROLE_LABELS]  # type: ignore[attr-defined]  # (a choice field: the stubs type form fields as Field)


class RevealLogForm(forms.Form):
    viewer = forms.CharField(label=_("查看人（用户名）"), max_length=150, required=False)
    subject = forms.CharField(label=_("被查看的申报主体（名称或用户名）"), max_length=200, required=False)
    date_from = _date_field(_("自（日期）"), required=False)
    date_to = _date_field(_("至（日期）"), required=False)


class InterpretationForm(forms.Form):
    interpretation = forms.ChoiceField(label=_("解释条目"), error_messages={"required": ERROR_CHOOSE, "invalid_choice": ERROR_CHOOSE})
    option = forms.ChoiceField(label=_("选项"), error_messages={"required": ERROR_CHOOSE, "invalid_choice": ERROR_CHOOSE})
    effective_from = _date_field(_("自何日起适用"))
    reason = forms.CharField(label=_("变更理由"), widget=forms.Textarea(attrs={"rows": 3}), error_messages=REQUIRED)


class InstallmentOutcomeForm(forms.Form):
    """A reviewer's record of an installment's condition (分期拨付): met (验收合格) or failed, with
    the opinion and the evidence (the acceptance report)."""

    met = forms.TypedChoiceField(
        label=_("确认结果"),
        choices=((YES, _("条件已满足（如验收合格），本期转为待拨付")), (NO, _("条件未满足（如验收不合格），取消本期及以后各期"))),
        coerce=lambda v: v == YES,
        widget=forms.RadioSelect,
        error_messages={"required": ERROR_CHOOSE, "invalid_choice": ERROR_CHOOSE},
    )
    note = forms.CharField(label=_("确认意见（申请人可见）"), widget=forms.Textarea(attrs={"rows": 3}), error_messages=REQUIRED)
    evidence = forms.FileField(
        label=_("证明材料（如验收意见书）"),
        help_text=_("PDF、JPEG 或 PNG，单个文件不超过 10 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        error_messages={"required": ERROR_FILE_REQUIRED},
    )

    def __init__(self, *args, number: int = 0, **kwargs):
        kwargs.setdefault("auto_id", f"id_installment{number}_%s")
        super().__init__(*args, **kwargs)
