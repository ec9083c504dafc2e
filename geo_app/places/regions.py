"""Direction-qualified regions ("southern Belarus") and how regions meet.

Reports place events in "southern Belarus" or "northern Ukraine". No data set
has those areas, so geo_app derives them from the polygon by one stated rule
(a convention, not a fact about the country) and lists the first-level regions
that lie mostly inside.

The rule (:func:`direction_region`)
-----------------------------------
Work in the bounding box of the geometry's *main* parts, scaled to the unit
square (``x = (lon - min_lon) / (max_lon - min_lon)``, ``y`` likewise).

* A direction is a vector in that square: north (0, 1), east (1, 0), northeast
  (1, 1), ... The region is the part of the geometry whose projection on the
  vector lies in the last ``fraction`` of the box's extent along it. For the
  four cardinal directions this is exactly the band rule: "southern Belarus" is
  the part of Belarus south of ``min_lat + fraction * (max_lat - min_lat)``,
  "eastern" east of ``max_lon - fraction * (max_lon - min_lon)``. A diagonal
  keeps the corner triangle (southeast: ``x - y >= 1 - 2 * fraction``).
* "central" is the middle band of width ``fraction`` in both axes:
  ``0.5 - fraction/2 <= x, y <= 0.5 + fraction/2`` (the middle ninth of the box
  for ``fraction = 1/3``).
* The main parts are the largest polygon and every part with at least
  ``DIRECTION_MAIN_PART_SHARE`` (1/4) of its area. Smaller parts still count
  when they lie near the box (their representative point within half the box's
  size of it: Sicily in "southern Italy", Kyushu in "southern Japan"); far-flung
  ones do not (the Canaries are not "southern Spain", Alaska and Hawaii not
  "western United States", Bouvet Island not "southern Norway").

``fraction`` defaults to ``settings.DIRECTION_FRACTION`` (1/3). Longitudes are
planar degrees, the data's own model. A geometry cut at the antimeridian
(Russia, Fiji) is measured in 0..360 degrees when that makes its box narrower,
so "eastern Russia" is Siberia's east, not the Kaliningrad exclave's.

Areas and shares are computed in a local Lambert azimuthal equal-area
projection (:mod:`geo_app.geo.projection`); lengths are geodesic on WGS84.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from geo_app import settings
from geo_app._errors import InputError
from geo_app.geo.geodesy import geodesic_length_km
from geo_app.geo.projection import equal_area_crs, laea_forward
from geo_app.places import borders

__all__ = [
    "DIRECTIONS",
    "area_share",
    "describe_direction_rule",
    "direction_region",
    "normalize_direction",
    "regions_mostly_in",
    "shared_boundary_km",
]

#: Unit vectors (in the scaled bounding box) of every direction; "central" has none.
_VECTORS: dict[str, tuple[float, float]] = {
    "north": (0.0, 1.0), "south": (0.0, -1.0), "east": (1.0, 0.0), "west": (-1.0, 0.0),
    "northeast": (1.0, 1.0), "northwest": (-1.0, 1.0), "southeast": (1.0, -1.0), "southwest": (-1.0, -1.0),
}
#: Canonical direction names :func:`direction_region` accepts.
DIRECTIONS: tuple[str, ...] = (*_VECTORS, "central")

_ALIASES = {
    "centre": "central", "center": "central", "middle": "central", "centrally": "central",
}
_NEAR_MARGIN = 0.5  # parts count when within this share of the main box's size of it
_KM_PER_DEG_LAT = 111.32  # only to turn a km tolerance into a (generous) degree buffer


def normalize_direction(direction: str) -> str:
    """Canonical name of a direction word ("Southern", "south-east", "north-western" -> "northwest").

    Raises
    ------
    InputError
        The word is not a compass direction or "central".
    """
    if not isinstance(direction, str):
        raise InputError(f"direction must be a str, not {type(direction).__name__}")
    word = direction.strip().casefold().replace("-", "").replace(" ", "")
    word = _ALIASES.get(word, word)
    if word.endswith("ern"):
        word = word[:-3]
    if word in _VECTORS or word == "central":
        return word
    raise InputError(f"unknown direction {direction!r}; use one of {', '.join(DIRECTIONS)}")


def _check_fraction(fraction: float) -> float:
    try:
        value = float(fraction)
    except (TypeError, ValueError):
        value = math.nan
    if not (0.0 < value <= 1.0):
        raise InputError(f"fraction must be in (0, 1], got {fraction!r}")
    return value


def _shift_east(geometry: BaseGeometry) -> BaseGeometry:
    """Longitudes below 0 moved by +360 degrees (for geometries cut at the antimeridian)."""
    return shapely.transform(geometry, lambda c: np.where(c[:, :1] < 0.0, c + [360.0, 0.0], c))


def _frame(geometry: BaseGeometry) -> tuple[BaseGeometry, bool]:
    """The geometry in the longitude frame (-180..180 or 0..360) where its box is narrower."""
    minx, _, maxx, _ = geometry.bounds
    if maxx - minx <= 180.0:
        return geometry, False
    parts = shapely.get_parts(geometry)
    bounds = shapely.bounds(parts)
    # A part straddling the prime meridian cannot be shifted vertex by vertex.
    if ((bounds[:, 0] < 0.0) & (bounds[:, 2] > 0.0)).any():
        return geometry, False
    shifted = _shift_east(geometry)
    sminx, _, smaxx, _ = shifted.bounds
    return (shifted, True) if smaxx - sminx < maxx - minx else (geometry, False)


def _unshift(geometry: BaseGeometry) -> BaseGeometry:
    """Back from 0..360 to -180..180, cutting at the antimeridian."""
    west = shapely.clip_by_rect(geometry, -180.0, -90.0, 180.0, 90.0)
    east = shapely.clip_by_rect(geometry, 180.0, -90.0, 540.0, 90.0)
    east = shapely.transform(east, lambda c: c - [360.0, 0.0])
    return _polygonal(shapely.union(west, east))


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Only the polygon parts (intersections may add slivers of lines and points)."""
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type == "Polygon" and not p.is_empty]
    if not parts:
        return shapely.MultiPolygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _main_bounds(framed: BaseGeometry) -> tuple[float, float, float, float]:
    """Bounding box of the main parts: the largest and those with a set share of its area."""
    parts = shapely.get_parts(framed)
    if len(parts) == 1:
        return framed.bounds
    # Degrees² times cos(latitude): enough to rank parts by area.
    lat = shapely.get_y(shapely.centroid(parts))
    areas = shapely.area(parts) * np.cos(np.radians(lat))
    share = float(settings.DIRECTION_MAIN_PART_SHARE)
    main = parts[areas >= share * areas.max()]
    return tuple(float(v) for v in shapely.total_bounds(main))  # type: ignore[return-value]


