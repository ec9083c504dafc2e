"""Feature-name strings of the kind classifier, built once per distinct value.

:func:`geo_app.text.spans.candidate_features` names tens of features per candidate, most of them
from a handful of parts: the NER label joined with a size bin, a head class or a flag, and the
words around a name. Formatting those strings anew for every candidate cost more than the
rest of building a row; these tables hand back the same string for the same parts (the
features, their values and their order in a row are exactly those of the f-strings they replace).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=65_536)
def ctx(word: str) -> str:
    """A context word as a feature value: lower-cased letters, digits and punctuation classed
    (memoised: a report's context words repeat)."""
    if not word.strip():
        return "<sp>"
    if word[0].isdigit():
        return "<num>"
    if not _WORD.search(word):
        return word[:2]
    return word.lower()


#: ``"<prefix>=<ctx(word)>"`` by prefix and word (each table cleared past ``_MAX_WORDS`` words).
_WORD_KEYS: dict[str, dict[str, str]] = {}
_MAX_WORDS = 200_000


def word_key(prefix: str, word: str) -> str:
    """``f"{prefix}={ctx(word)}"``, the same string object for the same word."""
    table = _WORD_KEYS.get(prefix)
    if table is None:
        table = _WORD_KEYS[prefix] = {}
    key = table.get(word)
    if key is None:
        if len(table) >= _MAX_WORDS:
            table.clear()
        key = table[word] = f"{prefix}={ctx(word)}"
    return key


def word_table(prefix: str) -> dict[str, str]:
    """The table of :func:`word_key` for ``prefix`` (a caller's fast path: ``table.get(word) or
    word_key(prefix, word)``)."""
    table = _WORD_KEYS.get(prefix)
    if table is None:
        table = _WORD_KEYS[prefix] = {}
    return table


@dataclass(frozen=True)
class LabelKeys:
    """The feature names that join one NER label (``"none"`` for none) with another part."""

    lab: str  # "lab=GPE"
    size: dict[str, str]  # size bin -> "GPE|size=big"
    head: dict[str, str]  # head class -> "GPE|head=road"
    wk: tuple[str, str]  # "GPE|wk=0", "GPE|wk=1"
    top: dict[str, str]  # top feature class or "-" -> "GPE|top=P"
    ncap: tuple[str, str]  # "GPE|ncap=0", "GPE|ncap=1"
    sent: tuple[str, str]  # "GPE|sent=0", "GPE|sent=1"


_LABEL_KEYS: dict[str, LabelKeys] = {}


def label_keys(lab: str) -> LabelKeys:
    """The :class:`LabelKeys` of label ``lab`` (built on first use)."""
    keys = _LABEL_KEYS.get(lab)
    if keys is None:
        keys = _LABEL_KEYS[lab] = LabelKeys(
            f"lab={lab}", _Formatted(f"{lab}|size="), _Formatted(f"{lab}|head="), (f"{lab}|wk=0", f"{lab}|wk=1"),
            _Formatted(f"{lab}|top="), (f"{lab}|ncap=0", f"{lab}|ncap=1"), (f"{lab}|sent=0", f"{lab}|sent=1"))
    return keys


class _Formatted(dict):
    """``prefix + value`` by value, formatted on first use."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def __missing__(self, value: str) -> str:
        key = self[value] = f"{self.prefix}{value}"
        return key


#: "src=gaz" ... by source, "ntok=1".."ntok=3" by min(tokens, 3) (index 0 unused).
SOURCE_KEYS = _Formatted("src=")
NTOK_KEYS = ("ntok=0", "ntok=1", "ntok=2", "ntok=3")
HEAD_KEYS = _Formatted("head=")
SUFFIX_KEYS = _Formatted("suf=")
