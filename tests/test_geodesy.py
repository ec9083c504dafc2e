"""Tests of geo_app.geo.geodesy: geodesic distances, lines, areas, nearest boundary points.

Expected values come from closed forms on the WGS84 ellipsoid (equator and
meridian arcs, the octant area) or from an independent brute force (golden-
section search over every edge), not from the code under test.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

import geo_app.settings as settings
from geo_app._errors import InputError
from geo_app.geo.geodesy import (
    brute_force_nearest_km,
    BoundaryIndex,
    NearestPoint,
    geodesic_area_km2,
    geodesic_km,
    geodesic_line,
    nearest_on_boundary,
    nearest_on_boundary_many,
)

# WGS84 defining constants, written out so the closed forms do not lean on pyproj.
A = 6378137.0
F = 1 / 298.257223563
E2 = F * (2 - F)

KYIV = (30.5234, 50.4501)
MINSK = (27.5590, 53.9006)
KHABAROVSK = (135.0838, 48.4827)


# --- helpers -------------------------------------------------------------------------------


def _meridian_arc_km(lat1: float, lat2: float) -> float:
    """Meridian arc between two latitudes, km (Simpson's rule on the radius of curvature)."""
    x = np.radians(np.linspace(lat1, lat2, 2001))
    m = A * (1 - E2) / (1 - E2 * np.sin(x) ** 2) ** 1.5
    h = x[1] - x[0]
    return abs(h / 3 * (m[0] + m[-1] + 4 * m[1:-1:2].sum() + 2 * m[2:-1:2].sum())) / 1000


def _equator_arc_km(dlon: float) -> float:
    """Arc along the equator (a geodesic for |dlon| < 179.4 degrees), km."""
    return A * math.radians(abs(dlon)) / 1000


def _on_boundary_deg(geometry: Polygon | MultiPolygon | LineString, lon: np.ndarray, lat: np.ndarray) -> float:
    """Largest planar distance (degrees) of points from the geometry's boundary."""
    boundary = geometry if isinstance(geometry, LineString) else geometry.boundary
    return float(np.max(shapely.distance(boundary, shapely.points(np.asarray(lon), np.asarray(lat)))))


def _load_countries() -> Any:
    """Natural Earth countries from the committed GeoParquet, or skip."""
    path = settings.BOUNDARIES_DIR / "countries.parquet"
    if not path.exists():
        pytest.skip(f"{path} not built yet")
    geopandas = pytest.importorskip("geopandas")
    return geopandas.read_parquet(path)


@pytest.fixture(scope="module")
def belarus() -> Polygon | MultiPolygon:
    countries = _load_countries()
    rows = countries[countries["ADM0_A3"] == "BLR"]
    assert len(rows) == 1
    return rows.geometry.iloc[0]


@pytest.fixture(scope="module")
def star() -> Polygon:
    """A jagged polygon with long edges (up to ~1,500 km) and a hole, in mid-latitudes."""
    rng = np.random.default_rng(42)
    angles = np.sort(rng.uniform(0, 2 * np.pi, 11))
    radii = rng.uniform(2, 12, 11)
    shell = np.c_[25 + radii * np.cos(angles) / math.cos(math.radians(50)), 50 + radii * np.sin(angles)]
    hole = [(24, 49), (26, 49), (26, 50.5), (24, 50.5)]
    polygon = Polygon(shell, [hole])
    assert polygon.is_valid
    return polygon


# --- required figures (Natural Earth) ------------------------------------------------------


def test_kyiv_to_belarus_border(belarus: Polygon) -> None:
    result = nearest_on_boundary(*KYIV, belarus)
    assert isinstance(result, NearestPoint)
    assert result.distance_km == pytest.approx(87.3, abs=0.5)
    assert not result.inside
    assert _on_boundary_deg(belarus, result.point.x, result.point.y) < 1e-9
    assert result.distance_km == pytest.approx(geodesic_km(*KYIV, result.point.x, result.point.y), abs=1e-9)


def test_kyiv_to_belarus_border_matches_brute_force(belarus: Polygon) -> None:
    exact = brute_force_nearest_km(np.array([KYIV[0]]), np.array([KYIV[1]]), belarus)[0]
    assert nearest_on_boundary(*KYIV, belarus).distance_km == pytest.approx(exact, abs=1e-6)


def test_minsk_is_inside_belarus(belarus: Polygon) -> None:
    result = nearest_on_boundary(*MINSK, belarus)
    assert result.inside
    assert 50 < result.distance_km < 200
    assert _on_boundary_deg(belarus, result.point.x, result.point.y) < 1e-9


def test_kyiv_to_minsk() -> None:
    assert 430 <= geodesic_km(*KYIV, *MINSK) <= 438


def test_khabarovsk_to_minsk() -> None:
    assert geodesic_km(*KHABAROVSK, *MINSK) == pytest.approx(6784, abs=15)


def test_belarus_border_matches_brute_force(belarus: Polygon) -> None:
    rng = np.random.default_rng(7)
    lons, lats = rng.uniform(20, 40, 12), rng.uniform(44, 58, 12)
    km, nlon, nlat = BoundaryIndex(belarus).nearest_many(lons, lats)
    assert np.abs(km - brute_force_nearest_km(lons, lats, belarus)).max() < 1e-3  # km: under 1 m
    assert _on_boundary_deg(belarus, nlon, nlat) < 1e-9


# --- geodesic_km -----------------------------------------------------------------------------


def test_geodesic_km_along_equator_and_meridian() -> None:
    assert geodesic_km(10, 0, 13.5, 0) == pytest.approx(_equator_arc_km(3.5), rel=1e-12)
    assert geodesic_km(40, 12, 40, 57) == pytest.approx(_meridian_arc_km(12, 57), rel=1e-9)


def test_geodesic_km_is_float_for_scalars_and_array_for_arrays() -> None:
    scalar = geodesic_km(*KYIV, *MINSK)
    assert isinstance(scalar, float)
    lons = np.array([[27.5590, 30.5234], [135.0838, 27.5590]])
    lats = np.array([[53.9006, 50.4501], [48.4827, 53.9006]])
    many = geodesic_km(KYIV[0], KYIV[1], lons, lats)
    assert isinstance(many, np.ndarray) and many.shape == (2, 2)
    assert many[0, 0] == pytest.approx(scalar, abs=1e-9)
    assert many[0, 1] == pytest.approx(0.0, abs=1e-9)
    assert many[1, 0] == pytest.approx(geodesic_km(*KYIV, *KHABAROVSK), abs=1e-9)


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(0.0, 91.0), (0.0, -90.5), (float("nan"), 10.0), (10.0, float("inf"))],
)
def test_geodesic_km_rejects_bad_coordinates(lon: float, lat: float) -> None:
    with pytest.raises(InputError):
        geodesic_km(lon, lat, 0.0, 0.0)
    with pytest.raises(ValueError):  # InputError is a ValueError too
        geodesic_km(0.0, 0.0, np.array([lon]), np.array([lat]))


