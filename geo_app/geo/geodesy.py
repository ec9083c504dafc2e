"""Geodesic distances, lines, areas and nearest boundary points.

Every length is a geodesic on the ellipsoid named by ``settings.ELLIPSOID``
(WGS84), computed with pyproj's :class:`~pyproj.Geod` (Karney's algorithm,
accurate to nanometres). Nothing here measures in degrees or in a planar CRS.
Coordinates are longitude/latitude in degrees, EPSG:4326, longitude first.

Nearest point on a boundary
---------------------------
A boundary edge is what the data says it is: a straight segment in
lon/lat (shapely's model of EPSG:4326). The nearest point is found *on that
segment*, so it lies on the boundary to floating-point precision, and its
distance is the geodesic distance from the origin to that point.

:class:`BoundaryIndex` does it in three steps, vectorised over all origins:

1. *Bound.* Edges are cut into pieces of at most ``BOUNDARY_MAX_SEGMENT_KM``
   (the cut points lie on the edges). Each piece is bounded in 3-D
   Earth-centred (ECEF) space by its chord plus a deviation margin, and runs
   of consecutive pieces by balls, in a tree. A 3-D chord ``c`` bounds the
   geodesic ``s`` both ways: ``s >= 2 R asin(c / 2R)`` with ``R = a^2/b``
   (the largest radius of curvature) and ``s <= 2 r asin(c / 2r)`` with
   ``r = b^2/a`` (the smallest; Schur's comparison theorem), both checked
   numerically on millions of pairs. Walking the tree keeps only pieces that
   may hold a point nearer than the best upper bound so far. Far from the
   boundary, where chord bounds loosen, exact distances to a vertex per ball
   and to each piece's midpoint (minus its half-length) tighten them.
   3-D space has no seam, so the search does not see the antimeridian.
2. *Refine* the chord-nearest piece exactly, giving each origin a true
   geodesic distance ``U``.
3. *Refine* every other piece whose lower bound is below ``U`` (usually
   none to two) and keep the minimum.

Refinement minimises ``f(t)``, the geodesic distance from the origin to
``(lon0 + t dlon, lat0 + t dlat)``, ``t`` in [0, 1]. Its derivative is exact
by the first-variation formula: moving the far end of a geodesic by ``dE``
east and ``dN`` north changes its length by ``dE sin(A2) + dN cos(A2)``,
where ``A2`` is the forward azimuth at that end, and ``dE``, ``dN`` follow
from the ellipsoid's radii of curvature. The root of ``f f'`` (half the
derivative of ``f^2``, nearly linear in ``t`` on a short piece) is found by
the Illinois variant of regula falsi to 0.1 mm along the segment; ``f`` is
then evaluated with ``Geod.inv`` at exactly that boundary point. A 0.1 mm
error in position changes the distance by far less (it is stationary there),
so the returned distance is the true minimum to well under a millimetre, and
never below it. On a piece of at most 10 km ``f`` has at most one
stationary point: a minimum (found as above) or, for origins thousands of
km away beyond the piece's centre of curvature, a maximum (then the ends,
which are always compared, win). Tests and the benchmark check the result
against golden-section search over every edge: agreement to micrometres.

Limits
------
* Geometry longitudes must be in [-180, 180] and polygons crossing the
  antimeridian must be cut there (as Natural Earth is). Edges lying *on*
  the cut (both ends at longitude +-180) and edges along a pole
  (both ends at latitude +-90) are cut artefacts, not borders, and are
  dropped from the boundary. An edge whose ends jump across the
  antimeridian is taken literally, the long way round, as shapely would.
* ``inside`` is planar point-in-polygon in lon/lat, the data's own model.
* Origins almost antipodal to the boundary (beyond ~19,900 km) fall back to
  checking many pieces: correct but slow.
* The tree groups *consecutive* pieces, so it prunes well along one boundary
  but poorly over many scattered features: search those one part at a time
  (:meth:`BoundaryIndex.of_parts`, :meth:`BoundaryIndex.nearest_in_parts`
  with ``part=``).

Many geometries
---------------
:meth:`BoundaryIndex.of_parts` indexes the boundaries of many features (a user
layer) at once; each part's pieces are one run, and a query restricted to a
part walks only the balls over that run. :func:`boundary_index` keeps every
index built (the claim checker's, the user layers'), by key or identity.

Why this module is long (~1,100 lines): the bounds, the
tree and the refinement are one algorithm whose invariants lean on each other.
"""

from __future__ import annotations

import functools
import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Geod
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geo_app import settings
from geo_app._errors import InputError

__all__ = [
    "BoundaryIndex",
    "NearestPoint",
    "boundary_index",
    "geodesic_area_km2",
    "geodesic_azimuth",
    "geodesic_circle",
    "geodesic_km",
    "geodesic_line",
    "nearest_on_boundary",
    "longest_geodesic_km",
    "nearest_on_boundary_many",
]

FloatArray = npt.NDArray[np.float64]

# Internal constants (not user tunables).
_MAX_PIECE_DEG = 1.0  # also cut by degrees: near the poles a degree of longitude is short
_FANOUT = 16  # children per ball in the bounding tree
_POINT_BLOCK = 4096  # points per vectorised batch (bounds memory)
_CROWDED = 4  # candidates per point above which exact geodesic bounds are worth their cost
_REFINE_TOL_M = 1e-4  # stop when a step moves the point less than this along the edge
_REFINE_MAX_ITER = 60
_BOUND_TOL_M = 1e-3  # slack on the chord bounds (measured bound errors are ~1e-8 m)
_DEV_SAFETY = 1.5  # factor on the sampled chord deviation of a piece
_DEV_MARGIN_M = 0.01



# --- ellipsoid ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _geod_for(ellps: str) -> Geod:
    return Geod(ellps=ellps)


def _geod() -> Geod:
    """The :class:`pyproj.Geod` of ``settings.ELLIPSOID`` (read at call time)."""
    return _geod_for(settings.ELLIPSOID)


