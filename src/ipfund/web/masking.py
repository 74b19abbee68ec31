"""Masking of personal data (ID numbers, bank accounts, phones, names) for pages, exports and logs.

One module so that every place that shows personal data masks it the same way; the log filter
masks anything that looks like an ID number, phone or account number that slipped into a log
message.
"""

from __future__ import annotations

import logging
import re

MASK = "*"


def mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    """Keep the first ``keep_start`` and last ``keep_end`` characters, star the rest."""
    value = value or ""
    if len(value) <= keep_start + keep_end:
        return MASK * len(value)
    return value[:keep_start] + MASK * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_id_number(value: str) -> str:
    """A resident ID number: region prefix and check character only (4401**********123X → 4401…)."""
    return mask_middle(value, 4, 2)


def mask_credit_code(value: str) -> str:
    """An organisation's credit code is public, but shown shortened in lists."""
    return mask_middle(value, 6, 4)


def mask_bank_account(value: str) -> str:
    """A bank account: the last four digits, as on a bank card slip."""
    digits = (value or "").replace(" ", "")
    if len(digits) <= 4:
        return MASK * len(digits)
    return MASK * 4 + " " + digits[-4:]


def mask_phone(value: str) -> str:
    return mask_middle(value, 3, 4)


def mask_person_name(value: str) -> str:
    """A person's name on the public notice: 张三 → 张*, 张三丰 → 张*丰, Jane Doe → J*******e."""
    value = (value or "").strip()
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + MASK
    return value[0] + MASK * (len(value) - 2) + value[-1]


# An 18-character resident ID (17 digits + digit/X), a credit code, or a run of 11+ digits
# (phone, bank account). Credit codes are matched too: logs never need them in clear either.
_SENSITIVE = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|[0-9A-HJ-NPQRTUWXY]{18}|\d{11,30})(?![0-9A-Za-z])")


def mask_text(text: str) -> str:
    return _SENSITIVE.sub(lambda m: mask_middle(m.group(0), 2, 2), text)


class MaskingLogFilter(logging.Filter):
    """Rewrites each record's message with personal numbers masked; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True
