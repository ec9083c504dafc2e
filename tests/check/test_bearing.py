"""Compass words against a border: the border as a whole, not only its nearest point (sentences written here)."""

from __future__ import annotations

import pytest

from geo_app.geo.geodesy import geodesic_km, geodesic_sector
from tests.test_claim_links import one


def test_a_town_south_of_a_bending_border_is_south_of_it():
    # Chernihiv's nearest Belarusian border point lies to its west (the Dnieper), yet Belarus lies north of it.
    c = one("Chernihiv lies some 50 km south of the Belarusian border.")
    assert c.verdict == "consistent" and "as stated" in c.reason


def test_the_wrong_side_of_a_border_is_still_contradicted():
    c = one("Chernihiv lies some 50 km north of the Belarusian border.")
    assert c.verdict == "contradicted" and "not north" in c.reason


def test_a_sector_reaches_its_radius_along_its_azimuths():
    wedge = geodesic_sector(30.0, 50.0, 100.0, 0.0, 22.5)
    arc = list(wedge.exterior.coords)[1:-1]
    assert len(arc) >= 3
    assert all(geodesic_km(30.0, 50.0, x, y) == pytest.approx(100.0, abs=1e-6) for x, y in arc)
    assert max(y for _, y in arc) > 50.8 and min(x for x, _ in arc) < 30.0 < max(x for x, _ in arc)


def test_the_capital_is_of_the_country_whose_places_the_report_names():
    # Benin is named twice and Niger once, but the report's places (Niamey, Tillaberi, Gaya) are in Niger.
    text = ("NIAMEY, Nov 25 - Drones struck a convoy between Niamey and Tillaberi, days after Niger closed a "
            "crossing on its border with Benin. Gaya, the main town on the Benin frontier, is roughly 250 km "
            "south-east of the capital.")
    c = one(text)
    assert "Niamey" in c.to_name + c.from_name and c.measured_km == pytest.approx(231.6, abs=3.0)