def _ecef(geod: Geod, lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Earth-centred x, y, z in metres of points on the ellipsoid surface."""
    lam = np.radians(lon)
    phi = np.radians(lat)
    sphi = np.sin(phi)
    cphi = np.cos(phi)
    n = geod.a / np.sqrt(1.0 - geod.es * sphi * sphi)
    return n * cphi * np.cos(lam), n * cphi * np.sin(lam), n * (1.0 - geod.es) * sphi


# --- validation --------------------------------------------------------------------------


def _as_lonlat(lon: npt.ArrayLike, lat: npt.ArrayLike, what: str = "point") -> tuple[FloatArray, FloatArray]:
    """Broadcast lon/lat to float arrays; raise InputError on NaN or |lat| > 90."""
    try:
        lon_a, lat_a = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what}: longitude and latitude must be numbers of matching shape ({exc})") from exc
    if not (np.isfinite(lon_a).all() and np.isfinite(lat_a).all()):
        raise InputError(f"{what}: longitude and latitude must be finite")
    if (np.abs(lat_a) > 90.0).any():
        raise InputError(f"{what}: latitude must be within [-90, 90] degrees")
    return np.array(lon_a, dtype=float), np.array(lat_a, dtype=float)


def _wrap_lon(lon: FloatArray) -> FloatArray:
    """Longitude wrapped into [-180, 180]; values already there are left bit-for-bit."""
    # (lon + 180) % 360 - 180 would round in-range values and move points off boundaries.
    return np.where(np.abs(lon) <= 180.0, lon, (lon + 180.0) % 360.0 - 180.0)


# --- distances, lines, areas -------------------------------------------------------------


def geodesic_km(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> float | FloatArray:
    """Geodesic distance on the WGS84 ellipsoid, in km.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float or array_like
        Degrees, EPSG:4326. Arrays broadcast against each other.

    Returns
    -------
    float or numpy.ndarray
        A float for scalar input, else an array of the broadcast shape.

    Raises
    ------
    InputError
        A coordinate is not finite or a latitude is outside [-90, 90].
    """
    lo1, la1 = _as_lonlat(lon1, lat1, "first point")
    lo2, la2 = _as_lonlat(lon2, lat2, "second point")
    lo1, la1, lo2, la2 = (np.array(a, dtype=float) for a in np.broadcast_arrays(lo1, la1, lo2, la2))
    shape = lo1.shape
    if lo1.size == 0:
        return np.zeros(shape)
    _, _, dist = _geod().inv(lo1.ravel(), la1.ravel(), lo2.ravel(), la2.ravel())
    km = np.asarray(dist, dtype=float).reshape(shape) / 1000.0
    return float(km) if km.ndim == 0 else km


def geodesic_azimuth(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Forward azimuth of the geodesic from the first point to the second, degrees in [0, 360).

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float
        Degrees, EPSG:4326.

    Returns
    -------
    float
        Clockwise from north at the first point (90: east).
    """
    (lo1, la1), (lo2, la2) = _as_lonlat(lon1, lat1, "first point"), _as_lonlat(lon2, lat2, "second point")
    return float(_geod().inv(float(lo1), float(la1), float(lo2), float(la2))[0]) % 360.0


@functools.lru_cache(maxsize=4)
def _longest_km_for(ellps: str) -> float:
    return float(_geod_for(ellps).inv(0.0, 90.0, 0.0, -90.0)[2]) / 1000.0


def longest_geodesic_km() -> float:
    """Longest geodesic on the ellipsoid (half a meridian: 20,003.9 km on WGS84); nothing is farther."""
    return _longest_km_for(settings.ELLIPSOID)


def geodesic_line(
    lon1: float, lat1: float, lon2: float, lat2: float, *, step_km: float | None = None
) -> LineString:
    """Geodesic from one point to another, densified for drawing.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float
        Degrees, EPSG:4326.
    step_km : float, optional
        Largest spacing of the vertices, km (default
        ``settings.GEODESIC_LINE_STEP_KM``, 10 km).

    Returns
    -------
    shapely.LineString
        Vertices on the geodesic, both ends included. Longitudes are
        unwrapped from ``lon1`` so the line never jumps at +-180 degrees:
        past the antimeridian they run beyond 180 (or below -180), which
        web maps draw as one continuous line.

    Raises
    ------
    InputError
        Bad coordinates or a non-positive ``step_km``.
    """
    try:
        step = float(settings.GEODESIC_LINE_STEP_KM if step_km is None else step_km)
    except (TypeError, ValueError):
        step = math.nan
    if not (math.isfinite(step) and step > 0):
        raise InputError(f"step_km must be a positive number, got {step_km!r}")
    ends = [_as_lonlat(lon1, lat1, "start"), _as_lonlat(lon2, lat2, "end")]
    if any(lon.ndim for lon, _ in ends):
        raise InputError("geodesic_line() takes two single points")
    (lo1, la1), (lo2, la2) = ((float(lon), float(lat)) for lon, lat in ends)
    geod = _geod()
    dist_m = float(geod.inv(lo1, la1, lo2, la2)[2])
    n_inner = max(math.ceil(dist_m / (step * 1000.0)) - 1, 0)
    inner = geod.npts(lo1, la1, lo2, la2, n_inner) if n_inner else []
    coords = np.array([(lo1, la1), *inner, (lo2, la2)], dtype=float)
    coords[:, 0] = np.unwrap(coords[:, 0], period=360.0)
    return LineString(coords)


def _point_and_radius(lon: float, lat: float, radius_km: float, what: str) -> tuple[float, float, float]:
    """A checked point (degrees) and geodesic radius (km, positive, below the longest geodesic)."""
    (lo,), (la,) = (np.atleast_1d(v) for v in _as_lonlat(lon, lat, what))
    r = float(radius_km)
    if not (math.isfinite(r) and 0 < r < longest_geodesic_km()):
        raise InputError(f"radius_km must be positive and below {longest_geodesic_km():.0f} km, got {radius_km!r}")
    return float(lo), float(la), r


def geodesic_circle(lon: float, lat: float, radius_km: float, *, n: int = 180) -> Polygon:
    """The points at a geodesic distance ``radius_km`` around a point, as a polygon for drawing.

    Parameters
    ----------
    lon, lat : float
        The centre, degrees (EPSG:4326).
    radius_km : float
        Geodesic radius on the ellipsoid, km (positive, below half a meridian).
    n : int
        Number of vertices (every ``360 / n`` degrees of azimuth).

    Returns
    -------
    shapely.Polygon
        The ring's vertices lie exactly ``radius_km`` away (pyproj ``Geod.fwd``); longitudes are
        unwrapped from ``lon`` so a circle across +-180 degrees stays one ring.

    Raises
    ------
    InputError
        Bad coordinates or radius.
    """
    lo, la, r = _point_and_radius(lon, lat, radius_km, "centre")
    az = np.linspace(0.0, 360.0, int(n), endpoint=False)
    lons, lats, _ = _geod().fwd(np.full(az.shape, float(lo)), np.full(az.shape, float(la)), az,
                                np.full(az.shape, r * 1000.0))
    lons = np.unwrap(np.asarray(lons, dtype=float), period=360.0)
    return Polygon(np.column_stack([lons, np.asarray(lats, dtype=float)]))


def geodesic_sector(lon: float, lat: float, radius_km: float, azimuth: float, half_width: float,
                    *, step: float = 5.0, inner_km: float = 0.0) -> Polygon:
    """A wedge from a point: the points up to ``radius_km`` away whose azimuth is within
    ``half_width`` degrees of ``azimuth`` (vertices by pyproj ``Geod.fwd``; for intersection tests);
    with ``inner_km`` > 0, only those at least ``inner_km`` away (a band: "60 km north-east of X").

    Parameters
    ----------
    lon, lat : float
        The apex, degrees (EPSG:4326).
    radius_km : float
        Geodesic radius, km.
    azimuth, half_width : float
        Centre azimuth (degrees clockwise from north) and half the opening, degrees (below 180).
    step : float
        Degrees of azimuth between vertices of the arc.
    inner_km : float
        Geodesic radius of the inner arc, km (0: the wedge reaches the apex; below ``radius_km``).

    Raises
    ------
    InputError
        Bad coordinates or radius.
    """
    lo, la, r = _point_and_radius(lon, lat, radius_km, "apex")
    n = max(int(math.ceil(2.0 * half_width / step)), 2) + 1
    az = np.linspace(azimuth - half_width, azimuth + half_width, n)
    start = np.full(az.shape, float(lo)), np.full(az.shape, float(la))
    lons, lats, _ = _geod().fwd(*start, az, np.full(az.shape, r * 1000.0))
    inner = float(inner_km)
    if not (math.isfinite(inner) and 0.0 <= inner < r):
        raise InputError(f"inner radius must be at least 0 and below the radius, got {inner_km!r}")
    if inner > 0.0:
        ilons, ilats, _ = _geod().fwd(*start, az[::-1], np.full(az.shape, inner * 1000.0))
        ring = np.column_stack([np.unwrap(np.r_[np.asarray(lons, dtype=float), np.asarray(ilons, dtype=float)],
                                          period=360.0), np.r_[np.asarray(lats, dtype=float), np.asarray(ilats, dtype=float)]])
        return Polygon(ring)
    ring = np.column_stack([np.unwrap(np.r_[lo, np.asarray(lons, dtype=float)], period=360.0),
                            np.r_[la, np.asarray(lats, dtype=float)]])
    return Polygon(ring)


def geodesic_length_km(geometry: BaseGeometry) -> float:
    """Geodesic length of a line (or the boundary of lines it holds) on the WGS84 ellipsoid, in km.

    ``geometry`` is in lon/lat degrees (EPSG:4326); each segment is measured as a geodesic.
    """
    return float(_geod().geometry_length(geometry)) / 1000.0


def geodesic_area_km2(geometry: BaseGeometry) -> float:
    """Area of a (multi)polygon on the WGS84 ellipsoid, in km².

    Edges are taken as geodesics (pyproj ``Geod.geometry_area_perimeter``).
    Rings are oriented first (exteriors counter-clockwise, holes clockwise)
    so holes are subtracted and parts add up whatever the input orientation.

    Parameters
    ----------
    geometry : shapely geometry
        Lon/lat degrees, EPSG:4326. Lines and points have area 0.

    Returns
    -------
    float
        Area in km², never negative.
    """
    if not isinstance(geometry, BaseGeometry):
        raise InputError(f"expected a shapely geometry, got {type(geometry).__name__}")
    if geometry.is_empty:
        return 0.0
    area_m2, _ = _geod().geometry_area_perimeter(shapely.orient_polygons(geometry, exterior_cw=False))
    return abs(float(area_m2)) / 1e6


# --- nearest point on a boundary ---------------------------------------------------------


@dataclass(frozen=True)
class NearestPoint:
    """Nearest boundary point of a geometry, seen from an origin.

    Attributes
    ----------
    distance_km : float
        Geodesic distance (WGS84) from the origin to ``point``, km.
    point : shapely.Point
        Nearest point, exactly on the boundary (lon, lat), EPSG:4326.
    line : shapely.LineString
        Geodesic from the origin to ``point``, densified for drawing
        (see :func:`geodesic_line`).
    inside : bool
        The origin lies inside the polygon (then ``distance_km`` is to the
        boundary from inside). False on the boundary itself and for lines.
    """

    distance_km: float
    point: Point
    line: LineString
    inside: bool


@dataclass(frozen=True)
class _Level:
    """One level of bounding balls over the level below (ECEF metres)."""

    cx: FloatArray
    cy: FloatArray
    cz: FloatArray
    radius: FloatArray
    child_start: npt.NDArray[np.intp]
    child_count: npt.NDArray[np.intp]


class BoundaryIndex:
    """Boundary of one geometry, prepared for many nearest-point queries.

    Build once per polygon, then call :meth:`nearest` or :meth:`nearest_many`.
    The boundary of a polygon includes its holes; a line is its own boundary.

    Parameters
    ----------
    geometry : Polygon, MultiPolygon, LineString, MultiLineString or LinearRing
        Lon/lat degrees, EPSG:4326, cut at the antimeridian.
    max_segment_km : float, optional
        Longest piece edges are cut into (default
        ``settings.BOUNDARY_MAX_SEGMENT_KM``, 10 km). The refinement counts
        on each piece having one minimum; keep this at tens of km at most.

    Raises
    ------
    InputError
        Unsupported, empty or invalid-coordinate geometry.
    """

    def __init__(self, geometry: BaseGeometry, *, max_segment_km: float | None = None) -> None:
        lines, polygonal = _boundary_lines(geometry)
        self._build(geometry, lines, np.zeros(len(lines), dtype=np.intp), 1, polygonal, max_segment_km)

    @classmethod
    def of_parts(cls, geometries: npt.ArrayLike, *, max_segment_km: float | None = None) -> BoundaryIndex:
        """One index over the boundaries of many geometries (the features of a layer).

        Parameters
        ----------
        geometries : array_like of shapely geometries
            Polygons, multipolygons and lines, in any mix (lon/lat degrees, EPSG:4326);
            part ``i`` is the boundary of ``geometries[i]``. Missing or empty ones have
            no boundary.
        max_segment_km : float, optional
            As in :class:`BoundaryIndex`.

        Returns
        -------
        BoundaryIndex
            :meth:`nearest_in_parts` finds the nearest boundary point among all parts
            (and which part), or within a given part per origin. ``inside`` is not
            defined (:meth:`contains_many` is all False).
        """
        geoms = np.asarray(geometries, dtype=object).ravel()
        usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) if geoms.size else np.zeros(0, bool)
        bounds = geoms.copy()
        ids = shapely.get_type_id(geoms[usable]) if usable.any() else np.zeros(0, dtype=int)
        polygonal = np.isin(ids, (3, 6))
        kept = bounds[usable]
        kept[polygonal] = shapely.boundary(kept[polygonal])
        lines, owner = shapely.get_parts(kept, return_index=True)
        index = cls.__new__(cls)
        index._build(geoms, np.asarray(lines, dtype=object), np.flatnonzero(usable)[owner], geoms.size, False,
                     max_segment_km)
        return index

    def _build(self, geometry: Any, lines: npt.NDArray[np.object_], line_part: npt.NDArray[np.intp], n_parts: int,
               polygonal: bool, max_segment_km: float | None) -> None:
        max_km = float(
            settings.BOUNDARY_MAX_SEGMENT_KM
            if max_segment_km is None
            else max_segment_km
        )
        if not (math.isfinite(max_km) and max_km > 0):
            raise InputError(f"max_segment_km must be a positive number, got {max_segment_km!r}")
        self.geometry = geometry
        self.ellipsoid: str = settings.ELLIPSOID
        self._geod = _geod_for(self.ellipsoid)
        self._polygonal = polygonal
        lon0, lat0, lon1, lat1, edge_line = _edges(lines)
        if lon0.size == 0:
            raise InputError("geometry has no boundary edges (empty or degenerate)")
        lon0, lat0, lon1, lat1, piece_edge = _split_edges(self._geod, lon0, lat0, lon1, lat1, max_km * 1000.0)
        # Pieces follow the parts' order, so each part's pieces are one run [start, end).
        piece_part = line_part[edge_line[piece_edge]]
        self._part_start = np.searchsorted(piece_part, np.arange(n_parts), side="left")
        self._part_end = np.searchsorted(piece_part, np.arange(n_parts), side="right")
        self._piece_part = piece_part
        self._lon0, self._lat0 = lon0, lat0
        self._dlon, self._dlat = lon1 - lon0, lat1 - lat0
        self._ax, self._ay, self._az = _ecef(self._geod, lon0, lat0)
        bx, by, bz = _ecef(self._geod, lon1, lat1)
        self._vx, self._vy, self._vz = bx - self._ax, by - self._ay, bz - self._az
        self._vv = self._vx**2 + self._vy**2 + self._vz**2
        self._chord_m = np.sqrt(self._vv)
        self._dev = self._chord_deviation()
        self._mid_lon = lon0 + 0.5 * self._dlon
        self._mid_lat = lat0 + 0.5 * self._dlat
        self._half_len = _half_length_bound(self._geod, lat0, lat1, self._dlon, self._dlat)
        self._levels = self._build_levels(bx, by, bz)
        self._node_lo, self._node_hi = self._piece_ranges()
        self._rep_lon, self._rep_lat, self._rep_reach = self._representatives(bx, by, bz)
        if self._polygonal:
            shapely.prepare(geometry)

    @property
    def n_segments(self) -> int:
        """Number of boundary pieces searched (after cutting long edges)."""
        return int(self._lon0.size)

    # -- public queries -----------------------------------------------------------------

    def nearest(self, lon: float, lat: float) -> NearestPoint:
        """Nearest boundary point of one origin.

        Parameters
        ----------
        lon, lat : float
            Origin, degrees, EPSG:4326.

        Returns
        -------
        NearestPoint
        """
        lon_a, lat_a = _as_lonlat(lon, lat, "origin")
        if lon_a.ndim != 0:
            raise InputError("nearest() takes one point; use nearest_many() for arrays")
        km, nlon, nlat = self.nearest_many(lon_a, lat_a)
        lon_f, lat_f = float(lon_a), float(lat_a)
        point = Point(float(nlon), float(nlat))
        return NearestPoint(
            distance_km=float(km),
            point=point,
            line=geodesic_line(lon_f, lat_f, point.x, point.y),
            inside=bool(self.contains_many(lon_f, lat_f)),
        )

    def nearest_many(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Nearest boundary points of many origins (vectorised).

        Parameters
        ----------
        lons, lats : array_like
            Origins, degrees, EPSG:4326; broadcast against each other.

        Returns
        -------
        km, lon, lat : numpy.ndarray
            Geodesic distance (km) and nearest boundary point (degrees) per
            origin, in the broadcast shape of the input.
        """
        km, nlon, nlat, _ = self.nearest_in_parts(lons, lats)
        return km, nlon, nlat

    def nearest_in_parts(
        self, lons: npt.ArrayLike, lats: npt.ArrayLike, part: npt.ArrayLike | None = None
    ) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.intp]]:
        """Nearest boundary points of many origins, and the part each lies on.

        Parameters
        ----------
        lons, lats : array_like
            Origins, degrees, EPSG:4326; broadcast against each other.
        part : array_like of int, optional
            Per origin, the only part to search (an index of :meth:`of_parts`' geometries);
            default all of them.

        Returns
        -------
        km, lon, lat : numpy.ndarray
            Geodesic distance (km) and nearest boundary point (degrees) per origin; NaN
            for an origin whose part has no boundary.
        part : numpy.ndarray of int
            The part the nearest point lies on (0 for a single geometry; -1 where NaN).
        """
        lon_a, lat_a = _as_lonlat(lons, lats, "origin")
        shape = lon_a.shape
        plon, plat = _wrap_lon(lon_a.ravel()), lat_a.ravel()
        n = plon.size
        dist = np.full(n, np.nan)
        seg = np.full(n, -1, dtype=np.intp)
        tpar = np.zeros(n)
        if part is None:
            todo = np.arange(n)
            lo = hi = None
        else:
            part_a = np.broadcast_to(np.asarray(part, dtype=np.intp), shape).ravel()
            if part_a.size and (part_a.min() < 0 or part_a.max() >= self._part_start.size):
                raise InputError("part: an index of the geometries the index was built from")
            lo, hi = self._part_start[part_a], self._part_end[part_a]
            todo = np.flatnonzero(hi > lo)
        for start in range(0, todo.size, _POINT_BLOCK):
            sel = todo[start:start + _POINT_BLOCK]
            rng = None if lo is None or hi is None else (lo[sel], hi[sel])
            dist[sel], seg[sel], tpar[sel] = self._query(plon[sel], plat[sel], rng)
        found = seg >= 0
        safe = np.where(found, seg, 0)
        nlon = np.where(found, self._lon0[safe] + tpar * self._dlon[safe], np.nan)
        nlat = np.where(found, np.clip(self._lat0[safe] + tpar * self._dlat[safe], -90.0, 90.0), np.nan)
        owner = np.where(found, self._piece_part[safe], -1)
        return ((dist / 1000.0).reshape(shape), nlon.reshape(shape), nlat.reshape(shape), owner.reshape(shape))

    def contains_many(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """Whether origins lie inside the polygon (planar in lon/lat; False for lines).

        Parameters
        ----------
        lons, lats : array_like
            Degrees, EPSG:4326.

        Returns
        -------
        numpy.ndarray of bool
        """
        lon_a, lat_a = _as_lonlat(lons, lats, "origin")
        if not self._polygonal:
            return np.zeros(lon_a.shape, dtype=bool)
        return np.asarray(shapely.contains_xy(self.geometry, _wrap_lon(lon_a), lat_a), dtype=bool)

    # -- construction ---------------------------------------------------------------------

    def _chord_deviation(self) -> FloatArray:
        """Upper bound (m) on how far each piece strays from its 3-D chord."""
        worst = np.zeros(self.n_segments)
        for t in (0.25, 0.5, 0.75):
            qx, qy, qz = _ecef(
                self._geod,
                self._lon0 + t * self._dlon,
                np.clip(self._lat0 + t * self._dlat, -90.0, 90.0),
            )
            worst = np.maximum(worst, self._chord_distance(qx, qy, qz, np.arange(self.n_segments)))
        return worst * _DEV_SAFETY + _DEV_MARGIN_M

    def _build_levels(self, bx: FloatArray, by: FloatArray, bz: FloatArray) -> list[_Level]:
        """Tree of bounding balls, bottom level first, over consecutive pieces."""
        levels: list[_Level] = []
        ends = np.stack(
            [np.stack([self._ax, self._ay, self._az], axis=1), np.stack([bx, by, bz], axis=1)], axis=0
        )  # (2, S, 3)
        lo, hi = ends.min(axis=0), ends.max(axis=0)
        n_child = self.n_segments
        child_c: FloatArray | None = None
        child_r: FloatArray | None = None
        while n_child > _FANOUT:
            starts = np.arange(0, n_child, _FANOUT)
            counts = np.diff(np.append(starts, n_child))
            center = (np.minimum.reduceat(lo, starts, axis=0) + np.maximum.reduceat(hi, starts, axis=0)) / 2.0
            owner = np.repeat(np.arange(starts.size), counts)
            if child_c is None:
                reach = np.maximum(
                    np.linalg.norm(ends[0] - center[owner], axis=1), np.linalg.norm(ends[1] - center[owner], axis=1)
                ) + self._dev
            else:
                assert child_r is not None
                reach = np.linalg.norm(child_c - center[owner], axis=1) + child_r
            radius = np.maximum.reduceat(reach, starts)
            levels.append(
                _Level(center[:, 0].copy(), center[:, 1].copy(), center[:, 2].copy(), radius, starts, counts)
            )
            child_c, child_r = center, radius
            lo, hi = center - radius[:, None], center + radius[:, None]
            n_child = starts.size
        return levels

    def _piece_ranges(self) -> tuple[list[npt.NDArray[np.intp]], list[npt.NDArray[np.intp]]]:
        """Per level, the first and one-past-last piece each ball covers (balls cover runs of pieces)."""
        los: list[npt.NDArray[np.intp]] = []
        his: list[npt.NDArray[np.intp]] = []
        for depth, level in enumerate(self._levels):
            first, last = level.child_start, level.child_start + level.child_count - 1
            if depth == 0:
                los.append(first)
                his.append(last + 1)
            else:
                los.append(los[-1][first])
                his.append(his[-1][last])
        return los, his

    def _representatives(
        self, bx: FloatArray, by: FloatArray, bz: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """A boundary vertex per bottom-level ball, and the ball's geodesic reach (m) from it."""
        if not self._levels:
            return np.empty(0), np.empty(0), np.empty(0)
        level = self._levels[0]
        rep = level.child_start + level.child_count // 2
        owner = np.repeat(np.arange(rep.size), level.child_count)
        rx, ry, rz = self._ax[rep][owner], self._ay[rep][owner], self._az[rep][owner]
        to_a = np.sqrt((self._ax - rx) ** 2 + (self._ay - ry) ** 2 + (self._az - rz) ** 2)
        to_b = np.sqrt((bx - rx) ** 2 + (by - ry) ** 2 + (bz - rz) ** 2)
        chord = np.maximum.reduceat(np.maximum(to_a, to_b) + self._dev, level.child_start)
        return self._lon0[rep], self._lat0[rep], _geodesic_upper_bound(self._geod, chord) + _BOUND_TOL_M

    # -- query --------------------------------------------------------------------------

    def _chord_distance(self, px: FloatArray, py: FloatArray, pz: FloatArray, seg: npt.NDArray[np.intp]) -> FloatArray:
        """3-D distance (m) from points to the chords of pieces ``seg``."""
        wx, wy, wz = px - self._ax[seg], py - self._ay[seg], pz - self._az[seg]
        vx, vy, vz, vv = self._vx[seg], self._vy[seg], self._vz[seg], self._vv[seg]
        u = np.divide(wx * vx + wy * vy + wz * vz, vv, out=np.zeros_like(vv), where=vv > 0)
        np.clip(u, 0.0, 1.0, out=u)
        return np.sqrt((wx - u * vx) ** 2 + (wy - u * vy) ** 2 + (wz - u * vz) ** 2)

    def _query(
        self,
        plon: FloatArray,
        plat: FloatArray,
        pieces: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]] | None = None,
    ) -> tuple[FloatArray, npt.NDArray[np.intp], FloatArray]:
        """Distance (m), piece and parameter t of the nearest point, per origin.

        With ``pieces`` (first, one-past-last piece per origin) only that run is searched.
        """
        geod = self._geod
        n = plon.size
        px, py, pz = _ecef(geod, plon, plat)
        pt, seg, c_ub, s_ub = self._walk(plon, plat, px, py, pz, pieces)

        dc = self._chord_distance(px[pt], py[pt], pz[pt], seg)
        dev = self._dev[seg]
        c_ub = np.minimum(c_ub, np.minimum.reduceat(dc + dev, _group_starts(pt, n)))
        keep = dc - dev <= _chord_threshold(geod, c_ub, s_ub)[pt]
        pt, seg, dc, dev = pt[keep], seg[keep], dc[keep], dev[keep]
        lower = _geodesic_lower_bound(geod, np.maximum(dc - dev, 0.0))

        # Far away the chord bounds loosen and many pieces survive. The exact distance
        # to a piece's midpoint bounds the distance to the boundary from above, and
        # minus the piece's half-length bounds the piece from below: one Geod.inv each.
        crowd = np.flatnonzero(np.bincount(pt, minlength=n)[pt] > _CROWDED)
        if crowd.size:
            cp, cs = pt[crowd], seg[crowd]
            s_mid = _inv_m(geod, plon[cp], plat[cp], self._mid_lon[cs], self._mid_lat[cs])
            lower[crowd] = np.maximum(lower[crowd], s_mid - self._half_len[cs])
            s_ub = s_ub.copy()
            np.minimum.at(s_ub, cp, s_mid)
            keep = lower <= s_ub[pt] + _BOUND_TOL_M
            pt, seg, dc, lower = pt[keep], seg[keep], dc[keep], lower[keep]

        # Refine the chord-nearest piece first: its exact distance prunes the rest.
        order = np.lexsort((dc, pt))
        best = order[_group_starts(pt[order], n)]
        seg_best = seg[best]
        s_best, t_best = self._refine(plon, plat, seg_best)

        more = lower <= s_best[pt] + _BOUND_TOL_M
        more[best] = False
        if not more.any():
            return s_best, seg_best, t_best
        mp, ms = pt[more], seg[more]
        s_more, t_more = self._refine(plon[mp], plat[mp], ms)
        all_pt = np.concatenate([np.arange(n), mp])
        all_s = np.concatenate([s_best, s_more])
        all_seg = np.concatenate([seg_best, ms])
        all_t = np.concatenate([t_best, t_more])
        order = np.lexsort((all_s, all_pt))
        pick = order[_group_starts(all_pt[order], n)]
        return all_s[pick], all_seg[pick], all_t[pick]

    def _refine(self, plon: FloatArray, plat: FloatArray, seg: npt.NDArray[np.intp]) -> tuple[FloatArray, FloatArray]:
        """Exact minimum distance (m) and its ``t`` from each origin to piece ``seg``."""
        return _refine_pieces(
            self._geod, plon, plat,
            self._lon0[seg], self._lat0[seg], self._dlon[seg], self._dlat[seg], self._chord_m[seg],
        )

    def _walk(
        self, plon: FloatArray, plat: FloatArray, px: FloatArray, py: FloatArray, pz: FloatArray,
        pieces: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]] | None = None,
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], FloatArray, FloatArray]:
        """Walk the ball tree; return the (point, piece) pairs that may hold the nearest point.

        Pairs are sorted by point and every point keeps at least one pair.
        Also returns, per point, upper bounds (m) on the chord and on the
        geodesic distance to the boundary. With ``pieces`` (first, one-past-last
        piece per point) only that run is searched: balls outside it are dropped,
        and only balls wholly inside it bound the distance from above.
        """
        n = px.size
        c_ub = np.full(n, np.inf)
        s_ub = np.full(n, np.inf)
        if not self._levels:
            k = self.n_segments
            pt, node = np.repeat(np.arange(n), k), np.tile(np.arange(k), n)
            if pieces is not None:
                keep = (node >= pieces[0][pt]) & (node < pieces[1][pt])
                pt, node = pt[keep], node[keep]
            return pt, node, c_ub, s_ub
        top = self._levels[-1]
        k = top.radius.size
        pt = np.repeat(np.arange(n), k)
        node = np.tile(np.arange(k), n)
        for depth in range(len(self._levels) - 1, -1, -1):
            level = self._levels[depth]
            d = np.sqrt(
                (px[pt] - level.cx[node]) ** 2 + (py[pt] - level.cy[node]) ** 2 + (pz[pt] - level.cz[node]) ** 2
            )
            r = level.radius[node]
            if pieces is None:
                c_ub = np.minimum(c_ub, np.minimum.reduceat(d + r, _group_starts(pt, n)))
                keep = d - r <= _chord_threshold(self._geod, c_ub, s_ub)[pt]
            else:
                lo, hi = self._node_lo[depth][node], self._node_hi[depth][node]
                whole = (lo >= pieces[0][pt]) & (hi <= pieces[1][pt])
                c_ub = np.minimum(c_ub, np.minimum.reduceat(np.where(whole, d + r, np.inf), _group_starts(pt, n)))
                keep = (lo < pieces[1][pt]) & (hi > pieces[0][pt]) & (d - r <= _chord_threshold(self._geod, c_ub,
                                                                                                  s_ub)[pt])
            pt, node = pt[keep], node[keep]
            if depth == 0:
                pt, node, s_ub = self._prune_by_representatives(plon, plat, pt, node, s_ub, pieces)
            count = level.child_count[node]
            offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
            node = np.repeat(level.child_start[node], count) + offset
            pt = np.repeat(pt, count)
        if pieces is not None:
            keep = (node >= pieces[0][pt]) & (node < pieces[1][pt])
            pt, node = pt[keep], node[keep]
        return pt, node, c_ub, s_ub

    def _prune_by_representatives(
        self,
        plon: FloatArray,
        plat: FloatArray,
        pt: npt.NDArray[np.intp],
        node: npt.NDArray[np.intp],
        s_ub: FloatArray,
        pieces: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]] | None = None,
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], FloatArray]:
        """Drop bottom-level balls that are geodesically too far, for crowded points.

        The exact distance ``s`` to a ball's representative boundary vertex is an
        upper bound for the point (when that vertex is in the point's run of
        ``pieces``), and ``s - reach`` (reach: geodesic radius of the ball around
        that vertex) a lower bound for the whole ball.
        """
        crowd = np.flatnonzero(np.bincount(pt, minlength=s_ub.size)[pt] > _CROWDED)
        if crowd.size == 0:
            return pt, node, s_ub
        cp, cn = pt[crowd], node[crowd]
        s_rep = _inv_m(self._geod, plon[cp], plat[cp], self._rep_lon[cn], self._rep_lat[cn])
        s_ub = s_ub.copy()
        if pieces is None:
            np.minimum.at(s_ub, cp, s_rep)
        else:
            level = self._levels[0]
            rep = level.child_start[cn] + level.child_count[cn] // 2
            mine = (rep >= pieces[0][cp]) & (rep < pieces[1][cp])
            np.minimum.at(s_ub, cp[mine], s_rep[mine])
        keep = np.ones(pt.size, dtype=bool)
        keep[crowd] = s_rep - self._rep_reach[cn] <= s_ub[cp] + _BOUND_TOL_M
        return pt[keep], node[keep], s_ub


