"""Find date expressions in news text and resolve them against the publication date.

:func:`find_dates` returns :class:`DateMention` objects: where a date expression
sits in the text (character offsets), and the calendar days it covers
(``date_start`` .. ``date_end``, both inclusive), anchored on the report's
publication date when the expression is relative ("yesterday", "on the 9th").

Why hand-written rules
----------------------
The forms news reports use are exactly the ones general date parsers misread:
dateparser reads "February 10-20" as 10 February 2020, "the 9th" as September,
"the 28th of last month" not at all, and guesses a year for a bare month from
today's clock rather than from the publication date. So the rules below
(compiled regular expressions, linear in the text length) come first, and
dateparser is only a fallback for caller-supplied candidate spans (e.g. spaCy
DATE entities) that no rule covers. dateparser is imported lazily: importing
it takes a noticeable fraction of a second.

Granularities
-------------
``"day"``
    One calendar day ("February 24, 2022", "yesterday", "on the 9th", "Tuesday").
``"days"``
    A range of days: "February 10-20", "the 10th to the 20th", "mid-February",
    "the past week", "earlier this month", "the weekend".
``"week"``
    A Monday..Sunday week (ISO): "last week", "this week", "two weeks ago".
``"month"``
    One calendar month: "March 2022", "last November", "next month".
``"months"``
    Several months: "February to March 2022", "early 2022" (January-April),
    "the summer of 2014-2015" (June 2014 - August 2015).
``"season"``
    A meteorological season of the northern hemisphere: spring is March-May,
    summer June-August, autumn (fall) September-November, winter
    December-February. "winter 2022" is the winter whose January is in 2022
    (December 2021 - February 2022); "winter 2021-22" is the same winter.
``"year"``
    One calendar year: "in 2014", "last year".
``"years"``
    Several years: "2014-2015", "the 1990s".

Resolution rules
----------------
* Early / mid / late of a month cover days 1-10 / 11-20 / 21-end; of a year,
  months January-April / May-August / September-December; of a season, its
  first / second / third month. "the beginning / middle / end of" are read as
  early / mid / late.
* A day without a year ("February 10", "10-20 February") takes the year that
  puts it nearest the publication date (so within about six months of it);
  on a tie the earlier year. A bare month ("in November") likewise.
* An ordinal day without a month ("on the 9th", "the 10th to the 20th") is a
  day of the publication month, even when it falls after the publication date.
* A weekday ("Tuesday", "on Tuesday") is the most recent such day on or before
  the publication date, as news reports are written in the past tense, unless
  its clause speaks of the future ("will meet on Tuesday", "would reach Punjab
  by Monday", "is due to sign on Friday"): then the first such day on or after
  it; "last Tuesday" is strictly before it, "next Tuesday" strictly after.
* "last / this / next week|month|year" are calendar units around the
  publication date; "the past week / N days / month / 24 hours" is a rolling
  window from that long before the publication date through it (hours round up
  to whole days). "N days ago" is one day; "N weeks ago" the week, "N
  months ago" the month, "N years ago" the year containing that instant.
* "last night" is the day before publication; "tonight" and "this morning"
  are the publication day.
* Numeric dates: ``2022-02-24`` (ISO) and ``24.02.2022`` (day first) are
  read; ``02/03/2022`` is unresolved (day/month order unknown) unless one part
  is larger than 12.

A month name counts only when written with a capital letter ("may" is never a
month). "March", "May", "April", "June", "August" and the abbreviations, which
are also common words or names, count on their own only after a word such as
in / on / since / until / by / of / early / last / next / this; with a day
number or a year they always count. A bare four-digit year counts only after
such a word ("in 2014", "since 2014", "the end of 2021") and when it is within
1900-2100; a number followed by a unit or a count noun ("2000 troops",
"100 km") is never a date.

Mentions whose date cannot be fixed are still returned, with
``resolved=False``, no dates, and a ``reason``: a relative expression without
publication date, a day that does not exist ("31 February 2022"), a range that
ends before it starts, an ambiguous numeric date.

Why this module is long: the date grammar is one table of compiled rules that share helpers and an
order of precedence; split across modules, the precedence would no longer be readable in one place.
"""

from __future__ import annotations

import bisect
import calendar
import datetime
import functools
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from geo_app._errors import InputError

__all__ = ["DateMention", "GRANULARITIES", "find_dates", "relative_to_previous"]

#: Every value :attr:`DateMention.granularity` takes.
GRANULARITIES: frozenset[str] = frozenset(
    {"day", "days", "week", "month", "months", "season", "year", "years"}
)

# Tunables (to move to geo_app.settings; see the module docstring for their meaning).
#: Last day of "early" and of "mid" in a month (early = 1..10, mid = 11..20, late = 21..end).
_MONTH_PART_LAST_DAYS: tuple[int, int] = (10, 20)
#: Last month of "early" and of "mid" in a year (early = Jan..Apr, mid = May..Aug, late = Sep..Dec).
_YEAR_PART_LAST_MONTHS: tuple[int, int] = (4, 8)
#: Range of a bare four-digit number ("in 2014") read as a year.
_BARE_YEAR_RANGE: tuple[int, int] = (1900, 2100)
#: Longest candidate span, in characters, handed to the dateparser fallback.
_FALLBACK_MAX_CHARS: int = 64

_NO_PUB = "relative date and no publication date"
_NO_YEAR = "no year and no publication date"


@dataclass(frozen=True)
class DateMention:
    """A date expression found in a text and the days it stands for.

    Attributes
    ----------
    start, end : int
        Character offsets into the text; ``text[start:end] == self.text``.
    text : str
        The expression as written.
    date_start, date_end : datetime.date or None
        First and last day covered (inclusive); None when unresolved.
    granularity : str
        One of :data:`GRANULARITIES`.
    resolved : bool
        False when the expression could not be anchored; ``reason`` says why.
    reason : str
        Why it is unresolved; empty when resolved.
    """

    start: int
    end: int
    text: str
    date_start: datetime.date | None
    date_end: datetime.date | None
    granularity: str
    resolved: bool
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (dates as ISO strings or None)."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "date_start": self.date_start.isoformat() if self.date_start else None,
            "date_end": self.date_end.isoformat() if self.date_end else None,
            "granularity": self.granularity,
            "resolved": self.resolved,
            "reason": self.reason,
        }


class _Unresolvable(Exception):
    """Raised inside a rule when the expression is a date but cannot be anchored."""

    def __init__(self, granularity: str, reason: str) -> None:
        super().__init__(reason)
        self.granularity = granularity
        self.reason = reason


# --- vocabulary -------------------------------------------------------------------

