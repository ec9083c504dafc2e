"""A bare "the border" with a stated way (issue 13, claims that generalise): "60 km south of the
border" means the border north of the town, not the nearest one. Texts written for the test."""

from __future__ import annotations

from geo_app.check.endpoints import nearest_neighbour_country
from geo_app import pipeline

HASAKAH = (40.7477, 36.5024)  # Syria: the Iraqi border is nearer (~50 km east), the Turkish one north (~61 km)


def test_the_way_chooses_among_the_neighbours():
    assert nearest_neighbour_country(*HASAKAH) == "IRQ"
    assert nearest_neighbour_country(*HASAKAH, toward_deg=0.0) == "TUR"
    assert nearest_neighbour_country(*HASAKAH, toward_deg=90.0) == "IRQ"


def test_a_claim_south_of_the_border_is_measured_to_the_border_to_the_north():
    result = pipeline.analyze("Families fled Hasakah, about 60 km south of the border, after the strikes.")
    claims = [c for c in result.claims if c.measured_km is not None]
    assert len(claims) == 1
    assert "Turkey" in claims[0].summary() and 55 < claims[0].measured_km < 67, claims[0].summary()
