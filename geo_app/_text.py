"""Private text plumbing: name normalisation shared by the gazetteer and the extractor."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Zero-width and directional marks that hide inside copied names ("Kyi\u200bv").
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u202a\u202b\u202c\u202d\u202e"))
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u02b9": "'", "`": "'", "\u00b4": "'"})
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SPACES = re.compile(r"\s+")
_DOTS = re.compile(r"\.(?=\S)")
_LEADING_THE = re.compile(r"^the\s+")

# Cyrillic/Greek letters that look like Latin ones. A name mixing Latin with these
# ("Kyіv" with a Cyrillic і) is a homoglyph spoof or a typo; both mean the Latin name.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
        "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "к": "k", "м": "m", "т": "t", "в": "b", "н": "h",
        "ο": "o", "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    }
)
_LATIN = re.compile(r"[a-z]")
_NON_LATIN_LETTER = re.compile(r"[^\W\d_a-z]")


def strip_accents(text: str) -> str:
    """Remove combining marks (é -> e) but keep letters of other scripts."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


@lru_cache(maxsize=200_000)
def normalize_name(name: str) -> str:
    """Lookup key of a place name: case-folded, accent-free, one space, no leading 'the'.

    Examples: "Kyiv" -> "kyiv"; "the  Black Sea" -> "black sea"; "Homyel’" -> "homyel'".
    """
    if name.isascii():
        # Fast path (most lookups): no accents, look-alikes or invisible marks to fold.
        text = _DOTS.sub(". ", name.replace("`", "'").lower())
        text = _SPACES.sub(" ", text).strip(" \t\n,;:")
        return _LEADING_THE.sub("", text)
    text = name.translate(_INVISIBLE).translate(_APOSTROPHES)
    text = _DASHES.sub("-", text)
    text = strip_accents(text).casefold()
    # Mixed Latin + look-alike letters: fold the look-alikes to Latin.
    if _LATIN.search(text) and _NON_LATIN_LETTER.search(text):
        text = text.translate(_HOMOGLYPHS)
    text = _DOTS.sub(". ", text)
    text = _SPACES.sub(" ", text).strip(" \t\n,;:")
    return _LEADING_THE.sub("", text)
