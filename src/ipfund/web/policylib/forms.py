"""Forms of the 政策库 page: a package to upload, a package to compare with."""

from django import forms
from django.utils.translation import gettext_lazy as _

ERROR_NO_FILE = _("请选择要上传的政策包（.zip 文件）。")
ERROR_CHOOSE = _("请从列表中选择一项政策。")


class PackageUploadForm(forms.Form):
    package = forms.FileField(
        label=_("政策包（.zip）"),
        help_text=_("压缩包中只含一个政策包文件夹（含政策定义文件、政策原文与测试案例），不含程序文件。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
        error_messages={"required": ERROR_NO_FILE, "invalid": ERROR_NO_FILE, "empty": ERROR_NO_FILE},
    )


class CompareForm(forms.Form):
    against = forms.ChoiceField(label=_("与此政策比较"), error_messages={"required": ERROR_CHOOSE, "invalid_choice": ERROR_CHOOSE})

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["against"].choices = list(choices)  # type: ignore[attr-defined]  # (a choice field: the stubs type form fields as Field)


ERROR_REASON = _("请填写停用理由。")


class RetireForm(forms.Form):
    reason = forms.CharField(label=_("停用理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": ERROR_REASON})
