"""Which language a report is written in, cheaply and offline: is it one the app reads?

The pipeline (spaCy's English model, English date parsing, English claim patterns) reads
English. A report in another language gives few or no features, and without a word of
warning the analyst takes that silence for "no places mentioned". Two signals suffice to
say so plainly:

* the **script share**: the letters of each writing system (Latin, Cyrillic, Greek, Arabic,
  Hebrew, Devanagari, CJK, ...) over all letters, from Unicode character names;
* the **English stop-word ratio** of Latin-script words ("the", "of", "and", ... make up
  a third or more of running English text and almost none of French, German or Spanish),
  against the same ratio for a few other languages' function words.

Cyrillic text is told apart further by the letters each language has and lacks (Belarusian ў;
Ukrainian ї є ґ, or і without ы э ъ ё; Russian ы э ъ ё without і). Nothing is downloaded and no model is loaded.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from geo_app import settings

#: Scripts by the first word of a letter's Unicode name (``CYRILLIC SMALL LETTER A``).
_SCRIPT_OF_NAME = {
    "LATIN": "Latin", "CYRILLIC": "Cyrillic", "GREEK": "Greek", "ARABIC": "Arabic", "HEBREW": "Hebrew",
    "DEVANAGARI": "Devanagari", "BENGALI": "Bengali", "THAI": "Thai", "GEORGIAN": "Georgian",
    "ARMENIAN": "Armenian", "CJK": "Han", "HIRAGANA": "Kana", "KATAKANA": "Kana", "HANGUL": "Hangul",
    "TAMIL": "Tamil", "ETHIOPIC": "Ethiopic",
}
#: What a report mostly in this script is called when it is not English.
_SCRIPT_LANGUAGE = {
    "Cyrillic": "Cyrillic-script (e.g. Russian, Ukrainian)", "Greek": "Greek", "Arabic": "Arabic-script "
    "(e.g. Arabic, Persian, Urdu)", "Hebrew": "Hebrew", "Devanagari": "Devanagari-script (e.g. Hindi)",
    "Bengali": "Bengali", "Thai": "Thai", "Georgian": "Georgian", "Armenian": "Armenian",
    "Han": "Chinese", "Kana": "Japanese", "Hangul": "Korean", "Tamil": "Tamil", "Ethiopic": "Ethiopic-script",
    "Latin": "a Latin-script language other than English",
}
#: Letters that tell the East Slavic languages apart: (language, letters it has, letters it lacks), first match wins.
_CYRILLIC_MARKERS = (("Belarusian", "ўЎ", ""), ("Ukrainian", "їєґЇЄҐ", ""), ("Ukrainian", "іІ", "ыэъёЫЭЪЁ"),
                     ("Russian", "ыэъёЫЭЪЁ", "іІ"))
#: Common English function words (a short, fixed list: the signal is their share of all words).
ENGLISH_STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
nor not now of off on once only or other our ours ourselves out over own said same she should so some such
than that the their theirs them themselves then there these they this those through to too under until up
very was we were what when where which while who whom why will with would you your yours yourself
""".split())
#: Common function words of other Latin-script languages, none of them an English word too.
OTHER_STOP_WORDS = {
    "French": frozenset("le la les des du un une et est que qui dans pour pas sur au aux avec ce cette sont ont "
                        "été par plus ne se elle ils leur".split()),
    "German": frozenset("der die das und ist nicht mit den dem des ein eine einer zu von auf für sich auch es im "
                        "wurde wurden sind hat nach bei".split()),
    "Spanish": frozenset("el la los las del y que en un una por con para es se al como más pero su sus fue "
                         "según".split()),
    "Italian": frozenset("il lo la gli le di del della che e è un una per con non sono nel alla dei".split()),
    "Portuguese": frozenset("o os as do da dos das e que em um uma para com não por ao foi são".split()),
    "Polish": frozenset("w z na się nie do że jest od po jak przez oraz jego".split()),
    "Dutch": frozenset("de het een en van dat niet op zijn met voor er maar ook bij werd".split()),
}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass(frozen=True)
class LanguageGuess:
    """What :func:`detect_language` found in one text.

    Attributes
    ----------
    language : str
        ``"English"``, a language or script family (``"Ukrainian"``, ``"Cyrillic-script
        (e.g. Russian, Ukrainian)"``, ``"Chinese"``, ...), or ``"unknown"`` (too little text).
    supported : bool
        True when the app can read the text (English, or too little text to tell).
    script : str
        The most common script among the letters (``"Latin"``, ``"Cyrillic"``, ...; ``""`` if none).
    script_share : dict of str to float
        Share of the letters in each script (sums to 1 over the letters counted).
    stop_word_ratio : float
        English function words over the Latin-script words (0 when there are none).
    n_letters : int
        Letters counted.
    """

    language: str
    supported: bool
    script: str
    script_share: dict[str, float] = field(default_factory=dict)
    stop_word_ratio: float = 0.0
    n_letters: int = 0

    def message(self, name: str | None = None) -> str | None:
        """A plain warning for a user about the report ``name``, or None when it is readable.

        Without ``name``, the short form shown beside the report itself.
        """
        if self.supported:
            return None
        if name is None:
            return (f"Looks {self.language}, not English. Only English reports are supported: "
                    "few or no places will be found.")
        return (f"{name}: this report looks {self.language}, not English. Only English reports are supported: "
                "places, dates and claims in other languages are mostly missed, so few or no features are "
                "shown. Use an English version of the report.")


