"""Tests of geo_app.text.dates: finding date expressions and resolving them."""

from __future__ import annotations

import datetime
import json
import random
import subprocess
import sys
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_app import InputError
from geo_app.text.dates import GRANULARITIES, DateMention, find_dates, in_dateline

PUB = date(2022, 2, 10)  # a Thursday


def check_invariants(text: str, mentions: list[DateMention]) -> None:
    """What must hold for any text: valid offsets, order, no overlap, consistent resolution."""
    last_end = 0
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
        assert m.start >= last_end, "mentions overlap or are unsorted"
        last_end = m.end
        assert m.granularity in GRANULARITIES
        if m.resolved:
            assert m.date_start is not None and m.date_end is not None
            assert m.date_start <= m.date_end
            assert m.reason == ""
        else:
            assert m.date_start is None and m.date_end is None
            assert m.reason


def only(text: str, published: date | None = PUB) -> DateMention:
    """The single mention found in ``text``."""
    mentions = find_dates(text, published)
    check_invariants(text, mentions)
    assert len(mentions) == 1, [m.text for m in mentions]
    return mentions[0]


def span(text: str, published: date | None = PUB) -> tuple[date | None, date | None, str]:
    m = only(text, published)
    return m.date_start, m.date_end, m.granularity


# --- the forms dateparser misreads ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "granularity"),
    [
        ("from February 10-20", date(2022, 2, 10), date(2022, 2, 20), "days"),
        ("mid-February", date(2022, 2, 11), date(2022, 2, 20), "days"),
        ("on the 9th", date(2022, 2, 9), date(2022, 2, 9), "day"),
        ("from the 10th to the 20th", date(2022, 2, 10), date(2022, 2, 20), "days"),
        ("the 28th of last month", date(2022, 1, 28), date(2022, 1, 28), "day"),
        ("last November", date(2021, 11, 1), date(2021, 11, 30), "month"),
        ("the 8th to the 9th of this month", date(2022, 2, 8), date(2022, 2, 9), "days"),
        ("on the 3rd of this month", date(2022, 2, 3), date(2022, 2, 3), "day"),
        ("the 26th of last month", date(2022, 1, 26), date(2022, 1, 26), "day"),
        ("exercises on the 10th in Belarus", date(2022, 2, 10), date(2022, 2, 10), "day"),
    ],
)
def test_news_forms(text: str, start: date, end: date, granularity: str) -> None:
    assert span(text) == (start, end, granularity)


def test_mention_text_leaves_out_the_preposition() -> None:
    m = only("Drills run from February 10-20 near Brest.")
    assert m.text == "February 10-20"
    assert m.to_dict()["date_start"] == "2022-02-10"


def test_ordinal_after_publication_day_stays_in_publication_month() -> None:
    assert span("on the 25th")[:2] == (date(2022, 2, 25), date(2022, 2, 25))


def test_ordinal_day_missing_from_publication_month_is_unresolved() -> None:
    m = only("on the 30th", date(2022, 2, 10))
    assert not m.resolved and "no such date" in m.reason


def test_ordinal_that_names_a_unit_is_not_a_date() -> None:
    for text in ("the 10th Tank Army", "the 3rd Separate Assault Brigade", "the 21st century",
                 "the 1st and 2nd battalions", "for the 5th time"):
        assert find_dates(text, PUB) == [], text


