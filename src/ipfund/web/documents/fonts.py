"""The Chinese fonts embedded in every PDF: a Song (Ming) face for the text, a Hei face for titles.

reportlab embeds TrueType outlines only; Debian's Noto CJK fonts carry PostScript (CFF) outlines,
which reportlab refuses, so the documents use AR PL UMing (宋体 style, fonts-arphic-uming) and
WenQuanYi Zen Hei (黑体 style, fonts-wqy-zenhei), both TrueType and both in Debian.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont

SONG = "IPFundSong"
HEI = "IPFundHei"

FONT_DIRS = [Path(p) for p in os.environ.get("IPFUND_FONT_DIRS", "/usr/share/fonts/truetype").split(":")]
# (registered name, file, index of the simplified-Chinese face in the collection)
FACES = [
    (SONG, "arphic/uming.ttc", 0),
    (HEI, "wqy/wqy-zenhei.ttc", 0),
]
FONTS_MISSING = "缺少中文字体文件 {file}（请安装 fonts-arphic-uming 与 fonts-wqy-zenhei，见 scripts/setup-dev）。"


class FontsMissing(RuntimeError):
    pass


def _find(relative: str) -> Path:
    for base in FONT_DIRS:
        if (base / relative).is_file():
            return base / relative
    raise FontsMissing(FONTS_MISSING.format(file=relative))


@functools.cache
def register_fonts() -> None:
    """Register both faces with reportlab once per process (subset and embedded on use)."""
    for name, relative, index in FACES:
        pdfmetrics.registerFont(TTFont(name, str(_find(relative)), subfontIndex=index))
    for name in (SONG, HEI):  # <b> in a paragraph is the Hei face; there is no italic in Chinese
        registerFontFamily(name, normal=name, bold=HEI, italic=name, boldItalic=HEI)