# --- helpers of the index ----------------------------------------------------------------


def _group_starts(sorted_ids: npt.NDArray[np.intp], n: int) -> npt.NDArray[np.intp]:
    """First position of each id 0..n-1 in a sorted id array holding every id."""
    starts = np.searchsorted(sorted_ids, np.arange(n))
    # The bounds guarantee every origin keeps a candidate; a gap would silently mix origins.
    if n and (
        starts[-1] >= sorted_ids.size or (sorted_ids[np.minimum(starts, sorted_ids.size - 1)] != np.arange(n)).any()
    ):
        raise RuntimeError("geodesy: an origin lost all candidate boundary pieces (bound error)")
    return starts


def _chord_threshold(geod: Geod, chord_ub: FloatArray, geodesic_ub: FloatArray) -> FloatArray:
    """Largest chord (m) a point may have and still be nearer than the known upper bounds.

    ``chord_ub`` bounds the chord to some boundary point, so its geodesic is at
    most ``2 r asin(c / 2r)`` (r = b^2/a); ``geodesic_ub`` bounds the geodesic
    directly. A point with a geodesic ``s`` that short has a chord of at most
    ``2 R sin(s / 2R)`` (R = a^2/b).
    """
    ratio = chord_ub / (2.0 * _r_min(geod))
    s_ub = np.where(ratio < 1.0, 2.0 * _r_min(geod) * np.arcsin(np.minimum(ratio, 1.0)), np.inf)
    s_ub = np.minimum(s_ub, geodesic_ub)
    half = s_ub / (2.0 * _r_max(geod))
    thr = np.where(half < np.pi / 2, 2.0 * _r_max(geod) * np.sin(np.minimum(half, np.pi / 2)), np.inf)
    return thr + _BOUND_TOL_M


