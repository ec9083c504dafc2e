"""What a checked claim is: :class:`Claim`, its ends (:class:`Endpoint`), a :class:`Measurement`,
and the verdict rule of a distance (see :mod:`geo_app.check` for the table of verdicts).

Verdicts of a distance
----------------------
``tolerance = BORDER_DATA_RESOLUTION_KM`` (3 km), plus ``ABOUT_RELATIVE_TOLERANCE * N``
for "about N". With ``d`` the measured geodesic distance and ``N`` the claimed one:
``at_most`` is consistent when ``d <= N + tol`` (else understated), ``at_least`` when
``d >= N - tol`` (else overstated), ``exact``/``about`` inside ``[N - tol, N + tol]``;
a range ("50-60 km") inside ``[low - tol, high + tol]``. A negative figure is
unverifiable; one beyond the longest geodesic (half a meridian) is contradicted.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from shapely.geometry.base import BaseGeometry

from geo_app import settings
from geo_app.geo.geodesy import longest_geodesic_km
from geo_app.geo.geojson import geometry_dict

if TYPE_CHECKING:
    from geo_app.places.gazetteer import Place

__all__ = [
    "CLAIM_TYPES",
    "CODE_VERDICT",
    "Claim",
    "Endpoint",
    "Measurement",
    "VERDICTS",
    "VERDICT_DEFINITION",
    "interval",
    "judge",
    "km_text",
    "max_surface_km",
    "precheck",
    "resolution_km",
    "verdict_codes",
]

#: Verdicts a checked claim can get (``region`` features have ``None``).
#: The verdict of a membership in a group whose extent depends on who defines it (issue 12).
VERDICT_DEFINITION = "depends on definition"
VERDICTS = ("consistent", "overstated", "understated", "contradicted", "unverifiable", VERDICT_DEFINITION)

#: Kinds of claim :func:`claims_for` recognises.
CLAIM_TYPES = ("distance", "containment", "adjacency", "coastal", "membership", "region")

# Derived regions are drawn simplified to ~1 km, well inside the data's ±3 km (keeps GeoJSON small).
_REGION_SIMPLIFY_DEG = 0.01

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


def resolution_km() -> float:
    """The border data's resolution, km (``BORDER_DATA_RESOLUTION_KM``): the tolerance of every figure."""
    return float(settings.BORDER_DATA_RESOLUTION_KM)


def max_surface_km() -> float:
    """Longest geodesic on the ellipsoid (half a meridian: 20,003.9 km on WGS84); nothing is farther."""
    return longest_geodesic_km()


def _tol_text(km: float) -> str:
    """A tolerance for reading: "3", "11.7"."""
    return f"{km:.1f}".rstrip("0").rstrip(".")


def km_text(km: float) -> str:
    """"86.8 km" below 1,000 km, "6,787 km" above, "1e+308 km" beyond any distance on Earth."""
    if abs(km) >= 1e7:  # a hostile "1e308 km" would print 309 digits
        return f"{km:.3g} km"
    return f"{km:,.1f} km" if abs(km) < 1000 else f"{km:,.0f} km"


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
    shared_border_km: float | None = None
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
        return {"line": geometry_dict(self.line, None), "nearest_point": geometry_dict(self.nearest_point, None),
                "region": geometry_dict(self.region, None, _REGION_SIMPLIFY_DEG), "point": geometry_dict(self.point, None)}

    def primary_geometry(self) -> dict[str, Any] | None:
        """The geometry a map draws for the claim: the line, else the region, else the point."""
        for geom, simplify in ((self.line, 0.0), (self.region, _REGION_SIMPLIFY_DEG), (self.point, 0.0),
                               (self.nearest_point, 0.0)):
            if geom is not None and not geom.is_empty:
                return geometry_dict(geom, None, simplify)
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
            "shared_border_km": rnd(self.shared_border_km),
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
            short = settings.BORDER_DATA_SHORT_NAME
            against = (f"{short}, ±{resolution_km():g} km" if "Natural Earth" in self.data_source
                       else "gazetteer points")
            return f"measured {km_text(self.measured_km)} {self.description} ({against}): {verdict_text}"
        if self.claim_type == "distance":
            return f"distance from {self.from_name or '?'} to {self.to_name or '?'}: {verdict_text}"
        relation = _RELATION_WORDS.get(self.claim_type, "and")
        return f"{self.from_name or '?'} {relation} {self.to_name or '?'}: {verdict_text}"


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


