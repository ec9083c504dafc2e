"""Distance expressions in report text ("as close as 100 km", "some 20 nautical miles").

:func:`find_distances` returns every distance a report states, with its unit,
its value in kilometres and the bound its qualifier puts on it;
:func:`parse_bound` maps a qualifier ("within", "at-most", "more than") to a
:data:`Bound`. Both are pure, use the standard library only, and run in time
linear in the text: every repetition in the patterns is bounded, so no input
makes the regular-expression engine backtrack more than a constant per
character.

Rules, chosen to be conservative (a skipped distance is safer for a claim
checker than a wrong one):

* Units: ``km`` (km, kms, KM, kilometre(s), kilometer(s)), ``m`` (metre(s),
  meter(s), ``m``), ``mi`` (mile(s), ``mi``), ``nmi`` (nautical mile(s),
  ``nmi``, ``nm``, ``NM``; ``nm`` is read as nautical miles, never nanometres).
  A unit must not run into a letter or digit ("kmh", "km2", "km²", "9mm",
  "5 min" are not distances) and must not be a rate ("km/h", "miles per hour",
  "km a day"). A trailing full stop ("km.") is left out of the span.
* A bare ``m`` is ambiguous with "million" ("5m people"), so it counts only
  when the next word is "away", "from", "off", "radius", "range" or "zone", or
  "of" after "within", "as close as" or "as near as" ("within 500m of the
  border"); a number after a currency sign ("£5m") is never a distance.
* Numbers: ``100``, ``9,000``, ``1.5``, ``1e9``, groups split by a no-break or
  thin space (``9\\u202f000``), and number words ("ten", "a hundred",
  "one hundred and fifty"). A number glued to a word ("S-400", "Su-35", "M4"),
  following a decimal comma ("1,5 km") or following "<digit> <space>" is not
  read: "9 000 km" with a plain space is ambiguous with "March 3 100 km"
  and yields no mention rather than a wrong one. Vague amounts ("dozens of",
  "a few hundred", "a mile") are skipped; "a", "an" and "half a" count as 1 and
  0.5 only after a qualifier ("less than a kilometre", "within half a mile"). A value, or its conversion to km,
  that overflows to infinity ("1e999 km") is skipped.
* A minus sign written right before the number ("-5 km") is kept:
  ``value == -5.0`` and the span includes the sign; consumers decide what a
  negative distance means (a hyphen after a word or digit is never a sign).
* Ranges ("50-60 km", "50 to 60 km", "between 50 and 60 kilometres",
  "between 50 km and 60 km") set ``low_km`` and ``high_km``; ``value`` and
  ``km`` are the midpoint, and ``bound`` is "about" unless a qualifier says
  otherwise ("up to 50-60 km" is "at_most"). Both ends must share one unit.
* "nearly" and "almost" are read as "about" (the claim is "close to N"),
  "just N" and "only N" as "at_most", "just over N" as "at_least".
  Qualifiers written after the number ("100 km or more") are not read.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import Literal

from geo_app._errors import InputError

__all__ = ["Bound", "DistanceMention", "find_distances", "parse_bound"]

Bound = Literal["at_most", "at_least", "about", "exact"]

#: Kilometres per unit (international mile, international nautical mile).
KM_PER_UNIT: dict[str, float] = {"km": 1.0, "m": 0.001, "mi": 1.609344, "nmi": 1.852}

# Qualifier phrases as they are written in reports, by the bound they imply.
_QUALIFIER_BOUNDS: dict[str, Bound] = {
    **dict.fromkeys(
        (
            "as close as", "as near as", "within", "less than", "fewer than", "under",
            "below", "no more than", "not more than", "no further than", "no farther than",
            "up to", "at most", "as much as", "just", "only",
        ),
        "at_most",
    ),
    **dict.fromkeys(
        (
            "more than", "over", "above", "at least", "beyond", "farther than",
            "further than", "no less than", "not less than", "upwards of", "in excess of",
        ),
        "at_least",
    ),
    **dict.fromkeys(
        (
            "about", "around", "roughly", "approximately", "approx.", "approx", "circa",
            "ca.", "c.", "some", "nearly", "almost", "close to", "an estimated",
            "estimated", "~", "≈",
        ),
        "about",
    ),
    **dict.fromkeys(("exactly", "precisely"), "exact"),
}
# Spellings accepted by parse_bound only (CLI flags, Bound names, operators).
_EXTRA_BOUNDS: dict[str, Bound] = {
    "": "exact", "exact": "exact", "=": "exact",
    "at most": "at_most", "max": "at_most", "maximum": "at_most",
    "<": "at_most", "<=": "at_most", "≤": "at_most",
    "at least": "at_least", "min": "at_least", "minimum": "at_least",
    ">": "at_least", ">=": "at_least", "≥": "at_least",
    "about": "about", "approximate": "about", "between": "about",
}
_PREFIXES = ("just", "only")

_SPACE_RE = re.compile(r"\s+")

# --- pattern pieces ---------------------------------------------------------------


def _phrase(words: str) -> str:
    return r"\s{1,3}".join(re.escape(word) for word in words.split())


_WORD_QUALIFIERS = sorted(
    (q for q in _QUALIFIER_BOUNDS if q[0].isalpha() and q not in _PREFIXES), key=len, reverse=True
)
_QUAL_WORD = (
    r"(?i:(?:(?:just|only)\s{1,3})?(?:"
    + "|".join(_phrase(q) for q in _WORD_QUALIFIERS)
    + r")|just|only)"
)
_QUAL_SYMBOL = r"(?:<=|>=|[~≈<>≤≥])"

_ONES = "zero one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = {"hundred": 100, "thousand": 1000}
_SMALL_WORDS = _ONES + _TEENS + _TENS
_WORD_VALUES: dict[str, tuple[str, int]] = {
    **{w: ("ones", i) for i, w in enumerate(_ONES)},
    **{w: ("teen", 10 + i) for i, w in enumerate(_TEENS)},
    **{w: ("tens", 20 + 10 * i) for i, w in enumerate(_TENS)},
    **{w: (w, v) for w, v in _SCALES.items()},
}
_ANY_NUMBER_WORD = "|".join(_SMALL_WORDS + list(_SCALES))
# A bare scale word never starts a number: "a few hundred metres" is vague.
_WORD_NUMBER = (
    r"(?i:(?:(?:a|one)\s{1,3}(?:hundred|thousand)|(?:" + "|".join(_SMALL_WORDS) + r"))\b"
    r"(?:(?:\s{1,3}and\s{1,3}|[\s-]{1,3})(?:" + _ANY_NUMBER_WORD + r")\b){0,6})"
)
_GROUP_SPACES = "\u00a0\u202f\u2009"
_DIGIT_NUMBER = (
    r"(?:[0-9]{1,3}(?:,[0-9]{3}){1,6}|[0-9]{1,3}(?:[" + _GROUP_SPACES + r"][0-9]{3}){1,6}|[0-9]{1,30})"
    r"(?:\.[0-9]{1,20})?(?:[eE][+-]?[0-9]{1,4})?"
)
_NUMBER = f"(?:{_DIGIT_NUMBER}|{_WORD_NUMBER})"

#: How each unit may be written (regular expressions; "nm" is read as nautical miles).
UNIT_SPELLINGS: dict[str, str] = {
    "km": r"(?i:kilomet(?:re|er)s?|kms?)",
    "nmi": r"(?:(?i:nautical\s{1,3}miles?)|nmi|NMI|nm|NM)",
    "mi": r"(?:(?i:miles?)|mi)",
    "m": r"(?:(?i:met(?:re|er)s?)|m)",
}
_UNIT_RES = {name: re.compile(spelling) for name, spelling in UNIT_SPELLINGS.items()}
_RATE = (
    r"\s{0,3}(?:/\s{0,2}(?i:h|hr|hrs|hour|s|sec|min|day)\b"
    r"|(?i:per|an?)\s{1,3}(?i:h|hr|hour|day|week|month|year|minute|min|second|sec)\b)"
)
# The unit must end the word, and not start a rate or an area ("km²", "km^2").
_UNIT = (
    "(?:" + "|".join(UNIT_SPELLINGS[n] for n in ("km", "nmi", "mi", "m")) + r")"
    r"(?![\w^])(?!" + _RATE + ")"
)
_SEP = r"(?:[-\u2010\u2011]|\s{0,3})"
_DASH = r"[-\u2010\u2011\u2013\u2014]"
# Not glued to a word, a decimal point or comma, a currency sign, a fraction bar ("1/2 mile" is not
# "2 mile"), a "S-" style
# prefix, a preceding digit group ("9 000"), or an exponent ("1.2e+308 miles", which
# overflows and is skipped, must not leave "308 miles").
_NUMBER_START = r"(?<![\w.,$£€¥₽₴])(?<![0-9]/)(?<!\w" + _DASH + r")(?<![0-9]\s)(?<![0-9][eE]\+)"

_DISTANCE_RE = re.compile(
    # The lookahead lets the engine skip most characters at once (2 s -> 0.03 s per MB of spaces).
    r"(?=[\w~≈<>≤≥\-\u2212])"
    r"(?:(?<!\w)(?P<qual>" + _QUAL_WORD + r")\s{1,3}|(?<![\w\"'/])(?P<qsym>" + _QUAL_SYMBOL + r")\s{0,2})?"
    + _NUMBER_START
    + r"(?:(?i:between)\s{1,3}(?P<b_lo>" + _NUMBER + r")(?:" + _SEP + r"(?P<b_lo_unit>" + _UNIT + r"))?"
    r"\s{1,3}(?i:and)\s{1,3}(?P<b_hi>" + _NUMBER + r")"
    r"|(?P<r_lo>" + _NUMBER + r")(?:" + _SEP + r"(?P<r_lo_unit>" + _UNIT + r"))?"
    r"\s{1,3}(?i:to)\s{1,3}(?P<r_hi>" + _NUMBER + r")"
    # Only digits take a dash: "twenty-five" is one number.
    r"|(?P<d_lo>" + _DIGIT_NUMBER + r")(?:" + _SEP + r"(?P<d_lo_unit>" + _UNIT + r"))?"
    r"\s{0,3}" + _DASH + r"\s{0,3}(?P<d_hi>" + _DIGIT_NUMBER + r")"
    # "a"/"an"/"half a" as the number only after a qualifier: "less than a kilometre", "within a mile".
    r"|(?(qual)(?P<article>(?i:half\s{1,3}an?|an?))(?=\s)|(?!))"
    r"|(?P<sign>[-\u2212])?(?P<num>" + _NUMBER + r"))"
    + _SEP
    + r"(?P<unit>" + _UNIT + r")"
    r"(?P<away>\s{1,3}(?i:away)\b)?"
)
# A cheap necessary condition of _DISTANCE_RE, to skip texts without a distance: every match ends
# in a unit (the same spellings, found by their first letter) right after the end of a number (a
# digit or a number word, then _SEP). Exact as a filter: it passes every text _DISTANCE_RE matches in.
_UNIT_START_RE = re.compile(
    r"[kKnNmM](?:(?<=[kK])(?i:ilomet|m)|(?<=[nN])(?i:autical)|(?<=[mM])(?i:ile|et(?:re|er))"
    r"|(?<=n)(?:mi|m)(?![\w^])|(?<=N)(?:MI|M)(?![\w^])|(?<=m)i?(?![\w^]))")
_NUMBER_END_RE = re.compile(
    r"(?:[0-9]|(?i:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|teen|ty|hundred|thousand"
    r"|(?<![^\W\d_])an?))"  # "a"/"an": "less than a kilometre"
    r"[-\u2010\u2011]?\s{0,3}\Z")


def _may_hold_distance(text: str) -> bool:
    """False only when ``text`` cannot hold a distance: no unit right after a number."""
    return any(_NUMBER_END_RE.search(text, max(0, m.start() - 16), m.start())
               for m in _UNIT_START_RE.finditer(text))


_BARE_M_NEXT_RE = re.compile(r"\s{0,3}(?i:(?P<word>away|from|off|radius|range|zone|of))\b")
_PROXIMITY_QUALIFIERS = frozenset({"within", "as close as", "as near as"})


@dataclass(frozen=True)
class DistanceMention:
    """One distance stated in a text.

    Attributes
    ----------
    start, end : int
        Character offsets of the mention: ``text[start:end] == self.text``.
    text : str
        The mention as written: qualifier, number, unit and a trailing "away".
    value : float
        The number as written, in `unit` (the midpoint for a range).
    unit : str
        Normalised unit: ``"km"``, ``"m"``, ``"mi"`` or ``"nmi"``.
    km : float
        `value` in kilometres (1 mi = 1.609344 km, 1 nmi = 1.852 km); finite.
    bound : Bound
        What the qualifier says about the true distance.
    qualifier : str
        The qualifier as written ("as close as", "~"), ``""`` if none.
    low_km, high_km : float or None
        Ends of a range ("50-60 km"), in km; ``None`` for a single number.
    """

    start: int
    end: int
    text: str
    value: float
    unit: str
    km: float
    bound: Bound
    qualifier: str
    low_km: float | None = None
    high_km: float | None = None

    def to_dict(self) -> dict[str, object]:
        """Return the fields as a JSON-ready ``dict``."""
        return dataclasses.asdict(self)


def _normalise(phrase: str) -> str:
    return _SPACE_RE.sub(" ", phrase.replace("_", " ").replace("-", " ")).strip().lower()


_BOUND_LOOKUP: dict[str, Bound] = {
    **{_normalise(k): v for k, v in _QUALIFIER_BOUNDS.items()},
    **{_normalise(k): v for k, v in _EXTRA_BOUNDS.items()},
}


def parse_bound(qualifier: str) -> Bound:
    """Map a qualifier to the bound it puts on a distance.

    Parameters
    ----------
    qualifier : str
        Words as written in a report ("as close as", "more than", "some"), a
        :data:`Bound` name in any spelling ("at_most", "at-most", "AT MOST"),
        or an operator (``<``, ``>=``, ``~``). Case, hyphens, underscores and
        spacing are ignored; ``""`` means "exact".

    Returns
    -------
    Bound
        ``"at_most"``, ``"at_least"``, ``"about"`` or ``"exact"``.

    Raises
    ------
    InputError
        If the qualifier is not a string or is not known.
    """
    if not isinstance(qualifier, str):
        raise InputError(f"qualifier must be a str, not {type(qualifier).__name__}")
    key = _normalise(qualifier)
    if key in _BOUND_LOOKUP:
        return _BOUND_LOOKUP[key]
    first, _, rest = key.partition(" ")
    if first in _PREFIXES and rest in _BOUND_LOOKUP and rest not in _PREFIXES:
        return _BOUND_LOOKUP[rest]
    raise InputError(
        f"unknown distance qualifier {qualifier!r}; use one of at_most, at_least, about, exact "
        "or a phrase such as 'within', 'more than', 'about'"
    )


def _parse_words(words: str) -> int | None:
    """Value of a number written in words, or ``None`` if the words don't form one."""
    tokens = re.findall(r"[a-z]+", words.lower())
    total = current = 0
    prev: str | None = None
    for token in tokens:
        if token == "and":
            if prev not in _SCALES:
                return None
            prev = "and"
            continue
        kind, value = ("ones", 1) if token == "a" else _WORD_VALUES[token]
        if kind == "ones":
            ok = prev in (None, "tens", "hundred", "thousand", "and")
            current += value
        elif kind in ("teen", "tens"):
            ok = prev in (None, "hundred", "thousand", "and")
            current += value
        elif kind == "hundred":
            ok = prev in ("ones", "teen") and current < 100
            current *= 100
        else:
            ok = prev in ("ones", "teen", "tens", "hundred") and total == 0
            total, current = current * 1000, 0
        if not ok:
            return None
        prev = kind
    if prev == "and" or ("zero" in tokens and len(tokens) > 1):
        return None
    return total + current


