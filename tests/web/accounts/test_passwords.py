"""Password rules are Chinese, every one of them (Django's minimum-length message was English)."""

import re

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.utils import translation


@pytest.mark.parametrize("password", ["12345", "abc", "password"])
def test_password_messages_are_chinese(password):
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as err:
            validate_password(password)
        texts = err.value.messages + password_validators_help_texts()
    assert texts
    for text in texts:
        assert not re.search(r"[A-Za-z]{3,}", text), text
    if len(password) < 8:
        assert "密码太短，至少需要 8 个字符。" in err.value.messages
