"""Places in a layer: point in polygon and the geodesic distance to a feature's boundary, many at once.

:func:`places_in_layer` tests many points at once: point in polygon through a shapely
``STRtree`` over the features (planar in lon/lat, the data's own model, as the claim
checker's), and the geodesic distance (WGS84, km) to the boundary of the containing
feature, or of the nearest feature from outside, found exactly on its edges by
:class:`geo_app.geo.geodesy.BoundaryIndex` (one index over all the features' boundaries,
searched feature by feature). :func:`check_places` tests report places, each on its own
day, against the layer as it was then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo_app import settings
from geo_app._errors import InputError
from geo_app.geo.geodesy import BoundaryIndex, boundary_index
from geo_app.geo.geojson import geometry_dict, json_value
from geo_app.layers.load import POLYGONAL_TYPE_IDS, as_object_columns, empty_layer_gdf
from geo_app._util import iso_day
from geo_app.layers.timeline import holds_on, snapshot_of, with_validity

__all__ = ["PLACE_CHECK_COLUMNS", "check_places", "place_checks_to_geojson", "places_in_layer"]

#: Columns of :func:`check_places` results (the geometry, the place's point, comes last).
PLACE_CHECK_COLUMNS = ("place_feature_id", "place", "report_id", "source", "day", "layer_name", "layer_date",
                       "status", "inside", "feature_id", "feature_name", "distance_km")



class _LayerIndex:
    """A layer prepared for many point queries: a tree over its features, and their boundaries' index."""

    def __init__(self, geoms: npt.NDArray[np.object_], key: str) -> None:
        self.geoms = geoms
        self.key = key
        shapely.prepare(geoms)
        self.polygonal = np.isin(shapely.get_type_id(geoms), list(POLYGONAL_TYPE_IDS))
        self.tree = shapely.STRtree(geoms)

    def boundaries(self) -> BoundaryIndex:
        """The index of every feature's boundary (built on the first distance asked, kept by geodesy's cache)."""
        return boundary_index(self.geoms, key=f"layer|{self.key}")


_INDEXES: OrderedDict[str, _LayerIndex] = OrderedDict()


def _layer_index(geoms: npt.NDArray[np.object_]) -> _LayerIndex:
    """A cached :class:`_LayerIndex` by the geometries' content."""
    key = hashlib.sha256(b"".join(shapely.to_wkb(geoms, byte_order=1))).hexdigest()
    hit = _INDEXES.get(key)
    if hit is not None:
        _INDEXES.move_to_end(key)
        return hit
    index = _LayerIndex(geoms, key)
    _INDEXES[key] = index
    while len(_INDEXES) > int(settings.USER_LAYER_INDEX_CACHE_SIZE):
        _INDEXES.popitem(last=False)
    return index


def _as_points(points: Any) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], pd.Index]:
    if isinstance(points, (gpd.GeoDataFrame, gpd.GeoSeries)):
        series = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
        if series.crs is not None and series.crs.to_epsg() != 4326:
            series = series.to_crs(4326)
        geoms, index = series.to_numpy(), series.index
    else:
        geoms = np.asarray(list(points), dtype=object)
        index = pd.RangeIndex(len(geoms))
    if len(geoms) == 0:
        return np.zeros(0), np.zeros(0), index
    if shapely.is_missing(geoms).any() or not (shapely.get_type_id(geoms) == 0).all():
        raise InputError("places must be points (lon/lat, EPSG:4326)")
    return shapely.get_x(geoms), shapely.get_y(geoms), index