def _near_parts(framed: BaseGeometry, bounds: tuple[float, float, float, float]) -> BaseGeometry:
    """The parts whose representative point lies within ``_NEAR_MARGIN`` of the main box."""
    parts = shapely.get_parts(framed)
    if len(parts) == 1:
        return framed
    minx, miny, maxx, maxy = bounds
    dx, dy = _NEAR_MARGIN * (maxx - minx), _NEAR_MARGIN * (maxy - miny)
    points = shapely.point_on_surface(parts)
    x, y = shapely.get_x(points), shapely.get_y(points)
    near = (x >= minx - dx) & (x <= maxx + dx) & (y >= miny - dy) & (y <= maxy + dy)
    kept = parts[near]
    return kept[0] if len(kept) == 1 else shapely.MultiPolygon(list(kept))


def _half_square(vector: tuple[float, float], fraction: float) -> list[tuple[float, float]]:
    """Vertices of the part of the grown square [-m, 1+m]² beyond the line that keeps the
    last ``fraction`` of the unit square's extent along ``vector``."""
    vx, vy = vector
    unit = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
    proj = [vx * x + vy * y for x, y in unit]
    threshold = max(proj) - fraction * (max(proj) - min(proj))
    lo, hi = -_NEAR_MARGIN, 1.0 + _NEAR_MARGIN
    corners = [(lo, lo), (hi, lo), (hi, hi), (lo, hi)]
    values = [vx * x + vy * y for x, y in corners]
    out: list[tuple[float, float]] = []
    # One Sutherland-Hodgman pass: keep the square's side of the line v.p = threshold.
    for k, (p, s) in enumerate(zip(corners, values)):
        q, t = corners[(k + 1) % 4], values[(k + 1) % 4]
        if s >= threshold:
            out.append(p)
        if (s >= threshold) != (t >= threshold):
            u = (threshold - s) / (t - s)
            out.append((p[0] + u * (q[0] - p[0]), p[1] + u * (q[1] - p[1])))
    return out


