"""A list of places is not a written hierarchy (issue 13, "Which place"): "A, B and C" names three
peers, while "A, B" alone, or "A, B. and C, D." with C's own container, says where A lies. Texts
written for the test."""

from __future__ import annotations

import datetime as dt

from geo_app.resolve.resolver import resolve
from geo_app.text.extract import extract

PUB = dt.date(2025, 3, 2)


def _resolved(text: str) -> dict[str, object]:
    return {r.mention.text: r for r in resolve(extract(text, PUB))}


def test_the_first_item_of_a_list_is_not_placed_in_the_second():
    found = _resolved("The minister's tour took in Washington, New York and Boston before a stop in Ottawa.")
    washington = found["Washington"].place
    # The capital, not a town of New York State that GeoNames also files as "Washington".
    assert washington.feature_code == "PPLC" and washington.country_code == "US", washington


def test_a_container_written_for_each_item_still_places_them():
    found = _resolved("Factories in Sioux Falls, S.D. and Surprise, Ariz. will close next year.")
    sioux_falls, surprise = found["Sioux Falls"].place, found["Surprise"].place
    assert 43 < sioux_falls.lat < 44.5 and -97.5 < sioux_falls.lon < -96, sioux_falls  # South Dakota
    assert 33 < surprise.lat < 34.5 and -113 < surprise.lon < -112, surprise  # Arizona


def test_a_lone_written_pair_is_still_a_hierarchy():
    found = _resolved("The band played in Paris, Texas, on Saturday night.")
    assert found["Paris"].place.country_code == "US"