def places_in_layer(points: Any, layer_gdf: gpd.GeoDataFrame, *, distances: bool = True) -> pd.DataFrame:
    """Whether each place lies inside the layer, in which feature, and how far from its boundary.

    Parameters
    ----------
    points
        Points (lon/lat, EPSG:4326): a GeoSeries/GeoDataFrame (its index is kept) or a
        sequence of shapely Points.
    layer_gdf
        The layer's features (:func:`layer_on` of a day, for a dated layer).
    distances
        Also measure ``distance_km`` (skip for a bare point-in-polygon test).

    Returns
    -------
    pandas.DataFrame
        One row per place: ``inside`` (in a polygon, planar in lon/lat as the data's own
        model; on the boundary counts as outside), ``n_inside`` (how many features hold it),
        ``feature_id``/``feature_name`` (the containing feature, else the nearest one),
        ``distance_km`` (geodesic on WGS84 to that feature's boundary: from inside, how deep;
        NaN without ``distances`` or features).
    """
    px, py, index = _as_points(points)
    n = len(px)
    out = pd.DataFrame({"inside": np.zeros(n, dtype=bool), "n_inside": np.zeros(n, dtype=int),
                        "feature_id": [None] * n, "feature_name": [None] * n,
                        "distance_km": np.full(n, np.nan)}, index=index)
    if n == 0 or layer_gdf.empty:
        return out
    geoms = layer_gdf.geometry.to_numpy()
    ix = _layer_index(geoms)
    pts = shapely.points(px, py)
    cand_pt, cand_ft = ix.tree.query(pts)
    poly = ix.polygonal[cand_ft]
    cand_pt, cand_ft = cand_pt[poly], cand_ft[poly]
    hit = shapely.contains_xy(geoms[cand_ft], px[cand_pt], py[cand_pt]) if cand_pt.size else np.zeros(0, bool)
    in_pt, in_ft = cand_pt[hit], cand_ft[hit]
    n_inside = np.bincount(in_pt, minlength=n)
    chosen = np.full(n, -1)
    # The first feature (in layer order) holding a place names it.
    for p, f in zip(in_pt[::-1], in_ft[::-1]):
        chosen[p] = f
    inside = n_inside > 0
    outside = np.flatnonzero(~inside)
    km = np.full(n, np.nan)
    if outside.size and not distances:
        near_pt, near_ft = ix.tree.query_nearest(pts[outside], all_matches=False)
        chosen[outside[near_pt]] = near_ft
    elif outside.size:
        # The planar nearest (degrees) need not be the geodesic nearest: every feature within
        # that planar distance widened by 1/cos(latitude) is measured exactly, the nearest kept.
        pairs, planar = ix.tree.query_nearest(pts[outside], return_distance=True, all_matches=False)
        planar_of = np.full(outside.size, np.inf)
        planar_of[pairs[0]] = planar
        lat_max = np.minimum(np.abs(py[outside]) + planar_of, 89.0)
        radius = planar_of / np.cos(np.radians(lat_max)) * 1.01 + 1e-9
        near_pt, near_ft = ix.tree.query(pts[outside], predicate="dwithin", distance=radius)
        near_pt = outside[near_pt]
        pair_km = ix.boundaries().nearest_in_parts(px[near_pt], py[near_pt], near_ft)[0]
        order = np.lexsort((pair_km, near_pt))
        first = np.ones(order.size, dtype=bool)
        first[1:] = near_pt[order][1:] != near_pt[order][:-1]
        best = order[first]
        chosen[near_pt[best]] = near_ft[best]
        km[near_pt[best]] = pair_km[best]
    if distances and inside.any():
        in_idx = np.flatnonzero(inside)
        km[in_idx] = ix.boundaries().nearest_in_parts(px[in_idx], py[in_idx], chosen[in_idx])[0]
    has = chosen >= 0
    ids = layer_gdf["feature_id"].to_numpy(dtype=object) if "feature_id" in layer_gdf else np.arange(len(geoms))
    names = layer_gdf["name"].to_numpy(dtype=object) if "name" in layer_gdf else ids
    out["inside"] = inside
    out["n_inside"] = n_inside
    out["feature_id"] = [ids[c] if ok else None for c, ok in zip(chosen, has)]
    out["feature_name"] = [names[c] if ok else None for c, ok in zip(chosen, has)]
    out["distance_km"] = km
    return out


def _place_days(places: gpd.GeoDataFrame, default_day: str | None) -> list[str | None]:
    """The day each place is tested on: its event date's last day, else its publication date."""
    days = []
    for a, b, pub in zip(places.get("date_start", [None] * len(places)), places.get("date_end", [None] * len(places)),
                         places.get("published", [None] * len(places))):
        day = next((d for d in (b, a, pub) if isinstance(d, str) and d), None)
        days.append(day[:10] if day else default_day)
    return days


