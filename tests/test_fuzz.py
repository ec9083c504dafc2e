"""Property tests (hypothesis) over extract, date resolution, distance parsing and the batch contract.

Each property runs twice: a few hundred examples in the default suite (derandomised, so CI is
repeatable), and at least 10,000 examples per property in the dedicated run::

    .venv/bin/python -m pytest -q -m fuzz tests/test_fuzz.py      # or: make fuzz

Properties: no exception (other than the documented InputError for a non-text input), offsets
valid (``text[start:end] == mention``), resolved dates inside their stated granularity,
distances finite and non-negative unless written with a minus sign, and every line of
``geo-app parse --jsonl`` valid against ``schema/parse_output.schema.json``.

Texts are built from report-like pieces (place names, date and distance phrases, markup,
bidi and zero-width characters, emoji, digits) glued with and without spaces, mixed with
arbitrary Unicode text. With ``GEO_APP_HARDENING_LOG`` set, the number of examples each
property ran is appended there (``benchmarks/bench_hardening.py``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import os
import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from geo_app import settings as geo_settings
from geo_app._errors import InputError

#: Examples per property in the default suite, and in the ``-m fuzz`` run.
DEFAULT_EXAMPLES = {"extract": 120, "dates": 300, "distances": 300, "numbers": 200, "batch": 60}
FUZZ_EXAMPLES = 10_000

_COMMON = dict(deadline=None, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.function_scoped_fixture])


def default_run(name: str) -> Any:
    return settings(max_examples=DEFAULT_EXAMPLES[name], derandomize=True, **_COMMON)


FUZZ_RUN = settings(max_examples=FUZZ_EXAMPLES, **_COMMON)

EXAMPLES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_examples() -> Iterator[None]:
    yield
    target = os.environ.get("GEO_APP_HARDENING_LOG")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            for name, n in sorted(EXAMPLES.items()):
                fh.write(json.dumps({"kind": "fuzz", "property": name, "examples": n}) + "\n")


# --- strategies ------------------------------------------------------------------------------------------

PLACES = ["Kyiv", "Kiev", "Minsk", "Gomel", "Belarus", "Ukraine", "Russia", "Vilnius", "Brest", "Mozyr", "Crimea",
          "Paris, Texas", "the Black Sea", "the Baltic states", "Georgia", "Russian", "Ukrainian", "Lviv", "Odesa",
          "southern Belarus", "south of Minsk", "the Ukrainian border", "the southern border of Belarus",
          "Eastern Europe",
          "New York", "Texas", "Kyіv", "Ky\u200biv", "KYIV", "kyiv", "Washington", "Donetsk Oblast", "Sevastopol"]
DATES = ["yesterday", "today", "tomorrow", "on Friday", "last Tuesday", "next Monday", "last week", "this week",
         "two weeks ago", "3 days ago", "February 10-20", "10-20 February", "mid-February", "early March",
         "late 2021", "31 February 2022", "February 30", "in 2014", "since 1999", "the 1990s", "2014-2015",
         "early 2022", "winter 2021-22", "winter 2022", "last November", "the past 24 hours", "the past week",
         "2022-02-24", "24.02.2022", "02/03/2022", "13/02/2022", "the 9th", "the 10th to the 20th", "March 2022",
         "February to March 2022", "next month", "over the weekend", "earlier this month", "later this year",
         "last night", "this morning", "the end of 2021", "the summer of 2014", "in May", "in march", "May",
         "1 January 99999", "in 9999", "in 0001", "Good Friday", "USA Today", "2022-13-45", "00.00.0000"]
DISTANCES = ["as close as 100 km", "some 20 nautical miles", "50-60 km", "between 5 and 9 miles",
             "between 5 km and 9 mi", "1e308 km", "1e309 km", "-5 km", "\u22125 km", "within 500m of", "9,000 km",
             "ten kilometres", "one hundred and fifty km", "1,5 km", "9\u202f000 km", "100 km/h", "5m people",
             "£5m away", "up to 50-60 km", "just over 3 miles", "~40 km", "≈ 12 NM", "more than 1.5 kilometers",
             "S-400", "9 000 km", "30 to 40 kms", "0 km", "00000000000000000000000000001 km", "1e-400 km"]
MARKUP = ["<script>window.__pwned=1</script>", "<img src=x onerror=alert(1)>", "=HYPERLINK(\"x\",\"y\")",
          "**bold**", "[x](javascript:alert(1))", "&amp;", "&#x202e;", "\\u0000"]
ODD = ["\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "😀", "🇺🇦", "\u0301", "١٢٣", "①", "\u00a0", "\u2009",
       "Ⅻ", "ß", "İ", "ﬁ", "\u0000x"[1:], "\t", "\r\n", "\r", "\x0b", "\x1c", "\u2028", "—", "’s", "'s", "\"", "(", ")"]
FILLER = ["Troops", "moved", "from", "to", "the", "border", "said", "on", "near", "in", "of", "and", "Mr.", "President",
          "convoy", "drills", "The", "It", "A", "km", "miles", "between", "about", "within", "more than", "since"]
SEPARATORS = ["", " ", " ", " ", "  ", "\n", ". ", ", ", "\n\n", "-", "/"]

_piece = st.one_of(
    st.sampled_from(PLACES), st.sampled_from(DATES), st.sampled_from(DISTANCES), st.sampled_from(FILLER),
    st.sampled_from(MARKUP), st.sampled_from(ODD),
    st.integers(min_value=-10**6, max_value=10**25).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(max_size=12),
)
report_texts = st.one_of(
    st.lists(st.tuples(_piece, st.sampled_from(SEPARATORS)), max_size=40).map(lambda ps: "".join(p + s for p, s in ps)),
    st.text(max_size=300),
).map(lambda t: t.replace("\x00", ""))
publication_dates = st.one_of(
    st.none(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.sampled_from([dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2022, 2, 28), dt.date(2024, 2, 29)]),
)

# --- checks ------------------------------------------------------------------------------------------------


def assert_span(text: str, item: Any) -> None:
    assert 0 <= item.start <= item.end <= len(text), (item.start, item.end, len(text))
    assert text[item.start:item.end] == item.text


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def assert_granularity(d: Any) -> None:
    """A resolved date covers exactly what its granularity says."""
    from geo_app.text.dates import GRANULARITIES

    assert d.granularity in GRANULARITIES
    if not d.resolved:
        assert d.date_start is None and d.date_end is None and d.reason
        return
    a, b = d.date_start, d.date_end
    assert a <= b and d.reason == ""
    g = d.granularity
    if g == "day":
        assert a == b
    elif g == "week":
        assert a.weekday() == 0 and b == a + dt.timedelta(days=6)
    elif g == "month":
        assert a.day == 1 and b == _last_day(a.year, a.month)
    elif g == "months":
        assert a.day == 1 and b == _last_day(b.year, b.month) and (a.year, a.month) < (b.year, b.month)
    elif g == "season":
        assert a.day == 1 and a.month in (3, 6, 9, 12)
        end_year, end_month = (a.year + (a.month + 1) // 12, (a.month + 2 - 1) % 12 + 1)
        assert b == _last_day(end_year, end_month)
    elif g == "year":
        assert (a.month, a.day, b.month, b.day) == (1, 1, 12, 31) and a.year == b.year
    elif g == "years":
        assert (a.month, a.day, b.month, b.day) == (1, 1, 12, 31) and a.year < b.year
    else:  # "days": a range of days
        assert g == "days"


def assert_distance(text: str, d: Any) -> None:
    from geo_app.text.quantities import KM_PER_UNIT

    assert_span(text, d)
    assert d.unit in KM_PER_UNIT and d.bound in ("at_most", "at_least", "about", "exact")
    for v in (d.value, d.km, d.low_km, d.high_km):
        assert v is None or math.isfinite(v)
    if d.km < 0 or d.value < 0:
        assert re.search(r"[-\u2212]\s*[0-9a-zA-Z]", d.text), d.text  # negative only when written so
    assert d.km == pytest.approx(d.value * KM_PER_UNIT[d.unit], rel=1e-9)
    if d.low_km is not None:
        assert d.high_km is not None and 0 <= d.low_km <= d.high_km
        assert d.low_km * (1 - 1e-9) <= d.km <= d.high_km * (1 + 1e-9)


@lru_cache(maxsize=1)
def output_validator() -> jsonschema.Draft202012Validator:
    path = geo_settings.PROJECT_DIR / "schema" / "parse_output.schema.json"
    return jsonschema.Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


# --- properties --------------------------------------------------------------------------------------------


def prop_extract(text: str, published: dt.date | None) -> None:
    from geo_app.text.extract import extract

    EXAMPLES["extract"] += 1
    ex = extract(text, published)
    assert ex.text == text
    for m in ex.mentions:
        assert_span(text, m)
        if m.base_start is not None:
            assert m.start <= m.base_start <= m.base_end <= m.end
        assert 0 <= m.sentence < max(len(ex.sentences), 1)
    for start, end in ex.sentences:
        assert 0 <= start <= end <= len(text)
    for d in ex.dates:
        assert_span(text, d)
        assert_granularity(d)
    previous_end = 0
    for d in ex.distances:
        assert_distance(text, d)
        assert d.start >= previous_end  # in order, not overlapping
        previous_end = d.end


def prop_dates(text: str, published: dt.date | None, spans: list[tuple[int, int]]) -> None:
    from geo_app.text.dates import find_dates

    EXAMPLES["dates"] += 1
    found = find_dates(text, published, spans=spans)
    previous_end = 0
    for d in found:
        assert_span(text, d)
        assert_granularity(d)
        assert d.start >= previous_end
        previous_end = d.end
        if d.resolved and published is not None and d.granularity == "day" and d.text.lower() == "yesterday":
            assert d.date_start == published - dt.timedelta(days=1)


def prop_distances(text: str) -> None:
    from geo_app.text.quantities import find_distances

    EXAMPLES["distances"] += 1
    previous_end = 0
    for d in find_distances(text):
        assert_distance(text, d)
        assert d.start >= previous_end
        previous_end = d.end


def prop_number_round_trip(number: float, unit: str, qualifier: str) -> None:
    """A number written with a unit is read back as that number (or skipped if it overflows)."""
    from geo_app.text.quantities import KM_PER_UNIT, find_distances

    EXAMPLES["numbers"] += 1
    written = repr(number)
    text = f"Troops were {qualifier} {written} {unit} from the border."
    found = find_distances(text)
    assert len(found) <= 1
    if math.isinf(number * KM_PER_UNIT[{"km": "km", "miles": "mi", "nautical miles": "nmi"}[unit]]):
        assert found == []
        return
    assert len(found) == 1, text
    d = found[0]
    assert_distance(text, d)
    assert d.value == float(written)


def _record_ok(record: Any) -> bool:
    """Whether a batch record is valid input (so it must give a result line, not an error)."""
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return False
    if len(record["text"]) > geo_settings.MAX_REPORT_CHARS:  # dirty text (NUL, lone surrogates) is cleaned, not refused
        return False
    pub = record.get("published")
    if pub is None or pub == "":
        return True
    try:
        dt.date.fromisoformat(str(pub).strip()[:10])
    except ValueError:
        return False
    return True


def prop_batch(tmp_path: Path, lines: list[Any]) -> None:
    from geo_app.ui.cli import app

    EXAMPLES["batch"] += 1
    raw = [x if isinstance(x, str) else json.dumps(x) for x in lines]
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("\n".join(raw) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["parse", "--jsonl", str(src), "--out", str(out)], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n")[:-1]]
    inputs = [x for x in lines if not (isinstance(x, str) and not x.strip())]
    assert len(records) == len(inputs)
    validator = output_validator()
    for given_input, record in zip(inputs, records):
        json.dumps(record, allow_nan=False)
        errors = [e.message for e in validator.iter_errors(record)]
        assert errors == [], errors[:3]
        if isinstance(given_input, str):  # a raw line: an error unless it was JSON after all
            try:
                given_input = json.loads(given_input)
            except ValueError:
                assert "error" in record
                continue
        assert ("error" not in record) == _record_ok(given_input), (given_input, record)
        if "error" not in record:
            text = given_input["text"]
            for key in ("mentions", "distances", "dates"):
                for item in record[key]:
                    assert text[item["start"]:item["end"]] == item["text"]
            if isinstance(given_input.get("id"), str):
                assert record["id"] == given_input["id"]
    assert result.exit_code == (1 if any("error" in r for r in records) else 0)


_ids = st.one_of(st.text(max_size=12), st.integers(), st.none(), st.lists(st.integers(), max_size=2))
_published_values = st.one_of(
    st.none(), st.just(""), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)).map(str),
    st.sampled_from(["yesterday", "2022-13-01", "2022-02-31", "99999-01-01", "0001-01-01", "9999-12-31",
                     "2022-02-10T23:59:59Z", " 2022-02-10 ", "10/02/2022"]),
    st.integers(min_value=-5, max_value=30000000),
)
#: Dirt put into batch texts: controls (C0, DEL, C1) and lone low surrogates (a high one could pair with
#: a following low one through the JSON escapes and become one character).
DIRT = ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\udc00", "\udcff", "\udfff"]


def _insert_dirt(text_and_dirt: tuple[str, list[tuple[int, str]]]) -> str:
    text, dirt = text_and_dirt
    for pos, ch in dirt:
        at = pos % (len(text) + 1)
        text = text[:at] + ch + text[at:]
    return text


_dirty_texts = st.tuples(report_texts, st.lists(st.tuples(st.integers(min_value=0, max_value=10**6),
                                                          st.sampled_from(DIRT)), min_size=1, max_size=4)
                         ).map(_insert_dirt)
_records = st.one_of(
    st.fixed_dictionaries({"id": _ids, "text": st.one_of(report_texts, _dirty_texts)},
                          optional={"published": _published_values}),
    st.fixed_dictionaries({"id": _ids, "text": st.one_of(st.integers(), st.none(), st.lists(st.text(max_size=3)))}),
    st.fixed_dictionaries({"id": _ids}),
    st.lists(st.integers(), max_size=3), st.integers(),
    st.text(max_size=30).map(lambda t: re.sub(r"[\r\n]", " ", t)),  # raw lines: mostly not JSON
)
_batches = st.lists(_records, min_size=1, max_size=4)
_numbers = st.one_of(st.floats(min_value=0, allow_nan=False, allow_infinity=False),
                     st.integers(min_value=0, max_value=10**15).map(float))
_units = st.sampled_from(["km", "miles", "nautical miles"])
_qualifiers = st.sampled_from(["", "about", "as close as", "more than", "within", "up to", "some", "nearly"])


@st.composite
def _text_and_spans(draw: Any) -> tuple[str, list[tuple[int, int]]]:
    text = draw(report_texts)
    n = len(text)
    spans = draw(st.lists(st.tuples(st.integers(0, n), st.integers(0, n)).map(lambda p: (min(p), max(p))),
                          max_size=4))
    return text, spans


# --- default suite -------------------------------------------------------------------------------------------


@pytest.mark.timeout(300)
@default_run("extract")
@given(report_texts, publication_dates)
@example("in May-May", dt.date(2000, 1, 1))  # found by the fuzz run: one month called "months"
@example("the summer of 2014-2015", None)  # found by the fuzz run: two summers called "season"
def test_extract(text: str, published: dt.date | None) -> None:
    prop_extract(text, published)


@pytest.mark.timeout(300)
@default_run("dates")
@given(_text_and_spans(), publication_dates)
def test_dates(text_spans: tuple[str, list[tuple[int, int]]], published: dt.date | None) -> None:
    text, spans = text_spans
    prop_dates(text, published, spans)


@pytest.mark.timeout(300)
@default_run("distances")
@given(report_texts)
def test_distances(text: str) -> None:
    prop_distances(text)


@pytest.mark.timeout(300)
@default_run("numbers")
@given(_numbers, _units, _qualifiers)
@example(1.1170347264862676e308, "miles", "")  # found by the fuzz run: "308 miles" read from the exponent
def test_distance_numbers_round_trip(number: float, unit: str, qualifier: str) -> None:
    prop_number_round_trip(number, unit, qualifier)


@pytest.mark.timeout(300)
@default_run("batch")
@given(_batches)
def test_batch_contract(tmp_path: Path, lines: list[Any]) -> None:
    prop_batch(tmp_path, lines)


def test_non_text_is_refused_with_a_message() -> None:
    from geo_app.text.extract import extract

    for bad in ("Kyiv\x00", 5, None, ["Kyiv"]):
        with pytest.raises(InputError):
            extract(bad)  # type: ignore[arg-type]


# --- the dedicated run: >= 10,000 examples per property (-m fuzz) ----------------------------------------------


@pytest.mark.fuzz
@FUZZ_RUN
@given(report_texts, publication_dates)
def test_extract_fuzz(text: str, published: dt.date | None) -> None:
    prop_extract(text, published)


@pytest.mark.fuzz
@FUZZ_RUN
@given(_text_and_spans(), publication_dates)
def test_dates_fuzz(text_spans: tuple[str, list[tuple[int, int]]], published: dt.date | None) -> None:
    text, spans = text_spans
    prop_dates(text, published, spans)


@pytest.mark.fuzz
@FUZZ_RUN
@given(report_texts)
def test_distances_fuzz(text: str) -> None:
    prop_distances(text)


@pytest.mark.fuzz
@FUZZ_RUN
@given(_numbers, _units, _qualifiers)
def test_distance_numbers_round_trip_fuzz(number: float, unit: str, qualifier: str) -> None:
    prop_number_round_trip(number, unit, qualifier)


@pytest.mark.fuzz
@FUZZ_RUN
@given(_batches)
def test_batch_contract_fuzz(tmp_path: Path, lines: list[Any]) -> None:
    prop_batch(tmp_path, lines)