_FULL_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)
_ABBR_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH_NUM = {name: i + 1 for i, name in enumerate(_FULL_MONTHS)} | _ABBR_MONTHS
# Month words that are also everyday words or first names.
_AMBIGUOUS_MONTHS = frozenset({"march", "may", "april", "june", "august"} | set(_ABBR_MONTHS))
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# "Good Friday", "Bloody Sunday": named days, not the last such weekday.
_WEEKDAY_NAMERS = frozenset(
    {"good", "black", "bloody", "ash", "super", "holy", "maundy", "shrove", "cyber", "easter", "palm", "blue"}
)
_SEASON_START = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
# Words after which a lone month name or a bare year is a date.
_CONTEXT_WORDS = frozenset(
    {
        "in", "on", "since", "until", "till", "by", "from", "through", "throughout", "during",
        "before", "after", "between", "of", "early", "mid", "late", "last", "next", "this",
        "around", "circa", "year",
    }
)
# A lone month or bare year may follow "of" only after these ("the end of 2021",
# "summer of 2014", "the first week of March").
_OF_HEADS = frozenset(
    {"end", "start", "beginning", "middle", "half", "rest", "course", "part", "spring", "summer",
     "autumn", "fall", "winter", "year", "month", "week", "weeks", "days", "ides"}
)
# Nouns and units that make the number before them a count, not a day or year.
_COUNT_WORDS = (
    "percent", "per cent", "km", "kms", "kilometers", "kilometres", "kilometer", "kilometre",
    "miles", "mile", "mi", "m", "meters", "metres", "ft", "feet", "kg", "kilograms", "t", "tons",
    "tonnes", "ha", "hectares", "acres", "sq", "square", "cubic", "barrels", "people", "persons",
    "troops", "soldiers", "servicemen", "men", "women", "children", "civilians", "residents",
    "refugees", "fighters", "militants", "mercenaries", "conscripts", "reservists", "recruits",
    "sailors", "marines", "personnel", "casualties", "dead", "killed", "wounded", "injured",
    "victims", "prisoners", "deaths", "tanks", "vehicles", "aircraft", "jets", "planes",
    "helicopters", "drones", "missiles", "rockets", "shells", "rounds", "units", "weapons",
    "guns", "howitzers", "artillery", "shots", "sorties", "strikes", "attacks", "flights",
    "dollars", "euros", "rubles", "roubles", "hryvnias", "hryvnia", "usd", "eur", "rub", "uah",
    "times", "cases", "homes", "houses", "buildings", "villages", "towns", "cities",
    "settlements", "votes", "kph", "mph", "hours", "minutes", "seconds", "days", "weeks",
    "months", "years",
)