def check_places(places: gpd.GeoDataFrame, layers: gpd.GeoDataFrame | Mapping[str, gpd.GeoDataFrame], *,
                 default_day: dt.date | str | None = None) -> gpd.GeoDataFrame:
    """Test report places against user layers, each place on its own day.

    Parameters
    ----------
    places
        Map features (:func:`geo_app.layers.features_gdf` or ``Store.features_gdf``); only
        points are tested (one row per point mention).
    layers
        Layer features (one or several series, by ``layer_name``), or a mapping name -> features.
    default_day
        The day for places with no date (the app passes the slider's last day); without it
        an undated place is tested against undated layers only.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`PLACE_CHECK_COLUMNS` plus the place's point (EPSG:4326), one row per place
        and layer. ``day`` is the place's event date (last day of a range), else the
        publication date; ``layer_date`` the snapshot (or range) of the layer on that day;
        ``status`` "inside", "outside", or "no layer on this day".
    """
    if isinstance(layers, Mapping):
        frames = [g for g in layers.values() if g is not None and not g.empty]
        layers = pd.concat(frames, ignore_index=True) if frames else empty_layer_gdf()
    geoms = places.geometry.to_numpy() if len(places) else np.array([], dtype=object)
    is_point = ~shapely.is_missing(geoms) & (shapely.get_type_id(geoms) == 0) if len(geoms) else np.zeros(0, bool)
    pts = places[is_point]
    default = iso_day(default_day)
    days = _place_days(pts, default)
    rows: list[dict[str, Any]] = []
    point_geoms: list[BaseGeometry] = []
    if not pts.empty and not layers.empty:
        valid = with_validity(gpd.GeoDataFrame(layers, geometry="geometry", crs="EPSG:4326"))
        for name, series in valid.groupby("layer_name", sort=True):
            series = gpd.GeoDataFrame(series, geometry="geometry", crs="EPSG:4326")
            undated_layer = not any(series["date_start"])
            for day in sorted(set(days), key=lambda d: d or ""):
                sel = np.flatnonzero([d == day for d in days])
                sub = pts.iloc[sel]
                if day is None and not undated_layer:
                    shown = series.iloc[0:0]
                else:
                    shown = series if day is None else series[holds_on(series, day)]
                layer_date = snapshot_of(shown) if not shown.empty else None
                if shown.empty:
                    res = pd.DataFrame({"inside": [None] * len(sub), "feature_id": None, "feature_name": None,
                                        "distance_km": np.nan}, index=sub.index)
                else:
                    res = places_in_layer(sub.geometry, shown)
                for (_, place), (_, r) in zip(sub.iterrows(), res.iterrows()):
                    status = "no layer on this day" if shown.empty else ("inside" if r["inside"] else "outside")
                    rows.append({
                        "place_feature_id": place.get("feature_id"), "place": place.get("name"),
                        "report_id": place.get("report_id"), "source": place.get("source"), "day": day,
                        "layer_name": str(name), "layer_date": layer_date, "status": status,
                        "inside": None if shown.empty else bool(r["inside"]), "feature_id": r["feature_id"],
                        "feature_name": r["feature_name"],
                        "distance_km": None if pd.isna(r["distance_km"]) else round(float(r["distance_km"]), 3),
                    })
                    point_geoms.append(place.geometry)
    frame = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in PLACE_CHECK_COLUMNS})
    frame["distance_km"] = pd.to_numeric(frame["distance_km"], errors="coerce").astype("float64")
    frame = as_object_columns(frame, [c for c in PLACE_CHECK_COLUMNS if c != "distance_km"])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(np.asarray(point_geoms, dtype=object), crs="EPSG:4326"),
                            crs="EPSG:4326")


def place_checks_to_geojson(results: gpd.GeoDataFrame) -> dict[str, Any]:
    """:func:`check_places` results as an RFC 7946 FeatureCollection.

    One Point feature per place and layer; properties are :data:`PLACE_CHECK_COLUMNS`, so
    each carries the layer's name (``layer_name``) and the date it was tested against
    (``layer_date``, with the place's ``day``).
    """
    features = []
    for props, geom in zip(pd.DataFrame(results[list(PLACE_CHECK_COLUMNS)]).to_dict("records"),
                           results.geometry.to_numpy()):
        clean = {k: json_value(v) for k, v in props.items()}
        geometry = geometry_dict(geom)
        features.append({"type": "Feature", "geometry": geometry, "properties": clean})
    return {"type": "FeatureCollection", "features": features}
