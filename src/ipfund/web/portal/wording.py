"""The engine's explanations, interpretation texts and reasons put in people's words for pages.

The engine's explanation is written for the CLI and the JSON output, where codes are useful (item
ids, parameter ids, ``A10=event_date``, option keys, reason codes). A page shows the same
sentences with the codes taken out or replaced by their labels — never a second computation.
"""

from __future__ import annotations

import re

from ipfund.web.common import labels
from ipfund.web.engine_door import known_policies

DUPLICATE_KEY = "不重复资助的依据"
_CODE = r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z]+\d*"
_INTERPRETATION = re.compile(r"适用解释 (A\d+)=([a-z0-9_]+)：")
_PARAMETER = re.compile(rf"参数 (?:{_CODE})\.(?:{_CODE})（([^；]*)；")
_OPTION_KEY = re.compile(r"\[([a-z0-9_]+)\]")
_OPTION_IN_PARENS = re.compile(r"（([a-z][a-z0-9_]*)）")
_REASONS_LINE = re.compile(r"原因：([a-z_,、 ]+)")


def _items_pattern():
    items = sorted({re.escape(i) for p in known_policies() for i in p.items}, key=len, reverse=True)
    return re.compile(rf"（(?:{'|'.join(items)})(?:，|）)"), re.compile(rf"(?<![\w.])(?:{'|'.join(items)})(?![\w])")


def _reason_codes(text: str) -> str:
    for code, label in labels.REASON_LABELS.items():
        text = re.sub(rf"(?<![\w]){code}(?![\w])", str(label), text)
    return text


def for_people(text: str) -> str:
    """One line of an explanation (or an interpretation's option text) without codes."""
    if not text:
        return text
    in_parens, bare = _items_pattern()
    text = in_parens.sub(lambda m: "（" if m.group(0).endswith("，") else "", text)
    text = _INTERPRETATION.sub("适用解释：", text)
    text = _PARAMETER.sub(lambda m: f"{m.group(1)}（", text)
    text = _OPTION_KEY.sub(lambda m: f"（{labels.option_label(None, m.group(1))}）", text)
    text = _OPTION_IN_PARENS.sub("", text)
    text = text.replace("重复键", DUPLICATE_KEY)
    text = _reason_codes(text)
    return bare.sub(lambda m: labels.item_title(m.group(0)), text)