def _cut_shape(bounds: tuple[float, float, float, float], direction: str, fraction: float) -> Polygon:
    """The clipping polygon of a direction, in the geometry's own degrees."""
    minx, miny, maxx, maxy = bounds
    width, height = maxx - minx, maxy - miny
    if direction == "central":
        lo, hi = 0.5 - fraction / 2.0, 0.5 + fraction / 2.0
        return box(minx + lo * width, miny + lo * height, minx + hi * width, miny + hi * height)
    unit = _half_square(_VECTORS[direction], fraction)
    return Polygon([(minx + x * width, miny + y * height) for x, y in unit])


def direction_region(geometry: BaseGeometry, direction: str, *, fraction: float | None = None) -> BaseGeometry:
    """The part of a polygon a direction word names ("southern" Belarus), by the module's rule.

    Parameters
    ----------
    geometry : Polygon or MultiPolygon
        Lon/lat degrees, EPSG:4326.
    direction : str
        "north", "south", "east", "west", the four diagonals ("southeast"),
        "central"; adjectives and hyphens are accepted ("south-eastern").
    fraction : float, optional
        Share of the extent the region covers (default
        ``settings.DIRECTION_FRACTION``, 1/3), in (0, 1].

    Returns
    -------
    Polygon or MultiPolygon
        EPSG:4326; may be empty when the geometry has no area in that part of its box.

    Raises
    ------
    InputError
        Not a polygon, empty, an unknown direction or a fraction outside (0, 1].
    """
    if not isinstance(geometry, BaseGeometry) or geometry.is_empty:
        raise InputError("direction_region() needs a non-empty polygon")
    if not {p.geom_type for p in shapely.get_parts(geometry)} <= {"Polygon"}:
        raise InputError(f"direction_region() needs a polygon, got {geometry.geom_type}")
    name = normalize_direction(direction)
    frac = _check_fraction(settings.DIRECTION_FRACTION if fraction is None else fraction)
    geom = geometry if geometry.is_valid else shapely.make_valid(geometry)
    framed, shifted = _frame(geom)
    bounds = _main_bounds(framed)
    if bounds[2] - bounds[0] <= 0 or bounds[3] - bounds[1] <= 0:
        raise InputError("direction_region() needs a polygon with an extent in both directions")
    part = _polygonal(shapely.intersection(_near_parts(framed, bounds), _cut_shape(bounds, name, frac)))
    return _unshift(part) if shifted else part


