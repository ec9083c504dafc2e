"""Tests of geo_app.places.regions: direction-qualified regions, their admin-1 regions, shared borders.

Expected values come from the rule written out independently (band limits from the
geometry's own bounds, areas of boxes and triangles) or from the geography the issue
states (Gomel and Brest are Belarus's southern regions and its only ones on Ukraine).
"""

from __future__ import annotations

import math

import pytest
import shapely
from shapely.geometry import LineString, box

import geo_app.settings as settings
from geo_app.places import borders
from geo_app._errors import InputError, NotFoundError
from geo_app.places.regions import (
    DIRECTIONS,
    area_share,
    describe_direction_rule,
    direction_region,
    normalize_direction,
    regions_mostly_in,
    shared_boundary_km,
)

BELARUS_REGIONS = {"BY-BR", "BY-HO", "BY-HR", "BY-MA", "BY-MI", "BY-VI", "BY-HM"}


@pytest.fixture(scope="module")
def belarus():
    return borders.country_geometry("BY")


# --- the rule on shapes whose answer is known ------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        ("south", box(0, 0, 3, 1)),
        ("north", box(0, 2, 3, 3)),
        ("west", box(0, 0, 1, 3)),
        ("east", box(2, 0, 3, 3)),
        ("central", box(1, 1, 2, 2)),
    ],
)
def test_cardinal_bands_and_centre_of_a_square(direction: str, expected) -> None:
    region = direction_region(box(0, 0, 3, 3), direction, fraction=1 / 3)
    assert region.symmetric_difference(expected).area < 1e-9


def test_diagonal_keeps_the_corner_triangle() -> None:
    # southeast: x - y >= 1 - 2f in the unit square; f = 1/3 gives a right triangle with legs 2/3.
    region = direction_region(box(0, 0, 3, 3), "south-eastern", fraction=1 / 3)
    assert region.area == pytest.approx(9 * (2 / 3) ** 2 / 2)
    assert region.contains(shapely.Point(2.9, 0.1))
    assert not region.contains(shapely.Point(0.1, 0.1))


def test_rectangle_is_scaled_to_its_own_box() -> None:
    # A wide rectangle: "southern" is a third of its height, whatever its width.
    region = direction_region(box(10, 40, 40, 46), "southern", fraction=0.25)
    assert region.bounds == pytest.approx((10, 40, 40, 41.5))


def test_fraction_defaults_to_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "DIRECTION_FRACTION", 0.5)
    assert direction_region(box(0, 0, 2, 2), "north").bounds == pytest.approx((0, 1, 2, 2))


def test_normalize_direction_spellings() -> None:
    assert normalize_direction("Southern") == "south"
    assert normalize_direction("north-western") == "northwest"
    assert normalize_direction("centre") == "central"
    assert set(DIRECTIONS) >= {"south", "northeast", "central"}


@pytest.mark.parametrize("bad", ["up", "", "southerly-ish"])
def test_unknown_direction_is_an_input_error(bad: str) -> None:
    with pytest.raises(InputError):
        direction_region(box(0, 0, 1, 1), bad)


@pytest.mark.parametrize("fraction", [0, -0.1, 1.5, float("nan")])
def test_fraction_outside_zero_one_is_an_input_error(fraction: float) -> None:
    with pytest.raises(InputError):
        direction_region(box(0, 0, 1, 1), "south", fraction=fraction)


def test_non_polygon_is_an_input_error() -> None:
    with pytest.raises(InputError):
        direction_region(LineString([(0, 0), (1, 1)]), "south")
    with pytest.raises(InputError):
        direction_region(shapely.Polygon(), "south")


# --- Belarus ----------------------------------------------------------------------------------


def test_southern_belarus_is_south_of_the_first_third(belarus) -> None:
    minx, miny, maxx, maxy = belarus.bounds
    limit = miny + (maxy - miny) / 3
    region = direction_region(belarus, "south", fraction=1 / 3)
    assert region.bounds[3] == pytest.approx(limit, abs=1e-9)
    assert region.bounds[1] == pytest.approx(miny)
    # Everything of Belarus south of the limit is in the region.
    strip = shapely.intersection(belarus, box(minx, miny, maxx, limit))
    assert region.symmetric_difference(strip).area < 1e-9
    assert f"{limit:.2f}°N" in describe_direction_rule(belarus, "south", fraction=1 / 3)