def _r_min(geod: Geod) -> float:
    """Smallest radius of curvature of the ellipsoid (meridian at the equator), m."""
    return geod.b**2 / geod.a


def _r_max(geod: Geod) -> float:
    """Largest radius of curvature of the ellipsoid (at the poles), m."""
    return geod.a**2 / geod.b


def _geodesic_upper_bound(geod: Geod, chord: FloatArray) -> FloatArray:
    """Longest geodesic (m) that can have a 3-D chord of ``chord`` m (short chords)."""
    return 2.0 * _r_min(geod) * np.arcsin(np.clip(chord / (2.0 * _r_min(geod)), 0.0, 1.0))


def _inv_m(geod: Geod, lon1: FloatArray, lat1: FloatArray, lon2: FloatArray, lat2: FloatArray) -> FloatArray:
    """Geodesic distances in metres (vectorised ``Geod.inv``)."""
    return np.asarray(geod.inv(lon1, lat1, lon2, lat2)[2], dtype=float)


def _geodesic_lower_bound(geod: Geod, chord: FloatArray) -> FloatArray:
    """Shortest geodesic (m) that can have a 3-D chord of ``chord`` m."""
    return 2.0 * _r_max(geod) * np.arcsin(np.clip(chord / (2.0 * _r_max(geod)), 0.0, 1.0))