# --- geodesic_line -------------------------------------------------------------------------


def test_geodesic_line_is_densified_and_on_the_geodesic() -> None:
    line = geodesic_line(*KYIV, *KHABAROVSK, step_km=25)
    coords = np.asarray(line.coords)
    assert tuple(coords[0]) == pytest.approx(KYIV) and tuple(coords[-1]) == pytest.approx(KHABAROVSK)
    steps = geodesic_km(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    assert steps.max() <= 25 + 1e-6
    # Vertices on the geodesic: the legs add up to the direct distance.
    assert steps.sum() == pytest.approx(geodesic_km(*KYIV, *KHABAROVSK), abs=1e-6)


def test_geodesic_line_does_not_jump_at_the_antimeridian() -> None:
    coords = np.asarray(geodesic_line(178.0, -16.0, -178.0, -17.0, step_km=10).coords)
    assert np.abs(np.diff(coords[:, 0])).max() < 0.2
    assert coords[0, 0] == 178.0 and coords[-1, 0] == pytest.approx(182.0)


def test_geodesic_line_of_one_point_and_bad_step() -> None:
    assert len(geodesic_line(5.0, 5.0, 5.0, 5.0).coords) == 2
    with pytest.raises(InputError):
        geodesic_line(0, 0, 1, 1, step_km=0)


def test_geodesic_line_step_setting_is_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    default = len(geodesic_line(*KYIV, *MINSK).coords)
    monkeypatch.setattr(settings, "GEODESIC_LINE_STEP_KM", 100.0, raising=False)
    assert len(geodesic_line(*KYIV, *MINSK).coords) < default


# --- nearest_on_boundary: cases with a closed-form answer ----------------------------------


def test_point_south_of_an_edge_on_the_equator() -> None:
    result = nearest_on_boundary(0.5, -0.3, box(0, 0, 1, 1))
    assert not result.inside
    assert (result.point.x, result.point.y) == pytest.approx((0.5, 0.0), abs=1e-9)
    assert result.distance_km == pytest.approx(_meridian_arc_km(-0.3, 0.0), abs=1e-6)


def test_point_inside_a_square_goes_to_the_nearest_edge() -> None:
    result = nearest_on_boundary(11.8, 0.0, box(10, -1, 12, 1))
    assert result.inside
    assert (result.point.x, result.point.y) == pytest.approx((12.0, 0.0), abs=1e-9)
    assert result.distance_km == pytest.approx(_equator_arc_km(0.2), abs=1e-6)


def test_point_inside_near_a_parallel_edge() -> None:
    # An edge along a parallel: seen from due south, its nearest point is due north.
    result = nearest_on_boundary(21.0, 43.9, box(20, 40, 24, 44))
    assert result.inside
    assert (result.point.x, result.point.y) == pytest.approx((21.0, 44.0), abs=1e-7)
    assert result.distance_km == pytest.approx(_meridian_arc_km(43.9, 44.0), abs=1e-6)


def test_nearest_on_a_line() -> None:
    line = LineString([(0, 0), (10, 0)])
    result = nearest_on_boundary(5.0, 1.0, line)
    assert not result.inside
    assert (result.point.x, result.point.y) == pytest.approx((5.0, 0.0), abs=1e-9)
    assert result.distance_km == pytest.approx(_meridian_arc_km(0, 1), abs=1e-6)
    # Beyond the end of the line the nearest point is the end.
    assert nearest_on_boundary(12.0, 0.0, line).distance_km == pytest.approx(_equator_arc_km(2), abs=1e-6)


def test_holes_are_boundary() -> None:
    polygon = Polygon([(0, -5), (10, -5), (10, 5), (0, 5)], [[(4, -1), (6, -1), (6, 1), (4, 1)]])
    # In the middle of a 2x2 degree hole: a degree of latitude is shorter than one of
    # longitude on the equator, so the nearest edges are the hole's north and south.
    in_hole = nearest_on_boundary(5.0, 0.0, polygon)
    assert not in_hole.inside
    assert in_hole.point.x == pytest.approx(5.0, abs=1e-9)
    assert abs(in_hole.point.y) == pytest.approx(1.0, abs=1e-12)
    assert in_hole.distance_km == pytest.approx(_meridian_arc_km(0.0, 1.0), abs=1e-6)
    assert in_hole.distance_km < _equator_arc_km(1.0)
    beside_hole = nearest_on_boundary(6.5, 0.0, polygon)
    assert beside_hole.inside
    assert (beside_hole.point.x, beside_hole.point.y) == pytest.approx((6.0, 0.0), abs=1e-9)
    assert beside_hole.distance_km == pytest.approx(_equator_arc_km(0.5), abs=1e-6)


def test_multipolygon_uses_the_nearest_part() -> None:
    parts = MultiPolygon([box(0, -1, 1, 1), box(3, -1, 4, 1), box(10, -1, 11, 1)])
    result = nearest_on_boundary(2.2, 0.0, parts)
    assert not result.inside
    assert (result.point.x, result.point.y) == pytest.approx((3.0, 0.0), abs=1e-9)
    assert result.distance_km == pytest.approx(_equator_arc_km(0.8), abs=1e-6)
    assert nearest_on_boundary(3.5, 0.9, parts).inside


def test_search_crosses_the_antimeridian() -> None:
    east_of_seam = box(-179.9, -1, -170, 1)
    result = nearest_on_boundary(179.95, 0.0, east_of_seam)
    assert (result.point.x, result.point.y) == pytest.approx((-179.9, 0.0), abs=1e-9)
    assert result.distance_km == pytest.approx(_equator_arc_km(0.15), abs=1e-6)


def test_cut_along_the_antimeridian_is_not_a_border() -> None:
    # One area split at +-180 as Natural Earth does: the cut edges are artefacts.
    split = MultiPolygon([box(170, -20, 180, 20), box(-180, -20, -170, 20)])
    result = nearest_on_boundary(179.9, 0.0, split)
    assert result.inside
    assert (result.point.x, result.point.y) == pytest.approx((170.0, 0.0), abs=1e-9)
    assert result.distance_km == pytest.approx(_equator_arc_km(9.9), abs=1e-6)


def test_nearest_line_runs_from_origin_to_nearest_point() -> None:
    result = nearest_on_boundary(11.0, 45.0, box(14, 40, 20, 50))
    coords = np.asarray(result.line.coords)
    assert tuple(coords[0]) == pytest.approx((11.0, 45.0))
    assert tuple(coords[-1]) == pytest.approx((result.point.x, result.point.y))
    legs = geodesic_km(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    assert legs.max() <= 10 + 1e-6
    assert legs.sum() == pytest.approx(result.distance_km, abs=1e-6)


# --- nearest_on_boundary: against brute force ------------------------------------------------


def test_star_polygon_matches_brute_force(star: Polygon) -> None:
    rng = np.random.default_rng(3)
    # Inside, near and far (up to the other side of the Earth).
    lons = np.r_[rng.normal(25, 8, 25), rng.uniform(-180, 180, 10)]
    lats = np.r_[np.clip(rng.normal(50, 8, 25), -90, 90), np.degrees(np.arcsin(rng.uniform(-1, 1, 10)))]
    index = BoundaryIndex(star)
    assert index.n_segments > len(star.exterior.coords) + len(star.interiors[0].coords)  # long edges cut
    km, nlon, nlat = index.nearest_many(lons, lats)
    assert np.abs(km - brute_force_nearest_km(lons, lats, star)).max() < 1e-3  # km: under 1 m
    assert _on_boundary_deg(star, nlon, nlat) < 1e-9
    assert np.array_equal(index.contains_many(lons, lats), shapely.contains_xy(star, lons, lats))


def test_nearest_many_agrees_with_nearest_and_keeps_shape(star: Polygon) -> None:
    lons = np.array([[20.0, 25.0, 30.0], [22.0, 40.0, 25.2]])
    lats = np.array([[50.0, 49.5, 55.0], [45.0, 60.0, 49.7]])
    km, nlon, nlat = nearest_on_boundary_many(lons, lats, star)
    assert km.shape == nlon.shape == nlat.shape == (2, 3)
    for i, j in np.ndindex(lons.shape):
        single = nearest_on_boundary(lons[i, j], lats[i, j], star)
        assert single.distance_km == pytest.approx(km[i, j], abs=1e-12)
        assert (single.point.x, single.point.y) == (nlon[i, j], nlat[i, j])


def test_point_on_the_boundary_has_distance_zero(star: Polygon) -> None:
    lon, lat = star.exterior.coords[3]
    result = nearest_on_boundary(lon, lat, star)
    assert result.distance_km == pytest.approx(0.0, abs=1e-9)
    assert not result.inside
    midpoint = star.exterior.interpolate(0.5, normalized=True)
    assert nearest_on_boundary(midpoint.x, midpoint.y, star).distance_km < 1e-6


def test_boundary_index_is_reused_and_accepted(star: Polygon) -> None:
    index = BoundaryIndex(star)
    assert nearest_on_boundary(20.0, 50.0, index) == index.nearest(20.0, 50.0)
    assert nearest_on_boundary(20.0, 50.0, star) == nearest_on_boundary(20.0, 50.0, star)


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "geometry",
    [Polygon(), Point(1, 2), shapely.GeometryCollection([Point(0, 0), box(0, 0, 1, 1)])],
)
def test_unusable_geometries_raise(geometry: shapely.Geometry) -> None:
    with pytest.raises(InputError):
        BoundaryIndex(geometry)


def test_bad_origin_raises(star: Polygon) -> None:
    with pytest.raises(InputError):
        nearest_on_boundary(float("nan"), 50.0, star)
    with pytest.raises(InputError):
        nearest_on_boundary_many([20.0, 21.0], [50.0, 95.0], star)
    with pytest.raises(InputError):
        BoundaryIndex(star).nearest(np.array([1.0, 2.0]), np.array([1.0, 2.0]))  # type: ignore[arg-type]


# --- geodesic_area_km2 ------------------------------------------------------------------------


def test_area_of_an_octant_is_an_eighth_of_the_ellipsoid() -> None:
    e = math.sqrt(E2)
    ellipsoid_km2 = 2 * math.pi * A**2 * (1 + (1 - E2) / (2 * e) * math.log((1 + e) / (1 - e))) / 1e6
    octant = Polygon([(0, 0), (90, 0), (0, 90)])
    assert geodesic_area_km2(octant) == pytest.approx(ellipsoid_km2 / 8, rel=1e-9)
    assert geodesic_area_km2(Polygon(list(octant.exterior.coords)[::-1])) == pytest.approx(ellipsoid_km2 / 8, rel=1e-9)


def test_area_subtracts_holes_and_adds_parts_whatever_the_orientation() -> None:
    outer, inner = box(0, 0, 10, 10), box(2, 2, 4, 4)
    # Hole given counter-clockwise (the "wrong" way) on purpose.
    with_hole = Polygon(outer.exterior.coords, [inner.exterior.coords])
    assert geodesic_area_km2(with_hole) == pytest.approx(geodesic_area_km2(outer) - geodesic_area_km2(inner), rel=1e-12)
    clockwise = Polygon(list(box(20, 0, 21, 1).exterior.coords)[::-1])
    both = MultiPolygon([outer, clockwise])
    assert geodesic_area_km2(both) == pytest.approx(geodesic_area_km2(outer) + geodesic_area_km2(clockwise), rel=1e-12)
    assert geodesic_area_km2(clockwise) > 0
    assert geodesic_area_km2(LineString([(0, 0), (1, 1)])) == 0.0
    assert geodesic_area_km2(Polygon()) == 0.0


def test_area_of_belarus(belarus: Polygon) -> None:
    # Official figure 207,600 km²; Natural Earth 1:10m is generalised.
    assert geodesic_area_km2(belarus) == pytest.approx(207_600, rel=0.01)


def test_a_claim_circle_keeps_its_vertices_in_geojson() -> None:
    """A 130 km circle drawn in a brief: simplifying it to ~1 km showed its facets."""
    from geo_app.geo.geojson import geometry_dict
    from geo_app.geo.geodesy import geodesic_circle

    circle = geodesic_circle(42.95, 14.8, 130.0)
    drawn = geometry_dict(circle, None, 0.01)
    assert len(drawn["coordinates"][0]) == len(circle.exterior.coords) >= 180


def test_a_sector_band_lies_between_its_radii_and_refuses_an_inner_radius_past_the_outer() -> None:
    from geo_app import InputError
    from geo_app.geo.geodesy import geodesic_km, geodesic_sector

    band = geodesic_sector(30.5, 50.45, 80.0, 270.0, 22.5, inner_km=40.0)
    km = [geodesic_km(30.5, 50.45, x, y) for x, y in band.exterior.coords]
    assert min(km) == pytest.approx(40.0, abs=0.01) and max(km) == pytest.approx(80.0, abs=0.01)
    assert band.is_valid
    with pytest.raises(InputError):
        geodesic_sector(30.5, 50.45, 80.0, 270.0, 22.5, inner_km=80.0)