def describe_direction_rule(geometry: BaseGeometry, direction: str, *, fraction: float | None = None) -> str:
    """One line stating the rule behind a direction region ("south of 52.88°N: the southern third ...")."""
    name = normalize_direction(direction)
    frac = _check_fraction(settings.DIRECTION_FRACTION if fraction is None else fraction)
    framed, _ = _frame(geometry if geometry.is_valid else shapely.make_valid(geometry))
    minx, miny, maxx, maxy = _main_bounds(framed)
    share = f"{frac:.0%}" if abs(frac - 1 / 3) > 1e-9 else "third"

    def lon_text(x: float) -> str:
        x = (x + 180.0) % 360.0 - 180.0
        return f"{abs(x):.2f}°{'E' if x >= 0 else 'W'}"

    def lat_text(y: float) -> str:
        return f"{abs(y):.2f}°{'N' if y >= 0 else 'S'}"

    if name == "south":
        return f"south of {lat_text(miny + frac * (maxy - miny))} (the southern {share} of its latitude extent)"
    if name == "north":
        return f"north of {lat_text(maxy - frac * (maxy - miny))} (the northern {share} of its latitude extent)"
    if name == "west":
        return f"west of {lon_text(minx + frac * (maxx - minx))} (the western {share} of its longitude extent)"
    if name == "east":
        return f"east of {lon_text(maxx - frac * (maxx - minx))} (the eastern {share} of its longitude extent)"
    if name == "central":
        lo, hi = 0.5 - frac / 2, 0.5 + frac / 2
        return (f"between {lat_text(miny + lo * (maxy - miny))} and {lat_text(miny + hi * (maxy - miny))} and "
                f"between {lon_text(minx + lo * (maxx - minx))} and {lon_text(minx + hi * (maxx - minx))} "
                f"(the middle {share} of both extents)")
    return f"the {name}ern corner of its bounding box (the last {share} of its extent towards the {name})"


def regions_mostly_in(
    country_code: str, derived_geometry: BaseGeometry, *, min_share: float | None = None
) -> gpd.GeoDataFrame:
    """First-level regions of a country with at least ``min_share`` of their area inside a geometry.

    Parameters
    ----------
    country_code : str
        Any code or name :func:`geo_app.borders.country` accepts ("BY", "BLR", "Belarus").
    derived_geometry : Polygon or MultiPolygon
        Lon/lat degrees, EPSG:4326 (typically from :func:`direction_region`).
    min_share : float, optional
        Least share of a region's equal-area area that must lie inside
        (default ``settings.DIRECTION_MIN_SHARE``, 0.5), in (0, 1].

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``iso_3166_2``, ``name``, ``adm1_code``, ``share`` (0..1) and
        ``geometry`` (the whole region, EPSG:4326), largest share first.

    Raises
    ------
    NotFoundError
        No country polygon for ``country_code``.
    InputError
        ``min_share`` outside (0, 1] or a non-polygonal geometry.
    """

    share_min = _check_fraction(settings.DIRECTION_MIN_SHARE if min_share is None else min_share)
    if not isinstance(derived_geometry, BaseGeometry):
        raise InputError(f"expected a shapely geometry, got {type(derived_geometry).__name__}")
    regions = borders.regions_of(country_code)
    columns = ["iso_3166_2", "name", "adm1_code", "share", "geometry"]
    if regions.empty or derived_geometry.is_empty:
        return gpd.GeoDataFrame({c: [] for c in columns[:-1]}, geometry=[], crs="EPSG:4326")
    country_geom = borders.country_geometry(country_code)
    framed, _ = _frame(country_geom)  # centred on Russia's landmass, not on 0°E, when cut at the antimeridian
    crs = equal_area_crs(framed)
    candidates = regions[regions.geometry.intersects(derived_geometry)]
    if candidates.empty:
        return gpd.GeoDataFrame({c: [] for c in columns[:-1]}, geometry=[], crs="EPSG:4326")
    pieces = gpd.GeoSeries(candidates.geometry.intersection(derived_geometry), crs="EPSG:4326")
    whole = gpd.GeoSeries(candidates.geometry, crs="EPSG:4326")
    area_in = pieces.to_crs(crs).area.to_numpy()
    area_all = whole.to_crs(crs).area.to_numpy()
    share = np.divide(area_in, area_all, out=np.zeros_like(area_in), where=area_all > 0)
    out = gpd.GeoDataFrame(
        {"iso_3166_2": candidates["iso_3166_2"].to_numpy(), "name": candidates["name"].to_numpy(),
         "adm1_code": candidates["adm1_code"].to_numpy(), "share": share},
        geometry=candidates.geometry.to_numpy(), crs="EPSG:4326",
    )
    out = out[out["share"] >= share_min - 1e-12].sort_values("share", ascending=False, kind="stable")
    return out.reset_index(drop=True)