# --- absolute dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "granularity"),
    [
        ("February 24, 2022", date(2022, 2, 24), date(2022, 2, 24), "day"),
        ("24 February 2022", date(2022, 2, 24), date(2022, 2, 24), "day"),
        ("2022-02-24", date(2022, 2, 24), date(2022, 2, 24), "day"),
        ("Feb. 24", date(2022, 2, 24), date(2022, 2, 24), "day"),
        ("the 24th of February", date(2022, 2, 24), date(2022, 2, 24), "day"),
        ("Tuesday, February 22, 2022", date(2022, 2, 22), date(2022, 2, 22), "day"),
        ("24.02.2022", date(2022, 2, 24), date(2022, 2, 24), "day"),
        ("March 2022", date(2022, 3, 1), date(2022, 3, 31), "month"),
        ("January 2021", date(2021, 1, 1), date(2021, 1, 31), "month"),
        ("in 2014", date(2014, 1, 1), date(2014, 12, 31), "year"),
        ("since 2014", date(2014, 1, 1), date(2014, 12, 31), "year"),
        ("2014-2015", date(2014, 1, 1), date(2015, 12, 31), "years"),
        ("the 1990s", date(1990, 1, 1), date(1999, 12, 31), "years"),
        ("10-20 February 2022", date(2022, 2, 10), date(2022, 2, 20), "days"),
        ("the night of 23/24 February", date(2022, 2, 23), date(2022, 2, 24), "days"),
        ("February 28 to March 2, 2022", date(2022, 2, 28), date(2022, 3, 2), "days"),
        ("February to March 2022", date(2022, 2, 1), date(2022, 3, 31), "months"),
    ],
)
def test_absolute_dates(text: str, start: date, end: date, granularity: str) -> None:
    assert span(text) == (start, end, granularity)


def test_absolute_dates_ignore_the_publication_date() -> None:
    for text in ("February 24, 2022", "2022-02-24", "24 February 2022", "March 2022"):
        assert span(text, PUB)[:2] == span(text, date(2030, 7, 1))[:2] == span(text, None)[:2]


# --- relative words ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "granularity"),
    [
        ("yesterday", date(2022, 2, 9), date(2022, 2, 9), "day"),
        ("today", date(2022, 2, 10), date(2022, 2, 10), "day"),
        ("last week", date(2022, 1, 31), date(2022, 2, 6), "week"),
        ("this week", date(2022, 2, 7), date(2022, 2, 13), "week"),
        ("next month", date(2022, 3, 1), date(2022, 3, 31), "month"),
        ("two days ago", date(2022, 2, 8), date(2022, 2, 8), "day"),
        ("on Tuesday", date(2022, 2, 8), date(2022, 2, 8), "day"),
        ("last year", date(2021, 1, 1), date(2021, 12, 31), "year"),
        ("three weeks ago", date(2022, 1, 17), date(2022, 1, 23), "week"),
        ("late last month", date(2022, 1, 21), date(2022, 1, 31), "days"),
        ("earlier this month", date(2022, 2, 1), date(2022, 2, 10), "days"),
        ("the past 24 hours", date(2022, 2, 9), date(2022, 2, 10), "days"),
        ("over the weekend", date(2022, 2, 5), date(2022, 2, 6), "days"),
        ("last summer", date(2021, 6, 1), date(2021, 8, 31), "season"),
        ("this spring", date(2022, 3, 1), date(2022, 5, 31), "season"),
    ],
)
def test_relative_expressions(text: str, start: date, end: date, granularity: str) -> None:
    assert span(text) == (start, end, granularity)


def test_weeks_run_monday_to_sunday() -> None:
    for published in (date(2022, 2, 7), date(2022, 2, 13)):  # a Monday and a Sunday
        start, end, _ = span("last week", published)
        assert start.weekday() == 0 and end.weekday() == 6
        assert end < published and (published - end).days <= 7


def test_weekday_is_on_or_before_publication() -> None:
    tuesday = date(2022, 2, 8)
    assert span("on Tuesday", tuesday)[0] == tuesday
    assert span("last Tuesday", tuesday)[0] == date(2022, 2, 1)
    assert span("next Tuesday", tuesday)[0] == date(2022, 2, 15)
    for published in (date(2022, 2, d) for d in range(1, 15)):
        day = span("Friday", published)[0]
        assert day.weekday() == 4 and 0 <= (published - day).days < 7


def test_named_days_are_not_weekdays() -> None:
    assert find_dates("on Good Friday and Bloody Sunday", PUB) == []


# --- early / mid / late ------------------------------------------------------------


