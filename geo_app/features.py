"""Map features of analysed reports: one GeoDataFrame, one schema, for every output.

:func:`features_gdf` turns :class:`~geo_app.pipeline.Analysis` objects into a GeoDataFrame
(EPSG:4326, lon/lat degrees) that the Streamlit app, the folium maps, the static PNG and
the GeoJSON / GeoPackage / CSV exports all read. Its rows:

* one Point per resolved mention (``kind`` place | qualified | group | demonym);
* one polygon per derived area: the part of a country a direction names ("southern
  Belarus") and the first-level regions mostly inside it, a composite group's members,
  a sea;
* one LineString per checked claim (``kind`` "claim"), the measured line.

Columns are :data:`COLUMNS` (documented in ``schema/feature.schema.json``). Dates are
ISO strings (``YYYY-MM-DD``) or None: ``date_start``/``date_end`` is the event date (the
date stated in the mention's sentence, else the publication date).

Why this module is long: it is the one home of the feature table: its schema, the rows built
from analyses, the filters, the exports, the map extent and the areas drawn from it all read
the same columns, and splitting them would scatter that one contract.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo_app._errors import DataError, InputError
from geo_app import settings
from geo_app.geo.geodesy import geodesic_km
from geo_app.places import borders, composites, regions
from geo_app.places.gazetteer import get_gazetteer
from geo_app._util import iso_day
from geo_app.geo.geojson import geometry_from

if TYPE_CHECKING:
    from geo_app.pipeline import Analysis
    from geo_app.resolve.resolver import Resolution

#: Version of the feature property schema (``schema/feature.schema.json``).
FEATURE_SCHEMA_VERSION = "1.0"

#: Layers of point features (one per resolved mention), by what the place is.
POINT_LAYERS = ("places", "countries", "regions", "seas", "groups", "demonyms")
#: Layers of derived polygons.
AREA_LAYERS = ("direction_regions", "direction_admin1", "group_areas", "sea_areas")
#: Layer of checked claims.
CLAIM_LAYER = "claims"
#: Every layer, in drawing order (areas below lines below points).
LAYERS = (*AREA_LAYERS, CLAIM_LAYER, *POINT_LAYERS)
#: Layers hidden until asked for (a demonym alone rarely means a place on the map).
LAYERS_OFF_BY_DEFAULT = ("demonyms",)
#: Feature kinds: the mention kinds and "claim".
KINDS = ("place", "qualified", "group", "demonym", "claim")

_CLAIM_FIELDS = ("claim_type", "claimed_km", "bound", "measured_km", "verdict", "method", "data_source")

#: Property columns, in order (the geometry column comes last).
COLUMNS = (
    "feature_id", "kind", "layer", "name", "text", "quote", "mark_start", "mark_end",
    "report_id", "source", "published", "date_start", "date_end", "date_source",
    "geonameid", "feature_class", "feature_code", "country_code", "confidence", "qualifier",
    "place_key", "reason", *_CLAIM_FIELDS,
)
_FLOAT_COLUMNS = ("confidence", "claimed_km", "measured_km")
_INT_COLUMNS = ("mark_start", "mark_end", "geonameid")

# Polygons are simplified before they reach a map or a file: Natural Earth 1:10m countries
# hold ~550k vertices and a map of "Eastern Europe" would carry all of Russia's coast.
_DEFAULT_AREA_SIMPLIFY_DEG = 0.01
_RELATIVE_SIMPLIFY = 0.001  # share of an area's extent used as simplification tolerance
#: Qualifiers that name part of an area ("southern Belarus" has qualifier "south").
DIRECTION_QUALIFIERS = frozenset({"north", "south", "east", "west", "central", "northeast", "northwest",
                                  "southeast", "southwest"})


def _setting(name: str, default: Any) -> Any:

    return getattr(settings, name, default)


# --- building -----------------------------------------------------------------------------


def point_layer(kind: str, feature_code: str | None, feature_class: str | None) -> str:
    """Layer of a mention's point: by kind (demonyms) and by the place's type."""
    if kind == "demonym":
        return "demonyms"
    if feature_code in ("PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL"):
        return "countries"
    if feature_code in ("ADM1", "ADMD"):
        return "regions"
    if feature_code == "GROUP" or feature_code == "CONT":
        return "groups"
    if feature_class == "H" or feature_code in ("SEA", "BAY", "GULF", "STRT", "OCN"):
        return "seas"
    return "places"


def _direction(qualifier: str | None) -> str | None:
    """The compass direction of a qualifier that names part of an area ("south"), else None."""
    if qualifier and qualifier in DIRECTION_QUALIFIERS:
        return qualifier
    return None


def simplify_area(geom: BaseGeometry | None, tolerance_deg: float | None = None) -> BaseGeometry | None:
    """A polygon simplified for drawing: ``tolerance_deg``, or a thousandth of its extent if larger.

    Parameters
    ----------
    geom : Polygon or MultiPolygon (other geometries are returned unchanged)
        Lon/lat degrees.
    tolerance_deg : float, optional
        Least tolerance, degrees (default ``MAP_AREA_SIMPLIFY_DEG``, 0.01 = ~1 km).
    """
    if geom is None or geom.is_empty:
        return None
    base = float(_setting("MAP_AREA_SIMPLIFY_DEG", _DEFAULT_AREA_SIMPLIFY_DEG)) if tolerance_deg is None \
        else float(tolerance_deg)
    if base > 0 and geom.geom_type in ("Polygon", "MultiPolygon") and \
            shapely.get_num_coordinates(geom) > int(settings.SIMPLIFY_MIN_VERTICES):
        minx, miny, maxx, maxy = geom.bounds
        # Russia-sized areas need not carry every Arctic islet at 1 km precision.
        tol = max(base, _RELATIVE_SIMPLIFY * max(maxx - minx, maxy - miny))
        simplified = geom.simplify(tol, preserve_topology=True)
        if not simplified.is_empty:
            geom = simplified
    return geom



def _row(**values: Any) -> dict[str, Any]:
    row = dict.fromkeys(COLUMNS)
    row.update(values)
    return row


def _mention_rows(analysis: Analysis, index: int, res: Resolution) -> list[dict[str, Any]]:
    m, p = res.mention, res.place
    if p is None:
        return []
    ex = analysis.extraction
    published = iso_day(ex.published)
    quote, mark_start, mark_end = "", None, None
    if ex.sentences and 0 <= m.sentence < len(ex.sentences):
        s_start, _ = ex.sentences[m.sentence]
        raw = ex.sentence_text(m.sentence)
        lead = len(raw) - len(raw.lstrip())
        quote = raw.strip()
        mark_start, mark_end = m.start - s_start - lead, m.end - s_start - lead
        if not (0 <= mark_start <= mark_end <= len(quote)):
            mark_start = mark_end = None
    common = dict(
        kind=m.kind, name=p.name, text=m.text, quote=quote, mark_start=mark_start, mark_end=mark_end,
        report_id=analysis.report_id, source=analysis.source or "", published=published,
        date_start=iso_day(res.date_start), date_end=iso_day(res.date_end), date_source=res.date_source or None,
        geonameid=p.geonameid, feature_class=p.feature_class, feature_code=p.feature_code,
        country_code=p.country_code or None, confidence=float(res.confidence), qualifier=m.qualifier,
        place_key=p.key, reason=res.reason,
    )
    base = f"{analysis.report_id}:m{index}"
    rows = []
    point: BaseGeometry = shapely.Point(p.lon, p.lat)
    direction = _direction(m.qualifier)
    if direction:
        derived = _direction_area(p, direction, *_area_settings())
        if derived is not None:
            area_geom, rep, members = derived
            point = rep
            rows.append(_row(**common, feature_id=f"{base}:area", layer="direction_regions",
                             geometry=area_geom) | {"name": m.text.strip()})
            for j, (name, geom, code) in enumerate(members):
                # The region's own identity, not the country's: a join on geonameid must not attach it there.
                rows.append(_row(**common, feature_id=f"{base}:adm1-{j}", layer="direction_admin1",
                                 geometry=geom) | {"name": name, "place_key": code, "geonameid": _admin1_geonameid(code),
                                                   "feature_class": "A", "feature_code": "ADM1"})
    elif p.feature_code == "GROUP" or p.layer == "seas":
        area = _place_area(p, *_area_settings())
        if area is not None:
            layer = "group_areas" if p.feature_code == "GROUP" else "sea_areas"
            rows.append(_row(**common, feature_id=f"{base}:area", layer=layer, geometry=area))
    rows.insert(0, _row(**common, feature_id=base, layer=point_layer(m.kind, p.feature_code, p.feature_class),
                        geometry=point))
    return rows


@lru_cache(maxsize=1024)
def _admin1_geonameid(code: str | None) -> int | None:
    """GeoNames id of a first-level region (Natural Earth's ``gn_id``), or None if it has none."""
    if not code:
        return None
    try:
        value = borders.region(code).get("gn_id")
    except LookupError:
        return None
    try:
        gid = int(value)
    except (TypeError, ValueError):
        return None
    return gid if gid > 0 else None


def _area_settings() -> tuple[float, float, float]:
    """The settings derived areas depend on (part of the cache keys below)."""

    return (float(_setting("MAP_AREA_SIMPLIFY_DEG", _DEFAULT_AREA_SIMPLIFY_DEG)),
            float(getattr(settings, "DIRECTION_FRACTION", 1 / 3)), float(getattr(settings, "DIRECTION_MIN_SHARE", 0.5)))


@lru_cache(maxsize=512)
def _place_area(place: Any, tolerance: float, _fraction: float, _share: float) -> BaseGeometry | None:
    """A place's polygon, simplified for drawing (cached: "Eastern Europe" takes ~0.3 s to simplify)."""

    try:
        area = composites.geometry_of(place)
    except LookupError:
        return None
    return simplify_area(area, tolerance) if area is not None else None


@lru_cache(maxsize=512)
def _direction_area(place: Any, direction: str, tolerance: float, _fraction: float,
                    _share: float) -> tuple[BaseGeometry, BaseGeometry, tuple[tuple[str, BaseGeometry, str | None], ...]] | None:
    """(derived polygon, its label point, its admin-1 regions) of "southern <place>", or None."""
    try:
        area = composites.geometry_of(place)
    except LookupError:
        return None
    if area is None:
        return None
    try:
        derived = regions.direction_region(area, direction)
    except (LookupError, ValueError):
        return None
    if derived is None or derived.is_empty:
        return None
    members: tuple[tuple[str, BaseGeometry, str | None], ...] = ()
    if place.country_code:
        try:
            found = regions.regions_mostly_in(place.country_code, derived)
        except (LookupError, ValueError):
            found = None
        if found is not None:
            members = tuple((name, simplify_area(geom, tolerance), code) for name, geom, code in _region_members(found))
    return simplify_area(derived, tolerance), derived.representative_point(), members


def _region_members(members: gpd.GeoDataFrame) -> list[tuple[str, BaseGeometry, str | None]]:
    """(name, polygon, code) of the admin-1 regions :func:`regions.regions_mostly_in` returned."""
    out = []
    for _, r in members.iterrows():
        name = next((str(r[c]) for c in ("name_en", "name", "NAME") if c in r and pd.notna(r[c])), "")
        code = next((str(r[c]) for c in ("iso_3166_2", "adm1_code") if c in r and pd.notna(r[c])), None)
        out.append((name, r.geometry, code))
    return out


def _geom_from_geojson(obj: Any) -> BaseGeometry | None:
    """A claim's stored geometry, or None when it has none or it is not valid GeoJSON."""
    try:
        return geometry_from(obj)
    except ValueError:
        return None


def _claim_dates(analysis: Analysis, sentence: int | None, quote: str) -> tuple[str | None, str | None, str | None]:
    """Event dates of a claim: those of a mention in the claim's sentence, else the publication date."""
    ex = analysis.extraction
    q = quote.strip()
    for res in analysis.resolutions:
        s = res.mention.sentence
        if not res.date_start or not (0 <= s < len(ex.sentences)):
            continue
        if s == sentence or (sentence is None and ex.sentence_text(s).strip() == q):
            return iso_day(res.date_start), iso_day(res.date_end), res.date_source or None
    pub = iso_day(ex.published)
    return pub, pub, "published" if pub else None


def _num(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _claim_name(d: dict[str, Any]) -> str:
    a, b = d.get("from_name"), d.get("to_name")
    if a and b:
        return f"{a} \u2192 {b}"
    return str(a or d.get("description") or d.get("claim_type") or "claim")


def _claim_rows(analysis: Analysis, index: int, claim: Any) -> list[dict[str, Any]]:
    """A claim as a row: its measured line, or no geometry (adjacency, membership: table and files only).

    Region claims ("southern Belarus") are left out: the mention already drew that area.
    """
    d = claim.to_dict() if hasattr(claim, "to_dict") else dict(claim)
    if d.get("claim_type") == "region":
        return []
    geoms = d.get("geometries") or {}
    # The line where there is one, else the outline of the area the claim is about (every claim is drawn).
    line = _geom_from_geojson(geoms.get("line"))
    if line is None:
        area = _geom_from_geojson(d.get("geometry"))
        if area is not None and area.geom_type in ("Polygon", "MultiPolygon"):
            line = area.boundary
        elif area is not None and area.geom_type in ("LineString", "MultiLineString"):
            line = area
    ex = analysis.extraction
    quote = str(d.get("quote") or "")
    mark_start = mark_end = None
    sentence, start, end = d.get("sentence"), d.get("start"), d.get("end")
    if isinstance(sentence, int) and isinstance(start, int) and isinstance(end, int) and 0 <= sentence < len(ex.sentences):
        s0 = ex.sentences[sentence][0]
        q0 = ex.text.find(quote, max(0, s0 - 2)) if quote else -1
        if q0 >= 0 and 0 <= start - q0 <= end - q0 <= len(quote):
            mark_start, mark_end = start - q0, end - q0
    date_start, date_end, date_source = _claim_dates(analysis, sentence if isinstance(sentence, int) else None, quote)
    values = {f: d.get(f) for f in _CLAIM_FIELDS}
    for f in ("claimed_km", "measured_km"):
        values[f] = _num(values[f])
    text = d.get("claimed_text") or (quote[mark_start:mark_end] if mark_start is not None else None)
    return [_row(
        feature_id=f"{analysis.report_id}:c{index}", kind="claim", layer=CLAIM_LAYER, name=_claim_name(d),
        text=text or None, quote=quote, mark_start=mark_start, mark_end=mark_end,
        report_id=str(d.get("report_id") or analysis.report_id), source=analysis.source or "",
        published=iso_day(ex.published), date_start=date_start, date_end=date_end, date_source=date_source,
        reason=d.get("summary") or d.get("reason"), geonameid=d.get("from_geonameid"),
        place_key=d.get("from_key"), geometry=line, **values,
    )]


def empty_gdf() -> gpd.GeoDataFrame:
    """A feature GeoDataFrame with no rows (and every column)."""
    return typed(gpd.GeoDataFrame({c: [] for c in COLUMNS}, geometry=[], crs="EPSG:4326"))


def typed(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The feature columns with their dtypes (nullable integers, floats, text)."""
    for c in _FLOAT_COLUMNS:
        gdf[c] = pd.to_numeric(gdf[c], errors="coerce").astype("float64")
    for c in _INT_COLUMNS:
        gdf[c] = pd.array(pd.to_numeric(gdf[c], errors="coerce"), dtype="Int64")
    for c in COLUMNS:
        if c not in _FLOAT_COLUMNS and c not in _INT_COLUMNS:
            gdf[c] = gdf[c].astype(object).where(gdf[c].notna(), None)
    return gdf


def features_gdf(analyses: Iterable[Analysis]) -> gpd.GeoDataFrame:
    """Every map feature of the analyses, one row each (EPSG:4326).

    Parameters
    ----------
    analyses : iterable of Analysis
        From :func:`geo_app.pipeline.analyze`.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`COLUMNS` plus ``geometry`` (lon/lat degrees); one row per resolved
        mention (Point), per derived area (Polygon/MultiPolygon) and per claim with a
        measured line (LineString). The index is ``feature_id``.
    """
    return features_table(analyses)[0]


def _analysis_rows(analysis: Analysis) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i, res in enumerate(analysis.resolutions):
        rows.extend(_mention_rows(analysis, i, res))
    for i, claim in enumerate(analysis.claims):
        rows.extend(_claim_rows(analysis, i, claim))
    return rows


def _plain_float(value: Any) -> float | None:
    """A float column's value as :func:`typed` leaves it, as a Python float (None for missing)."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        out = float(value)
        return out if math.isfinite(out) else None
    out = float(pd.to_numeric(pd.Series([value], dtype=object), errors="coerce").astype("float64").iloc[0])
    return out if math.isfinite(out) else None


def _plain_int(value: Any) -> int | None:
    """An integer column's value as :func:`typed` leaves it, as a Python int (None for missing)."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    out = pd.array(pd.to_numeric(pd.Series([value], dtype=object), errors="coerce"), dtype="Int64")[0]
    return None if out is pd.NA else int(out)


def _plain_text(value: Any) -> Any:
    """A text column's value as :func:`typed` leaves it (missing values None)."""
    if value is None or isinstance(value, str):
        return value
    return None if pd.isna(value) is True else value


def feature_records(analyses: Iterable[Analysis]) -> tuple[list[tuple[BaseGeometry | None, dict[str, Any]]],
                                                           list[int]]:
    """The rows of :func:`features_table` as plain Python values, without building a frame.

    For a writer that needs each feature's values one by one (the store): each row is
    ``(geometry, {column: value})`` with :data:`COLUMNS` typed as :func:`typed` types them
    (floats, integers, text; None where missing), in the table's row order, with the position
    of its analysis. A frame costs a few milliseconds per chunk whatever its size; this, nothing.
    """
    out: list[tuple[BaseGeometry | None, dict[str, Any]]] = []
    owners: list[int] = []
    convert = {c: _plain_float if c in _FLOAT_COLUMNS else _plain_int if c in _INT_COLUMNS else _plain_text
               for c in COLUMNS}
    for k, analysis in enumerate(analyses):
        for row in _analysis_rows(analysis):
            out.append((row.get("geometry"), {c: convert[c](row.get(c)) for c in COLUMNS}))
            owners.append(k)
    return out, owners


def features_table(analyses: Iterable[Analysis]) -> tuple[gpd.GeoDataFrame, list[int]]:
    """The features of many analyses in one table, and which analysis each row belongs to.

    One GeoDataFrame for a whole batch costs about what one for a single analysis costs
    (building and typing the frame dominates), so the store builds one per committed chunk.

    Parameters
    ----------
    analyses : iterable of Analysis
        From :func:`geo_app.pipeline.analyze`.

    Returns
    -------
    tuple of (geopandas.GeoDataFrame, list of int)
        The frame of :func:`features_gdf`, and for each of its rows (in order) the position
        of its analysis in ``analyses``.
    """
    rows: list[dict[str, Any]] = []
    owners: list[int] = []
    for k, analysis in enumerate(analyses):
        own = _analysis_rows(analysis)
        rows.extend(own)
        owners.extend([k] * len(own))
    if not rows:
        return empty_gdf(), owners
    gdf = gpd.GeoDataFrame(pd.DataFrame(rows, columns=[*COLUMNS, "geometry"]), geometry="geometry", crs="EPSG:4326")
    gdf = typed(gdf)
    gdf.index = pd.Index(gdf["feature_id"].to_numpy(), name=None)
    return gdf, owners


# --- filters ------------------------------------------------------------------------------


def feature_days(gdf: gpd.GeoDataFrame) -> tuple[pd.Series, pd.Series]:
    """First and last day of each feature as ISO strings: event dates, else publication date."""
    start = gdf["date_start"].where(gdf["date_start"].notna(), gdf["published"])
    end = gdf["date_end"].where(gdf["date_end"].notna(), start)
    return start, end


def date_range(gdf: gpd.GeoDataFrame) -> tuple[dt.date, dt.date] | None:
    """Earliest and latest day over the event and publication dates of the features, or None."""
    values = pd.concat([gdf["date_start"], gdf["date_end"], gdf["published"]]).dropna()
    if values.empty:
        return None
    return dt.date.fromisoformat(min(values)), dt.date.fromisoformat(max(values))


def filter_window(gdf: gpd.GeoDataFrame, start: dt.date | str | None = None, end: dt.date | str | None = None,
                  *, include_undated: bool = True) -> gpd.GeoDataFrame:
    """Features whose days overlap the window ``[start, end]`` (inclusive; open ends allowed).

    A feature without any date (no event date, no publication date) is kept when
    ``include_undated`` is true: it cannot be placed in time, and dropping it would hide it.
    """
    lo, hi = iso_day(start), iso_day(end)
    if lo and hi and lo > hi:
        raise InputError(f"the date window starts ({lo}) after it ends ({hi})")
    first, last = feature_days(gdf)
    dated = first.notna()
    keep = pd.Series(True, index=gdf.index)
    if lo:
        keep &= ~dated | (last.fillna("") >= lo)
    if hi:
        keep &= ~dated | (first.fillna("") <= hi)
    if not include_undated:
        keep &= dated
    return gdf[keep.to_numpy()]


def _isin(gdf: gpd.GeoDataFrame, column: str, values: Iterable[str] | None) -> gpd.GeoDataFrame:
    if values is None:
        return gdf
    wanted = set(values)
    return gdf[gdf[column].isin(wanted).to_numpy()]


def filter_sources(gdf: gpd.GeoDataFrame, sources: Iterable[str] | None) -> gpd.GeoDataFrame:
    """Features from these sources (None: all)."""
    return _isin(gdf, "source", sources)


def filter_kinds(gdf: gpd.GeoDataFrame, kinds: Iterable[str] | None) -> gpd.GeoDataFrame:
    """Features of these kinds (place, qualified, group, demonym, claim; None: all)."""
    return _isin(gdf, "kind", kinds)


def filter_layers(gdf: gpd.GeoDataFrame, layers: Iterable[str] | None) -> gpd.GeoDataFrame:
    """Features on these layers (None: all)."""
    return _isin(gdf, "layer", layers)


def filter_verdicts(gdf: gpd.GeoDataFrame, verdicts: Iterable[str] | None) -> gpd.GeoDataFrame:
    """Claims with these verdicts; features that are not claims are kept (None: all)."""
    if verdicts is None:
        return gdf
    wanted = set(verdicts)
    keep = (gdf["kind"] != "claim") | gdf["verdict"].isin(wanted)
    return gdf[keep.to_numpy()]


def apply_filters(gdf: gpd.GeoDataFrame, *, start: dt.date | str | None = None, end: dt.date | str | None = None,
                  sources: Iterable[str] | None = None, kinds: Iterable[str] | None = None,
                  verdicts: Iterable[str] | None = None, layers: Iterable[str] | None = None,
                  include_undated: bool = True) -> gpd.GeoDataFrame:
    """All filters at once (each None means no filter on that field)."""
    out = filter_window(gdf, start, end, include_undated=include_undated)
    out = filter_sources(out, sources)
    out = filter_kinds(out, kinds)
    out = filter_verdicts(out, verdicts)
    return filter_layers(out, layers)


# --- cross-report agreement -----------------------------------------------------------------


def shared_places(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """Places named by more than one report: name, place_key, reports, sources and quotes.

    Returns
    -------
    pandas.DataFrame
        Columns ``place_key, name, n_reports, reports, sources, quotes`` (lists joined by
        " | "), sorted by ``n_reports`` descending then name.
    """
    cols = ["place_key", "name", "n_reports", "reports", "sources", "quotes"]
    pts = gdf[(gdf["kind"] != "claim") & gdf.geometry.geom_type.eq("Point") & gdf["place_key"].notna()]
    out = []
    for key, grp in pts.groupby("place_key", sort=True):
        reports = list(dict.fromkeys(grp["report_id"]))
        if len(reports) < 2:
            continue
        quotes = list(dict.fromkeys(q for q in grp["quote"] if q))
        out.append({"place_key": key, "name": grp["name"].iloc[0], "n_reports": len(reports),
                    "reports": " | ".join(reports),
                    "sources": " | ".join(dict.fromkeys(s or "(no source)" for s in grp["source"])),
                    "quotes": " | ".join(quotes)})
    frame = pd.DataFrame(out, columns=cols)
    return frame.sort_values(["n_reports", "name"], ascending=[False, True], kind="stable").reset_index(drop=True)


def mappable(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The features that have a geometry (claims without a measured line have none)."""
    arr = gdf.geometry.to_numpy()
    return gdf[~shapely.is_missing(arr) & ~shapely.is_empty(arr)]


def layer_counts(gdf: gpd.GeoDataFrame) -> dict[str, int]:
    """Number of features on each layer (only layers that have some)."""
    counts = gdf["layer"].value_counts()
    return {layer: int(counts[layer]) for layer in LAYERS if layer in counts}


def bounds(gdf: gpd.GeoDataFrame, *, pad_fraction: float = 0.08,
           min_span_deg: float = 2.0) -> tuple[float, float, float, float] | None:
    """(min_lon, min_lat, max_lon, max_lat) framing the features, padded; None if empty.

    Areas larger than the points and lines are clipped to them, so "Eastern Europe"
    (reaching the Pacific through Russia) does not zoom the map out to the whole of Eurasia.
    """
    if gdf.empty:
        return None
    geoms = gdf.geometry
    focus = geoms[geoms.geom_type.isin(["Point", "LineString", "MultiPoint", "MultiLineString"])]
    target = focus if not focus.empty else geoms
    return _padded(target.total_bounds, pad_fraction, min_span_deg)


def _padded(total_bounds: Any, pad_fraction: float, min_span_deg: float) -> tuple[float, float, float, float] | None:
    minx, miny, maxx, maxy = (float(v) for v in total_bounds)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return None
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half_w = max((maxx - minx) / 2 * (1 + 2 * pad_fraction), min_span_deg / 2)
    half_h = max((maxy - miny) / 2 * (1 + 2 * pad_fraction), min_span_deg / 2)
    return (max(cx - half_w, -180.0), max(cy - half_h, -85.0), min(cx + half_w, 180.0), min(cy + half_h, 85.0))


#: Layers that do not frame a map when more precise features are there: a group's or a
#: country's point (Russia's centroid, "the Far East") would pull a map of Belarus to the Pacific.
COARSE_LAYERS = ("groups", "group_areas", "sea_areas", "seas", "countries", "demonyms")


@dataclass(frozen=True)
class FocusExtent:
    """Where a set of features concentrates: the frame to open on, and what lies outside it.

    ``bounds`` is (min_lon, min_lat, max_lon, max_lat) in degrees (EPSG:4326), padded;
    ``outliers`` are the names of the precise features left out, ``feature_ids`` those kept.
    """

    bounds: tuple[float, float, float, float] | None
    outliers: tuple[str, ...] = ()
    feature_ids: tuple[str, ...] = ()


def _feature_points(geom: BaseGeometry) -> list[tuple[float, float]]:
    if geom.geom_type == "Point":
        return [(geom.x, geom.y)]
    if geom.geom_type == "LineString":
        (x0, y0), (x1, y1) = geom.coords[0], geom.coords[-1]
        return [(x0, y0), (x1, y1)]
    rep = geom.representative_point()
    return [(rep.x, rep.y)]


def _focus_points(lons: np.ndarray, lats: np.ndarray, weights: np.ndarray, groups: list[np.ndarray],
                  link_km: float, grow_ratio: float, join_km: float, near_km: float = 0.0,
                  near_share: float = 1.0, mention_weights: np.ndarray | None = None) -> np.ndarray:
    """Which points make up the focus: a boolean mask over the points.

    Points chaining under ``link_km`` (geodesic, WGS84) are one cluster, and so are the points of
    each of ``groups`` (one feature's points: a claim's two ends) that lie at most ``join_km`` apart. The heaviest
    cluster is the seed; the nearest other cluster joins while its gap to the focus is at most
    ``grow_ratio`` times the focus's own span, or ``near_km`` for a cluster whose mentions
    (``mention_weights``, default ``weights``) weigh at least ``near_share`` of the focus's, so a country-wide report frames the whole country and a paragraph
    on a neighbour's towns, while a stray mention stays out. O(n²) in the (capped) number of points.
    """
    n = len(lons)
    dist = np.asarray(geodesic_km(lons[:, None], lats[:, None], lons[None, :], lats[None, :]), dtype=float)
    parent = np.arange(n)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    def join(i: int, j: int) -> None:
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[rj] = ri

    for i, j in zip(*np.nonzero(np.triu(dist <= link_km, k=1))):
        join(int(i), int(j))
    for members in groups:
        if dist[np.ix_(members, members)].max() <= join_km:
            for j in members[1:]:
                join(int(members[0]), int(j))
    labels = np.array([root(i) for i in range(n)])
    clusters, labels = np.unique(labels, return_inverse=True)
    totals = np.bincount(labels, weights=weights, minlength=len(clusters))
    focus = labels == int(np.argmax(totals))
    while not focus.all():
        span = float(dist[np.ix_(focus, focus)].max())
        gaps = dist[np.ix_(focus, ~focus)].min(axis=0)
        nearest = int(np.argmin(gaps))
        candidate = labels == labels[np.flatnonzero(~focus)[nearest]]
        shares = weights if mention_weights is None else mention_weights
        near = gaps[nearest] <= near_km and shares[candidate].sum() >= near_share * shares[focus].sum()
        if gaps[nearest] > grow_ratio * span and not near:
            break
        focus |= candidate
    return focus


def _cluster_bounds(geoms: np.ndarray) -> tuple[float, float, float, float]:
    """Bounds of a cluster's points and lines, widened by its areas only where an area stays near them.

    An area whose box reaches more than half the points' span beyond them (a country outline drawn for
    a membership claim, a sea) would pull the frame away from where the report's places are; it is
    framed by its representative point instead.
    """
    compact = [g for g in geoms if g.geom_type in ("Point", "MultiPoint", "LineString", "MultiLineString")]
    areas = [g for g in geoms if g.geom_type not in ("Point", "MultiPoint", "LineString", "MultiLineString")]
    base = shapely.total_bounds(compact or [a.representative_point() for a in areas])
    w, s, e, n = (float(v) for v in base)
    dx, dy = max(e - w, 1.0) / 2, max(n - s, 1.0) / 2
    boxes = [base]
    for area in areas:
        aw, as_, ae, an = area.bounds
        near = aw >= w - dx and ae <= e + dx and as_ >= s - dy and an <= n + dy
        rep = area.representative_point()
        boxes.append(area.bounds if near else (rep.x, rep.y, rep.x, rep.y))
    arr = np.array(boxes, dtype=float)
    return float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()), float(arr[:, 3].max())


def focus_extent(gdf: gpd.GeoDataFrame, *, pad_fraction: float = 0.08, min_span_deg: float = 2.0) -> FocusExtent:
    """The frame where the features concentrate, with the far-away ones left out and named.

    The precise features (towns, regions, claims; not countries or groups, whose points are
    centroids) are clustered by geodesic distance (single linkage, ``settings.FOCUS_LINK_KM``;
    a claim's two ends in one cluster when at most ``settings.FOCUS_CLAIM_JOIN_KM`` apart); the cluster with the most weight (a claim's ends
    weigh ``settings.FOCUS_CLAIM_WEIGHT`` where no mention of the report lies) grows by the clusters near it relative to its own
    span (``settings.FOCUS_GROW_RATIO``) or within ``settings.FOCUS_NEAR_KM`` (a cluster of weight) and is framed, as :func:`bounds` frames it. Reports about one theatre with a stray mention of
    Texas open on the theatre, and say "Austin" was left out.

    Returns
    -------
    FocusExtent
        ``bounds`` None when there is nothing to frame.
    """
    gdf = mappable(gdf)
    if gdf.empty:
        return FocusExtent(None)
    precise = gdf[~gdf["layer"].isin(COARSE_LAYERS)]
    # Relation claims (membership, containment, adjacency) carry whole areas as their geometry:
    # context for the reader, not where the report happens. Distance claims frame the map.
    relation = (precise["kind"] == "claim") & precise["claim_type"].fillna("").ne("distance")
    if not relation.all():
        precise = precise[~relation]
    if precise.empty:
        return FocusExtent(bounds(gdf, pad_fraction=pad_fraction, min_span_deg=min_span_deg))
    owner, lons, lats, is_claim = [], [], [], []
    for pos, (geom, kind) in enumerate(zip(precise.geometry.to_numpy(), precise["kind"].to_numpy())):
        for x, y in _feature_points(geom):
            owner.append(pos)
            lons.append(x)
            lats.append(y)
            is_claim.append(kind == "claim")
    lon_a, lat_a, own_a, claim_a = np.array(lons), np.array(lats), np.array(owner), np.array(is_claim)
    keys = np.round(lon_a, 2) + 1j * np.round(lat_a, 2)
    # A claim's end weighs FOCUS_CLAIM_WEIGHT where only the claim puts a point (a border's nearest
    # point); an end at a place the report mentions adds nothing to that mention's own weight, so an
    # aside ("Port Said lies 160 km from Cairo") does not outweigh the theatre the report is about.
    mentioned = np.isin(keys, keys[~claim_a])
    w_a = np.where(~claim_a, 1.0, np.where(mentioned, 0.0, float(settings.FOCUS_CLAIM_WEIGHT)))
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    cap = int(settings.FOCUS_MAX_POINTS)
    chosen = first if len(first) <= cap else first[np.linspace(0, len(first) - 1, cap).astype(int)]
    # Every point stands for its nearest clustered point (itself when not sampled away).
    if len(chosen) == len(first):
        rep = inverse
    else:
        d = geodesic_km(lon_a[:, None], lat_a[:, None], lon_a[chosen][None, :], lat_a[chosen][None, :])
        rep = np.argmin(np.asarray(d), axis=1)
    rep_weights = np.bincount(rep, weights=w_a, minlength=len(chosen))
    by_feature = pd.Series(rep).groupby(own_a).unique()
    groups = [np.asarray(members) for members in by_feature.to_numpy() if len(members) > 1]
    mention_weights = np.bincount(rep, weights=(~claim_a).astype(float), minlength=len(chosen))
    in_focus = _focus_points(lon_a[chosen], lat_a[chosen], rep_weights, groups, float(settings.FOCUS_LINK_KM),
                             float(settings.FOCUS_GROW_RATIO), float(settings.FOCUS_CLAIM_JOIN_KM),
                             float(settings.FOCUS_NEAR_KM), float(settings.FOCUS_NEAR_SHARE), mention_weights)
    n_feat = len(precise)
    kept = np.ones(n_feat, dtype=bool)
    kept[np.unique(own_a[~in_focus[rep]])] = False
    if not kept.any():
        kept[np.unique(own_a[in_focus[rep]])] = True
    frame = _padded(_cluster_bounds(precise[kept].geometry.to_numpy()), pad_fraction, min_span_deg)
    left_out = precise[~kept]
    names = tuple(dict.fromkeys(str(n) for n in left_out["name"].fillna("").to_numpy() if str(n)))
    return FocusExtent(frame, names, tuple(str(i) for i in precise.index[kept]))


def focus_bounds(gdf: gpd.GeoDataFrame, *, pad_fraction: float = 0.08,
                 min_span_deg: float = 2.0) -> tuple[float, float, float, float] | None:
    """The bounds of :func:`focus_extent`: where the features concentrate (None if empty)."""
    return focus_extent(gdf, pad_fraction=pad_fraction, min_span_deg=min_span_deg).bounds


def concat(frames: Sequence[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Several feature GeoDataFrames as one (ids stay unique per report)."""
    frames = [f for f in frames if f is not None and not f.empty]
    if not frames:
        return empty_gdf()
    out = gpd.GeoDataFrame(pd.concat(frames), geometry="geometry", crs="EPSG:4326")
    return out[~out.index.duplicated(keep="first")]


# --- areas the features mention (shading; both renderers use them) -------------------------


@lru_cache(maxsize=512)
def area_of_place(place_key: str, tolerance: float) -> Any:
    """The simplified polygon of a gazetteer place (by key), or None for points."""
    try:
        geom = composites.geometry_of(get_gazetteer().get(place_key))
    except (LookupError, DataError):
        return None
    if geom is None or geom.is_empty:
        return None
    return simplify_area(geom, tolerance)


def mentioned_area_groups(gdf: gpd.GeoDataFrame) -> Any:
    """The mentions of countries and first-level regions (which get their area shaded), grouped by place key."""
    pts = gdf[gdf["layer"].isin(["countries", "regions", "demonyms"]) & gdf["place_key"].notna()
              & gdf["feature_code"].isin(["PCLI", "ADM1"])]
    return pts.groupby("place_key", sort=True)


def mentioned_areas(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Polygons of the countries and first-level regions the features mention (for shading).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per place (``place_key``, ``name``, ``n_mentions``, ``layer`` =
        "mentioned_areas"), EPSG:4326.
    """
    tol = float(settings.MAP_MENTIONED_AREA_SIMPLIFY_DEG)
    rows = []
    for key, grp in mentioned_area_groups(gdf):
        geom = area_of_place(str(key), tol)
        if geom is not None:
            rows.append({"feature_id": f"area:{key}", "kind": "place", "layer": "mentioned_areas",
                         "name": str(grp["name"].iloc[0]), "place_key": str(key), "n_mentions": int(len(grp)),
                         "geometry": geom})
    return gpd.GeoDataFrame(rows, columns=["feature_id", "kind", "layer", "name", "place_key", "n_mentions",
                                           "geometry"], geometry="geometry", crs="EPSG:4326")


def area_groups(gdf: gpd.GeoDataFrame) -> list[list[str]]:
    """Feature ids of the areas drawn as one: the same layer and the same place, in text order.

    "Eastern Europe" mentioned five times is one area with five mentions, not five stacked
    polygons. Places without a gazetteer key are grouped by name and identical geometry.
    Point and line features are not areas: each is its own group.

    Returns
    -------
    list of list of str
        One list per drawn feature; its first id is the one drawn.
    """
    groups: dict[tuple[Any, ...], list[str]] = {}
    for fid, layer, key, name, geom in zip(gdf.index, gdf["layer"].to_numpy(), gdf["place_key"].to_numpy(),
                                          gdf["name"].to_numpy(), gdf.geometry.to_numpy()):
        if layer not in AREA_LAYERS or geom is None:
            groups[("one", fid)] = [str(fid)]
            continue
        ident = ((layer, "key", str(key), str(name)) if isinstance(key, str) and key
                 else (layer, "name", str(name), geom.wkb))
        groups.setdefault(ident, []).append(str(fid))
    return list(groups.values())


def covers_view(geom: BaseGeometry | None, extent: tuple[float, float, float, float] | None) -> bool:
    """Whether an area covers a map view: it holds the view's centre and at least two of its corners.

    A test of containment only (no measurement): a continent-sized group area over a theatre
    covers it; a region inside it does not.
    """
    if geom is None or geom.is_empty or extent is None:
        return False
    min_lon, min_lat, max_lon, max_lat = extent
    centre = Point((min_lon + max_lon) / 2, (min_lat + max_lat) / 2)
    if not geom.covers(centre):
        return False
    corners = [Point(x, y) for x in (min_lon, max_lon) for y in (min_lat, max_lat)]
    return sum(bool(geom.covers(c)) for c in corners) >= 2


def admin1_borders(country_codes: Iterable[str]) -> gpd.GeoDataFrame:
    """First-level region outlines of the given countries (ISO alpha-2), simplified."""
    frames = []
    for code in sorted(set(c for c in country_codes if c)):
        try:
            frames.append(borders.regions_of(code)[["name", "geometry"]])
        except LookupError:
            continue
    if not frames:
        return gpd.GeoDataFrame({"name": []}, geometry=[], crs="EPSG:4326")
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs="EPSG:4326")
    tol = float(settings.MAP_MENTIONED_AREA_SIMPLIFY_DEG)
    gdf["geometry"] = [simplify_area(g, tol) for g in gdf.geometry]
    gdf["layer"] = "admin1_borders"
    return gdf
