"""Stated border lengths and shared borders (sentences written for these tests).

Lengths are measured on the Natural Earth 1:10m lines (Ukraine-Belarus 863 km, Norway-Sweden
1,620 km, Ukraine-Poland 414 km); a stated length agrees within ``settings.BORDER_LENGTH_RATIO``.
"""

from __future__ import annotations

import pytest

from geo_app import pipeline


def adjacency(text: str):
    (claim,) = [c for c in pipeline.analyze(text).claims if c.claim_type == "adjacency"]
    return claim


@pytest.mark.parametrize(("text", "verdict"), [
    ("Ukraine shares a 1,084 km border with Belarus.", "consistent"),
    ("The 1,084 km border between Ukraine and Belarus runs through marshland.", "consistent"),
    ("Norway's 500-km border with Sweden is open.", "understated"),
    ("Finland closed its 1,340 km border with Russia.", "consistent"),
    ("Ukraine shares a 2,000 km border with Poland.", "overstated"),
])
def test_a_stated_border_length_is_checked_against_the_shared_boundary(text: str, verdict: str) -> None:
    claim = adjacency(text)
    assert claim.verdict == verdict
    assert claim.claimed_km is not None and claim.shared_border_km > 300
    assert "1:10m" in claim.reason


def test_countries_that_do_not_touch_share_no_border_of_any_length() -> None:
    assert adjacency("Moldova shares a 300 km border with Russia.").verdict == "contradicted"


def test_sharing_a_border_with_a_country_is_adjacency() -> None:
    claim = adjacency("Spain shares a border with France.")
    assert claim.verdict == "consistent"
    assert {claim.from_name, claim.to_name} == {"Spain", "France"}


@pytest.mark.parametrize("text", [
    "Poland is building a 186 km fence along its border with Belarus.",
    "Troops were deployed along a 50 km stretch of the border with Belarus.",
])
def test_a_figure_on_something_along_a_border_is_not_its_length(text: str) -> None:
    assert [c for c in pipeline.analyze(text).claims if c.claimed_km is not None] == []
