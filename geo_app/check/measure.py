"""Measuring between endpoints: geodesic distances (WGS84, pyproj Geod), shares of area, shared borders.

A point's distance to an area is to the area's nearest boundary point, also from inside
it; two areas are measured between their nearest boundary points (0 when they touch).
Boundary indexes come from :func:`geo_app.geo.geodesy.boundary_index` (one cache, by
geometry key), so a report's claims are measured in milliseconds once its borders have
been seen.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo_app import settings
from geo_app._errors import InputError
from geo_app.check.model import METHOD_AREAS, METHOD_BOUNDARY, METHOD_POINTS, Endpoint, Measurement
from geo_app.geo.geodesy import boundary_index, geodesic_azimuth, geodesic_km, geodesic_line, geodesic_sector
from geo_app.places.regions import area_share, shared_boundary_km

__all__ = ["COMPASS_HALF_DEG", "area_share_of", "areas_km", "bearing_check", "bearing_error", "compass_azimuth", "measure",
           "point_to_shape", "shared_km"]

_CANDIDATES_PER_SIDE = 64  # vertices refined exactly when measuring between two areas


_TREES: OrderedDict[str, tuple[shapely.STRtree, npt.NDArray[np.float64]]] = OrderedDict()

def _vertex_tree(key: str, geometry: BaseGeometry) -> tuple[shapely.STRtree, npt.NDArray[np.float64]]:
    """Boundary vertices of a geometry and a tree over them, cached by geometry key."""
    hit = _TREES.get(key)
    if hit is not None:
        _TREES.move_to_end(key)
        return hit
    coords = shapely.get_coordinates(shapely.boundary(geometry) if _is_polygonal(geometry) else geometry)
    _TREES[key] = (shapely.STRtree(shapely.points(coords)), coords)
    while len(_TREES) > 64:
        _TREES.popitem(last=False)
    return _TREES[key]


def _is_polygonal(geometry: BaseGeometry) -> bool:
    return {p.geom_type for p in shapely.get_parts(geometry)} <= {"Polygon"}


def point_to_shape(a: Endpoint, b: Endpoint) -> Measurement:
    assert a.lon is not None and a.lat is not None and b.geometry is not None and b.geometry_key is not None
    index = boundary_index(b.geometry, key=b.geometry_key)
    near = index.nearest(a.lon, a.lat)
    inside = near.inside and b.kind == "area"
    if b.kind == "border":
        where = f"to the nearest point of {b.label}"
    elif inside:
        where = f"(inside {b.label}) to the nearest point of its boundary"
    else:
        where = f"to the nearest point of {b.label}"
    return Measurement(km=near.distance_km, description=f"from {a.label} {where}", method=METHOD_BOUNDARY,
                       line=near.line, nearest_point=near.point, inside=inside)


def areas_km(a: Endpoint, b: Endpoint) -> Measurement:
    """Nearest distance between two areas or borders (0 when they touch)."""
    assert a.geometry is not None and b.geometry is not None and a.geometry_key and b.geometry_key
    desc = f"between {a.label} and {b.label} (nearest points)"
    if shapely.intersects(a.geometry, b.geometry):
        where = shapely.intersection(a.geometry, b.geometry)
        point = where.representative_point() if not where.is_empty else None
        return Measurement(km=0.0, description=desc, method=METHOD_AREAS, nearest_point=point, touching=True)
    best = (math.inf, None, None)
    for src, dst in ((a, b), (b, a)):
        tree, _ = _vertex_tree(dst.geometry_key, dst.geometry)
        _, coords = _vertex_tree(src.geometry_key, src.geometry)
        if coords.size == 0:
            continue
        (_, _), planar = tree.query_nearest(shapely.points(coords), return_distance=True, all_matches=False)
        pick = np.argsort(planar)[:_CANDIDATES_PER_SIDE] if planar.size == len(coords) else np.arange(len(coords))
        index = boundary_index(dst.geometry, key=dst.geometry_key)
        km, nlon, nlat = index.nearest_many(coords[pick, 0], coords[pick, 1])
        k = int(np.argmin(km))
        if km[k] < best[0]:
            start = (float(coords[pick[k], 0]), float(coords[pick[k], 1]))
            best = (float(km[k]), start, (float(nlon[k]), float(nlat[k])))
    km, p0, p1 = best
    if p0 is None or p1 is None:
        return Measurement(km=math.nan, description=desc, method=METHOD_AREAS)
    return Measurement(km=km, description=desc, method=METHOD_AREAS, line=geodesic_line(*p0, *p1),
                       nearest_point=Point(p1))


def measure(a: Endpoint, b: Endpoint) -> Measurement:
    """Geodesic distance between two endpoints (a point's to an area is to its nearest boundary point).

    Raises
    ------
    InputError
        An endpoint is missing.
    """
    if a.kind == "missing" or b.kind == "missing":
        raise InputError(a.missing_reason or b.missing_reason)
    if a.kind == "point" and b.kind == "point":
        assert a.lon is not None and a.lat is not None and b.lon is not None and b.lat is not None
        km = float(geodesic_km(a.lon, a.lat, b.lon, b.lat))
        return Measurement(km=km, description=f"from {a.label} to {b.label}", method=METHOD_POINTS,
                           line=geodesic_line(a.lon, a.lat, b.lon, b.lat), nearest_point=Point(b.lon, b.lat))
    if a.kind == "point":
        return point_to_shape(a, b)
    if b.kind == "point":
        return point_to_shape(b, a)
    return areas_km(a, b)


_COMPASS = ("north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest")
#: Half the opening of one compass point (8 points): looking back "north" from a town said to lie
#: "south of the border" means the border within 22.5 degrees of north.
COMPASS_HALF_DEG = 22.5


def compass_azimuth(way: str | None) -> float | None:
    """The azimuth of a stated compass point ("northeast" -> 45.0, degrees clockwise from north),
    or None for no way or one that is not a compass point ("central")."""
    return _COMPASS.index(way) * 45.0 if way in _COMPASS else None


def bearing_check(a: Endpoint, b: Endpoint, near: BaseGeometry | None = None,
                  reach_km: float | None = None) -> tuple[bool | None, str]:
    """For "N km west of Minsk": whether the other place lies that way (within ``CLAIM_BEARING_TOLERANCE_DEG``).

    The stated direction is the ``bearing`` of the end it is relative to ("west" of
    Minsk). When that end is an area or a border ("40 km north of the Ukrainian
    border"), the bearing is taken from its point nearest the other end (``near``,
    the measurement's nearest point); when that point lies another way (a border that
    bends), the direction still holds if the area is reached looking back the stated
    way within ``reach_km`` (a geodesic wedge one compass point wide): Chernihiv is
    "south of the Belarusian border" though the nearest border point is to its west.
    Returns ``(None, "")`` when there is nothing to check, else whether it matches and
    a sentence saying so.
    """
    tol = float(settings.CLAIM_BEARING_TOLERANCE_DEG)
    for ref, other in ((a, b), (b, a)):
        if ref.bearing is None or ref.bearing == "central" or other.kind != "point":
            continue
        if ref.kind == "point":
            assert ref.lon is not None and ref.lat is not None
            rlon, rlat = ref.lon, ref.lat
        elif near is not None and near.geom_type == "Point":
            rlon, rlat = near.x, near.y
        else:
            continue
        assert other.lon is not None and other.lat is not None
        if (rlon, rlat) == (other.lon, other.lat):
            continue
        azimuth = geodesic_azimuth(rlon, rlat, other.lon, other.lat)
        stated = compass_azimuth(ref.bearing)
        assert stated is not None
        off = abs((azimuth - stated + 180.0) % 360.0 - 180.0)
        actual = _COMPASS[int(((azimuth + 22.5) % 360.0) // 45.0)]
        where = ref.label if ref.kind == "point" else f"the nearest point of {ref.label}"
        if off > tol and ref.kind != "point" and ref.geometry is not None and reach_km and reach_km > 0:
            back = geodesic_sector(other.lon, other.lat, reach_km, (stated + 180.0) % 360.0, COMPASS_HALF_DEG)
            if back.intersects(ref.geometry):
                return True, (f"{other.label} lies {ref.bearing} of {ref.label} as stated ({ref.label} lies "
                              f"{_COMPASS[(_COMPASS.index(ref.bearing) + 4) % 8]} of it within {reach_km:.0f} km; "
                              f"its nearest point is {actual}, bearing {azimuth:.0f}°)")
        if off > tol:
            return False, f"{other.label} lies {actual} of {where} (bearing {azimuth:.0f}°), not {ref.bearing}"
        return True, f"{other.label} lies {ref.bearing} of {where} as stated (bearing {azimuth:.0f}°)"
    return None, ""


def bearing_error(a: Endpoint, b: Endpoint, near: BaseGeometry | None = None) -> str:
    """For "N km west of Minsk": say so when the other place lies in another direction ("" when it does not)."""
    ok, text = bearing_check(a, b, near)
    return text if ok is False else ""


_SHARES: dict[tuple[str, str], float] = {}

def area_share_of(a: Endpoint, b: Endpoint) -> float:
    """Share of ``a``'s equal-area area inside ``b``, cached by geometry keys."""
    assert a.geometry is not None and b.geometry is not None and a.geometry_key and b.geometry_key
    key = (a.geometry_key, b.geometry_key)
    if key not in _SHARES:
        if len(_SHARES) > 1024:
            _SHARES.clear()
        _SHARES[key] = area_share(a.geometry, b.geometry)
    return _SHARES[key]


_SHARED: dict[tuple[str, str, float], float] = {}

def shared_km(a: Endpoint, b: Endpoint, tol: float) -> float:
    """Shared boundary of two areas, km, cached by geometry keys (geometries hash slowly)."""
    assert a.geometry is not None and b.geometry is not None and a.geometry_key and b.geometry_key
    key = (a.geometry_key, b.geometry_key, tol)
    if key not in _SHARED:
        if len(_SHARED) > 1024:
            _SHARED.clear()
        _SHARED[key] = shared_boundary_km(a.geometry, b.geometry, tolerance_km=tol)
    return _SHARED[key]
