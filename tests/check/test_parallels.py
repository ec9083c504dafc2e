"""Circles of latitude as claim ends (geo_app.check.parallels); sentences written for these tests.

The expected distances are the meridian arcs from each town's GeoNames point to the parallel, computed here
with geographiclib (WGS84), independently of geo_app's boundary measure. Without the change the Equator was
read as Équateur province (DR Congo, 10,580 km from Quito), the Tropic of Cancer as Tropic, Utah, and the
Arctic Circle and the 38th parallel as nothing.
"""

from __future__ import annotations

import pytest
from geographiclib.geodesic import Geodesic

from geo_app import settings
from geo_app.check.parallels import latitude_of, parallel_endpoint
from tests.test_claim_links import one

TROMSO = (3133895, 69.6496, 18.95508)
QUITO = (3652462, -0.22985, -78.52495)
HAVANA = (3553478, 23.13302, -82.38304)
SEOUL = (1835848, 37.566, 126.9784)


def arc_km(lat: float, lon: float, to_lat: float) -> float:
    return Geodesic.WGS84.Inverse(lat, lon, to_lat, lon)["s12"] / 1000.0


@pytest.mark.parametrize(("name", "lat"), [
    ("the Equator", 0.0), ("equator", 0.0), ("the Arctic Circle", 90.0 - settings.CLAIM_OBLIQUITY_DEG),
    ("Antarctic Circle", settings.CLAIM_OBLIQUITY_DEG - 90.0), ("the Tropic of Cancer", settings.CLAIM_OBLIQUITY_DEG),
    ("Tropic of Capricorn", -settings.CLAIM_OBLIQUITY_DEG), ("the 38th parallel", 38.0),
    ("49th parallel north", 49.0), ("the 17th parallel south", -17.0),
])
def test_names_of_circles_of_latitude(name: str, lat: float) -> None:
    assert latitude_of(name) == pytest.approx(lat)


@pytest.mark.parametrize("name", ["Arctic", "the Circle", "Tropic", "the 95th parallel", "Parallel Street"])
def test_other_names_are_no_parallel(name: str) -> None:
    assert latitude_of(name) is None and parallel_endpoint(name) is None


@pytest.mark.parametrize(("text", "town", "to_lat"), [
    ("Tromsø lies some 350 km north of the Arctic Circle.", TROMSO, 90.0 - settings.CLAIM_OBLIQUITY_DEG),
    ("Quito lies barely 25 km south of the Equator.", QUITO, 0.0),
    ("Havana lies some 60 km south of the Tropic of Cancer.", HAVANA, settings.CLAIM_OBLIQUITY_DEG),
    ("Seoul lies some 50 km south of the 38th parallel.", SEOUL, 38.0),
])
def test_a_distance_to_a_parallel_is_the_meridian_arc(text: str, town: tuple[int, float, float],
                                                      to_lat: float) -> None:
    gid, lat, lon = town
    c = one(text)
    assert c.from_geonameid == gid or c.to_geonameid == gid
    assert c.measured_km == pytest.approx(arc_km(lat, lon, to_lat), abs=0.5)
    assert "not north" not in c.reason and "not south" not in c.reason  # each lies the way it is said to


def test_the_wrong_side_of_a_parallel_is_contradicted() -> None:
    c = one("Oslo lies some 700 km north of the Arctic Circle.")  # Oslo is 1,000 km south of it
    assert c.verdict == "contradicted"


LONGYEARBYEN = (2729907, 78.2232, 15.64689)


def test_a_distance_to_the_north_pole_is_the_meridian_arc_from_a_point() -> None:
    # was the town of North Pole, Alaska (4,093 km from Longyearbyen)
    gid, lat, lon = LONGYEARBYEN
    c = one("Longyearbyen lies about 1,300 km from the North Pole.")
    assert c.from_geonameid == gid or c.to_geonameid == gid
    assert c.measured_km == pytest.approx(arc_km(lat, lon, 90.0), abs=0.5)


def test_the_magnetic_pole_is_no_geographic_pole() -> None:
    assert latitude_of("the magnetic North Pole") is None
    assert parallel_endpoint("South Pole").kind == "point"
