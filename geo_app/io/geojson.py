"""GeoJSON: the one writer (RFC 7946: lon/lat WGS84, exterior rings counter-clockwise, rounded
coordinates) and its reader, for the feature schema of :mod:`geo_app.features`.

Every GeoJSON geo_app writes (exports, the standalone HTML map, the app's layers, claim features,
user-layer checks) goes through :func:`geometry_dict` and :func:`clean_value`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from geo_app import features as L
from geo_app._errors import InputError

#: Decimals of exported coordinates (1e-6 degree, about 0.1 m).
COORD_DECIMALS = 6


def orient_rfc7946(geom: Any) -> Any:
    """A polygonal geometry with exterior rings counter-clockwise and holes clockwise (RFC 7946
    3.1.6); other geometries (and None) unchanged. Every store and export format uses this winding."""

    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return geom
    return shapely.orient_polygons(geom, exterior_cw=False)



def clean_value(value: Any) -> Any:
    """A property value as JSON takes it: NaN/NA -> None, numpy scalars -> Python, dates -> ISO text."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def round_coords(obj: Any, decimals: int = COORD_DECIMALS) -> Any:
    """GeoJSON coordinates (nested lists) rounded to ``decimals``."""
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), decimals) for v in obj]
        return [round_coords(o, decimals) for o in obj]
    return obj


def geometry_dict(geom: BaseGeometry | None, decimals: int = COORD_DECIMALS) -> dict[str, Any] | None:
    """An RFC 7946 geometry object (None for a missing or empty geometry)."""
    if geom is None or geom.is_empty:
        return None
    out = dict(mapping(orient_rfc7946(geom)))
    out["coordinates"] = round_coords(out["coordinates"], decimals)
    return out


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
    if not obj:
        return None
    try:
        return shape(obj)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InputError(f"invalid GeoJSON geometry: {exc}") from exc


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
