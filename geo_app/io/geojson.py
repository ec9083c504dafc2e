"""GeoJSON feature collections of the feature schema (:mod:`geo_app.features`): writer and reader.

Geometries and values go through :mod:`geo_app.geo.geojson` (RFC 7946 winding, rounding).

Every GeoJSON geo_app writes (exports, the standalone HTML map, the app's layers, claim features,
user-layer checks) goes through :func:`geometry_dict` and :func:`clean_value`.
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo_app import features as L
from geo_app._errors import InputError
from geo_app.geo.geojson import geometry_dict, geometry_from, json_value

#: Property values as JSON holds them (one cleaner for every writer).
clean_value = json_value


def to_geojson(gdf: gpd.GeoDataFrame) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection of the features (lon/lat, WGS84, no ``crs`` member).

    Each feature has ``id`` (the ``feature_id``) and every :data:`geo_app.features.COLUMNS`
    property; missing values are null. Valid against ``schema/feature.schema.json``.
    """
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    features = []
    records = gdf[list(L.COLUMNS)].to_dict("records")
    for props, geom in zip(records, gdf.geometry.to_numpy()):
        props = {k: clean_value(v) for k, v in props.items()}
        features.append({"type": "Feature", "id": props["feature_id"], "geometry": geometry_dict(geom),
                         "properties": props})
    return {"type": "FeatureCollection", "features": features}


def dumps(obj: Any) -> str:
    """Compact UTF-8 JSON text (no NaN)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def to_geojson_text(gdf: gpd.GeoDataFrame) -> str:
    """:func:`to_geojson` as compact UTF-8 JSON text."""
    return dumps(to_geojson(gdf))


def _geometry_from(obj: dict[str, Any] | None) -> BaseGeometry | None:
    try:
        return geometry_from(obj)
    except ValueError as exc:
        raise InputError(str(exc)) from exc


def from_geojson(collection: dict[str, Any]) -> gpd.GeoDataFrame:
    """A feature GeoDataFrame back from :func:`to_geojson` output."""
    if collection.get("type") != "FeatureCollection":
        raise InputError("not a GeoJSON FeatureCollection")
    rows = []
    for feat in collection.get("features", []):
        props = dict(feat.get("properties") or {})
        rows.append({**{k: props.get(k) for k in L.COLUMNS}, "geometry": _geometry_from(feat.get("geometry"))})
    if not rows:
        return L.empty_gdf()
    gdf = L.typed(gpd.GeoDataFrame(pd.DataFrame(rows, columns=[*L.COLUMNS, "geometry"]), geometry="geometry",
                                   crs="EPSG:4326"))
    gdf.index = pd.Index(gdf["feature_id"].to_numpy())
    return gdf