def stated_rounding_km(claimed_text: str, claimed_km: float) -> float:
    """How far a bare figure may be off by rounding alone, km: half a unit of its last non-zero digit.

    "400 km" is written for anything from 350 to 450 km, "395 km" for 394.5 to 395.5; the result is
    capped at ``ABOUT_RELATIVE_TOLERANCE`` of the figure (a round figure is read no looser than
    "about"). A figure said to be exact ("exactly 400 km"), a range or a number in words gives 0.
    """
    if not claimed_text or _EXACT_WORDS.search(claimed_text) or not math.isfinite(claimed_km):
        return 0.0
    numbers = _FIGURE.findall(claimed_text)
    if len(numbers) != 1:
        return 0.0
    digits = numbers[0].replace(",", "")
    value = float(digits)
    if value <= 0:
        return 0.0
    if "." in digits:
        unit = 10.0 ** -len(digits.split(".")[1])
    else:
        unit = 10.0 ** (len(digits) - len(digits.rstrip("0")))
    half_km = unit / 2 * (claimed_km / value)
    return min(half_km, float(settings.ABOUT_RELATIVE_TOLERANCE) * claimed_km)


_EXACT_WORDS = re.compile(r"(?i)\b(?:exactly|precisely)\b")
_FIGURE = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?")


def interval(claimed_km: float, bound: str, low_km: float | None, high_km: float | None,
             rounding_km: float = 0.0) -> tuple[float, float, float]:
    """The true distances a claim allows, with tolerance: (lowest, highest, tolerance km).

    ``rounding_km`` (an exact figure only; see :func:`stated_rounding_km`) widens the tolerance.
    """
    res = resolution_km() + (rounding_km if bound == "exact" else 0.0)
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


def verdict_codes(measured: npt.ArrayLike, lo: float, hi: float) -> npt.NDArray[np.int8]:
    """-1 below the interval (claim overstated), 0 inside (consistent), +1 above (understated)."""
    m = np.asarray(measured, dtype=float)
    return np.where(m < lo, -1, np.where(m > hi, 1, 0)).astype(np.int8)


CODE_VERDICT = np.array(["overstated", "consistent", "understated"])


def precheck(claimed_km: float | None, bound: str) -> tuple[str, str] | None:
    """Verdicts that need no measurement: a negative or impossible figure."""
    if claimed_km is None:
        return None
    if not math.isfinite(claimed_km):
        return "unverifiable", "the claimed distance is not a finite number"
    if claimed_km < 0:
        return "unverifiable", f"a negative distance ({claimed_km:g} km) cannot be checked"
    limit = max_surface_km()
    if claimed_km > limit + resolution_km() and bound in ("exact", "about", "at_least"):
        return "contradicted", (f"impossible: {km_text(claimed_km)} is more than the longest distance "
                                f"between two points on Earth ({km_text(limit)}, half a meridian)")
    return None


def judge(measured: float, claimed_km: float, bound: str, low_km: float | None = None,
           high_km: float | None = None, rounding_km: float = 0.0) -> tuple[str, str, float]:
    """Verdict, reason and tolerance of a measured distance against a claimed one."""
    lo, hi, tol = interval(claimed_km, bound, low_km, high_km, rounding_km)
    code = int(verdict_codes([measured], lo, hi)[0])
    verdict = str(CODE_VERDICT[code + 1])
    diff = measured - claimed_km
    if bound == "at_most":
        if code == 0:
            reason = ("the real distance is shorter than stated" if measured < claimed_km - tol
                      else f"within ±{_tol_text(tol)} km of the stated maximum")
        else:
            reason = f"the real distance is {km_text(diff)} longer than the stated maximum"
    elif bound == "at_least":
        if code == 0:
            reason = ("the real distance is longer than stated" if measured > claimed_km + tol
                      else f"within ±{_tol_text(tol)} km of the stated minimum")
        else:
            reason = f"the real distance is {km_text(-diff)} shorter than the stated minimum"
    else:
        what = "range" if low_km is not None else "figure"
        stated_lo = low_km if low_km is not None else claimed_km
        stated_hi = high_km if high_km is not None else claimed_km
        if code == 0:
            reason = f"within the stated {what} ±{_tol_text(tol)} km"
        elif code < 0:
            reason = f"the stated {what} is {km_text(stated_lo - measured)} more than measured"
        else:
            reason = f"the stated {what} is {km_text(measured - stated_hi)} less than measured"
    return verdict, reason, tol
