"""Gazetteer coverage, issue 13: US places that ZIP codes are filed under, written variants of
names (abbreviated words, trailing kind-of-place words) and regions' postal abbreviations. All
help the resolver once a span is a place, none makes a word a place. Sentences are our own."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pytest
import shapely

from geo_app import settings
from geo_app.geo.geodesy import geodesic_km
from geo_app.places import borders
from geo_app.places.gazetteer import postal_abbreviations
from geo_app.places.variants import name_variants
from geo_app.resolve.resolver import resolve
from geo_app.text.extract import extract

PUB = dt.date(2024, 5, 2)


def resolved(text: str) -> dict[str, object]:
    return {r.mention.text: r for r in resolve(extract(text, PUB))}


def inside(place, iso3166_2: str) -> bool:
    point = place if isinstance(place, shapely.Point) else shapely.Point(place.lon, place.lat)
    return bool(borders.region(iso3166_2).geometry.contains(point))


# --- US places from ZIP codes ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "name", "state"), [
    ("Volunteers reopened the general store in Wytopitlock, Maine, after the ice storm.", "Wytopitlock", "US-ME"),
    ("Ranchers near Mikkalo, Oregon, lost two hay barns to the grass fire.", "Mikkalo", "US-OR"),
])
def test_a_hamlet_only_the_postal_service_lists_resolves_in_its_state(text, name, state):
    place = resolved(text)[name].place
    assert place is not None and place.feature_class == "P" and place.country_code == "US"
    assert inside(place, state)


def test_zip_code_names_are_weak_they_do_not_make_a_word_a_place(gazetteer):
    # "Institute" (West Virginia) and "Wytopitlock" are post-office names GeoNames' towns lack.
    for word in ("Institute", "Wytopitlock"):
        assert not gazetteer.has_name(word), word
        hits = gazetteer.lookup(word, weak=True)
        assert any(m.place.key.startswith("usps:") for m in hits), word


def test_a_neighbourhood_the_postal_service_accepts_is_inside_its_city(gazetteer):
    # USPS accepts "Squirrel Hill" for Pittsburgh ZIP codes: a neighbourhood (PPLX) in Pittsburgh.
    hits = [m.place for m in gazetteer.lookup("Squirrel Hill", weak=True) if m.place.key.startswith("usps:")]
    assert hits and hits[0].feature_code == "PPLX" and hits[0].admin1_code == "PA"
    pittsburgh = next(m.place for m in gazetteer.lookup("Pittsburgh") if m.place.admin1_code == "PA")
    assert float(geodesic_km([hits[0].lon], [hits[0].lat], [pittsburgh.lon], [pittsburgh.lat])[0]) < 15


def test_a_town_geonames_has_is_not_added_again(gazetteer):
    # Towns of 500+ come from GeoNames; the postal name of the same town adds no second place.
    # Another town of the name, elsewhere, is added (Cedar Rapids, Nebraska, ~300 people).
    assert not any(m.place.key.startswith("usps:") for m in gazetteer.lookup("Pittsburgh", weak=True))
    for name in ("Cedar Rapids", "Santa Fe"):
        hits = [m.place for m in gazetteer.lookup(name, weak=True)]
        usps = [p for p in hits if p.key.startswith("usps:")]
        others = [p for p in hits if not p.key.startswith("usps:")]
        assert usps and others, name
        for p in usps:
            km = geodesic_km([p.lon] * len(others), [p.lat] * len(others), [o.lon for o in others], [o.lat for o in others])
            assert float(min(km)) > settings.GAZETTEER_US_PLACE_SAME_KM, (name, p.key)


def test_us_places_file_points_lie_in_their_states():
    places = gpd.read_parquet(settings.BOUNDARIES_DIR / "us_places.parquet")
    assert len(places) > 30_000 and set(places.columns) >= {"name", "state", "county", "country", "n_zips", "primary"}
    assert not places["state"].isin(["AA", "AE", "AP"]).any()  # armed forces mail is no place
    sample = places[places["state"].isin(["TX", "ME", "OR", "NE"])].sample(200, random_state=1)
    ok = [inside(row.geometry, f"US-{row.state}") for row in sample.itertuples()]
    assert sum(ok) >= 196  # a few ZIP codes straddle a state line


# --- written variants ----------------------------------------------------------------------------

@pytest.mark.parametrize(("norm", "expected"), [
    ("mt. pleasant", [("mount pleasant", "")]),
    ("w. columbia", [("west columbia", "")]),
    ("ft worth", [("fort worth", "")]),
    ("saint marys", [("st. marys", "")]),
    ("loudon co.", [("loudon county", ""), ("loudon", "A")]),
    ("oaxaca state", [("oaxaca", "A")]),
    ("guma local government area", [("guma", "A")]),
    ("birmingham city", [("birmingham", "P")]),
    ("harry s. truman", []),  # a letter inside a name is no compass point
    ("n. y", [("n. y.", "")]),  # the closing dot left out, not "North Y"
    ("calif", [("calif.", "")]),
    ("kharkiv", []),
    ("south florida", [("florida", "AHL")]),
])
def test_name_variants(norm, expected):
    assert name_variants(norm) == expected


def test_an_abbreviated_word_finds_the_towns_of_the_full_name(gazetteer):
    plain = {m.place.key for m in gazetteer.lookup("Mt. Vernon")}
    weak = [m.place for m in gazetteer.lookup("Mt. Vernon", weak=True)]
    full = {m.place.key for m in gazetteer.lookup("Mount Vernon", weak=True)}
    assert {p.key for p in weak} == plain | full and len(full - plain) > 3
    r = resolved("Flooding closed roads in Mt. Vernon, Iowa, and in nearby Cedar Rapids.")["Mt. Vernon"]
    assert r.place is not None and r.place.admin1_code == "IA"


def test_a_place_s_own_name_keeps_its_places(gazetteer):
    # "St. Paul" is the Minnesota capital's own name: the world's "Saint Paul"s do not join it.
    st_paul = {m.place.key for m in gazetteer.lookup("St. Paul", weak=True)}
    saint_paul = {m.place.key for m in gazetteer.lookup("Saint Paul", weak=True)}
    assert saint_paul - st_paul


def test_a_kind_of_place_word_is_dropped_only_for_an_unknown_name(gazetteer):
    hits = gazetteer.lookup("Colorado State", weak=True)
    assert hits and all(m.place.feature_class == "A" for m in hits)
    assert hits[0].place.admin1_code == "US-CO"
    assert not gazetteer.lookup("Colorado State")  # recognition: no place by that name
    r = resolved("Protesters marched in Oaxaca State after the teachers' strike.")["Oaxaca State"]
    assert r.place.feature_code == "ADM1" and r.place.country_code == "MX"


def test_a_direction_before_an_unknown_name_finds_the_area_holding_that_part(gazetteer):
    hits = gazetteer.lookup("Southeastern Cambridgeshire", weak=True)
    assert hits and all(m.place.feature_class in "AHL" for m in hits)
    assert any(m.place.country_code == "GB" for m in hits)
    assert not gazetteer.lookup("West Wing", weak=True)  # the village of Wing is no area


# --- postal abbreviations of regions -------------------------------------------------------------

def test_a_clipped_abbreviation_finds_its_region(gazetteer):
    assert gazetteer.lookup("N.Y", weak=True)[0].place.admin1_code == "US-NY"
    assert gazetteer.lookup("Calif", weak=True)[0].place.admin1_code == "US-CA"
    assert not gazetteer.lookup("Calif")


def test_a_country_s_abbreviation_is_no_region_s_postal_code(gazetteer):
    # Usulután (El Salvador) has the ISO 3166-2 code SV-US; "U.S." stays the United States only.
    assert [m.place.feature_code for m in gazetteer.lookup("U.S.", weak=True)] == ["PCLI"]


def test_postal_abbreviations_are_official_codes_only():
    assert postal_abbreviations("BC", "CA-BC", "British Columbia") == ["BC", "B.C."]
    assert postal_abbreviations("NSW", "AU-NSW", "New South Wales") == ["NSW", "N.S.W."]
    assert postal_abbreviations("LA", "US-LA", "Louisiana") == ["LA"]  # "L.A." is Los Angeles
    assert postal_abbreviations("SA", "CN-SN") == []  # a code Natural Earth made up
    assert postal_abbreviations("", "FR-75") == []


def test_a_province_by_its_postal_abbreviation(gazetteer):
    assert not gazetteer.has_name("BC")  # weak: "BC" alone is never taken for a place
    assert gazetteer.lookup("BC", weak=True)[0].place.admin1_code == "CA-BC"
    rs = resolved("Tourism officials in B.C. expect more visitors from Alberta this summer.")
    assert rs["B.C."].place.admin1_code == "CA-BC"
