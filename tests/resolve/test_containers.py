"""A written container ("X, Y", "Y's X") says where X lies (issue 13, "Which place"): a group of
regions or a map unit holds places by its polygon, and a name with no place inside its container is
placed at the container, saying so, rather than at a namesake elsewhere. Texts written for the test."""

from __future__ import annotations

import datetime as dt

import pytest

from geo_app.resolve.resolver import place_within, resolve
from geo_app.text.extract import extract

PUB = dt.date(2025, 3, 2)


def _resolved(text: str) -> dict[str, object]:
    return {r.mention.text: r for r in resolve(extract(text, PUB))}


def test_a_village_the_gazetteer_lacks_is_placed_at_its_written_county_not_at_a_namesake():
    found = _resolved("The series visits Rockingham, Northamptonshire on 11 August.")
    r = found["Rockingham"]
    # Rockingham, Western Australia is the gazetteer's Rockingham; the writer said England.
    assert r.place.country_code == "GB" and r.place.key == found["Northamptonshire"].place.key
    assert "placed at Northamptonshire" in r.reason and r.confidence <= 0.5
    assert any(alt.country_code == "AU" for alt in r.alternatives)


def test_a_group_of_regions_holds_its_towns():
    found = _resolved("Floods closed schools in Cremona, Lombardy and in Girona, Catalonia.")
    for town, region in (("Cremona", "Lombardy"), ("Girona", "Catalonia")):
        assert found[town].place.feature_class == "P"
        assert place_within(found[town].place, found[region].place)
    assert not place_within(found["Girona"].place, found["Lombardy"].place)


@pytest.mark.parametrize("text, name, country", [
    # Towns of the container are found as before.
    ("Talks resumed in Damascus, Syria on Monday.", "Damascus", "SY"),
    # Two towns are no hierarchy; two countries neither.
    ("Leeds, Bradford and Wakefield closed their schools.", "Leeds", "GB"),
    ("Refugees crossed from Syria, Iraq's western neighbour, overnight.", "Syria", "SY"),
])
def test_no_fallback_where_the_name_is_inside_or_no_container_was_written(text, name, country):
    r = _resolved(text)[name]
    assert r.place.country_code == country and "placed at" not in r.reason


@pytest.mark.parametrize("text, name, kind", [
    # Peers in a list, with or without the serial comma: Utah is not placed in Colorado.
    ("Workers moved to cheaper states such as Utah, Colorado, and Idaho.", "Utah", "ADM1"),
    ("Flights go to Saipan, Guam, Hawaii and Alaska each week.", "Saipan", None),
])
def test_a_list_of_places_is_no_container_to_fall_back_to(text, name, kind):
    r = _resolved(text)[name]
    assert "placed at" not in r.reason
    if kind:
        assert r.place.feature_code == kind
