"""The width of what separates two places is their gap (sentences written for these tests).

Expected figures: geodesic between the Natural Earth 1:10m polygons (mainland Spain to Morocco
across the Strait of Gibraltar 14.4 km; Zealand to Sweden across the Oresund 4.3 km).
"""

from __future__ import annotations

import pytest

from geo_app import pipeline


def distance_claims(text: str) -> list:
    return [c for c in pipeline.analyze(text).claims if c.claim_type == "distance"]


@pytest.mark.parametrize("text", [
    "The Strait of Gibraltar, just 14 km wide, separates Spain from Morocco.",
    "At its narrowest the Strait of Gibraltar is 14 km wide, separating Spain from Morocco.",
    "Spain and Morocco are separated by the 14 km wide Strait of Gibraltar.",
])
def test_a_strait_width_is_measured_between_the_sides_it_separates(text: str) -> None:
    (claim,) = distance_claims(text)
    assert {claim.from_name, claim.to_name} == {"Spain", "Morocco"}
    # Spain's enclaves and islets off Africa touch Morocco: they are left out, and the reading says so
    assert claim.measured_km == pytest.approx(14.4, abs=1.5)
    assert claim.verdict == "consistent"
    assert "nearer the other end" in claim.reading


def test_areas_that_do_not_touch_keep_all_their_parts() -> None:
    (claim,) = distance_claims("Denmark is separated from Sweden by the Oresund, about 4 km wide at its narrowest.")
    assert claim.measured_km == pytest.approx(4.3, abs=1.0)
    assert claim.reading == ""


def test_neighbours_said_to_be_apart_still_touch() -> None:
    (claim,) = distance_claims("Russia and Ukraine are 500 km apart.")
    assert claim.verdict == "unverifiable"
    assert claim.measured_km == 0.0


def test_a_strait_width_alone_is_a_size() -> None:
    assert distance_claims("The Strait of Hormuz is only 39 km wide at its narrowest point.") == []


def test_a_relative_clause_names_what_the_strait_separates_and_a_region_noun_means_the_area() -> None:
    (claim,) = distance_claims("The Kerch Strait, which divides Crimea from Russia's Krasnodar region, "
                               "is about 4 km wide at its narrowest point.")
    assert {claim.from_name, claim.to_name} == {"Autonomous Republic of Crimea", "Krasnodar Krai"}
    assert claim.measured_km < 8  # the two regions' nearest points, not the city of Krasnodar (~190 km)


@pytest.mark.parametrize(("text", "km"), [
    # a figure in commas after a place is its apposition, though the parser hangs it on a verb of motion
    ("Officials said the militants had crossed into Mosul, some 110 km from the Syrian frontier, at night.", 104.4),
    # "to the south" is a compass word (the far end lies south of the fronted place), not a far end
    ("From Kharkiv the Sea of Azov is roughly 350 km to the south.", 337.0),
])
def test_appositions_and_fronted_places_without_commas(text: str, km: float) -> None:
    (claim,) = distance_claims(text)
    assert claim.measured_km == pytest.approx(km, abs=3)
    assert claim.verdict == "consistent"


def test_a_compass_word_after_to_the_is_checked_the_right_way_round() -> None:
    (claim,) = distance_claims("From Kharkiv the Sea of Azov is roughly 350 km to the north.")
    assert claim.verdict == "contradicted"