def test_parts_of_a_month_tile_it() -> None:
    early = span("early February")
    mid = span("mid-February")
    late = span("late February")
    assert early[0] == date(2022, 2, 1)
    assert early[1] + datetime.timedelta(days=1) == mid[0]
    assert mid[1] + datetime.timedelta(days=1) == late[0]
    assert late[1] == date(2022, 2, 28)
    assert span("late February 2024")[1] == date(2024, 2, 29)
    assert span("the end of February") == late


def test_parts_of_a_year_tile_it() -> None:
    early, mid, late = span("early 2021"), span("mid-2021"), span("late 2021")
    assert (early[0], late[1]) == (date(2021, 1, 1), date(2021, 12, 31))
    assert early[1] + datetime.timedelta(days=1) == mid[0]
    assert mid[1] + datetime.timedelta(days=1) == late[0]
    assert {early[2], mid[2], late[2]} == {"months"}


# --- year-less dates ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("February 10", date(2022, 2, 10), date(2022, 2, 10)),
        ("December 30", date(2022, 1, 5), date(2021, 12, 30)),
        ("January 3", date(2021, 12, 28), date(2022, 1, 3)),
        ("24 July", date(2022, 2, 10), date(2022, 7, 24)),
        ("10 September", date(2022, 2, 10), date(2021, 9, 10)),
    ],
)
def test_yearless_day_takes_the_nearest_year(text: str, published: date, expected: date) -> None:
    got = span(text, published)[0]
    assert got == expected
    assert abs((got - published).days) <= 184


def test_yearless_range_across_new_year() -> None:
    assert span("December 28 to January 3", date(2022, 1, 5))[:2] == (date(2021, 12, 28), date(2022, 1, 3))


def test_bare_month_takes_the_nearest_year() -> None:
    assert span("in November")[:2] == (date(2021, 11, 1), date(2021, 11, 30))
    assert span("in June")[:2] == (date(2022, 6, 1), date(2022, 6, 30))


# --- without publication date ----------------------------------------------------


def test_without_publication_date() -> None:
    text = "On February 24, 2022, yesterday, on the 9th, last November and February 10."
    mentions = find_dates(text, None)
    check_invariants(text, mentions)
    by_text = {m.text: m for m in mentions}
    assert by_text["February 24, 2022"].date_start == date(2022, 2, 24)
    for relative in ("yesterday", "the 9th", "last November"):
        m = by_text[relative]
        assert not m.resolved and m.reason == "relative date and no publication date"
    assert not by_text["February 10"].resolved and "no publication date" in by_text["February 10"].reason


def test_datetime_publication_is_cut_to_its_date() -> None:
    assert span("yesterday", datetime.datetime(2022, 2, 10, 23, 59))[0] == date(2022, 2, 9)


# --- things that are not dates -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "S-400 systems",
        "Su-35 jets",
        "about 100 km away",
        "30,000 soldiers",
        "some 100,000 people",
        "Russia may consolidate its gains",
        "Russia May consolidate its gains",
        "may 5 be enough",
        "We will March on",
        "Russia's March offensive",
        "call +7 495 2022 1234",
        "in 2000 troops",
        "year 99999",
        "9/11",
        "USA Today reported",
    ],
)
def test_not_dates(text: str) -> None:
    assert find_dates(text, PUB) == []


def test_year_in_a_name_is_at_most_a_year() -> None:
    text = "the Allied Resolve 2022 exercise"
    mentions = find_dates(text, PUB)
    check_invariants(text, mentions)
    assert all(m.granularity == "year" and m.date_start == date(2022, 1, 1) for m in mentions)


def test_march_and_may_need_context() -> None:
    assert span("in March")[:2] == (date(2022, 3, 1), date(2022, 3, 31))
    assert span("since May")[2] == "month"
    assert span("May 9")[0] == date(2022, 5, 9)
    assert span("early March")[2] == "days"
    assert span("March 2022")[2] == "month"
    assert find_dates("in may", PUB) == []


def test_count_after_a_date_is_not_a_range() -> None:
    m = only("on February 10 and 20 soldiers died")
    assert (m.text, m.date_end) == ("February 10", date(2022, 2, 10))


