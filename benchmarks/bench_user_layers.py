"""Benchmark: a user layer of 50,000 polygons loads in <= 10 s; 10,000 places are tested in <= 1 s.

The layer is a zipped shapefile in UTM zone 35N (EPSG:32635): 50,000 octagons of ~1.4 km
across on a 2 km grid near Zhytomyr, written here. Loading is :func:`load_user_layer`
(unzip, read through pyogrio/GDAL, validate, reproject to WGS84, build the feature table);
the check is :func:`places_in_layer` for 10,000 random places over the layer's extent:
point in polygon through the STRtree, then also with the geodesic distance to the
containing (or nearest) feature's boundary. Run::

    .venv/bin/python benchmarks/bench_user_layers.py
"""

from __future__ import annotations

import sys
import tempfile
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

N_POLYGONS = 50_000
N_PLACES = 10_000
LOAD_LIMIT_S = 10.0
CHECK_LIMIT_S = 1.0


def write_layer(folder: Path) -> Path:
    """A zipped shapefile of N_POLYGONS octagons in EPSG:32635."""
    side = 250
    i = np.arange(N_POLYGONS)
    cx = 300_000.0 + (i % side) * 2_000.0
    cy = 5_500_000.0 + (i // side) * 2_000.0
    ang = np.linspace(0.0, 2 * np.pi, 9)[:-1]
    rings = np.stack([cx[:, None] + 700 * np.cos(ang), cy[:, None] + 700 * np.sin(ang)], axis=-1)
    polys = shapely.polygons(rings)
    gdf = gpd.GeoDataFrame({"name": [f"zone {k}" for k in i], "code": i}, geometry=polys, crs="EPSG:32635")
    gdf.to_file(folder / "zones.shp", engine="pyogrio")
    out = folder / "zones.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            if (folder / f"zones.{ext}").exists():
                zf.write(folder / f"zones.{ext}", f"zones.{ext}")
    return out


def main() -> int:
    from geo_app.layers import load_user_layer, places_in_layer

    with tempfile.TemporaryDirectory() as tmp:
        path = write_layer(Path(tmp))
        t0 = time.perf_counter()
        info, gdf, repairs = load_user_layer(path, name="zones")
        load_s = time.perf_counter() - t0
        assert info.feature_count == N_POLYGONS and not repairs
        from geo_app.io.store import Store

        with Store(Path(tmp) / "store.gpkg") as store:
            t0 = time.perf_counter()
            store.add_user_layer(info, gdf, repairs)
            store_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            back = store.user_layer_gdf("zones")
            read_s = time.perf_counter() - t0
        assert len(back) == N_POLYGONS
    rng = np.random.default_rng(7)
    minx, miny, maxx, maxy = gdf.total_bounds
    places = shapely.points(rng.uniform(minx, maxx, N_PLACES), rng.uniform(miny, maxy, N_PLACES))
    t0 = time.perf_counter()
    first = places_in_layer(places, gdf, distances=False)  # includes building the tree (once per layer)
    first_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pip = places_in_layer(places, gdf, distances=False)
    pip_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    full = places_in_layer(places, gdf, distances=True)
    full_s = time.perf_counter() - t0
    assert (pip["inside"] == first["inside"]).all() and (full["inside"] == pip["inside"]).all()
    print(f"layer of {N_POLYGONS:,} polygons (zipped shapefile, EPSG:32635)")
    print(f"  load_user_layer (unzip, read, validate, reproject): {load_s:6.2f} s   (limit {LOAD_LIMIT_S:g} s)")
    print(f"  store it (GeoPackage table):                       {store_s:6.2f} s")
    print(f"  read it back from the store:                       {read_s:6.2f} s")
    print(f"{N_PLACES:,} places, {int(pip['inside'].sum()):,} inside")
    print(f"  point in layer, first call (builds the STRtree):   {first_s:6.3f} s   (limit {CHECK_LIMIT_S:g} s)")
    print(f"  point in layer, tree cached:                       {pip_s:6.3f} s")
    print(f"  point in layer + geodesic distance to boundary:    {full_s:6.3f} s")
    ok = load_s <= LOAD_LIMIT_S and first_s <= CHECK_LIMIT_S
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
