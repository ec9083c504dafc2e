"""Equal-area projections for areas and centroids (never for distances: see geodesy)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry
import shapely.ops


def laea_crs(lon0: float, lat0: float) -> pyproj.CRS:
    """Lambert azimuthal equal-area CRS on the WGS84 datum, centred on (``lon0``, ``lat0``) degrees; metres."""
    return pyproj.CRS.from_proj4(f"+proj=laea +lat_0={lat0:.6f} +lon_0={lon0:.6f} +datum=WGS84 +units=m +no_defs")


@lru_cache(maxsize=64)
def laea_forward(lon0: float, lat0: float) -> pyproj.Transformer:
    """Transformer from lon/lat (EPSG:4326) to :func:`laea_crs` (cached: round the centre to share it)."""
    return pyproj.Transformer.from_crs("EPSG:4326", laea_crs(lon0, lat0), always_xy=True)


def equal_area_crs(geometry: BaseGeometry) -> pyproj.CRS:
    """Lambert azimuthal equal-area CRS centred on the geometry's bounding box (WGS84 input)."""
    minx, miny, maxx, maxy = geometry.bounds
    return laea_crs((minx + maxx) / 2, (miny + maxy) / 2)


def to_equal_area(geometry: BaseGeometry, crs: pyproj.CRS | None = None) -> tuple[BaseGeometry, pyproj.Transformer]:
    """Project a WGS84 geometry to an equal-area CRS; returns it and the inverse transformer."""
    crs = crs or equal_area_crs(geometry)
    forward = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    inverse = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return shapely.transform(geometry, lambda xy: np.column_stack(forward.transform(xy[:, 0], xy[:, 1]))), inverse


def equal_area_centroid(geometry: BaseGeometry) -> shapely.Point:
    """Area-weighted centroid (lon, lat, EPSG:4326), computed in a local equal-area projection.

    The Black Sea's is 43.29N 34.20E.
    """
    projected, inverse = to_equal_area(geometry)
    centre = projected.centroid
    return shapely.Point(inverse.transform(centre.x, centre.y))