# --- impossible and ambiguous dates ------------------------------------------------


def test_impossible_dates_do_not_crash() -> None:
    m = only("31 February 2022")
    assert not m.resolved and "no such date" in m.reason
    m = only("2022-02-30")
    assert not m.resolved
    m = only("February 20-10")
    assert not m.resolved and "before it starts" in m.reason
    assert find_dates("in the year 99999", PUB) == []


def test_ambiguous_numeric_date_is_unresolved() -> None:
    m = only("02/03/2022")
    assert not m.resolved and "ambiguous" in m.reason
    assert span("12/25/1990")[0] == date(1990, 12, 25)


def test_publication_near_the_calendar_edges() -> None:
    text = "yesterday, tomorrow, last year, next month, next week, 3 years ago, last winter, Tuesday"
    for published in (date.min, date.max):
        check_invariants(text, find_dates(text, published))


# --- a report ------------------------------------------------------------------------

REPORT = (
    "KYIV, Feb 10 (Reuters) - Russia and Belarus began drills on Thursday with some 30,000 troops, "
    "S-400 systems and Su-35 jets within 100 km of the border. The drills run from February 10-20 "
    "and follow a buildup that began in late 2021. Officials said on the 9th that Russia may "
    "consolidate its forces. On March 3, 2014 Russia moved on Crimea; talks in Geneva last week failed."
)


def test_report() -> None:
    mentions = find_dates(REPORT, PUB)
    check_invariants(REPORT, mentions)
    assert [m.text for m in mentions] == [
        "Feb 10", "Thursday", "February 10-20", "late 2021", "the 9th", "March 3, 2014", "last week",
    ]
    assert all(m.resolved for m in mentions)
    assert json.loads(json.dumps([m.to_dict() for m in mentions]))[1]["date_start"] == "2022-02-10"


# --- candidate spans and the dateparser fallback ------------------------------------


def test_span_no_rule_covers_goes_to_dateparser() -> None:
    text = "Filed 24-Feb-2022 by our correspondent."
    assert find_dates(text, PUB) == []
    s = text.index("24-Feb-2022")
    mentions = find_dates(text, PUB, spans=[(s, s + len("24-Feb-2022"))])
    check_invariants(text, mentions)
    found = [(m.text, m.date_start, m.granularity) for m in mentions]
    assert found == [("24-Feb-2022", date(2022, 2, 24), "day")]
    assert find_dates(text, None, spans=[(s, s + 11)])[0].date_start == date(2022, 2, 24)


def test_rules_win_over_spans() -> None:
    text = "from February 10-20"
    rule_only = find_dates(text, PUB)
    with_span = find_dates(text, PUB, spans=[(0, len(text)), (5, 13)])
    assert with_span == rule_only


@pytest.mark.parametrize("word", ["the 9th", "May", "two weeks", "the next day", "may 2022", "100,000"])
def test_fallback_refuses_the_known_traps(word: str) -> None:
    text = f"Russia {word} consolidate"
    s = text.index(word)
    mentions = find_dates(text, PUB, spans=[(s, s + len(word))])
    check_invariants(text, mentions)
    assert all(m.date_start != date(2021, 9, 10) for m in mentions)  # dateparser's "the 9th"
    if word != "the 9th":
        assert mentions == []


def test_bad_spans_raise() -> None:
    with pytest.raises(InputError):
        find_dates("abc", PUB, spans=[(2, 10)])
    with pytest.raises(InputError):
        find_dates("abc", PUB, spans=[(2, 1)])
    with pytest.raises(InputError):
        find_dates(b"abc", PUB)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        find_dates("abc", "2022-02-10")  # type: ignore[arg-type]


def test_dateparser_is_not_imported_without_spans() -> None:
    code = (
        "import sys, datetime; from geo_app.text.dates import find_dates; "
        f"find_dates({REPORT!r}, datetime.date(2022, 2, 10)); "
        "print('dateparser' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- any input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\x00\x01\x02\ufffd\udcff",
        "😀 on the 9th 😀 February 10-20 🚀",
        "في 24 February 2022 שלום‏ mid-February ‮",
        "February" + " " * 10_000 + "10",
        "0" * 10_000,
        "1-" * 5_000,
    ],
)
def test_any_text(text: str) -> None:
    check_invariants(text, find_dates(text, PUB))


