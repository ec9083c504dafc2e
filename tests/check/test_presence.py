"""A country "in" a part of itself is where it acts, not what holds it (issue 13: claims that
generalise). Texts written for the test."""

from __future__ import annotations

from geo_app import pipeline


def test_a_country_in_a_region_of_its_own_gives_no_containment_claim():
    claims = pipeline.analyze("The towns still held by Ukraine in the Donbas came under fire on Monday.").claims
    assert not [c for c in claims if c.claim_type == "containment"], [c.reason for c in claims]


def test_a_country_in_a_group_of_countries_is_still_checked():
    claims = pipeline.analyze("Poland lies in Eastern Europe.").claims
    assert [c for c in claims if c.claim_type in ("containment", "membership")]


def test_a_town_the_press_spells_differently_is_the_town_not_its_district():
    result = pipeline.analyze("Tal Afar, a town some 60 km west of Mosul, was retaken.")
    place = next(r.place for r in result.resolutions if r.mention.text == "Tal Afar")
    assert place.feature_class == "P" and place.country_code == "IQ", place