def _parse_number(written: str) -> float | None:
    """Value of a written number (digits or words); ``None`` if unreadable or not finite."""
    if written[0].isdigit():
        value = float(re.sub(r"[," + _GROUP_SPACES + "]", "", written))
    else:
        words = _parse_words(written)
        if words is None:
            return None
        value = float(words)
    return value if math.isfinite(value) else None


def _unit_name(written: str) -> str:
    for name, pattern in _UNIT_RES.items():
        if pattern.fullmatch(written):
            return name
    raise AssertionError(f"unit {written!r} matched the distance pattern but no unit name")


def _bare_m_is_distance(text: str, match: re.Match[str], qualifier: str) -> bool:
    if match.group("away"):
        return True
    following = _BARE_M_NEXT_RE.match(text, match.end())
    if following is None:
        return False
    return following.group("word").lower() != "of" or _normalise(qualifier) in _PROXIMITY_QUALIFIERS


def _mention(text: str, match: re.Match[str]) -> DistanceMention | None:
    """Build the mention a match describes, or ``None`` if the rules reject it."""
    qualifier = match.group("qual") or match.group("qsym") or ""
    unit_written = match.group("unit")
    unit = _unit_name(unit_written)
    if unit_written == "m" and not _bare_m_is_distance(text, match, qualifier):
        return None
    factor = KM_PER_UNIT[unit]
    low_km = high_km = None
    if match.group("article") is not None:
        if unit_written == "m":  # "a m" is not how a metre is written
            return None
        value = 0.5 if match.group("article").lower().startswith("half") else 1.0
    elif match.group("num") is not None:
        value = _parse_number(match.group("num"))
        if value is None:
            return None
        if match.group("sign"):
            value = -value
    else:
        kind = next(k for k in ("b", "r", "d") if match.group(f"{k}_lo") is not None)
        low, high = _parse_number(match.group(f"{kind}_lo")), _parse_number(match.group(f"{kind}_hi"))
        low_unit = match.group(f"{kind}_lo_unit")
        if low is None or high is None or (low_unit is not None and _unit_name(low_unit) != unit):
            return None
        low, high = min(low, high), max(low, high)
        value = low / 2 + high / 2
        low_km, high_km = low * factor, high * factor
        if not (math.isfinite(low_km) and math.isfinite(high_km)):
            return None
    km = value * factor
    if not math.isfinite(km):
        return None
    if qualifier:
        bound = parse_bound(qualifier)
    else:
        bound = "exact" if low_km is None else "about"
    start, end = match.span()
    return DistanceMention(
        start=start,
        end=end,
        text=text[start:end],
        value=value,
        unit=unit,
        km=km,
        bound=bound,
        qualifier=qualifier,
        low_km=low_km,
        high_km=high_km,
    )


def find_distances(text: str) -> list[DistanceMention]:
    """Find the distances a text states.

    Parameters
    ----------
    text : str
        Report text, any length; time is linear in ``len(text)``.

    Returns
    -------
    list of DistanceMention
        In text order, not overlapping. See the module docstring for what is
        and is not read as a distance.

    Raises
    ------
    InputError
        If `text` is not a string.
    """
    if not isinstance(text, str):
        raise InputError(f"text must be a str, not {type(text).__name__}")
    mentions: list[DistanceMention] = []
    if not _may_hold_distance(text):
        return mentions
    pos = 0
    while (match := _DISTANCE_RE.search(text, pos)) is not None:
        mention = _mention(text, match)
        if mention is None:
            # A rejected match may still contain a shorter distance further on
            # ("between 5 km and 9 mi" holds "5 km" and "9 mi").
            pos = match.start() + 1
        else:
            mentions.append(mention)
            pos = match.end()
    return mentions
