"""Tests of geo_app.check: recognising claims in reports and checking them against the borders.

Most tests build a small extraction by hand (the text, its place spans and their
gazetteer entries) so they test the checker, not the NER model; a few run the whole
pipeline, on a short text and on the seed reports when they are present. Expected
figures are the issue's worked figures (geodesic, NE 1:10m) or follow from the
verdict rule applied to the measured value, never the checker's own output.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import shapely
from pyproj import Geod

import geo_app.settings as settings
from geo_app.places import borders
from geo_app._errors import InputError
from geo_app.check import (
    VERDICTS,
    Claim,
    check_distance,
    check_many,
    claims_for,
    cross_report,
    max_surface_km,
)
from geo_app.text.extract import Extraction, Mention
from geo_app.places.gazetteer import get_gazetteer
from geo_app.text.quantities import find_distances
from geo_app.resolve.resolver import Resolution

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
KYIV_BELARUS_KM = 87.3  # the worked figure (GeoNames Kyiv, NE 1:10m Belarus)
KYIV_MINSK_KM = 434.0
KHABAROVSK_MINSK_KM = 6784.0


# --- a hand-built report ----------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A place span of a fixture report: the text as written and the gazetteer entry it means."""

    written: str
    key: str | None
    kind: str = "place"
    qualifier: str | None = None
    name: str | None = None  # the base name inside a qualified span
    confidence: float = 0.95
    alternatives: tuple[str, ...] = ()  # gazetteer keys
    occurrence: int = 0  # which occurrence of ``written`` in the text


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in re.finditer(r"(?<=[.!?])\s+", text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def report(text: str, *spans: Span, published: Any = None) -> tuple[Extraction, list[Resolution]]:
    """An extraction and its resolutions, as the extract and resolve steps would give them."""
    import datetime as dt

    gaz = get_gazetteer()
    sentences = _sentences(text)
    ex = Extraction(text=text, published=published, mentions=[], distances=find_distances(text), dates=[],
                    sentences=sentences)
    resolutions = []
    for span in spans:
        start = -1
        for _ in range(span.occurrence + 1):
            start = text.index(span.written, start + 1)
        end = start + len(span.written)
        name = span.name or span.written
        base_start = start + span.written.index(name) if span.name else None
        mention = Mention(start, end, span.written, span.kind, name, "TEST", ex.sentence_of(start),
                          qualifier=span.qualifier, base_start=base_start,
                          base_end=None if base_start is None else base_start + len(name))
        ex.mentions.append(mention)
        place = gaz.get(span.key) if span.key else None
        day = published if isinstance(published, dt.date) else None
        resolutions.append(Resolution(mention, place, span.confidence if place else 0.0,
                                      "test" if place else "not in the gazetteer",
                                      tuple(gaz.get(k) for k in span.alternatives), day, day))
    return ex, resolutions


def claims(text: str, *spans: Span, published: Any = None) -> list[Claim]:
    ex, res = report(text, *spans, published=published)
    return claims_for("test", ex, res)


def only(found: list[Claim], claim_type: str) -> Claim:
    hits = [c for c in found if c.claim_type == claim_type]
    assert len(hits) == 1, [c.summary() for c in found]
    return hits[0]


def key_of(name: str, feature_code: str | None = None, country: str | None = None) -> str:
    """Gazetteer key of a place by name (the first match of a code and country, most populous first)."""
    for match in get_gazetteer().lookup(name):
        p = match.place
        if (feature_code is None or p.feature_code == feature_code) and (country is None or p.country_code == country):
            return p.key
    raise LookupError(name)


KYIV = key_of("Kyiv", "PPLC", "UA")
MINSK = key_of("Minsk", "PPLC", "BY")
KHABAROVSK = key_of("Khabarovsk", "PPL", "RU")
GOMEL_CITY = next(m.place.key for m in get_gazetteer().lookup("Gomel") if m.place.feature_class == "P")


def _geodesic(p: str, q: str) -> float:
    a, b = get_gazetteer().get(p), get_gazetteer().get(q)
    return float(Geod(ellps="WGS84").inv(a.lon, a.lat, b.lon, b.lat)[2]) / 1000


# --- worked figures through the manual API ------------------------------------------------------


def test_kyiv_to_belarus_border_as_close_as_100_km() -> None:
    claim = check_distance("Kyiv", border="Belarus", claimed_km=100, bound="at-most")
    assert claim.measured_km == pytest.approx(KYIV_BELARUS_KM, abs=0.5)
    assert claim.verdict == "consistent"
    assert "shorter than stated" in claim.reason
    assert claim.bound == "at_most" and claim.claimed_km == 100
    assert claim.tolerance_km == pytest.approx(settings.BORDER_DATA_RESOLUTION_KM)
    assert "geodesic on WGS84" in claim.method and "nearest point" in claim.method
    assert "Natural Earth" in claim.data_source and "Kamaryn" in claim.data_source
    # The nearest point lies on the Belarus boundary; the line runs from Kyiv to it.
    belarus = borders.country_geometry("BY")
    assert shapely.distance(belarus.boundary, claim.nearest_point) < 1e-9
    kyiv = get_gazetteer().get(KYIV)
    start, end = claim.line.coords[0], claim.line.coords[-1]
    assert start == pytest.approx((kyiv.lon, kyiv.lat)) and end == pytest.approx(claim.nearest_point.coords[0])
    summary = claim.summary()
    head = f"measured {claim.measured_km:.1f} km from Kyiv to the nearest point of the Belarus border"
    assert summary.startswith(head)
    assert "consistent, the real distance is shorter than stated" in summary


def test_kyiv_to_minsk_point_to_point() -> None:
    claim = check_distance("Kyiv", to="Minsk", claimed_km=434)
    assert claim.measured_km == pytest.approx(KYIV_MINSK_KM, abs=1.5)
    assert claim.measured_km == pytest.approx(_geodesic(KYIV, MINSK), abs=1e-6)
    assert claim.verdict == "consistent"
    assert claim.from_geonameid == get_gazetteer().get(KYIV).geonameid
    assert claim.line.geom_type == "LineString" and len(claim.line.coords) > 40  # densified every 10 km


def test_khabarovsk_to_minsk_great_circle() -> None:
    claim = check_distance("Khabarovsk", to="Minsk")
    assert claim.measured_km == pytest.approx(KHABAROVSK_MINSK_KM, abs=5)
    assert claim.verdict is None and "no claimed distance" in claim.reason


def test_southern_border_is_measured_to_its_southern_part() -> None:
    whole = check_distance("Kyiv", border="Belarus")
    south = check_distance("Kyiv", border="southern Belarus")
    north = check_distance("Kyiv", border="northern Belarus")
    # Kyiv's nearest Belarus border point is on the southern border; the northern one is much farther.
    assert south.measured_km == pytest.approx(whole.measured_km, abs=1e-6)
    assert north.measured_km > whole.measured_km + 200
    assert {r["iso_3166_2"] for r in south.regions} == {"BY-HO", "BY-BR"}
    assert south.region is not None and south.region.geom_type in ("Polygon", "MultiPolygon")


def test_measured_figure_matches_the_geodesy_module() -> None:
    from geo_app.geo.geodesy import nearest_on_boundary

    kyiv = get_gazetteer().get(KYIV)
    expected = nearest_on_boundary(kyiv.lon, kyiv.lat, borders.country_geometry("BY")).distance_km
    assert check_distance("Kyiv", border="Belarus").measured_km == pytest.approx(expected, abs=1e-9)


# --- the verdict rule -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kyiv_border_km() -> float:
    measured = check_distance("Kyiv", border="Belarus").measured_km
    assert measured is not None
    return measured


@pytest.mark.parametrize(
    ("offset", "bound", "verdict"),
    [
        (+20, "at_most", "consistent"),  # stated maximum above the real distance
        (-2, "at_most", "consistent"),  # within the 3 km resolution
        (-10, "at_most", "understated"),  # it is farther than the stated maximum
        (-20, "at_least", "consistent"),
        (+2, "at_least", "consistent"),
        (+10, "at_least", "overstated"),  # nearer than the stated minimum
        (+2.5, "exact", "consistent"),
        (+10, "exact", "overstated"),
        (-10, "exact", "understated"),
        (+10, "about", "consistent"),  # 3 km + 10 % of ~97 km
        (+25, "about", "overstated"),
        (-25, "about", "understated"),
    ],
)
def test_bounds(kyiv_border_km: float, offset: float, bound: str, verdict: str) -> None:
    claim = check_distance("Kyiv", border="Belarus", claimed_km=kyiv_border_km + offset, bound=bound)
    assert claim.verdict == verdict, claim.summary()
    assert claim.verdict in VERDICTS


def test_about_tolerance_adds_the_relative_part(kyiv_border_km: float) -> None:
    claim = check_distance("Kyiv", border="Belarus", claimed_km=100, bound="about")
    expected = settings.BORDER_DATA_RESOLUTION_KM + settings.ABOUT_RELATIVE_TOLERANCE * 100
    assert claim.tolerance_km == pytest.approx(expected)


def test_tolerance_is_read_from_settings(monkeypatch: pytest.MonkeyPatch, kyiv_border_km: float) -> None:
    claim = dict(border="Belarus", claimed_km=kyiv_border_km - 8, bound="at_most")
    assert check_distance("Kyiv", **claim).verdict == "understated"
    monkeypatch.setattr(settings, "BORDER_DATA_RESOLUTION_KM", 10.0)
    assert check_distance("Kyiv", **claim).verdict == "consistent"


@pytest.mark.parametrize(("value", "unit", "factor"), [(54.0, "mi", 1.609344), (54.0, "miles", 1.609344),
                                                       (47.0, "nmi", 1.852), (47.0, "nautical miles", 1.852),
                                                       (87000.0, "m", 0.001)])
def test_units_are_converted(kyiv_border_km: float, value: float, unit: str, factor: float) -> None:
    claim = check_distance("Kyiv", border="Belarus", claimed_km=value, unit=unit)
    assert claim.claimed_km == pytest.approx(value * factor)
    within = abs(value * factor - kyiv_border_km) <= settings.BORDER_DATA_RESOLUTION_KM
    assert claim.verdict == ("consistent" if within else "understated" if value * factor < kyiv_border_km
                             else "overstated")


# --- hostile input ----------------------------------------------------------------------------


def test_place_not_found_is_unverifiable() -> None:
    claim = check_distance("Xqzzyvillegrad", border="Belarus", claimed_km=10)
    assert claim.verdict == "unverifiable" and "no place named" in claim.reason
    assert claim.measured_km is None


def test_border_of_a_place_without_polygon_is_unverifiable() -> None:
    claim = check_distance("Kyiv", border="Europe", claimed_km=100)  # a continent: a point, no polygon
    assert claim.verdict == "unverifiable" and "no polygon" in claim.reason


def test_country_whose_polygon_is_missing_is_unverifiable(monkeypatch: pytest.MonkeyPatch) -> None:
    from geo_app.check import endpoints
    from geo_app.check.endpoints import area_of

    area_of.cache_clear()
    monkeypatch.setattr(endpoints, "geometry_of", lambda place: None)
    try:
        claim = check_distance("Kyiv", border="Belarus", claimed_km=100)
    finally:
        area_of.cache_clear()
    assert claim.verdict == "unverifiable" and "no polygon" in claim.reason


def test_zero_km_is_checked_like_any_figure(kyiv_border_km: float) -> None:
    claim = check_distance("Kyiv", border="Belarus", claimed_km=0)
    assert claim.verdict == "understated" and claim.measured_km == pytest.approx(kyiv_border_km)


def test_negative_distance_is_unverifiable() -> None:
    claim = check_distance("Kyiv", border="Belarus", claimed_km=-5)
    assert claim.verdict == "unverifiable" and "negative" in claim.reason


@pytest.mark.parametrize("bound", ["exact", "about", "at_least"])
def test_more_than_half_the_earth_is_impossible(bound: str) -> None:
    claim = check_distance("Kyiv", to="Minsk", claimed_km=1e9, bound=bound)
    assert claim.verdict == "contradicted" and "impossible" in claim.reason
    assert max_surface_km() == pytest.approx(20003.93, abs=0.01)


def test_within_a_huge_distance_is_trivially_true() -> None:
    assert check_distance("Kyiv", to="Minsk", claimed_km=1e9, bound="within").verdict == "consistent"


@pytest.mark.parametrize(
    "kwargs",
    [dict(), dict(border="Belarus", to="Minsk"), dict(border="Belarus", claimed_km="far"),
     dict(border="Belarus", claimed_km=float("nan")), dict(border="Belarus", claimed_km=1, unit="furlong"),
     dict(border="Belarus", claimed_km=1, bound="roughly-ish")],
)
def test_bad_manual_input_is_an_input_error(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        check_distance("Kyiv", **kwargs)


# --- distances in text --------------------------------------------------------------------------


KYIV_SENTENCE = ("The distance from the southern border of Belarus to Kiev, the capital of Ukraine, "
                 "is as close as 100 km, and Russia and others do not invade Ukraine.")


def _kyiv_spans() -> tuple[Span, ...]:
    alternatives = tuple(m.place.key for m in get_gazetteer().lookup("Kiev") if m.place.key != KYIV)[:3]
    return (
        Span("the southern border of Belarus", "country:BLR", "qualified", "south border", name="Belarus"),
        Span("Kiev", KYIV, confidence=0.74, alternatives=alternatives),
        Span("Ukraine", "country:UKR"),
        Span("Russia", "country:RUS"),
        Span("Ukraine", "country:UKR", occurrence=1),
    )


def test_from_border_to_city_claim_in_text() -> None:
    claim = only(claims(KYIV_SENTENCE, *_kyiv_spans()), "distance")
    assert claim.from_name == "Kyiv" and claim.to_name == "the southern Belarus border"
    assert claim.measured_km == pytest.approx(KYIV_BELARUS_KM, abs=0.5)
    assert claim.verdict == "consistent" and claim.bound == "at_most" and claim.claimed_km == 100
    assert claim.quote == KYIV_SENTENCE and claim.sentence == 0
    assert claim.claimed_text == "as close as 100 km"
    assert {r["iso_3166_2"] for r in claim.regions} == {"BY-HO", "BY-BR"}
    data = claim.to_dict()
    assert data["geometry"]["type"] == "LineString"
    assert data["geometries"]["nearest_point"]["type"] == "Point"
    assert data["geometries"]["region"]["type"] in ("Polygon", "MultiPolygon")


def test_ambiguous_endpoint_offers_the_other_readings() -> None:
    claim = only(claims(KYIV_SENTENCE, *_kyiv_spans()), "distance")
    assert "'Kiev' read as Kyiv" in claim.reading
    alternatives = {a["key"]: a for a in claim.alternatives}
    expected = {m.place.key for m in get_gazetteer().lookup("Kiev")} - {KYIV}
    assert expected <= set(alternatives)
    # The Kyiv region (oblast) touches Belarus: that reading measures 0 km.
    assert min(a["measured_km"] for a in alternatives.values() if a["measured_km"] is not None) == 0.0


def test_unambiguous_endpoints_have_no_alternatives() -> None:
    spans = list(_kyiv_spans())
    spans[1] = Span("Kiev", KYIV, confidence=0.95, alternatives=spans[1].alternatives)
    assert only(claims(KYIV_SENTENCE, *spans), "distance").alternatives == ()


NINE_THOUSAND = ("The S-400 was transferred from the Eastern Military District, which has jurisdiction over "
                 "the Far East region more than 9000 km away. Russia and Belarus hold drills in Belarus. "
                 "Belarus borders Ukraine.")


def _nine_thousand_spans() -> tuple[Span, ...]:
    return (
        Span("Eastern Military District", "composite:eastern_military_district", "group"),
        Span("Far East region", "composite:russian_far_east", "group"),
        Span("Russia", "country:RUS"), Span("Belarus", "country:BLR"),
        Span("Belarus", "country:BLR", occurrence=1), Span("Belarus", "country:BLR", occurrence=2),
        Span("Ukraine", "country:UKR"),
    )


def test_nine_thousand_km_away_is_unverifiable_with_the_straight_line() -> None:
    claim = only(claims(NINE_THOUSAND, *_nine_thousand_spans()), "distance")
    assert claim.verdict == "unverifiable"
    assert claim.measured_km == pytest.approx(KHABAROVSK_MINSK_KM, abs=5)
    assert claim.measured_km == pytest.approx(_geodesic(KHABAROVSK, MINSK), abs=1e-6)
    assert f"straight-line distance is {claim.measured_km:,.0f} km" in claim.reason
    assert "rail or road" in claim.reason
    assert claim.inferred and claim.bound == "at_least" and claim.claimed_km == 9000
    assert claim.from_name.startswith("Khabarovsk") and claim.to_name.startswith("Minsk")
    assert "headquarters" in claim.reading and "mentions most" in claim.reading


def test_away_claim_consistent_when_the_straight_line_is_longer() -> None:
    text = NINE_THOUSAND.replace("more than 9000 km", "more than 6000 km")
    claim = only(claims(text, *_nine_thousand_spans()), "distance")
    assert claim.verdict == "consistent" and claim.inferred


@pytest.mark.parametrize(
    ("written", "verdict", "word"),
    [("0 km", "understated", ""), ("-5 km", "unverifiable", "negative"), ("1e9 km", "contradicted", "impossible"),
     ("270 miles", "consistent", ""), ("234 nautical miles", "consistent", ""), ("5000 km", "overstated", "route")],
)
def test_hostile_figures_in_text(written: str, verdict: str, word: str) -> None:
    text = f"Kyiv is {written} from Minsk."
    claim = only(claims(text, Span("Kyiv", KYIV), Span("Minsk", MINSK)), "distance")
    assert claim.verdict == verdict, claim.summary()
    assert word in claim.reason


@pytest.mark.parametrize(("written", "verdict"), [
    ("420-440 km", "consistent"), ("between 500 and 600 km", "overstated"), ("200 to 300 km", "understated")])
def test_ranges(written: str, verdict: str) -> None:
    claim = only(claims(f"Kyiv is {written} from Minsk.", Span("Kyiv", KYIV), Span("Minsk", MINSK)), "distance")
    assert claim.low_km is not None and claim.high_km is not None
    assert claim.verdict == verdict, claim.summary()


def test_place_not_found_in_text_is_unverifiable() -> None:
    claim = only(claims("Zqxburg is 50 km from Minsk.", Span("Zqxburg", None), Span("Minsk", MINSK)), "distance")
    assert claim.verdict == "unverifiable" and "Zqxburg" in claim.reason


def test_no_origin_is_unverifiable() -> None:
    text = "Troops are within 30 km of Kyiv."
    claim = only(claims(text, Span("Kyiv", KYIV)), "distance")
    assert claim.verdict == "unverifiable" and "measured from" in claim.reason


def test_an_area_touching_the_border_gives_no_origin() -> None:
    text = "Russia massed troops 50 km from the Ukrainian border."
    spans = (Span("Russia", "country:RUS"),
             Span("the Ukrainian border", "country:UKR", "qualified", "border", name="Ukrainian"))
    claim = only(claims(text, *spans), "distance")
    assert claim.verdict == "unverifiable" and "touch" in claim.reason


def test_lengths_are_not_distances_between_places() -> None:
    text = "A convoy 60 km long stood north of Kyiv."
    spans = (Span("north of Kyiv", KYIV, "qualified", "north of", name="Kyiv"),)
    assert [c for c in claims(text, *spans) if c.claim_type == "distance"] == []


def test_direction_of_a_distance_is_checked() -> None:
    brest = key_of("Brest", "PPL", "BY")
    ok = only(claims("Brest is 326 km west of Minsk.", Span("Brest", brest),
                     Span("west of Minsk", MINSK, "qualified", "west of", name="Minsk")), "distance")
    wrong = only(claims("Brest is 326 km east of Minsk.", Span("Brest", brest),
                        Span("east of Minsk", MINSK, "qualified", "east of", name="Minsk")), "distance")
    assert ok.verdict == "consistent"
    assert wrong.verdict == "contradicted" and "not east" in wrong.reason


def test_repeated_claims_are_folded() -> None:
    text = "Belarus, which borders Ukraine, held drills. Later, Belarus, which borders Ukraine, ended them."
    spans = (Span("Belarus", "country:BLR"), Span("Ukraine", "country:UKR"),
             Span("Belarus", "country:BLR", occurrence=1), Span("Ukraine", "country:UKR", occurrence=1))
    claim = only(claims(text, *spans), "adjacency")
    assert claim.sentence == 0 and claim.also_in_sentences == (1,)


# --- containment, adjacency, coast, membership, regions -------------------------------------------


def test_city_in_southern_belarus() -> None:
    found = claims("Gomel, in southern Belarus, hosted drills.", Span("Gomel", GOMEL_CITY),
                   Span("southern Belarus", "country:BLR", "qualified", "south", name="Belarus"))
    claim = only(found, "containment")
    assert claim.verdict == "consistent" and "south of" in claim.reason
    assert claim.to_dict()["geometries"]["point"]["type"] == "Point"


def test_city_outside_the_stated_region_is_contradicted() -> None:
    found = claims("Minsk, in southern Belarus, hosted drills.", Span("Minsk", MINSK),
                   Span("southern Belarus", "country:BLR", "qualified", "south", name="Belarus"))
    claim = only(found, "containment")
    minsk = get_gazetteer().get(MINSK)
    limit = borders.country_geometry("BY").bounds
    assert minsk.lat > limit[1] + (limit[3] - limit[1]) / 3  # the premise: Minsk is north of the southern third
    assert claim.verdict == "contradicted" and claim.measured_km > 50
    assert "in Belarus" in claim.reason


def test_region_in_a_country_by_area_share() -> None:
    gomel_region = key_of("Gomel", "ADM1", "BY")
    ok = only(claims("Gomel, in Belarus, is flat.", Span("Gomel", gomel_region), Span("Belarus", "country:BLR")),
              "containment")
    wrong = only(claims("Gomel, in Poland, is flat.", Span("Gomel", gomel_region), Span("Poland", "country:POL")),
                 "containment")
    assert ok.verdict == "consistent" and "100%" in ok.reason
    assert wrong.verdict == "contradicted"


def test_belarus_borders_ukraine_not_romania() -> None:
    text = "Belarus, which borders Ukraine, held drills. Belarus, which borders Romania, did not."
    spans = (Span("Belarus", "country:BLR"), Span("Ukraine", "country:UKR"),
             Span("Belarus", "country:BLR", occurrence=1), Span("Romania", "country:ROU"))
    found = [c for c in claims(text, *spans) if c.claim_type == "adjacency"]
    assert [(c.to_name, c.verdict) for c in found] == [("Ukraine", "consistent"), ("Romania", "contradicted")]
    assert found[0].shared_border_km > 500  # shared border length, km (its own property)
    assert found[0].measured_km == 0.0  # measured_km is a distance everywhere: they touch
    assert found[0].line is not None and found[0].primary_geometry() is not None  # the shared border is drawn
    assert "apart" in found[1].reason


def test_adjacent_to_northern_ukraine_and_southern_belarus_borders_ukraine() -> None:
    text = ("In Belarus, which is adjacent to northern Ukraine, drills began. "
            "Southern Belarus, which borders Ukraine, is flat.")
    spans = (Span("Belarus", "country:BLR"),
             Span("northern Ukraine", "country:UKR", "qualified", "north", name="Ukraine"),
             Span("Southern Belarus", "country:BLR", "qualified", "south", name="Belarus"),
             Span("Ukraine", "country:UKR", occurrence=1))
    found = [c for c in claims(text, *spans) if c.claim_type == "adjacency"]
    assert len(found) == 2 and all(c.verdict == "consistent" for c in found)


def test_wedged_between_reads_the_region_not_the_town() -> None:
    alternatives = tuple(m.place.key for m in get_gazetteer().lookup("Kaliningrad") if m.place.layer == "admin1")
    city = key_of("Kaliningrad", "PPL", "RU")
    text = "Kaliningrad, wedged between Poland and Lithuania, is a Russian exclave."
    found = claims(text, Span("Kaliningrad", city, confidence=0.6, alternatives=alternatives),
                   Span("Poland", "country:POL"), Span("Lithuania", "country:LTU"))
    adjacency = [c for c in found if c.claim_type == "adjacency"]
    assert [c.to_name for c in adjacency] == ["Poland", "Lithuania"]
    assert all(c.verdict == "consistent" for c in adjacency)
    assert all("not the town" in c.reason for c in adjacency)


def test_region_inside_does_not_border() -> None:
    gomel_region = key_of("Gomel", "ADM1", "BY")
    claim = only(claims("Gomel, which borders Belarus, is flat.", Span("Gomel", gomel_region),
                        Span("Belarus", "country:BLR")), "adjacency")
    assert claim.verdict == "contradicted" and "within" in claim.reason


def test_coastal_claims() -> None:
    mariupol = key_of("Mariupol", "PPL", "UA")
    ok = only(claims("Mariupol, a port on the Sea of Azov, was shelled.", Span("Mariupol", mariupol),
                     Span("Sea of Azov", "sea:Sea of Azov")), "coastal")
    wrong = only(claims("Minsk, on the Black Sea, was calm.", Span("Minsk", MINSK),
                        Span("Black Sea", "sea:Black Sea")), "coastal")
    assert ok.verdict == "consistent" and ok.measured_km <= 10
    assert wrong.verdict == "contradicted" and wrong.measured_km > 500


def test_sea_facing_a_region_is_an_adjacency() -> None:
    text = "Ships gather in the Black Sea facing southern Ukraine."
    found = claims(text, Span("Black Sea", "sea:Black Sea"),
                   Span("southern Ukraine", "country:UKR", "qualified", "south", name="Ukraine"))
    assert only(found, "adjacency").verdict == "consistent"
    assert "containment" not in {c.claim_type for c in found}  # no place is said to be in the sea


def test_membership_lists() -> None:
    text = "NATO sent jets to the Baltic states such as Lithuania, Latvia and Poland."
    found = claims(text, Span("Baltic states", "composite:baltic_states", "group"),
                   Span("Lithuania", "country:LTU"), Span("Latvia", "country:LVA"), Span("Poland", "country:POL"))
    verdicts = {c.from_name: c.verdict for c in found if c.claim_type == "membership"}
    assert verdicts == {"Lithuania": "consistent", "Latvia": "consistent", "Poland": "contradicted"}


def test_membership_of_an_adjective_group() -> None:
    text = "Jets flew to Eastern European countries such as Romania and Bulgaria."
    found = claims(text, Span("Romania", "country:ROU"), Span("Bulgaria", "country:BGR"))
    members = [c for c in found if c.claim_type == "membership"]
    assert [(c.from_name, c.to_key, c.verdict) for c in members] == [
        ("Romania", "composite:eastern_europe", "consistent"), ("Bulgaria", "composite:eastern_europe", "consistent")]


def test_membership_of_a_continent() -> None:
    text = "Leaders of European countries such as France and Brazil met."
    found = claims(text, Span("France", "country:FRA"), Span("Brazil", "country:BRA"))
    verdicts = {c.from_name: c.verdict for c in found if c.claim_type == "membership"}
    assert verdicts == {"France": "consistent", "Brazil": "contradicted"}


def test_membership_respects_the_dates_a_group_existed() -> None:
    text = "The Western Military District regions such as Kaliningrad drilled."
    spans = (Span("Western Military District", "composite:western_military_district", "group"),
             Span("Kaliningrad", key_of("Kaliningrad", "ADM1", "RU")))
    import datetime as dt

    before = only(claims(text, *spans, published=dt.date(2022, 2, 10)), "membership")
    after = only(claims(text, *spans, published=dt.date(2025, 1, 1)), "membership")
    assert before.verdict == "consistent"
    assert after.verdict == "contradicted" and "did not exist" in after.reason


def test_one_of_the_group() -> None:
    found = claims("Lithuania, one of the Baltic states, protested.", Span("Lithuania", "country:LTU"),
                   Span("Baltic states", "composite:baltic_states", "group"))
    assert only(found, "membership").verdict == "consistent"


def test_region_feature_for_a_direction_qualified_mention() -> None:
    found = claims("The maneuver is held in southern Belarus.",
                   Span("southern Belarus", "country:BLR", "qualified", "south", name="Belarus"))
    region = only(found, "region")
    assert region.verdict is None
    assert {r["iso_3166_2"] for r in region.regions} == {"BY-HO", "BY-BR"}
    assert region.to_dict()["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert "southern third" in region.reason


def test_events_without_a_place_give_no_claim() -> None:
    found = claims("S-400s arrived in Belarus. Ships gathered in the Black Sea.",
                   Span("Belarus", "country:BLR"), Span("Black Sea", "sea:Black Sea"))
    assert found == []


def test_no_claim_across_a_heading() -> None:
    text = "Warships are gathering in the Black Sea\n\nIn Belarus, drills began."
    found = claims(text, Span("Black Sea", "sea:Black Sea"), Span("Belarus", "country:BLR"))
    assert [c for c in found if c.claim_type == "containment"] == []


# --- output ------------------------------------------------------------------------------------


def test_to_dict_is_json_ready_and_complete() -> None:
    found = claims(KYIV_SENTENCE, *_kyiv_spans())
    for claim in found:
        data = claim.to_dict()
        text = json.dumps(data)
        assert "shapely" not in text
        for key in ("kind", "claim_type", "report_id", "quote", "sentence", "claimed_km", "bound", "measured_km",
                    "verdict", "reason", "method", "data_source", "from_name", "to_name", "from_geonameid",
                    "tolerance_km", "alternatives", "geometry", "geometries"):
            assert key in data
        assert data["kind"] == "claim" and data["report_id"] == "test"
        feature = claim.to_feature()
        assert feature["type"] == "Feature" and feature["properties"]["verdict"] == claim.verdict


# --- batch path -------------------------------------------------------------------------------


def test_check_many_agrees_with_check_distance() -> None:
    kyiv, minsk = get_gazetteer().get(KYIV), get_gazetteer().get(MINSK)
    batch = check_many([kyiv.lon, minsk.lon], [kyiv.lat, minsk.lat], border="Belarus", claimed_km=100, bound="at_most")
    single = check_distance("Kyiv", border="Belarus", claimed_km=100, bound="at_most")
    assert batch.measured_km[0] == pytest.approx(single.measured_km, abs=1e-9)
    assert batch.verdicts[0] == single.verdict == "consistent"
    # Minsk is inside Belarus, far from its border: more than 100 km away.
    assert batch.measured_km[1] > 100 and batch.verdicts[1] == "understated"
    with pytest.raises(InputError):
        check_many([0.0], [0.0], border="Europe", claimed_km=1)


def test_check_many_impossible_claims() -> None:
    batch = check_many(np.array([30.0, 31.0]), np.array([50.0, 51.0]), to="Minsk", claimed_km=1e9)
    assert (batch.verdicts == "contradicted").all()


# --- cross-report -----------------------------------------------------------------------------


def _analysis(report_id: str, text: str, *spans: Span) -> SimpleNamespace:
    ex, res = report(text, *spans)
    return SimpleNamespace(report_id=report_id, extraction=ex, resolutions=res, claims=claims_for(report_id, ex, res),
                           source=f"outlet {report_id}")


def test_cross_report_groups_places_and_claims() -> None:
    spans = (Span("Kyiv", KYIV), Span("Minsk", MINSK))
    a = _analysis("a", "Kyiv is about 430 km from Minsk.", *spans)
    b = _analysis("b", "Kyiv is 440 km from Minsk.", *spans)
    c = _analysis("c", "Kyiv is 900 km from Minsk.", *spans)
    out = cross_report([a, b, c])
    assert {p["place_key"] for p in out["shared_places"]} == {KYIV, MINSK}
    kyiv = next(p for p in out["shared_places"] if p["place_key"] == KYIV)
    assert {m["report_id"] for m in kyiv["mentions"]} == {"a", "b", "c"}
    pairs = lambda items: {tuple(sorted(x["report_id"] for x in item["claims"])) for item in items}  # noqa: E731
    assert pairs(out["agreements"]) == {("a", "b")}
    assert pairs(out["disagreements"]) == {("a", "c"), ("b", "c")}
    dis = out["disagreements"][0]
    assert all(x["quote"] for x in dis["claims"]) and dis["difference_km"] > 0
    json.dumps(out)


# --- the whole pipeline -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def analyze():
    from geo_app.pipeline import analyze as run

    return run


def test_pipeline_text_end_to_end(analyze) -> None:
    analysis = analyze("Mariupol, a port on the Sea of Azov, lies far from Minsk. "
                       "Belarus, which borders Ukraine, held drills.", "2022-02-10")
    kinds = {(c.claim_type, c.verdict) for c in analysis.claims}
    assert ("coastal", "consistent") in kinds and ("adjacency", "consistent") in kinds
    record = analysis.to_record()
    assert record["claims"] and json.dumps(record)


def _seed(prefix: str) -> Path:
    hits = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.exists() else []
    if not hits:
        pytest.skip(f"seed {prefix} not present in {SEEDS}")
    return hits[0]


def test_seed_002(analyze) -> None:
    analysis = analyze(_seed("002").read_text(encoding="utf-8"), "2022-02-10", report_id="002")
    distances = [c for c in analysis.claims if c.claim_type == "distance"]
    kyiv = next(c for c in distances if c.claimed_km == 100)
    assert kyiv.verdict == "consistent" and kyiv.bound == "at_most"
    assert kyiv.measured_km == pytest.approx(KYIV_BELARUS_KM, abs=0.5)
    assert kyiv.line is not None and kyiv.to_dict()["geometry"]["type"] == "LineString"
    assert "Kiev" in kyiv.quote
    assert {"BY-HO", "BY-BR"} <= {r["iso_3166_2"] for r in kyiv.regions}
    far = next(c for c in distances if c.claimed_km == 9000)
    assert far.verdict == "unverifiable"
    assert far.measured_km == pytest.approx(KHABAROVSK_MINSK_KM, abs=5)
    assert f"{far.measured_km:,.0f} km" in far.reason
    adjacency = [c for c in analysis.claims if c.claim_type == "adjacency"]
    assert any(c.to_name == "Ukraine" and c.verdict == "consistent" for c in adjacency)
    assert all(c.verdict in VERDICTS for c in analysis.claims if c.claim_type != "region")


def test_seed_000_southern_belarus(analyze) -> None:
    analysis = analyze(_seed("000").read_text(encoding="utf-8"), "2022-02-10", report_id="000")
    regions = [c for c in analysis.claims if c.claim_type == "region" and c.from_name == "southern Belarus"]
    assert regions and {r["iso_3166_2"] for r in regions[0].regions} == {"BY-HO", "BY-BR"}


def test_seeds_cross_report(analyze) -> None:
    a = analyze(_seed("000").read_text(encoding="utf-8"), "2022-02-10", report_id="000")
    b = analyze(_seed("002").read_text(encoding="utf-8"), "2022-02-10", report_id="002")
    out = cross_report([a, b])
    shared = {p["place_key"] for p in out["shared_places"]}
    assert {"country:BLR", "country:UKR"} <= shared
    assert any(item["claim_type"] == "adjacency" for item in out["agreements"])
    for item in out["agreements"] + out["disagreements"]:
        assert {x["report_id"] for x in item["claims"]} == {"000", "002"}
