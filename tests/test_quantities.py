"""Tests of geo_app.text.quantities: distance expressions in report text."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_app._errors import InputError
from geo_app.text.quantities import DistanceMention, find_distances, parse_bound

MI = 1.609344
NMI = 1.852


def only(text: str) -> DistanceMention:
    """The single mention in `text` (fails if there are none or several)."""
    found = find_distances(text)
    assert len(found) == 1, found
    return found[0]


# --- single mentions ------------------------------------------------------------

# text, span, value, unit, km, bound, qualifier
SINGLE = [
    ("as close as 100 km", "as close as 100 km", 100, "km", 100, "at_most", "as close as"),
    ("more than 9000 km away", "more than 9000 km away", 9000, "km", 9000, "at_least", "more than"),
    ("about 60 miles", "about 60 miles", 60, "mi", 60 * MI, "about", "about"),
    ("within 50 kilometres", "within 50 kilometres", 50, "km", 50, "at_most", "within"),
    ("some 20 nautical miles", "some 20 nautical miles", 20, "nmi", 20 * NMI, "about", "some"),
    ("12 nm", "12 nm", 12, "nmi", 12 * NMI, "exact", ""),
    ("a 30-km exclusion zone", "30-km", 30, "km", 30, "exact", ""),
    ("a 100-kilometre radius", "100-kilometre", 100, "km", 100, "exact", ""),
    ("0 km", "0 km", 0, "km", 0, "exact", ""),
    ("1e9 km", "1e9 km", 1e9, "km", 1e9, "exact", ""),
    ("9,000 km", "9,000 km", 9000, "km", 9000, "exact", ""),
    ("9\u202f000 km", "9\u202f000 km", 9000, "km", 9000, "exact", ""),
    ("1.5 km", "1.5 km", 1.5, "km", 1.5, "exact", ""),
    ("100km", "100km", 100, "km", 100, "exact", ""),
    ("100 KMS", "100 KMS", 100, "km", 100, "exact", ""),
    ("ends 100 km. Then", "100 km", 100, "km", 100, "exact", ""),
    ("5 kilometers", "5 kilometers", 5, "km", 5, "exact", ""),
    ("3 mi", "3 mi", 3, "mi", 3 * MI, "exact", ""),
    ("a 5-mile zone", "5-mile", 5, "mi", 5 * MI, "exact", ""),
    ("40 NM", "40 NM", 40, "nmi", 40 * NMI, "exact", ""),
    ("400 metres", "400 metres", 400, "m", 0.4, "exact", ""),
    ("within 500m of the border", "within 500m", 500, "m", 0.5, "at_most", "within"),
    ("a 500-m radius", "500-m", 500, "m", 0.5, "exact", ""),
    ("300 m away", "300 m away", 300, "m", 0.3, "exact", ""),
    ("a hundred km", "a hundred km", 100, "km", 100, "exact", ""),
    ("one hundred and fifty kilometres", "one hundred and fifty kilometres", 150, "km", 150, "exact", ""),
    ("Ten miles away", "Ten miles away", 10, "mi", 10 * MI, "exact", ""),
    ("twenty-five km", "twenty-five km", 25, "km", 25, "exact", ""),
    ("About 8 km", "About 8 km", 8, "km", 8, "about", "About"),
    ("approx. 5 km", "approx. 5 km", 5, "km", 5, "about", "approx."),
    ("~100 km", "~100 km", 100, "km", 100, "about", "~"),
    ("nearly 70 km", "nearly 70 km", 70, "km", 70, "about", "nearly"),
    ("just 2 km", "just 2 km", 2, "km", 2, "at_most", "just"),
    ("just over 2 km", "just over 2 km", 2, "km", 2, "at_least", "just over"),
    ("no more than 15 km", "no more than 15 km", 15, "km", 15, "at_most", "no more than"),
    ("at least 3 miles", "at least 3 miles", 3, "mi", 3 * MI, "at_least", "at least"),
    ("beyond 40 km", "beyond 40 km", 40, "km", 40, "at_least", "beyond"),
    ("exactly 12 km", "exactly 12 km", 12, "km", 12, "exact", "exactly"),
]


@pytest.mark.parametrize(("text", "span", "value", "unit", "km", "bound", "qualifier"), SINGLE)
def test_single_mention(text, span, value, unit, km, bound, qualifier):
    m = only(text)
    assert m.text == span
    assert text[m.start : m.end] == span
    assert m.value == pytest.approx(value)
    assert m.unit == unit
    assert m.km == pytest.approx(km)
    assert m.bound == bound
    assert m.qualifier == qualifier
    assert m.low_km is None and m.high_km is None


@pytest.mark.parametrize("row", SINGLE[:8], ids=lambda row: row[0])
def test_offsets_inside_a_sentence(row):
    text, span = row[0], row[1]
    prefix, suffix = "On Monday, officials said a drone flew ", ", then turned back."
    m = only(prefix + text + suffix)
    assert m.start == len(prefix) + text.index(span)
    assert m.end == m.start + len(span)
    assert m.text == span


def test_several_mentions_in_a_report():
    report = (
        "Russian jets flew as close as 100 km from Vilnius on 3 May 2022. "
        "30,000 troops and S-400 batteries are more than 9000 km away, "
        "about 60 miles (97 km) from the M4 highway."
    )
    found = find_distances(report)
    assert [m.text for m in found] == ["as close as 100 km", "more than 9000 km away", "about 60 miles", "97 km"]
    assert [m.bound for m in found] == ["at_most", "at_least", "about", "exact"]
    assert all(report[m.start : m.end] == m.text for m in found)
    assert [m.start for m in found] == sorted(m.start for m in found)


# --- ranges ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span", "low", "high", "unit", "bound"),
    [
        ("50-60 km", "50-60 km", 50, 60, "km", "about"),
        ("50\u201360 km", "50\u201360 km", 50, 60, "km", "about"),
        ("50 to 60 km", "50 to 60 km", 50, 60, "km", "about"),
        ("between 50 and 60 kilometres", "between 50 and 60 kilometres", 50, 60, "km", "about"),
        ("between 50 km and 60 km", "between 50 km and 60 km", 50, 60, "km", "about"),
        ("between ten and twenty miles", "between ten and twenty miles", 10 * MI, 20 * MI, "mi", "about"),
        ("a 10-20-km belt", "10-20-km", 10, 20, "km", "about"),
        ("up to 50-60 km", "up to 50-60 km", 50, 60, "km", "at_most"),
        ("roughly between 5 and 8 nm", "roughly between 5 and 8 nm", 5 * NMI, 8 * NMI, "nmi", "about"),
    ],
)
def test_range(text, span, low, high, unit, bound):
    m = only(text)
    assert m.text == span
    assert m.low_km == pytest.approx(low)
    assert m.high_km == pytest.approx(high)
    assert m.km == pytest.approx((low + high) / 2)
    assert m.unit == unit
    assert m.bound == bound


def test_range_with_two_units_is_two_mentions():
    found = find_distances("between 50 km and 60 miles")
    assert [(m.text, m.unit, m.low_km) for m in found] == [("50 km", "km", None), ("60 miles", "mi", None)]


def test_hyphen_after_a_number_is_not_a_minus_sign():
    m = only("a 50-60 km strip")
    assert m.value > 0 and m.low_km == 50


# --- negatives and overflow ----------------------------------------------------------


@pytest.mark.parametrize("minus", ["-", "\u2212"])
def test_written_minus_sign_is_kept(minus):
    m = only(f"a reading of {minus}5 km")
    assert m.text == f"{minus}5 km"
    assert m.value == -5 and m.km == -5


def test_largest_finite_value_is_kept():
    m = only("1e308 km")
    assert math.isfinite(m.km) and m.km == 1e308


@pytest.mark.parametrize("text", ["1e999 km", "1.5e308 miles", "between 1 and 1e999 km"])
def test_overflow_to_infinity_is_skipped(text):
    assert find_distances(text) == []


# --- things that are not distances --------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "S-400",
        "Su-35",
        "S-400 km",
        "Su-35 km away",
        "30,000 troops",
        "100,000 soldiers",
        "2022",
        "km",
        "5m people",
        "5 m people",
        "more than 2m refugees",
        "£5m from the fund",
        "the M4 highway",
        "100 km/h",
        "50 km per hour",
        "20 miles an hour",
        "60 mph",
        "100 kmh",
        "100 km2",
        "100 km\u00b2",
        "100 sq km",
        "100 square kilometres",
        "9mm rounds",
        "5 min",
        "a few hundred metres",
        "dozens of kilometres",
        "1,5 km",
        "9 000 km",
        "March 3 100 km",
        "a mile from the camp",
        "walked half a mile",
        "less than a m from",
    ],
)
def test_not_a_distance(text):
    assert find_distances(text) == []


def test_slash_between_two_units_keeps_both():
    assert [m.unit for m in find_distances("100 km/62 miles")] == ["km", "mi"]


# --- parse_bound -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qualifier", "bound"),
    [
        ("as close as", "at_most"),
        ("As  Close  As", "at_most"),
        ("within", "at_most"),
        ("less than", "at_most"),
        ("under", "at_most"),
        ("no more than", "at_most"),
        ("up to", "at_most"),
        ("at most", "at_most"),
        ("at-most", "at_most"),
        ("at_most", "at_most"),
        ("just", "at_most"),
        ("only", "at_most"),
        ("<=", "at_most"),
        ("more than", "at_least"),
        ("over", "at_least"),
        ("at least", "at_least"),
        ("AT_LEAST", "at_least"),
        ("beyond", "at_least"),
        ("farther than", "at_least"),
        ("further than", "at_least"),
        ("just over", "at_least"),
        (">", "at_least"),
        ("about", "about"),
        ("around", "about"),
        ("roughly", "about"),
        ("approximately", "about"),
        ("nearly", "about"),
        ("almost", "about"),
        ("some", "about"),
        ("~", "about"),
        ("only about", "about"),
        ("", "exact"),
        ("exact", "exact"),
        ("exactly", "exact"),
    ],
)
def test_parse_bound(qualifier, bound):
    assert parse_bound(qualifier) == bound


@pytest.mark.parametrize("qualifier", ["sort of", "at", "just just", "more", "kilometres"])
def test_parse_bound_rejects_unknown(qualifier):
    with pytest.raises(InputError, match="qualifier"):
        parse_bound(qualifier)
    with pytest.raises(ValueError):
        parse_bound(qualifier)


@pytest.mark.parametrize(
    "qualifier",
    ["as close as", "within", "less than", "under", "up to", "more than", "over", "at least",
     "beyond", "farther than", "about", "around", "roughly", "approximately", "some", "almost",
     "just", "only", "just under", "no less than", "in excess of"],
)
def test_found_qualifier_agrees_with_parse_bound(qualifier):
    m = only(f"Shelling was reported {qualifier} 25 km away.")
    assert m.qualifier == qualifier
    assert m.bound == parse_bound(qualifier)
    assert m.text == f"{qualifier} 25 km away"


# --- API contract -----------------------------------------------------------------------


def test_to_dict_is_json_ready_and_complete():
    m = only("between 50 and 60 miles away")
    d = m.to_dict()
    assert set(d) == {f.name for f in dataclasses.fields(DistanceMention)}
    assert d["low_km"] == pytest.approx(50 * MI) and d["high_km"] == pytest.approx(60 * MI)
    assert DistanceMention(**json.loads(json.dumps(d))) == m


def test_mention_is_frozen():
    m = only("10 km")
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.km = 5.0  # type: ignore[misc]


@pytest.mark.parametrize("bad", [None, b"10 km", 10])
def test_non_string_input_is_rejected(bad):
    with pytest.raises(InputError):
        find_distances(bad)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        parse_bound(bad)  # type: ignore[arg-type]


# --- linear time --------------------------------------------------------------------------


@pytest.mark.timeout(60)  # hang guards; speed is in benchmarks/bench_text_scanners.py
def test_one_megabyte_of_digits_and_spaces_finishes():
    line = ("1234 5 67 890 12,345 6.7 8e9 " * 40_000)[:1_000_000]
    assert find_distances(line) == []


@pytest.mark.parametrize(
    "unit",
    ["one hundred and ", "between 1 and ", "1 to ", "as close as ", "5m ", "1-", " ", "9,999,"],
)
@pytest.mark.timeout(60)
def test_adversarial_repetitions_finish(unit):
    text = unit * (200_000 // len(unit)) + " 7 km"
    assert find_distances(text)[-1].end == len(text)  # the real distance at the end is still found


def test_dense_mentions_are_all_found():
    text = "3 km, " * 20_000
    found = find_distances(text)
    assert len(found) == 20_000
    assert found[-1].start == len(text) - len("3 km, ")


# --- properties ------------------------------------------------------------------------------


def check_invariants(text: str) -> None:
    found = find_distances(text)
    previous_end = 0
    for m in found:
        assert 0 <= previous_end <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
        assert m.unit in {"km", "m", "mi", "nmi"}
        assert math.isfinite(m.value) and math.isfinite(m.km)
        written_negative = m.text[len(m.qualifier) :].lstrip()[:1] in {"-", "\u2212"}
        assert m.km >= 0 or written_negative
        assert (m.value < 0) == (m.km < 0)
        if m.qualifier:
            assert m.bound == parse_bound(m.qualifier)
        else:
            assert m.bound == ("exact" if m.low_km is None else "about")
        if m.low_km is not None:
            assert m.high_km is not None and math.isfinite(m.high_km)
            assert 0 <= m.low_km <= m.km <= m.high_km
        previous_end = m.end


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_never_breaks(text):
    check_invariants(text)


FRAGMENTS = [
    "as close as", "more than", "about", "~", "between", "and", "to", "-", "\u2212", "some",
    "100", "9,000", "1.5", "1e9", "1e999", "1e308", "0", "ten", "a hundred", "twenty-five",
    "km", "kilometres", "miles", "nautical miles", "nm", "m", "away", "/h", "\u00b2", "of",
    "S-400", "$", ".", ",", " ", "  ", "\n", "\u202f",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=30).map("".join))
def test_report_like_text_keeps_invariants(text):
    check_invariants(text)


def test_a_fraction_is_not_its_denominator() -> None:
    """ "1/2 mile" is not "2 mile" (LGL: "a pickup 1/2 mile west of Richland")."""
    from geo_app.text.quantities import find_distances as fd

    assert [d.text for d in fd("driving a pickup 1/2 mile west of Richland")] == []
    assert [d.text for d in fd("some 50 km from Kyiv")] == ["some 50 km"]


@pytest.mark.parametrize(("text", "km", "bound"), [
    ("Sderot is less than a kilometre from the fence.", 1.0, "at_most"),
    ("The crossing lies within half a mile of the village.", 0.804672, "at_most"),
    ("The post is about a mile east of the river.", 1.609344, "about"),
])
def test_an_article_is_one_after_a_qualifier(text: str, km: float, bound: str) -> None:
    (d,) = find_distances(text)
    assert d.km == pytest.approx(km)
    assert d.bound == bound
    assert text[d.start:d.end] == d.text


def _scan_without_prefilter(text: str) -> list[DistanceMention]:
    """find_distances' scan run on every text (what the prefilter must never hide)."""
    from geo_app.text import quantities as q

    out, pos = [], 0
    while (match := q._DISTANCE_RE.search(text, pos)) is not None:
        mention = q._mention(text, match)
        pos = match.start() + 1 if mention is None else match.end()
        if mention is not None:
            out.append(mention)
    return out


def test_the_prefilter_passes_every_text_that_holds_a_distance() -> None:
    import random

    from geo_app.text.quantities import _may_hold_distance

    parts = ["5", "10", "1,000", "2.5", "one", "twenty-five", "a hundred", "thousand", "Ten", "km", "kilometres",
             "Km", "KM", "miles", "mi", "m", "M", "nm", "NM", "nmi", "NMI", "nautical miles", "metres", "meters",
             "-", "\u2011", " ", "  ", "   ", "    ", "between", "and", "to", "away", "within", "~", "<",
             "per hour", "/h", "^2", "x", "city", "I", "'m", "\u2013", "e+5", ".", "months", "million"]
    rng = random.Random(5)
    found = 0
    for _ in range(4000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(1, 7)))
        if _scan_without_prefilter(text):
            found += 1
            assert _may_hold_distance(text), text
            assert find_distances(text) == _scan_without_prefilter(text)
    assert found > 100  # the generated texts do hold distances
    for text in ("He was 5 minutes late.", "In 2022, 10 million people.", "I'm 3 months in."):
        assert not _may_hold_distance(text)
