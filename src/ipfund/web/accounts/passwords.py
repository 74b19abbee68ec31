"""Password rules in Chinese: Django's minimum-length message has no zh-Hans plural form and comes
out in English, so this validator says it itself (the other validators are translated)."""

from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

TOO_SHORT = "密码太短，至少需要 {n} 个字符。"
HELP = "密码至少需要 {n} 个字符。"


class ChineseMinimumLengthValidator(MinimumLengthValidator):
    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(_(TOO_SHORT).format(n=self.min_length), code="password_too_short")

    def get_help_text(self):
        return _(HELP).format(n=self.min_length)

    def get_error_message(self):
        return _(TOO_SHORT).format(n=self.min_length)