def test_exactly_gomel_and_brest_lie_mostly_in_southern_belarus(belarus) -> None:
    found = regions_mostly_in("BY", direction_region(belarus, "south", fraction=1 / 3), min_share=0.5)
    assert set(found["iso_3166_2"]) == {"BY-HO", "BY-BR"}
    assert (found["share"] >= 0.5).all() and (found["share"] <= 1.0).all()
    assert list(found["share"]) == sorted(found["share"], reverse=True)


def test_min_share_one_keeps_only_whole_regions(belarus) -> None:
    # Minsk city lies entirely in the central band; Minsk region does not.
    central = direction_region(belarus, "central", fraction=1 / 3)
    whole = regions_mostly_in("BY", central, min_share=0.999)
    assert set(whole["iso_3166_2"]) == {"BY-HM"}


def test_regions_mostly_in_unknown_country() -> None:
    with pytest.raises(NotFoundError):
        regions_mostly_in("Atlantis", box(0, 0, 1, 1))


def test_only_gomel_and_brest_border_ukraine() -> None:
    ukraine = borders.country_geometry("UA")
    regions = borders.regions_of("BY")
    assert set(regions["iso_3166_2"]) == BELARUS_REGIONS
    shared = {row.iso_3166_2: shared_boundary_km(row.geometry, ukraine, tolerance_km=0.5)
              for row in regions.itertuples()}
    assert {code for code, km in shared.items() if km > 1.0} == {"BY-HO", "BY-BR"}
    assert shared["BY-HO"] > 100 and shared["BY-BR"] > 100
    # Together they make up the whole Belarus-Ukraine border of the country layer.
    total = shared_boundary_km(borders.country_geometry("BY"), ukraine, tolerance_km=0.5)
    assert shared["BY-HO"] + shared["BY-BR"] == pytest.approx(total, rel=0.02)


def test_shared_boundary_of_boxes_is_the_common_edge() -> None:
    # Two boxes meeting along the meridian 1E from 0 to 1N: 1 degree of meridian, 110.57 km.
    km = shared_boundary_km(box(0, 0, 1, 1), box(1, 0, 2, 1), tolerance_km=0.1)
    assert km == pytest.approx(110.57, abs=0.3)
    assert shared_boundary_km(box(0, 0, 1, 1), box(3, 0, 4, 1)) == 0.0


def test_area_share_halves_a_box() -> None:
    assert area_share(box(-1, -1, 1, 1), box(0, -5, 5, 5)) == pytest.approx(0.5, abs=1e-3)
    assert area_share(box(0, 0, 1, 1), box(5, 5, 6, 6)) == 0.0


# --- far-flung parts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "direction", "inside", "outside"),
    [
        ("ESP", "south", [(-5.98, 37.39)], [(-15.43, 28.12), (-3.70, 40.42)]),  # Seville; not Las Palmas, Madrid
        ("USA", "west", [(-122.42, 37.77)], [(-157.86, 21.31), (-149.90, 61.22), (-74.0, 40.7)]),  # SF; not HI, AK
        ("ITA", "south", [(13.36, 38.12), (15.65, 38.11)], [(9.19, 45.46)]),  # Palermo (Sicily), Reggio; not Milan
        ("NOR", "south", [(10.75, 59.91)], [(3.40, -54.42)]),  # Oslo; not Bouvet Island
    ],
)
def test_far_flung_parts_do_not_set_the_frame(country: str, direction: str, inside: list, outside: list) -> None:
    region = direction_region(borders.country_geometry(country), direction)
    assert all(region.contains(shapely.Point(p)) for p in inside)
    assert not any(region.contains(shapely.Point(p)) for p in outside)


# --- antimeridian -----------------------------------------------------------------------------


def test_eastern_russia_is_the_far_east_not_a_sliver() -> None:
    russia = borders.country_geometry("RU")
    east = direction_region(russia, "east")
    west = direction_region(russia, "west")
    kamchatka = shapely.Point(158.65, 53.02)  # Petropavlovsk-Kamchatsky
    chukotka_west_of_180 = shapely.Point(-173.2, 64.4)  # Provideniya, west longitude
    moscow = shapely.Point(37.62, 55.75)
    assert east.contains(kamchatka) and east.contains(chukotka_west_of_180)
    assert west.contains(moscow) and not west.contains(chukotka_west_of_180)
    # Results stay in -180..180.
    for region in (east, west):
        minx, _, maxx, _ = region.bounds
        assert -180.0 <= minx and maxx <= 180.0
    assert not math.isclose(east.area, 0.0)