def area_share(a: BaseGeometry, b: BaseGeometry) -> float:
    """Share (0..1) of ``a``'s area inside ``b``, in a Lambert equal-area projection centred on ``a``.

    Parameters
    ----------
    a, b : Polygon or MultiPolygon
        Lon/lat degrees, EPSG:4326.
    """
    if not (isinstance(a, BaseGeometry) and isinstance(b, BaseGeometry)):
        raise InputError("area_share() needs two shapely geometries")
    if a.is_empty or b.is_empty or a.area == 0 or not shapely.intersects(a, b):
        return 0.0
    inside = shapely.intersection(a, b)
    # Neighbours touch along a border: a sliver of no area needs no projection.
    if inside.is_empty or inside.area <= 1e-9 * a.area:
        return 0.0
    framed, shifted = _frame(a)
    minx, miny, maxx, maxy = framed.bounds
    lon0 = ((minx + maxx) / 2 + 180.0) % 360.0 - 180.0
    forward = laea_forward(round(lon0, 1), round((miny + maxy) / 2, 1))

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = forward.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    whole = shapely.transform(a, project).area
    part = shapely.transform(inside, project).area
    return float(min(part / whole, 1.0)) if whole > 0 else 0.0


def _buffer_deg(km: float, lat: float) -> float:
    """Degrees that cover ``km`` in every direction at latitude ``lat`` (generous in latitude)."""
    return km / (_KM_PER_DEG_LAT * max(math.cos(math.radians(min(abs(lat), 89.0))), 0.01))


def shared_boundary_km(a: BaseGeometry, b: BaseGeometry, *, tolerance_km: float = 0.5) -> float:
    """Length, km (geodesic on WGS84), of ``a``'s boundary lying within ``tolerance_km`` of ``b``.

    Natural Earth layers are not perfectly topological (admin-1 edges and
    admin-0 edges of the same border differ by metres, marine polygons overlap
    the coast), so two areas "share a border" when this length is more than a
    kilometre or so, not when their edges coincide exactly. A polygon inside
    ``b`` shares its whole boundary; callers test containment first.

    Parameters
    ----------
    a, b : Polygon or MultiPolygon
        Lon/lat degrees, EPSG:4326.
    tolerance_km : float
        How far from ``b`` a piece of ``a``'s boundary may be, km (>= 0).
    """
    if not (isinstance(a, BaseGeometry) and isinstance(b, BaseGeometry)):
        raise InputError("shared_boundary_km() needs two shapely geometries")
    if not (math.isfinite(tolerance_km) and tolerance_km >= 0):
        raise InputError(f"tolerance_km must be a non-negative number, got {tolerance_km!r}")
    if a.is_empty or b.is_empty:
        return 0.0
    ax0, ay0, ax1, ay1 = a.bounds
    bx0, by0, bx1, by1 = b.bounds
    lat = max(abs(ay0), abs(ay1), abs(by0), abs(by1))
    eps = _buffer_deg(tolerance_km, lat)
    x0, y0 = max(ax0, bx0) - 2 * eps, max(ay0, by0) - 2 * eps
    x1, y1 = min(ax1, bx1) + 2 * eps, min(ay1, by1) + 2 * eps
    if x0 > x1 or y0 > y1:
        return 0.0
    # Clip to the common box first: buffering a whole country is what costs.
    a_edge = shapely.clip_by_rect(a.boundary, x0, y0, x1, y1)
    b_near = shapely.clip_by_rect(b, x0 - eps, y0 - eps, x1 + eps, y1 + eps)
    if a_edge.is_empty or b_near.is_empty:
        return 0.0
    near = b_near.buffer(eps) if eps > 0 else b_near
    shared = shapely.intersection(a_edge, near)
    if shared.is_empty:
        return 0.0
    lines = [p for p in shapely.get_parts(shared) if p.geom_type in ("LineString", "LinearRing")]
    if not lines:
        return 0.0
    return sum(geodesic_length_km(line) for line in lines)

