"""A place said to lie on a border: "Goma, on the border with Rwanda" (sentences written for these tests).

Judged as adjacency by the geodesic distance from the place to the border's lines (Natural Earth
1:10m), within ``settings.ON_BORDER_MAX_KM``.
"""

from __future__ import annotations

import pytest

from geo_app import pipeline, settings


def adjacency_claims(text: str) -> list:
    return [c for c in pipeline.analyze(text).claims if c.claim_type == "adjacency"]


@pytest.mark.parametrize("text", [
    "Goma, on the border with Rwanda, fell to the rebels in January.",
    "Narva, a city right on the Russian border, voted on Sunday.",
    "Rafah lies on the Egyptian border.",
])
def test_a_town_on_the_border_it_is_said_to_lie_on_is_consistent(text: str) -> None:
    (claim,) = adjacency_claims(text)
    assert claim.verdict == "consistent"
    assert claim.measured_km <= settings.ON_BORDER_MAX_KM
    assert claim.primary_geometry() is not None


def test_a_town_far_from_the_border_it_is_said_to_lie_on_is_contradicted() -> None:
    (claim,) = adjacency_claims("Kyiv, on the Russian border, was shelled overnight.")
    assert claim.verdict == "contradicted"
    assert claim.to_name == "Russia"
    assert 150 < claim.measured_km < 250


@pytest.mark.parametrize("text", [
    "Fighting raged in Kharkiv along the Russian border.",
    "Russia massed troops on the Ukrainian border.",
])
def test_a_bare_preposition_states_where_something_happens_not_where_a_place_lies(text: str) -> None:
    assert adjacency_claims(text) == []


def test_a_town_off_the_border_whose_region_lies_on_it_is_read_as_the_region() -> None:
    (claim,) = adjacency_claims("The drone was shot down over Belgorod, on the border with Ukraine.")
    assert claim.verdict == "consistent"
    assert "not the town" in claim.reason


def test_brest_beside_the_polish_border_is_brest_in_belarus() -> None:
    (claim,) = adjacency_claims("Brest lies on the Polish border.")
    assert claim.verdict == "consistent"
