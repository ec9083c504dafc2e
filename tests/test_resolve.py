"""Resolve step: the known failures of CLIFF and Mordecai are our test cases."""

from __future__ import annotations

import datetime as dt

import pytest
import shapely

from geo_app.places import borders
from geo_app.text.extract import extract
from geo_app.resolve.resolver import resolve

PUB = dt.date(2022, 2, 10)


def resolved(text: str) -> dict[str, object]:
    return {r.mention.text: r for r in resolve(extract(text, PUB))}


def inside(place, iso3166_2: str) -> bool:
    return bool(borders.region(iso3166_2).geometry.contains(shapely.Point(place.lon, place.lat)))


def test_eastern_europe_is_the_region_not_belarus():  # CLIFF #25
    r = resolved("NATO members are increasing their troops in Eastern Europe.")["Eastern Europe"]
    assert r.place.feature_code == "GROUP" and r.mention.kind == "group"


def test_european_is_europe_not_a_mine_in_arizona():  # CLIFF #30
    r = resolved("The European response was swift.")["European"]
    assert r.mention.kind == "demonym" and r.place.name == "Europe"


def test_bangor_maine_is_in_maine():  # CLIFF #29
    r = resolved("The fire started in Bangor, Maine, late on Tuesday.")["Bangor"]
    assert r.place.country_code == "US" and inside(r.place, "US-ME")


@pytest.mark.parametrize(("text", "name", "region"), [
    ("He moved to Paris, Texas, in 2001.", "Paris", "US-TX"),
    ("The mill in Troy, N.C., closed.", "Troy", "US-NC"),
])
def test_written_hierarchy(text, name, region):
    r = resolved(text)[name]
    assert inside(r.place, region)


def test_paris_alone_is_france():
    assert resolved("She flew to Paris for the talks.")["Paris"].place.country_code == "FR"


def test_geographic_coherence_picks_the_local_town():
    text = ("Police in Lamar County said the crash happened near Paris on Highway 82. "
            "Officers from Reno and Clarksville, Texas, helped.")
    r = resolved(text)["Paris"]
    assert inside(r.place, "US-TX")


def test_us_state_in_us_focused_report():
    text = "Atlanta police and officials in Savannah, Macon and Augusta said Georgia would hold a special election."
    assert resolved(text)["Georgia"].place.feature_code == "ADM1"


def test_country_in_caucasus_report():
    text = "Russian troops entered Georgia through South Ossetia, and Tbilisi appealed to Armenia and Azerbaijan."
    assert resolved(text)["Georgia"].place.feature_code == "PCLI"


def test_org_tagged_country_is_kept():  # Mordecai drops names spaCy tags as ORG
    names = resolved("Mariupol, on the Sea of Azov, was shelled.")
    assert "Mariupol" in names and names["Mariupol"].place.country_code == "UA"


def test_unresolvable_mention_is_kept_with_its_reason():
    res = resolve(extract("Troops gathered in the town of Zzyzxqton in Ukraine, officials said.", PUB))
    unresolved = [r for r in res if r.place is None]
    assert [r.mention.text for r in unresolved] == ["Zzyzxqton"]
    assert unresolved[0].reason == "not in the gazetteer"


def test_town_named_like_its_region_is_the_town():
    r = resolved("Air-defence units arrived at a range near Gomel.")["Gomel"]
    assert r.place.feature_class == "P"
    r2 = resolved("Units moved into the Gomel region.")["Gomel"]
    assert r2.place.feature_code == "ADM1"


def test_confidence_and_alternatives():
    r = resolved("She flew to Paris for the talks.")["Paris"]
    assert 0 < r.confidence <= 0.95
    assert r.alternatives and all(a.name for a in r.alternatives)


def test_a_river_named_like_a_town_is_not_the_town():
    text = ("Engineers rebuilt the pontoon crossing over the Dnipro River before the thaw, and barges "
            "carried grain down the Danube River towards the Black Sea.")
    res = resolve(extract(text, dt.date(2026, 11, 20)))
    rivers = [r for r in res if r.mention.name.endswith("River")]
    assert rivers, "the rivers are found as names"
    assert all(r.place is None or r.place.feature_class in ("H", "T", "L") for r in rivers)
    assert not any(r.place is not None and r.place.feature_class in ("P", "A") and r.mention.name.endswith("River")
                   for r in res)