@lru_cache(maxsize=4096)
def _script_of(ch: str) -> str:
    try:
        first = unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return ""
    return _SCRIPT_OF_NAME.get(first, "Other")


def script_shares(text: str, *, limit: int | None = None) -> tuple[dict[str, float], int]:
    """Share of the letters of ``text`` in each script, and how many letters were counted.

    Only the first ``limit`` letters are counted (default ``settings.LANGUAGE_SAMPLE_LETTERS``):
    a long report's language shows in its first pages.
    """
    limit = int(settings.LANGUAGE_SAMPLE_LETTERS if limit is None else limit)
    counts: Counter[str] = Counter()
    n = 0
    for ch in text:
        if not ch.isalpha():
            continue
        counts[_script_of(ch)] += 1
        n += 1
        if n >= limit:
            break
    return ({k: v / n for k, v in counts.most_common()} if n else {}), n


def stop_word_ratios(text: str, *, limit: int | None = None) -> tuple[dict[str, float], int]:
    """Function words of English (and of :data:`OTHER_STOP_WORDS`' languages) over all Latin-script words.

    Returns ``({"English": r, "French": r, ...}, number of Latin-script words)``; the ratios
    are 0 when there are no such words.
    """
    limit = int(settings.LANGUAGE_SAMPLE_LETTERS if limit is None else limit) // 4
    lists = {"English": ENGLISH_STOP_WORDS, **OTHER_STOP_WORDS}
    hits = dict.fromkeys(lists, 0)
    total = 0
    for m in _WORD.finditer(text):
        word = m.group(0)
        if _script_of(word[0]) != "Latin":
            continue
        total += 1
        key = word.lower().replace("’", "'").split("'")[0]
        for lang, words in lists.items():
            hits[lang] += key in words
        if total >= limit:
            break
    return {lang: (h / total if total else 0.0) for lang, h in hits.items()}, total


def detect_language(text: str) -> LanguageGuess:
    """Guess whether ``text`` is English from its scripts and its English stop-word ratio.

    A text with fewer than ``settings.LANGUAGE_MIN_LETTERS`` letters is ``"unknown"`` and
    counted as supported (nothing to warn about). A text whose letters are mostly
    (``settings.LANGUAGE_MIN_LATIN_SHARE``) Latin is English when at least
    ``settings.LANGUAGE_MIN_STOP_WORD_RATIO`` of its words are English function words.

    Examples
    --------
    >>> detect_language("Troops moved from Gomel towards the border of Ukraine on Monday.").language
    'English'
    >>> detect_language("Войска перебросили из Гомеля к границе с Украиной в понедельник.").supported
    False
    """
    shares, n = script_shares(text)
    script = next(iter(shares), "")
    if n < int(settings.LANGUAGE_MIN_LETTERS):
        return LanguageGuess("unknown", True, script, shares, 0.0, n)
    ratios, n_words = stop_word_ratios(text)
    ratio = ratios.pop("English")
    latin = shares.get("Latin", 0.0)
    if latin >= float(settings.LANGUAGE_MIN_LATIN_SHARE):
        other = max(ratios, key=lambda lang: ratios[lang])
        if ratios[other] > ratio and ratios[other] >= float(settings.LANGUAGE_MIN_STOP_WORD_RATIO):
            return LanguageGuess(other, False, "Latin", shares, ratio, n)
        if ratio < float(settings.LANGUAGE_MIN_STOP_WORD_RATIO) and n_words >= int(settings.LANGUAGE_MIN_WORDS):
            return LanguageGuess(_SCRIPT_LANGUAGE["Latin"], False, "Latin", shares, ratio, n)
        return LanguageGuess("English", True, "Latin", shares, ratio, n)
    # Mostly another script, or a mix in which Latin does not dominate.
    main = max((s for s in shares if s != "Latin"), key=lambda s: shares[s], default="Other")
    if main == "Han" and shares.get("Kana", 0.0) >= float(settings.LANGUAGE_MIN_KANA_SHARE):
        main = "Kana"  # Japanese writes Han and kana side by side; Chinese has no kana
    language = _SCRIPT_LANGUAGE.get(main, f"{main}-script")
    if main == "Cyrillic":
        letters = set(text)
        language = next((lang for lang, has, lacks in _CYRILLIC_MARKERS
                         if letters & set(has) and not letters & set(lacks)), language)
    return LanguageGuess(language, False, main, shares, ratio, n)