def _distance_and_slope(
    geod: Geod,
    plon: FloatArray,
    plat: FloatArray,
    lon0: FloatArray,
    lat0: FloatArray,
    dlon: FloatArray,
    dlat: FloatArray,
    t: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Geodesic ``f(t)`` (m) to the point at ``t`` on each segment, and ``f f'`` (m²)."""
    qlat = np.clip(lat0 + t * dlat, -90.0, 90.0)
    _, back_az, s = geod.inv(plon, plat, lon0 + t * dlon, qlat)
    s = np.asarray(s, dtype=float)
    phi = np.radians(qlat)
    sphi = np.sin(phi)
    w2 = 1.0 - geod.es * sphi * sphi
    east = np.radians(dlon) * geod.a / np.sqrt(w2) * np.cos(phi)
    north = np.radians(dlat) * geod.a * (1.0 - geod.es) / (w2 * np.sqrt(w2))
    # The forward azimuth at the far end is the back azimuth + 180°, hence the sign.
    az = np.radians(np.asarray(back_az, dtype=float))
    return s, -s * (east * np.sin(az) + north * np.cos(az))


def _refine_pieces(
    geod: Geod,
    plon: FloatArray,
    plat: FloatArray,
    lon0: FloatArray,
    lat0: FloatArray,
    dlon: FloatArray,
    dlat: FloatArray,
    length_m: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Minimum geodesic distance (m) from each origin to its segment, and its ``t``."""
    m = plon.size
    if m == 0:
        return np.empty(0), np.empty(0)
    zeros, ones = np.zeros(m), np.ones(m)
    s0, g0 = _distance_and_slope(geod, plon, plat, lon0, lat0, dlon, dlat, zeros)
    s1, g1 = _distance_and_slope(geod, plon, plat, lon0, lat0, dlon, dlat, ones)
    # Ends first: right when f rises from t=0 or falls to t=1 (or peaks inside).
    best_s = np.minimum(s0, s1)
    best_t = np.where(s1 < s0, 1.0, 0.0)
    idx = np.flatnonzero((g0 < 0.0) & (g1 > 0.0))
    if idx.size:
        args = (plon[idx], plat[idx], lon0[idx], lat0[idx], dlon[idx], dlat[idx])
        s_in, t_in = _illinois(geod, args, g0[idx], g1[idx], length_m[idx])
        better = s_in < best_s[idx]
        best_s[idx[better]] = s_in[better]
        best_t[idx[better]] = t_in[better]
    return best_s, best_t


def _illinois(
    geod: Geod,
    args: tuple[FloatArray, ...],
    g_a: FloatArray,
    g_b: FloatArray,
    length_m: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Root of ``f f'`` on (0, 1) where it goes from negative to positive."""
    m = g_a.size
    a, b = np.zeros(m), np.ones(m)
    fa, fb = g_a.copy(), g_b.copy()
    side = np.zeros(m, dtype=np.int8)
    t_out = np.full(m, 0.5)
    s_out = np.full(m, np.inf)
    t_prev = np.full(m, np.nan)
    active = np.arange(m)
    for _ in range(_REFINE_MAX_ITER):
        if active.size == 0:
            break
        aa, bb, fa_, fb_ = a[active], b[active], fa[active], fb[active]
        denom = fb_ - fa_
        c = np.where(denom != 0.0, (aa * fb_ - bb * fa_) / np.where(denom != 0.0, denom, 1.0), 0.5 * (aa + bb))
        c = np.clip(c, np.minimum(aa, bb), np.maximum(aa, bb))
        sub = tuple(x[active] for x in args)
        s_c, g_c = _distance_and_slope(geod, *sub, c)
        t_out[active], s_out[active] = c, s_c

        same_b = g_c * fb_ > 0.0
        same_a = (~same_b) & (g_c * fa_ > 0.0)
        sd = side[active]
        # Illinois: halve the stale end's value when the same end moves twice.
        fa_new = np.where(same_b & (sd == -1), fa_ / 2.0, fa_)
        fb_new = np.where(same_a & (sd == 1), fb_ / 2.0, fb_)
        b[active] = np.where(same_b, c, bb)
        fb[active] = np.where(same_b, g_c, fb_new)
        a[active] = np.where(same_a, c, aa)
        fa[active] = np.where(same_a, g_c, fa_new)
        side[active] = np.where(same_b, -1, np.where(same_a, 1, 0))

        step = np.abs(c - t_prev[active]) * length_m[active]
        width = np.abs(b[active] - a[active]) * length_m[active]
        done = (g_c == 0.0) | ~(same_a | same_b) | (step <= _REFINE_TOL_M) | (width <= _REFINE_TOL_M)
        t_prev[active] = c
        active = active[~done]
    return s_out, t_out


def _boundary_lines(geometry: BaseGeometry) -> tuple[npt.NDArray[np.object_], bool]:
    """Rings and lines making up the boundary; and whether the geometry is polygonal."""
    if not isinstance(geometry, BaseGeometry):
        raise InputError(f"expected a shapely geometry, got {type(geometry).__name__}")
    if geometry.is_empty:
        raise InputError("geometry is empty")
    parts = shapely.get_parts(geometry)
    kinds = {p.geom_type for p in parts}
    polygonal = kinds <= {"Polygon"}
    lineal = kinds <= {"LineString", "LinearRing"}
    if not (polygonal or lineal):
        raise InputError(
            f"nearest boundary point needs polygons or lines (not mixed), got {sorted(kinds)}"
        )
    lines = shapely.get_rings(parts) if polygonal else parts
    return np.asarray(lines, dtype=object), polygonal


def _edges(
    lines: npt.NDArray[np.object_],
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, npt.NDArray[np.intp]]:
    """Endpoints of all edges (lon0, lat0, lon1, lat1), without cut artefacts, and the line of each."""
    coords, ring = shapely.get_coordinates(lines, return_index=True)
    if not np.isfinite(coords).all() or (np.abs(coords[:, 1]) > 90.0).any() or (np.abs(coords[:, 0]) > 180.0).any():
        raise InputError("geometry coordinates must be finite lon/lat degrees (|lon| <= 180, |lat| <= 90)")
    same = ring[:-1] == ring[1:]
    p0, p1 = coords[:-1][same], coords[1:][same]
    moving = (p0 != p1).any(axis=1)
    on_seam = (np.abs(p0[:, 0]) == 180.0) & (np.abs(p1[:, 0]) == 180.0)
    on_pole = (np.abs(p0[:, 1]) == 90.0) & (p0[:, 1] == p1[:, 1])
    keep = moving & ~on_seam & ~on_pole
    p0, p1 = p0[keep], p1[keep]
    return p0[:, 0].copy(), p0[:, 1].copy(), p1[:, 0].copy(), p1[:, 1].copy(), ring[:-1][same][keep]


def _half_length_bound(
    geod: Geod, lat0: FloatArray, lat1: FloatArray, dlon: FloatArray, dlat: FloatArray
) -> FloatArray:
    """Upper bound (m) on the length of each half of lon/lat segments.

    The length element is ``sqrt((N cos(lat) dlon)^2 + (M dlat)^2)``; bounding
    the parallel radius ``N cos(lat)`` by its value at the latitude nearest the
    equator and the meridian radius ``M`` by its value nearest a pole bounds it.
    """
    near_eq = np.where(lat0 * lat1 <= 0.0, 0.0, np.minimum(np.abs(lat0), np.abs(lat1)))
    near_pole = np.maximum(np.abs(lat0), np.abs(lat1))
    s_eq, s_pole = np.sin(np.radians(near_eq)), np.sin(np.radians(near_pole))
    parallel = geod.a / np.sqrt(1.0 - geod.es * s_eq**2) * np.cos(np.radians(near_eq))
    w2 = 1.0 - geod.es * s_pole**2
    meridian = geod.a * (1.0 - geod.es) / (w2 * np.sqrt(w2))
    length = np.hypot(np.radians(dlon) * parallel, np.radians(dlat) * meridian)
    return 0.5 * length * (1.0 + 1e-9) + _BOUND_TOL_M


def _split_edges(
    geod: Geod, lon0: FloatArray, lat0: FloatArray, lon1: FloatArray, lat1: FloatArray, max_m: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, npt.NDArray[np.intp]]:
    """Cut edges into pieces of at most ``max_m`` (and 1 degree); cut points lie on the edges.

    Also returns the edge each piece comes from (pieces keep the edges' order).
    """
    dlon, dlat = lon1 - lon0, lat1 - lat0
    phi = np.radians((lat0 + lat1) / 2.0)
    w2 = 1.0 - geod.es * np.sin(phi) ** 2
    east = np.radians(dlon) * geod.a / np.sqrt(w2) * np.cos(phi)
    north = np.radians(dlat) * geod.a * (1.0 - geod.es) / (w2 * np.sqrt(w2))
    pieces = np.maximum.reduce(
        [
            np.ceil(np.hypot(east, north) / max_m),
            np.ceil(np.maximum(np.abs(dlon), np.abs(dlat)) / _MAX_PIECE_DEG),
            np.ones_like(dlon),
        ]
    ).astype(np.intp)
    if (pieces == 1).all():
        return lon0, lat0, lon1, lat1, np.arange(lon0.size)
    edge = np.repeat(np.arange(lon0.size), pieces)
    k = np.arange(edge.size) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    n = pieces[edge]
    t0, t1 = k / n, (k + 1) / n
    last = k + 1 == n
    out_lon0 = lon0[edge] + t0 * dlon[edge]
    out_lat0 = lat0[edge] + t0 * dlat[edge]
    out_lon1 = np.where(last, lon1[edge], lon0[edge] + t1 * dlon[edge])
    out_lat1 = np.where(last, lat1[edge], lat0[edge] + t1 * dlat[edge])
    return out_lon0, out_lat0, out_lon1, out_lat1, edge


# --- module-level shortcuts with a per-geometry cache -------------------------------------

# key -> index: the one cache of boundary indexes (the claim checker's and the user layers' too).
# A key is the caller's name for the geometry, or its id; an id-keyed index holds its geometry,
# so the id cannot be reused while cached.
_INDEX_CACHE: OrderedDict[tuple[Any, str], BoundaryIndex] = OrderedDict()


def boundary_index(
    geometry: BaseGeometry | npt.NDArray[np.object_] | BoundaryIndex, *, key: str | None = None
) -> BoundaryIndex:
    """The :class:`BoundaryIndex` of a geometry, built once and kept (LRU of ``BOUNDARY_INDEX_CACHE_SIZE``).

    Parameters
    ----------
    geometry : shapely geometry, array of them, or BoundaryIndex
        As :class:`BoundaryIndex` takes it, or an array of geometries for
        :meth:`BoundaryIndex.of_parts` (an index is returned as it is).
    key : str, optional
        A name that identifies the geometry's content (``"gn:630336|border"``), so an
        equal geometry built again finds the index; default the object's identity.

    Returns
    -------
    BoundaryIndex
    """
    if isinstance(geometry, BoundaryIndex):
        return geometry
    full = (key if key is not None else id(geometry), settings.ELLIPSOID)
    hit = _INDEX_CACHE.get(full)
    if hit is not None and (key is not None or hit.geometry is geometry):
        _INDEX_CACHE.move_to_end(full)
        return hit
    index = BoundaryIndex.of_parts(geometry) if isinstance(geometry, np.ndarray) else BoundaryIndex(geometry)
    size = int(settings.BOUNDARY_INDEX_CACHE_SIZE)
    if size > 0:
        _INDEX_CACHE[full] = index
        while len(_INDEX_CACHE) > size:
            _INDEX_CACHE.popitem(last=False)
    return index


def nearest_on_boundary(
    lon: float, lat: float, geometry: Polygon | MultiPolygon | LineString | BoundaryIndex
) -> NearestPoint:
    """Nearest point on a geometry's boundary, geodesic on WGS84.

    Parameters
    ----------
    lon, lat : float
        Origin, degrees, EPSG:4326.
    geometry : Polygon, MultiPolygon, LineString or BoundaryIndex
        Lon/lat degrees, EPSG:4326. Holes count as boundary. The index of a
        geometry is built once and cached while the geometry object lives.

    Returns
    -------
    NearestPoint
    """
    return boundary_index(geometry).nearest(lon, lat)


def nearest_on_boundary_many(
    lons: npt.ArrayLike, lats: npt.ArrayLike, geometry: Polygon | MultiPolygon | LineString | BoundaryIndex
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Nearest boundary points of many origins (vectorised fast path).

    Parameters
    ----------
    lons, lats : array_like
        Origins, degrees, EPSG:4326.
    geometry : Polygon, MultiPolygon, LineString or BoundaryIndex
        As in :func:`nearest_on_boundary`.

    Returns
    -------
    km, lon, lat : numpy.ndarray
        Geodesic distance (km) and nearest boundary point (degrees) per origin.
    """
    return boundary_index(geometry).nearest_many(lons, lats)


def brute_force_nearest_km(lons: np.ndarray, lats: np.ndarray, geometry: BaseGeometry) -> np.ndarray:
    """Reference for verification only (slow): distance, km, to the nearest boundary point by a
    golden-section search on every edge (33 samples, then 45 steps: well under 1 mm).

    Independent of :class:`BoundaryIndex` (no candidate pruning, no derivative), so tests and
    ``benchmarks/bench_geodesy.py`` check the fast path against it.
    """
    geod = Geod(ellps=settings.ELLIPSOID)
    parts = shapely.get_parts(geometry)
    coords, ring = shapely.get_coordinates(shapely.get_rings(parts), return_index=True)
    same = ring[:-1] == ring[1:]
    p0, d = coords[:-1][same], (coords[1:] - coords[:-1])[same]
    n_edges = len(p0)
    grid = np.linspace(0, 1, 33)
    golden = (math.sqrt(5) - 1) / 2
    out = []
    for lon, lat in zip(lons, lats):

        def dist(t: np.ndarray, lon: float = lon, lat: float = lat) -> np.ndarray:
            """Geodesic (m) to the point at ``t`` (shape (n_edges,) or (n_edges, k)) on each edge."""
            tt = np.asarray(t).reshape(n_edges, -1)
            qlon, qlat = p0[:, :1] + tt * d[:, :1], p0[:, 1:] + tt * d[:, 1:]
            s = geod.inv(np.full(qlon.size, lon), np.full(qlon.size, lat), qlon.ravel(), qlat.ravel())[2]
            return np.asarray(s).reshape(np.shape(t))

        sampled = dist(np.tile(grid, (n_edges, 1)))
        k = sampled.argmin(axis=1)
        lo, hi = grid[np.maximum(k - 1, 0)], grid[np.minimum(k + 1, grid.size - 1)]
        x1, x2 = hi - golden * (hi - lo), lo + golden * (hi - lo)
        f1, f2 = dist(x1), dist(x2)
        for _ in range(45):
            left = f1 < f2
            hi, lo = np.where(left, x2, hi), np.where(left, lo, x1)
            x1, x2 = np.where(left, hi - golden * (hi - lo), x2), np.where(left, x1, lo + golden * (hi - lo))
            f_new = dist(np.where(left, x1, x2))
            f1, f2 = np.where(left, f_new, f2), np.where(left, f1, f_new)
        out.append(min(sampled.min(), f1.min(), f2.min()) / 1000)
    return np.array(out)