def _soup(n_chars: int, seed: int) -> str:
    rnd = random.Random(seed)
    words = REPORT.split() + ["the", "10th", "2022", "March", "-", "the 9th the", "1", "2,000"]
    out: list[str] = []
    size = 0
    while size < n_chars:
        w = rnd.choice(words)
        out.append(w)
        size += len(w) + 1
    return " ".join(out)[:n_chars]


@pytest.mark.timeout(60)  # a hang guard, not a speed claim: speed is in benchmarks/bench_text_scanners.py
def test_one_megabyte_line_finishes() -> None:
    text = _soup(1_000_000, 1)  # one line, no newline
    mentions = find_dates(text, PUB)
    check_invariants(text, mentions)


# --- properties ----------------------------------------------------------------------

_DATEISH = [
    "the", "10th", "9th", "of", "last", "this", "next", "month", "week", "year", "February", "Feb.",
    "March", "May", "may", "mid-", "early", "late", "2022", "2014", "-", "to", "and", "/", ",",
    "24", "31", "ago", "two", "days", "yesterday", "Tuesday", "spring", "winter", "2021-22", "1990s",
    "over", "weekend", "past", "hours", "in", "since", "02/03/2022", "2022-02-30", "99999", " ", "\n",
]


@settings(max_examples=200, deadline=None)
@given(text=st.text(), published=st.none() | st.dates())
def test_property_any_text(text: str, published: date | None) -> None:
    check_invariants(text, find_dates(text, published))


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(st.sampled_from(_DATEISH) | st.text(max_size=3), max_size=40),
    published=st.none() | st.dates(),
    data=st.data(),
)
def test_property_date_like_text(words: list[str], published: date | None, data: st.DataObject) -> None:
    text = " ".join(words)
    bounds = st.integers(min_value=0, max_value=len(text))
    spans = [tuple(sorted(p)) for p in data.draw(st.lists(st.tuples(bounds, bounds), max_size=3))]
    check_invariants(text, find_dates(text, published, spans=spans))


@pytest.mark.parametrize(("text", "expected"), [
    ("NAIROBI, May 2 (Reuters) - Floods hit the city.", True),
    ("NAIROBI, Kenya, 2 May 2024 — Floods hit the city.", True),
    ("Floods hit Nairobi on May 2 - the worst in years.", False),
    ("On May 2, floods hit Nairobi.", False),
    ("Floods cut off the capital\n\nNAIROBI, Kenya, May 2, 2024 (AP) - Floods hit the city.", True),  # under a headline
    ("Floods hit the city.\nNAIROBI, May 2 - the second line of the report " + "x" * 400, True),
    ("x" * 500 + "\nNAIROBI, May 2 - a dateline-like line far down the report.", False),
])
def test_in_dateline_tells_the_filing_date_from_an_event_date(text, expected):
    (d,) = [d for d in find_dates(text, date(2024, 5, 3)) if "2" in d.text]
    assert in_dateline(text, d.start, d.end) is expected


def test_a_weekday_in_a_clause_about_the_future_is_the_next_such_day() -> None:
    pub = date(2026, 8, 22)  # a Saturday
    def day(text: str) -> str:
        return str(find_dates(text, pub)[0].date_start)
    assert day("Forecasters said the rains would reach the plains by Monday.") == "2026-08-24"
    assert day("The envoys will meet again on Tuesday.") == "2026-08-25"
    assert day("Talks are due to resume on Saturday.") == "2026-08-22"  # the day itself
    # the past stays the past, also after a future clause has ended
    assert day("Gunmen raided the market on Thursday.") == "2026-08-20"
    assert day("Prices will rise. Traders closed their stalls on Monday.") == "2026-08-17"
