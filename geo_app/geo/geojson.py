"""GeoJSON geometry, the one way geo_app writes it (RFC 7946): lon/lat on WGS84, exterior rings
counter-clockwise and holes clockwise, coordinates rounded; and property values as JSON holds them.

Every layer that writes GeoJSON (claims, user-layer checks, the maps, the exports in
:mod:`geo_app.io.geojson`) builds its geometries with :func:`geometry_dict` and its property
values with :func:`json_value`.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from geo_app import settings

#: Decimals of written coordinates (1e-6 degree, about 0.1 m).
COORD_DECIMALS = 6


def orient_rfc7946(geom: Any) -> Any:
    """A polygonal geometry with exterior rings counter-clockwise and holes clockwise (RFC 7946
    3.1.6); other geometries (and None) unchanged. Every store and export format uses this winding."""

    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return geom
    return shapely.orient_polygons(geom, exterior_cw=False)


def round_coords(obj: Any, decimals: int = COORD_DECIMALS) -> Any:
    """GeoJSON coordinates (nested lists) rounded to ``decimals``."""
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), decimals) for v in obj]
        return [round_coords(o, decimals) for o in obj]
    return obj


def geometry_dict(geom: BaseGeometry | None, decimals: int | None = COORD_DECIMALS,
                  simplify_deg: float = 0.0) -> dict[str, Any] | None:
    """An RFC 7946 geometry object: lon/lat, polygon rings wound as :func:`orient_rfc7946`,
    coordinates rounded to ``decimals`` (None: as they are), optionally simplified first
    (``simplify_deg`` degrees, topology kept). None for a missing or empty geometry."""
    if geom is None or geom.is_empty:
        return None
    if simplify_deg > 0 and shapely.get_num_coordinates(geom) > int(settings.SIMPLIFY_MIN_VERTICES):
        geom = geom.simplify(simplify_deg, preserve_topology=True)
    out = dict(mapping(orient_rfc7946(geom)))
    if decimals is not None:
        out["coordinates"] = round_coords(out["coordinates"], decimals)
    return out


def json_value(value: Any) -> Any:
    """A field value as JSON can hold it (dates as ISO text, NaN as None, bytes summarised)."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else str(pd.Timestamp(value).isoformat())
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return str(value)


def geometry_from(obj: Any) -> BaseGeometry | None:
    """A shapely geometry from a GeoJSON geometry object (or a Feature holding one); None for none.

    Raises
    ------
    ValueError
        Not a valid GeoJSON geometry.
    """
    if obj is None or isinstance(obj, BaseGeometry):
        return obj
    if isinstance(obj, dict) and obj.get("type") == "Feature":
        obj = obj.get("geometry")
    if not obj:
        return None
    try:
        return shape(obj)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"invalid GeoJSON geometry: {exc}") from exc