def _trie(words: Iterable[str], fold: bool = False) -> str:
    """Prefix-factored alternation of ``words``, longest match first.

    The regex engine skips a branch on its first character only when that is a
    plain literal or class, so a factored alternation (with ``[xX]`` classes when
    ``fold``) costs a few character tests where a flat ``(?i:a|b|...)`` tries all.
    """
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = []
        for ch in sorted(k for k in node if k):
            if ch == " ":
                atom = r"\s"
            elif fold and ch.lower() != ch.upper():
                atom = f"[{re.escape(ch.lower())}{re.escape(ch.upper())}]"
            else:
                atom = re.escape(ch)
            branches.append(atom + emit(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return "(?:" + emit(tree) + ")"


def _cased(words: Iterable[str]) -> str:
    """Alternation of the Capitalized and UPPER forms of ``words``."""
    return _trie({f for w in words for f in (w.capitalize(), w.upper())})


# Whitespace runs are bounded ({1,3}) so that no rule backtracks over long blanks.
_S = r"\s{1,3}"
_S0 = r"\s{0,3}"
_COUNT = rf"(?:%|{_trie(_COUNT_WORDS, fold=True)}(?!\w))"
_NOT_COUNT = rf"(?!{_S0}{_COUNT})"
_MON_CORE = rf"(?:(?:{_cased(_FULL_MONTHS)})(?!\w)|(?:{_cased(_ABBR_MONTHS)})(?:\.|(?!\w)))"
_WD_CORE = rf"(?:{_cased(_WEEKDAYS)})(?!\w)"
_DAY_NUM = r"(?:0?[1-9]|[12][0-9]|3[01])"
# Range separator between two days (or months, or years).
_RSEP = rf"{_S0}(?:[-–—/]|(?i:to|through|thru|until|till|and)(?!\w)){_S0}"
_THE = rf"(?:(?i:the){_S})"
_PART = (
    r"(?P<part>(?<!\w)(?i:early|mid|late"
    rf"|(?:the{_S})?(?:beginning|start|middle|end){_S}of"
    r"|(?:end|start)(?=\s{0,3}-)))"
)
_PSEP = rf"(?:{_S0}-{_S0}|{_S})"
_MONTH_REL = r"(?i:last|this|next|past|previous|coming)"


def _mon(name: str) -> str:
    return rf"(?<!\w)(?P<{name}>{_MON_CORE})"


def _day(name: str) -> str:
    return rf"(?<![0-9])(?P<{name}>{_DAY_NUM})(?:(?i:st|nd|rd|th))?(?!\w){_NOT_COUNT}"


def _ord(name: str) -> str:
    return rf"(?<![0-9])(?P<{name}>{_DAY_NUM})(?i:st|nd|rd|th)(?!\w)"


def _year(name: str) -> str:
    return rf"(?<![0-9])(?P<{name}>[12][0-9]{{3}})(?!\w){_NOT_COUNT}"


_WD_PREFIX = rf"(?:(?<!\w){_WD_CORE},?{_S})?"
# After a lone ordinal ("on the 10th"), what may follow: not a noun ("the 10th Brigade").
_ORD_FOLLOW = (
    rf"{_S0}(?:$|[,.;:!?)\]\"'’”]"
    rf"|(?i:and|to|through|until|till|or)(?!\w)(?!{_S}(?:{_THE})?[0-9])"
    r"|(?i:in|at|on|when|while|after|before|as|from|with|but|near|during|that|said|says"
    r"|was|were|had|has|have|is|are|saw|morning|afternoon|evening|night|last|this)(?!\w))"
)

# --- patterns -----------------------------------------------------------------------

_RX_ISO = re.compile(
    r"(?<![\w./:-])(?P<y>[12][0-9]{3})(?P<sep>[-/])(?P<m>0?[1-9]|1[0-2])(?P=sep)"
    r"(?P<d>0?[1-9]|[12][0-9]|3[01])(?![0-9]|[-/.][0-9]|[A-SU-Za-z_])"
)
_RX_NUMERIC = re.compile(
    r"(?<![\w./:-])(?P<a>[0-9]{1,2})(?P<sep>[./])(?P<b>[0-9]{1,2})(?P=sep)(?P<y>[12][0-9]{3})"
    r"(?![0-9]|[-/.][0-9]|[A-Za-z_])"
)
# "February 24, 2022", "Feb. 24", "Tuesday, February 22", "February 10-20", "Feb 28 to March 2".
_RX_MONTH_DAY = re.compile(
    rf"{_WD_PREFIX}{_THE}?{_mon('m1')}{_S0}{_day('d1')}(?:,?{_S0}{_year('y1')})?"
    rf"(?:{_RSEP}(?:{_mon('m2')}{_S0})?{_day('d2')}(?:,?{_S0}{_year('y2')})?)?"
)
# "24 February 2022", "the 9th of February", "28 February to 2 March".
_RX_DAY_MONTH = re.compile(
    rf"{_WD_PREFIX}{_THE}?(?<![\w.,/:$€£#+-]){_day('d1')}(?:{_S}(?i:of))?{_S}{_mon('m1')}"
    rf"(?:,?{_S0}{_year('y1')})?"
    rf"(?:{_RSEP}{_THE}?{_day('d2')}(?:{_S}(?i:of))?{_S}{_mon('m2')}(?:,?{_S0}{_year('y2')})?)?"
)
# "10-20 February", "the 8th to the 9th of February 2022".
_RX_DAYS_MONTH = re.compile(
    rf"{_THE}?(?<![\w.,/:$€£#+-]){_day('d1')}{_RSEP}{_THE}?{_day('d2')}(?:{_S}(?i:of))?{_S}{_mon('m1')}"
    rf"(?:,?{_S0}{_year('y1')})?"
)
# "the 9th", "the 10th to the 20th", "the 28th of last month".
_RX_ORDINAL = re.compile(
    rf"(?:(?P<the>(?i:the)){_S})?{_ord('d1')}(?:{_RSEP}{_THE}?{_ord('d2')})?"
    rf"(?:{_S}(?i:of){_S}(?P<rel>(?i:this|last|next|past|previous|current|coming"
    rf"|the{_S}(?:previous|current|past|coming))){_S}(?i:month)(?!\w)|(?={_ORD_FOLLOW}))"
)
# "March 2022", "last November", "mid-February", "February to March 2022".
_RX_MONTH = re.compile(
    rf"(?:{_PART}{_PSEP})?(?:(?<!\w)(?P<rel>{_MONTH_REL}){_S})?{_mon('m1')}"
    rf"(?:{_RSEP}{_mon('m2')}(?!{_S0}[0-9]{{1,2}}(?![0-9])))?(?:,?{_S}(?:(?i:of){_S})?{_year('y')})?"
)
# "mid-2021", "early this month", "the end of last year".
_RX_PART_UNIT = re.compile(
    rf"{_PART}{_PSEP}(?:{_year('y')}"
    rf"|(?P<rel>(?i:this|last|next|past|previous|current|coming|the{_S}(?:previous|current|past|coming)))"
    rf"{_S}(?P<unit>(?i:month|year))(?!\w))"
)
_RX_REL_UNIT = re.compile(
    rf"(?<!\w)(?P<rel>(?i:last|this|next|coming)){_S}(?P<unit>(?i:week|weekend|month|year))(?!\w)"
    rf"(?!{_S}(?i:of)(?!\w))"
)
_RX_ROLLING = re.compile(
    rf"(?<!\w)(?i:the|this|these){_S}(?i:past|last){_S}"
    rf"(?:(?P<n>[0-9]{{1,3}}|{_trie(_NUMBER_WORDS, fold=True)}){_S})?"
    rf"(?P<unit>(?i:days?|weeks?|months?|years?|hours?|fortnight))(?!\w)(?!{_S}(?i:of)(?!\w))"
)
_RX_AGO = re.compile(
    rf"(?<![\w.,])(?P<n>[0-9]{{1,3}}|{_trie(_NUMBER_WORDS, fold=True)}|(?i:a){_S}(?i:couple){_S}(?i:of))"
    rf"{_S}(?P<unit>(?i:days?|weeks?|months?|years?|decades?)){_S}(?i:ago)(?!\w)"
)
_RX_DAY_WORD = re.compile(
    rf"(?<!\w)(?P<w>(?i:the{_S}day{_S}before{_S}yesterday|the{_S}day{_S}after{_S}tomorrow"
    rf"|yesterday|today|tomorrow|tonight|last{_S}night|this{_S}(?:morning|afternoon|evening)"
    rf"|earlier{_S}today))(?!\w)"
)
_RX_EARLIER = re.compile(
    rf"(?<!\w)(?P<el>(?i:earlier|later)){_S}(?i:this){_S}(?P<unit>(?i:week|month|year))(?!\w)"
)
_RX_WEEKEND = re.compile(rf"(?<!\w)(?i:the){_S}(?i:weekend)(?!\w)")
_RX_WEEKDAY = re.compile(
    rf"(?:(?<!\w)(?P<rel>(?i:last|this|next|past|previous|coming)){_S})?(?<!\w)(?P<wd>{_WD_CORE})"
)
_RX_SEASON = re.compile(
    rf"(?:{_PART}{_PSEP})?(?:(?<!\w)(?P<rel>{_MONTH_REL}){_S})?"
    rf"(?<!\w)(?P<s>(?i:spring|summer|autumn|fall|winter))(?!\w)"
    rf"(?:{_S}(?:(?i:of){_S})?{_year('y')}(?:{_S0}[-–/]{_S0}(?P<y2>[0-9]{{4}}|[0-9]{{2}})(?!\w))?)?"
)
_RX_DECADE = re.compile(rf"(?<![\w'’])(?:(?i:the){_S})?(?P<dec>1[0-9]{{2}}0|20[0-9]0)s(?!\w)")
_RX_YEAR = re.compile(
    rf"(?<![\w.,/:'’$€£#+-])(?P<y>[12][0-9]{{3}})"
    rf"(?:{_S0}(?:[-–/]{_S0}(?P<y2s>[12][0-9]{{3}}|[0-9]{{2}})"
    rf"|(?i:to|through|until|and){_S0}(?P<y2w>[12][0-9]{{3}})))?"
    rf"(?![\w%]){_NOT_COUNT}"
)
# Matched against the reversed text before a position: the previous word, reversed.
_RX_PREV_WORD_REV = re.compile(r"\s{1,3}([^\W\d_]+)")
_RX_ANY_MONTH = re.compile(rf"(?<!\w){_MON_CORE}")
_RX_LOWER_MONTH = re.compile(r"(?<!\w)(?:" + "|".join(_MONTH_NUM) + r")(?!\w)")
_RX_FALLBACK_ANCHOR = re.compile(
    rf"(?<!\w)(?:{_MON_CORE}|{_WD_CORE})|(?<![0-9])[12][0-9]{{3}}(?![0-9])"
    r"|(?i:(?<!\w)(?:ago|yesterday|today|tomorrow)(?!\w))"
)
_RX_BARE_ORDINAL = re.compile(r"(?<![0-9])[0-9]{1,2}(?i:st|nd|rd|th)(?!\w)")
_RX_FOUR_DIGITS = re.compile(r"(?<![0-9])([0-9]{4})(?![0-9])")

# --- calendar helpers ---------------------------------------------------------------


def _need(pub: datetime.date | None, granularity: str, reason: str = _NO_PUB) -> datetime.date:
    if pub is None:
        raise _Unresolvable(granularity, reason)
    return pub


def _mk(year: int, month: int, day: int, granularity: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise _Unresolvable(granularity, f"no such date: {year:04d}-{month:02d}-{day:02d}") from None


def _shift_month(year: int, month: int, k: int) -> tuple[int, int]:
    y, m0 = divmod(year * 12 + month - 1 + k, 12)
    return y, m0 + 1


def _month_days(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, 1), datetime.date(year, month, last)


def _week_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


def _month_part(year: int, month: int, part: str) -> tuple[datetime.date, datetime.date]:
    first, last = _month_days(year, month)
    early_end, mid_end = _MONTH_PART_LAST_DAYS
    lo, hi = {"early": (1, early_end), "mid": (early_end + 1, mid_end), "late": (mid_end + 1, last.day)}[part]
    return datetime.date(year, month, lo), datetime.date(year, month, min(hi, last.day))


def _year_part(year: int, part: str) -> tuple[datetime.date, datetime.date]:
    early_end, mid_end = _YEAR_PART_LAST_MONTHS
    lo, hi = {"early": (1, early_end), "mid": (early_end + 1, mid_end), "late": (mid_end + 1, 12)}[part]
    return datetime.date(year, lo, 1), _month_days(year, hi)[1]


def _norm_part(part: str) -> str:
    word = part.lower().split()[-2 if part.lower().endswith("of") else -1]
    return {"beginning": "early", "start": "early", "middle": "mid", "end": "late"}.get(word, word)


def _nearest_year_day(pub: datetime.date, month: int, day: int, granularity: str) -> int:
    """Year putting month/day nearest the publication date (ties: earlier)."""
    best: tuple[int, int] | None = None
    for year in (pub.year - 1, pub.year, pub.year + 1):
        try:
            d = datetime.date(year, month, day)
        except ValueError:
            continue
        key = (abs((d - pub).days), year)
        if best is None or key < best:
            best = key
    if best is None:
        raise _Unresolvable(granularity, f"no such date: {calendar.month_name[month]} {day}")
    return best[1]


def _nearest_year_month(pub: datetime.date, month: int) -> int:
    here = pub.year * 12 + pub.month
    return min((pub.year - 1, pub.year, pub.year + 1), key=lambda y: (abs(y * 12 + month - here), y))


_REL_STEP = {"last": -1, "previous": -1, "past": -1, "this": 0, "current": 0, "next": 1, "coming": 1}


def _rel_month(pub: datetime.date, rel: str) -> tuple[int, int]:
    return _shift_month(pub.year, pub.month, _REL_STEP[rel.lower().split()[-1]])


def _mnum(word: str) -> int:
    return _MONTH_NUM[word.rstrip(".").lower()]


def _prev_word(text: str, pos: int) -> tuple[str, int]:
    """The word just before ``pos`` (separated by whitespace only), lowercased, and its start."""
    m = _RX_PREV_WORD_REV.match(text[max(0, pos - 24) : pos][::-1])
    return (m.group(1)[::-1].lower(), pos - m.end()) if m else ("", pos)


def _in_context(text: str, pos: int) -> bool:
    """Whether the word before ``pos`` makes a lone month name or bare year a date."""
    word, wstart = _prev_word(text, pos)
    if word == "of":
        return _prev_word(text, wstart)[0] in _OF_HEADS
    if word in ("and", "or", "to"):
        # "in January and March": another month just before.
        return _RX_ANY_MONTH.search(text, max(0, wstart - 30), wstart) is not None
    return word in _CONTEXT_WORDS


# --- rule handlers: (match, text, pub) -> (start date, end date, granularity) or None ---

_Result = tuple[datetime.date, datetime.date, str] | None


def _md_range(
    pub: datetime.date | None,
    m1: int, d1: int, y1: str | None,
    m2: int | None, d2: str | None, y2: str | None,
) -> _Result:
    if d2 is None:
        year = y1 or y2
        if year:
            day = _mk(int(year), m1, d1, "day")
        else:
            p = _need(pub, "day", _NO_YEAR)
            day = _mk(_nearest_year_day(p, m1, d1, "day"), m1, d1, "day")
        return day, day, "day"
    m2 = m1 if m2 is None else m2
    e = int(d2)
    if m2 == m1 and e < d1 and not (y1 and y2):
        raise _Unresolvable("days", "range ends before it starts")
    wraps = (m2, e) < (m1, d1)  # "December 28 to January 3" runs into the next year
    if y1 and y2:
        ys, ye = int(y1), int(y2)
    elif y2:
        ye = int(y2)
        ys = ye - 1 if wraps else ye
    elif y1:
        ys = int(y1)
        ye = ys + 1 if wraps else ys
    else:
        p = _need(pub, "days", _NO_YEAR)
        ys = _nearest_year_day(p, m1, d1, "days")
        ye = ys + 1 if wraps else ys
    start, end = _mk(ys, m1, d1, "days"), _mk(ye, m2, e, "days")
    if end < start:
        raise _Unresolvable("days", "range ends before it starts")
    return start, end, "day" if start == end else "days"


def _h_iso(m: re.Match[str], text: str, pub: datetime.date | None) -> _Result:
    day = _mk(int(m["y"]), int(m["m"]), int(m["d"]), "day")
    return day, day, "day"


def _h_numeric(m: re.Match[str], text: str, pub: datetime.date | None) -> _Result:
    a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
    if m["sep"] == ".":
        day, month = a, b
    elif a > 12 >= b:
        day, month = a, b
    elif b > 12 >= a:
        day, month = b, a
    elif a == b:
        day = month = a
    else:
        raise _Unresolvable("day", "ambiguous numeric date (day/month order unknown)")
    d = _mk(y, month, day, "day")
    return d, d, "day"


def _h_month_day(m: re.Match[str], text: str, pub: datetime.date | None) -> _Result:
    m2 = _mnum(m["m2"]) if m["m2"] else None
    return _md_range(pub, _mnum(m["m1"]), int(m["d1"]), m["y1"], m2, m["d2"], m["y2"])


def _h_day_month(m: re.Match[str], text: str, pub: datetime.date | None) -> _Result:
    if m["d2"] is None:
        return _md_range(pub, _mnum(m["m1"]), int(m["d1"]), m["y1"], None, None, None)
    return _md_range(pub, _mnum(m["m1"]), int(m["d1"]), m["y1"], _mnum(m["m2"]), m["d2"], m["y2"])


def _h_days_month(m: re.Match[str], text: str, pub: datetime.date | None) -> _Result:
    month = _mnum(m["m1"])
    return _md_range(pub, month, int(m["d1"]), None, month, m["d2"], m["y1"])


def _h_ordinal(m: re.Match[str], text: str, pub: datetime.date | None) -> _Result:
    if m["the"] is None and m["rel"] is None:
        return None
    gran = "day" if m["d2"] is None else "days"
    p = _need(pub, gran)
    year, month = _rel_month(p, m["rel"]) if m["rel"] else (p.year, p.month)
    start = _mk(year, month, int(m["d1"]), gran)
    end = start if m["d2"] is None else _mk(year, month, int(m["d2"]), gran)
    if end < start:
        raise _Unresolvable(gran, "range ends before it starts")
    return start, end, gran


def _h_month(m: re.Match[str], text: str, pub: datetime.date | None) -> _Result:
    m1 = _mnum(m["m1"])
    part, rel, y = m["part"], m["rel"], m["y"]
    if not (part or rel or y or m["m2"]):
        word = m["m1"].rstrip(".").lower()
        if word in _AMBIGUOUS_MONTHS and not _in_context(text, m.start("m1")):
            return None
    gran = "months" if m["m2"] else ("days" if part else "month")
    if y:
        year = int(y)
        if m["m2"] and _mnum(m["m2"]) < m1:  # "November to February 2022"
            year -= 1
    elif rel:
        p = _need(pub, gran)
        word = rel.lower()
        if word in ("last", "past", "previous"):
            year = p.year if m1 < p.month else p.year - 1
        elif word in ("next", "coming"):
            year = p.year if m1 > p.month else p.year + 1
        else:
            year = p.year
    else:
        year = _nearest_year_month(_need(pub, gran, _NO_YEAR), m1)
    if m["m2"]:
        m2 = _mnum(m["m2"])
        end_year = year if m2 >= m1 else year + 1
        # "May-May" names one month: its granularity says so ("months" is several).
        return _month_days(year, m1)[0], _month_days(end_year, m2)[1], "months" if m2 != m1 else "month"
    if part:
        start, end = _month_part(year, m1, _norm_part(part))
        return start, end, "days"
    start, end = _month_days(year, m1)
    return start, end, "month"


def _h_part_unit(m: re.Match[str], text: str, pub: datetime.date | None) -> _Result:
    part = _norm_part(m["part"])
    if m["y"]:
        year = int(m["y"])
        if not _BARE_YEAR_RANGE[0] <= year <= _BARE_YEAR_RANGE[1]:
            return None
        start, end = _year_part(year, part)
        return start, end, "months"
    unit = m["unit"].lower()
    gran = "days" if unit == "month" else "months"
    p = _need(pub, gran)
    if unit == "month":
        year, month = _rel_month(p, m["rel"])
        start, end = _month_part(year, month, part)
        return start, end, "days"
    k = _REL_STEP[m["rel"].lower().split()[-1]]
    start, end = _year_part(p.year + k, part)
    return start, end, "months"


def _h_rel_unit(m: re.Match[str], text: str, pub: datetime.date | None) -> _Result:
    if _prev_word(text, m.start())[0] == "the":  # "the last week of February"
        return None
    unit = m["unit"].lower()
    gran = {"week": "week", "weekend": "days", "month": "month", "year": "year"}[unit]
    p = _need(pub, gran)
    k = _REL_STEP[m["rel"].lower()]
    if unit in ("week", "weekend"):
        monday = _week_of(p)[0] + datetime.timedelta(weeks=k)
        if unit == "week":
            return monday, monday + datetime.timedelta(days=6), "week"
        return monday + datetime.timedelta(days=5), monday + datetime.timedelta(days=6), "days"
    if unit == "month":
        start, end = _month_days(*_shift_month(p.year, p.month, k))
        return start, end, "month"
    return datetime.date(p.year + k, 1, 1), datetime.date(p.year + k, 12, 31), "year"


def _count(word: str) -> int:
    w = " ".join(word.lower().split())
    if w.isdigit():
        return int(w)
    return 2 if w.startswith("a couple") else _NUMBER_WORDS[w]


def _h_rolling(m: re.Match[str], text: str, pub: datetime.date | None) -> _Result:
    unit = m["unit"].lower().rstrip("s")
    if m["n"] is None and unit in ("day", "hour"):  # "the last day" is narrative, not a window
        return None
    n = _count(m["n"]) if m["n"] else 1
    p = _need(pub, "days")
    if unit == "hour":
        start = p - datetime.timedelta(days=max(1, -(-n // 24)))
    elif unit in ("day", "week", "fortnight"):
        start = p - datetime.timedelta(days=n * {"day": 1, "week": 7, "fortnight": 14}[unit])
    else:
        y, mo = _shift_month(p.year, p.month, -n * (12 if unit == "year" else 1))
        start = datetime.date(y, mo, min(p.day, calendar.monthrange(y, mo)[1]))
    return start, p, "days"


def _h_ago(m: re.Match[str], text: str, pub: datetime.date | None) -> _Result:
    unit = m["unit"].lower().rstrip("s")
    gran = {"day": "day", "week": "week", "month": "month", "year": "year", "decade": "year"}[unit]
    p = _need(pub, gran)
    n = _count(m["n"])
    if unit == "day":
        d = p - datetime.timedelta(days=n)
        return d, d, "day"
    if unit == "week":
        start, end = _week_of(p - datetime.timedelta(weeks=n))
        return start, end, "week"
    if unit == "month":
        start, end = _month_days(*_shift_month(p.year, p.month, -n))
        return start, end, "month"
    year = p.year - n * (10 if unit == "decade" else 1)
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31), "year"


def _h_day_word(m: re.Match[str], text: str, pub: datetime.date | None) -> _Result:
    word = " ".join(m["w"].lower().split())
    if m["w"].startswith("Today"):
        before = text[max(0, m.start() - 24) : m.start()].split()
        if before and before[-1][:1].isupper() and before[-1][-1] not in ".!?:;\"'”":
            return None  # a name: "USA Today", "Russia Today"
    p = _need(pub, "day")
    offset = {
        "the day before yesterday": -2, "the day after tomorrow": 2, "yesterday": -1,
        "last night": -1, "tomorrow": 1,
    }.get(word, 0)
    d = p + datetime.timedelta(days=offset)
    return d, d, "day"


def _h_earlier(m: re.Match[str], text: str, pub: datetime.date | None) -> _Result:
    p = _need(pub, "days")
    unit = m["unit"].lower()
    if unit == "week":
        first, last = _week_of(p)
    elif unit == "month":
        first, last = _month_days(p.year, p.month)
    else:
        first, last = datetime.date(p.year, 1, 1), datetime.date(p.year, 12, 31)
    return (first, p, "days") if m["el"].lower() == "earlier" else (p, last, "days")


def _h_weekend(m: re.Match[str], text: str, pub: datetime.date | None) -> _Result:
    if _prev_word(text, m.start())[0] not in ("over", "during", "at", "on"):
        return None  # "the weekend" alone may be any weekend
    p = _need(pub, "days")
    wd = p.weekday()
    saturday = p - datetime.timedelta(days=wd - 5 if wd >= 5 else wd + 2)
    return saturday, saturday + datetime.timedelta(days=1), "days"


#: The future in the clause before a weekday: a modal or a "due / expected / set to" phrase.
_RX_FUTURE = re.compile(r"(?i)\b(?:will|would|shall|won't|wouldn't|(?:is|are|was|were)\s+(?:due|expected|set|"
                        r"scheduled|planned|going|about)\s+to|(?:is|are)\s+to|plans?\s+to|scheduled\s+for)\b|'ll\b")
_RX_CLAUSE_END = re.compile(r"[.!?;:]\s")


def _future_clause(text: str, pos: int) -> bool:
    """Whether the clause before ``pos`` speaks of the future (its sentence, at most 120 characters back)."""
    start = max(0, pos - 120)
    ends = [e.end() for e in _RX_CLAUSE_END.finditer(text, start, pos)]
    return _RX_FUTURE.search(text, ends[-1] if ends else start, pos) is not None


def _h_weekday(m: re.Match[str], text: str, pub: datetime.date | None) -> _Result:
    rel = (m["rel"] or "").lower()
    if not rel and _prev_word(text, m.start("wd"))[0] in _WEEKDAY_NAMERS:
        return None
    p = _need(pub, "day")
    wd = _WEEKDAYS.index(m["wd"].lower())
    if rel in ("last", "past", "previous"):
        d = p - datetime.timedelta(days=(p.weekday() - wd - 1) % 7 + 1)
    elif rel in ("next", "coming"):
        d = p + datetime.timedelta(days=(wd - p.weekday() - 1) % 7 + 1)
    elif not rel and _future_clause(text, m.start()):
        d = p + datetime.timedelta(days=(wd - p.weekday()) % 7)
    else:
        d = p - datetime.timedelta(days=(p.weekday() - wd) % 7)
    return d, d, "day"


def _season(name: str, year: int) -> tuple[datetime.date, datetime.date]:
    """Season ``name`` of ``year``; a winter is labelled by the year of its January."""
    first = _SEASON_START[name]
    start_year = year - 1 if first == 12 else year
    end_year, end_month = _shift_month(start_year, first, 2)
    return datetime.date(start_year, first, 1), _month_days(end_year, end_month)[1]


def _h_season(m: re.Match[str], text: str, pub: datetime.date | None) -> _Result:
    name, rel = m["s"].lower(), (m["rel"] or "").lower()
    gran = "month" if m["part"] else "season"
    if m["y"]:
        y1 = int(m["y"])
        if m["y2"]:
            y2 = int(m["y2"]) if len(m["y2"]) == 4 else y1 // 100 * 100 + int(m["y2"])
            if y2 <= y1 and not (name == "winter" and y2 == y1):
                raise _Unresolvable(gran, "range ends before it starts")
            if name == "winter":  # "winter 2021-22": the winter from December 2021
                if y2 != y1 + 1:
                    raise _Unresolvable(gran, "a winter spans two consecutive years")
                start, end = _season(name, y2)
            else:
                start, end = _season(name, y1)[0], _season(name, y2)[1]
        else:
            start, end = _season(name, y1)
    elif rel:
        p = _need(pub, gran)
        options = [_season(name, y) for y in range(p.year - 2, p.year + 3)]
        if rel in ("last", "past", "previous"):
            start, end = max(s for s in options if s[1] < p)
        elif rel in ("next", "coming"):
            start, end = min(s for s in options if s[0] > p)
        else:
            def distance(s: tuple[datetime.date, datetime.date]) -> tuple[int, datetime.date]:
                gap = 0 if s[0] <= p <= s[1] else min(abs((s[0] - p).days), abs((s[1] - p).days))
                return gap, s[0]

            start, end = min(options, key=distance)
    else:
        return None
    if m["part"] and not m["y2"]:
        k = {"early": 0, "mid": 1, "late": 2}[_norm_part(m["part"])]
        start, end = _month_days(*_shift_month(start.year, start.month, k))
        return start, end, "month"
    # "the summer of 2014-2015" runs from one summer to the next: several months, not a season.
    one_season = (end.year * 12 + end.month) - (start.year * 12 + start.month) == 2
    return start, end, "season" if one_season else "months"


def _h_decade(m: re.Match[str], text: str, pub: datetime.date | None) -> _Result:
    y = int(m["dec"])
    return datetime.date(y, 1, 1), datetime.date(y + 9, 12, 31), "years"


def _h_year(m: re.Match[str], text: str, pub: datetime.date | None) -> _Result:
    lo, hi = _BARE_YEAR_RANGE
    y1 = int(m["y"])
    if not lo <= y1 <= hi:
        return None
    y2s = m["y2s"] or m["y2w"]
    if y2s is None:
        if not _in_context(text, m.start()):
            return None
        return datetime.date(y1, 1, 1), datetime.date(y1, 12, 31), "year"
    y2 = int(y2s) if len(y2s) == 4 else y1 // 100 * 100 + int(y2s)
    if not (lo <= y2 <= hi and y2 > y1) and not _in_context(text, m.start()):
        return None
    if y2 <= y1:
        raise _Unresolvable("years", "range ends before it starts")
    return datetime.date(y1, 1, 1), datetime.date(y2, 12, 31), "years"


_Handler = Callable[[re.Match[str], str, "datetime.date | None"], _Result]

_PART_WORDS = ("early", "mid", "late", "the", "beginning", "start", "middle", "end")
_REL_WORDS = ("last", "this", "next", "past", "previous", "coming")
_DIGITS2 = "<1-2 digits>"
_DIGITS3 = "<3 digits>"
_DIGITS4 = "<4 digits>"
_MONTH = "<month>"
_WEEKDAY = "<weekday>"
# (pattern, handler, granularity if it fails on an out-of-range date, tokens the
#  pattern can start at). Of the matches at one position the longest wins; on a tie, the earlier rule.
_RULES: tuple[tuple[re.Pattern[str], _Handler, str, tuple[str, ...]], ...] = (
    (_RX_ISO, _h_iso, "day", (_DIGITS4,)),
    (_RX_NUMERIC, _h_numeric, "day", (_DIGITS2,)),
    (_RX_MONTH_DAY, _h_month_day, "day", (_MONTH, _WEEKDAY, "the")),
    (_RX_DAY_MONTH, _h_day_month, "day", (_DIGITS2, _WEEKDAY, "the")),
    (_RX_DAYS_MONTH, _h_days_month, "days", (_DIGITS2, "the")),
    (_RX_ORDINAL, _h_ordinal, "day", (_DIGITS2, "the")),
    (_RX_PART_UNIT, _h_part_unit, "months", _PART_WORDS),
    (_RX_MONTH, _h_month, "month", (_MONTH, *_PART_WORDS, *_REL_WORDS)),
    (_RX_SEASON, _h_season, "season", (*_PART_WORDS, *_REL_WORDS, *_SEASON_START)),
    (_RX_ROLLING, _h_rolling, "days", ("the", "this", "these")),
    (_RX_EARLIER, _h_earlier, "days", ("earlier", "later")),
    (_RX_REL_UNIT, _h_rel_unit, "month", ("last", "this", "next", "coming")),
    (_RX_AGO, _h_ago, "day", (_DIGITS2, _DIGITS3, *_NUMBER_WORDS)),
    (_RX_DAY_WORD, _h_day_word, "day",
     ("the", "yesterday", "today", "tomorrow", "tonight", "last", "this", "earlier")),
    (_RX_WEEKEND, _h_weekend, "days", ("the",)),
    (_RX_WEEKDAY, _h_weekday, "day", (_WEEKDAY, *_REL_WORDS)),
    (_RX_DECADE, _h_decade, "years", (_DIGITS4, "the")),
    (_RX_YEAR, _h_year, "year", (_DIGITS4,)),
)


# Screens for the commonest start tokens (short numbers and "the"): one cheap match
# that is necessary for any rule to match there and, by its named branch, tells which
# rules can. E.g. "the" followed by a number can only start "the 9th ...".
_SCREEN_SHORT_NUMBER = re.compile(
    r"[0-9]{1,3}(?:(?P<num>[./][0-9])|(?P<ord>(?i:st|nd|rd|th)(?!\w))"
    r"|(?P<rng>\s{0,3}(?:[-–—/]|(?i:to|through|thru|until|till|and)(?!\w)))"
    r"|(?P<word>\s{1,3}(?:[A-Z]|[Oo][Ff]\s|[dwmy])))"
)
_SCREEN_3_DIGITS = re.compile(r"[0-9]{3}(?P<word>\s{1,3}[dwmyDWMY])")
_SCREEN_THE = re.compile(
    r"(?i:the)\s{1,3}(?:(?P<num>[0-9])|(?P<part>(?i:beginning|start|middle|end)(?!\w))"
    r"|(?P<past>(?i:past|last)(?!\w))|(?P<day>(?i:day)(?!\w))|(?P<weekend>(?i:weekend)(?!\w))"
    r"|(?P<cap>[A-Z]))"
)
_SCREENS: dict[str, tuple[re.Pattern[str], dict[str, tuple[_Handler, ...]]]] = {
    _DIGITS2: (_SCREEN_SHORT_NUMBER, {
        "num": (_h_numeric, _h_days_month),
        "ord": (_h_day_month, _h_days_month, _h_ordinal),
        "rng": (_h_days_month,),
        "word": (_h_day_month, _h_ago),
    }),
    _DIGITS3: (_SCREEN_3_DIGITS, {"word": (_h_ago,)}),
    "the": (_SCREEN_THE, {
        "num": (_h_day_month, _h_days_month, _h_ordinal, _h_decade),
        "part": (_h_part_unit, _h_month, _h_season),
        "past": (_h_rolling,),
        "day": (_h_day_word,),
        "weekend": (_h_weekend,),
        "cap": (_h_month_day,),
    }),
}

# start token -> (screen or None, rule indices, screen branch -> rule indices)
_Entry = tuple["re.Pattern[str] | None", tuple[int, ...], dict[str, tuple[int, ...]]]


def _dispatch_tables() -> tuple[dict[str, _Entry], dict[str, _Entry]]:
    """Start token -> the rules that can start there.

    The first table holds exact forms (and digit-count keys), the second
    lowercased keywords for odd casings ("tHe"). Month names and weekdays are
    only in the first, Capitalized or UPPER: "may" is never May.
    """
    by_key: dict[str, list[int]] = {}
    for i, rule in enumerate(_RULES):
        for key in rule[3]:
            by_key.setdefault(key, []).append(i)
    exact: dict[str, set[int]] = {}
    for key, rules in by_key.items():
        if key in (_MONTH, _WEEKDAY):
            names = _MONTH_NUM if key == _MONTH else _WEEKDAYS
            forms = {f for name in names for f in (name.capitalize(), name.upper())}
        elif key.startswith("<"):
            forms = {key}
        else:
            forms = {key, key.capitalize(), key.upper()}
        for form in forms:
            exact.setdefault(form, set()).update(rules)
    handlers = [rule[1] for rule in _RULES]

    def entry(form: str, rules: Iterable[int]) -> _Entry:
        rules = tuple(sorted(rules))
        screen, branches = _SCREENS.get(form if form.startswith("<") else form.lower(), (None, {}))
        assert screen is None or set(screen.groupindex) == set(branches), form
        by_branch = {
            name: tuple(i for i in rules if handlers[i] in hs) for name, hs in branches.items()
        }
        return screen, rules, by_branch

    keywords = {k: entry(k, v) for k, v in by_key.items() if not k.startswith("<")}
    return {form: entry(form, rules) for form, rules in exact.items()}, keywords


_BY_TOKEN, _BY_KEYWORD = _dispatch_tables()
_BY_DIGITS = {1: _BY_TOKEN[_DIGITS2], 2: _BY_TOKEN[_DIGITS2], 3: _BY_TOKEN[_DIGITS3], 4: _BY_TOKEN[_DIGITS4]}
# Every rule starts at a word or a number, so the text is cut into tokens once and
# each rule is tried only at the tokens it can start with: one pass instead of one per rule.
_RX_TOKEN = re.compile(r"[^\W\d_]+|[0-9]+")

# (start, end, date_start, date_end, granularity, reason)
_Found = tuple[int, int, "datetime.date | None", "datetime.date | None", str, str]


def _rule_mentions(text: str, pub: datetime.date | None) -> list[_Found]:
    """Leftmost-longest, non-overlapping rule matches, in text order."""
    out: list[_Found] = []
    taken_until = 0
    # Rules tried from a "the" already covered the number right after it ("the 10th"):
    # their "the" is optional, so failing there they fail at the number too.
    after_the, tried = -1, frozenset[int]()
    by_token, by_digits, by_keyword = _BY_TOKEN.get, _BY_DIGITS.get, _BY_KEYWORD.get
    for tm in _RX_TOKEN.finditer(text):
        # Most tokens start no rule: they are dropped before their position is read.
        tok = tm.group()
        entry = by_token(tok)
        if entry is None:
            if "0" <= tok[0] <= "9":
                entry = by_digits(len(tok))
            elif not tok.islower():
                entry = by_keyword(tok.lower())
            if entry is None:
                continue
        pos = tm.start()
        if pos < taken_until:  # inside the last mention: anything starting here would overlap it
            continue
        screen, rules, by_branch = entry
        if screen is not None:
            sm = screen.match(text, pos)
            if sm is None:
                continue
            rules = by_branch[sm.lastgroup or ""]
            if pos == after_the:
                rules = tuple(i for i in rules if i not in tried)
            elif sm.lastgroup == "num" and tok.lower() == "the":
                after_the, tried = sm.start("num"), frozenset(rules)
        best: _Found | None = None
        for index in rules:
            rx, handler, fail_gran, _ = _RULES[index]
            m = rx.match(text, pos)
            if m is None or (best is not None and m.end() <= best[1]):
                continue
            try:
                res = handler(m, text, pub)
            except _Unresolvable as exc:
                best = (pos, m.end(), None, None, exc.granularity, exc.reason)
                continue
            except (ValueError, OverflowError):  # arithmetic beyond year 1..9999
                best = (pos, m.end(), None, None, fail_gran, "date out of range")
                continue
            if res is not None:
                best = (pos, m.end(), res[0], res[1], res[2], "")
        if best is not None:
            out.append(best)
            taken_until = best[1]
    return out


# --- dateparser fallback ------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _fallback(span: str, pub: datetime.date | None) -> tuple[datetime.date, datetime.date, str] | None:
    """Resolve a candidate span no rule matched with dateparser, or None (cached: the same
    spans and publication dates recur across the reports of a batch)."""
    if len(span) > _FALLBACK_MAX_CHARS:
        return None
    # Only spans with a calendar anchor: durations ("two weeks") and narrative
    # references ("the next day") are not dates of the report.
    if not _RX_FALLBACK_ANCHOR.search(span):
        return None
    # The traps the rules exist for: a lone ordinal reads as a month, "may" as May.
    if _RX_BARE_ORDINAL.search(span) and not _RX_ANY_MONTH.search(span):
        return None
    if _RX_LOWER_MONTH.search(span):
        return None
    stripped = span.strip(" \t\n.,;:()").rstrip(".")
    if stripped.lower() in _MONTH_NUM or stripped.lower() in _WEEKDAYS:
        return None  # the rules saw it in context and declined it
    years = {int(y) for y in _RX_FOUR_DIGITS.findall(span)}
    if pub is None and not years:
        return None
    try:
        data = _date_parser(pub).get_date_data(span)
    except Exception:  # dateparser raises assorted errors on odd input; a fallback must not fail
        return None
    if data is None or data.date_obj is None:
        return None
    day = data.date_obj.date()
    if years and day.year not in years:
        return None  # e.g. "10" of a day read as the year 2010
    if not years and pub is not None and abs(day.year - pub.year) > 1:
        return None
    period = data.period or "day"
    if period == "year":
        return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31), "year"
    if period == "month":
        start, end = _month_days(day.year, day.month)
        return start, end, "month"
    if period == "week":
        start, end = _week_of(day)
        return start, end, "week"
    return day, day, "day"


@functools.lru_cache(maxsize=64)
def _date_parser(pub: datetime.date | None) -> Any:
    """dateparser's parser anchored on ``pub`` (built once per publication date: building one
    loads its language data and settings, which costs more than a parse)."""
    from dateparser.date import DateDataParser  # slow import, only when needed

    settings: dict[str, Any] = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    if pub is not None:
        settings |= {
            "RELATIVE_BASE": datetime.datetime.combine(pub, datetime.time()),
            "PARSERS": ["relative-time", "absolute-time"],
        }
    else:
        settings |= {"REQUIRE_PARTS": ["year"], "PARSERS": ["absolute-time"]}
    return DateDataParser(languages=["en"], settings=settings)


def _check_spans(spans: Iterable[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    out = []
    for span in spans:
        try:
            s, e = (operator.index(v) for v in span)  # also numpy integers
        except (TypeError, ValueError):
            raise InputError(f"a span must be a (start, end) pair of ints, got {span!r}") from None
        if not 0 <= s <= e <= n:
            raise InputError(f"span {span!r} is not within the text (0..{n})")
        out.append((s, e))
    return sorted(set(out))


# --- public API ---------------------------------------------------------------------


def find_dates(
    text: str,
    published: datetime.date | None = None,
    *,
    spans: Iterable[tuple[int, int]] = (),
) -> list[DateMention]:
    """Find date expressions in ``text`` and resolve them.

    Parameters
    ----------
    text : str
        The report text.
    published : datetime.date or None
        Publication date of the report, the anchor of relative expressions
        ("yesterday", "on the 9th", "last November"). A datetime is cut to its date.
        Without it, only expressions that carry a year resolve.
    spans : iterable of (int, int)
        Extra candidate spans (e.g. spaCy DATE entities), character offsets.
        Those that overlap no rule-found mention are tried with dateparser;
        the ones it resolves sensibly are added.

    Returns
    -------
    list of DateMention
        Non-overlapping mentions sorted by ``start``.

    Raises
    ------
    InputError
        If ``text`` is not a str, ``published`` not a date, or a span lies outside the text.
    """
    if not isinstance(text, str):
        raise InputError(f"text must be a str, got {type(text).__name__}")
    if isinstance(published, datetime.datetime):
        published = published.date()
    elif published is not None and not isinstance(published, datetime.date):
        raise InputError(f"published must be a datetime.date or None, got {type(published).__name__}")
    extra = _check_spans(spans, len(text))

    chosen = _rule_mentions(text, published)
    taken_starts = [c[0] for c in chosen]
    taken: list[tuple[int, int]] = [(c[0], c[1]) for c in chosen]
    for s, e in extra:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s == e:
            continue
        i = bisect.bisect_left(taken_starts, e)
        if i > 0 and taken[i - 1][1] > s:  # overlaps a mention already taken: rules win
            continue
        res = _fallback(text[s:e], published)
        if res is None:
            continue
        taken_starts.insert(i, s)
        taken.insert(i, (s, e))
        chosen.append((s, e, res[0], res[1], res[2], ""))
    chosen.sort(key=lambda c: c[0])
    return [
        DateMention(
            start=s, end=e, text=text[s:e], date_start=ds, date_end=de,
            granularity=gran, resolved=ds is not None, reason=reason,
        )
        for s, e, ds, de, gran, reason in chosen
    ]


#: A date stated relative to the previous event: "two days later", "a week earlier", "the next day"
#: ("two days after the vote" names another event and is not read).
_RX_RELATIVE_TO_PREVIOUS = re.compile(
    r"(?i)\b(?:(?P<n>a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+(?P<unit>day|week)s?\s+"
    r"(?P<way>later|afterwards|earlier|(?:after|before)(?!\s+\w))\b"
    r"|\b(?:the\s+)?(?P<next>next|following|previous)\s+(?P<unit2>day|morning|afternoon|evening|night|week)\b)")


def relative_to_previous(day: datetime.date, sentence: str) -> tuple[datetime.date, datetime.date] | None:
    """The days a sentence dates relative to the previous event's ``day``, or None if it does not.

    "Two days later" is ``day`` + 2, "a week earlier" ``day`` - 7, "the next day" ``day`` + 1;
    "the following week" is the seven days from ``day`` + 7.
    """
    m = _RX_RELATIVE_TO_PREVIOUS.search(sentence)
    if m is None:
        return None
    if m["next"]:
        unit, n, sign = m["unit2"].lower(), 1, (-1 if m["next"].lower() == "previous" else 1)
    else:
        unit, n = m["unit"].lower(), _count(m["n"])
        sign = -1 if m["way"].lower() in ("earlier", "before") else 1
    if unit == "week":
        start = day + datetime.timedelta(days=7 * n * sign)
        return (start, start + datetime.timedelta(days=6)) if m["next"] else (start, start)
    moved = day + datetime.timedelta(days=n * sign)
    return moved, moved


# A dateline: a capitalised place (and its country or state) at the very start of the report, the
# date, an optional agency in brackets and a dash ("KYIV, March 7 (Reuters) -", "GAZA CITY, Ukraine,
# 7 March 2025 —"). Its date is when the report was filed, not when the events it tells happened.
_RX_DATELINE_BEFORE = re.compile(r"\A\s*[A-Z][A-Z .'’-]{1,40}(?:,\s*[A-Z][A-Za-z .'’-]{1,30})?,\s*\Z")
_RX_DATELINE_AFTER = re.compile(r"\A(?:,?\s*\d{4})?\s*(?:\([^()\n]{1,40}\))?\s*[-–—:]")


def in_dateline(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is the date of a dateline at the start of the report (at the start
    of its first line, or of a line after a headline near the top)."""
    if start > 400:
        return False
    line = text.rfind("\n", 0, start) + 1
    if start - line > 80 or (line and not _RX_TOP_LINES.fullmatch(text, 0, line)):
        return False
    return bool(_RX_DATELINE_BEFORE.match(text[line:start]) and _RX_DATELINE_AFTER.match(text[end:end + 50]))


#: What may stand above a dateline: a headline and a byline, at most four short lines.
_RX_TOP_LINES = re.compile(r"(?:[^\n]{0,200}\n){1,5}")
