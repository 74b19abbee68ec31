"""Organisation names as registers write them, normalised so that one enterprise matches itself,
and fuzzy suggestions (rapidfuzz) where it does not; the zone from a registered address.

Normalisation: full-width to half-width (NFKC), spaces removed, every bracket shape to (), place
names in brackets and place-name prefixes removed (data/place_prefixes.txt), 有限责任公司 read as
有限公司, Latin letters lower-cased. The zone's addresses are data too (data/zone_addresses.txt, or
the file the setting IPFUND_ZONE_ADDRESS_FILE names).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from django.conf import settings
from rapidfuzz import fuzz, process

DATA = Path(__file__).resolve().parent / "data"
SUGGESTIONS = 3
SUGGESTION_CUTOFF = 60  # rapidfuzz's 0–100 score below which a name is not offered

_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")", "{": "(", "}": ")",
                           "〈": "(", "〉": ")", "《": "(", "》": ")"})
_SPACE = re.compile(r"\s+")


def _lines(path: Path) -> tuple[str, ...]:
    text = path.read_text(encoding="utf-8")
    return tuple(line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip())


@functools.cache
def place_prefixes() -> tuple[str, ...]:
    return tuple(sorted(_lines(DATA / "place_prefixes.txt"), key=len, reverse=True))


def zone_addresses() -> tuple[str, ...]:
    path = getattr(settings, "IPFUND_ZONE_ADDRESS_FILE", "") or DATA / "zone_addresses.txt"
    return tuple(_basic(line) for line in _lines(Path(path)))


def _basic(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(_BRACKETS)
    return _SPACE.sub("", text).lower()


def name_normal(name: str) -> str:
    """The form two spellings of one organisation's name share."""
    text = _basic(name)
    places = place_prefixes()
    for place in places:
        text = text.replace(f"({place})", "")
    stripped = True
    while stripped:
        stripped = False
        for place in places:
            if text.startswith(place) and len(text) > len(place):
                text, stripped = text[len(place):], True
    return text.replace("有限责任公司", "有限公司")


def in_zone(address: str) -> bool:
    """Registered in the zone: the address names one of the zone's places."""
    text = _basic(address)
    return any(place and place in text for place in zone_addresses())


def suggestions(normal: str, choices: dict[str, list[tuple[str, str]]]) -> list[dict]:
    """The closest names of the enterprise register to `normal` (choices: normal name → [(credit
    code, name as written)]), best first, each with its score."""
    found = process.extract(normal, list(choices), scorer=fuzz.WRatio, limit=SUGGESTIONS,
                            score_cutoff=SUGGESTION_CUTOFF)
    out = []
    for candidate, score, _ in found:
        for code, written in choices[candidate]:
            out.append({"credit_code": code, "name": written, "score": round(float(score))})
    return out[: SUGGESTIONS * 2]
