"""Benchmark: 10,000 point-to-border distance checks through the claim checker.

The same uniform points as ``bench_geodesy.py`` (lon 20-40 E, lat 44-58 N, fixed
seed) are checked against the claim "within 100 km of the Belarus border" with
:func:`geo_app.check.check_many`: the typed border is resolved through the
offline gazetteer, the boundary index comes from the checker's cache, and every
point gets a measured geodesic distance and a verdict. The timed part is one
warm call on one core (target <= 0.5 s); the cold call (resolution and index
build) is printed too. Then ``claims_for`` is timed on a ~1,000-word report
(seed 002 when present, else a generated one): target well under 100 ms warm.

Run: ``GEO_APP_CACHE_DIR=... python benchmarks/bench_check.py``. Exits 1 if a
check disagrees with the scalar path or a target is missed.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from geo_app.check import check_distance, check_many  # noqa: E402

N_POINTS = 10_000
SEED = 20240224
TARGET_S = 0.5
TARGET_CLAIMS_MS = 100.0
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def bench_points() -> bool:
    rng = np.random.default_rng(SEED)
    lons, lats = rng.uniform(20.0, 40.0, N_POINTS), rng.uniform(44.0, 58.0, N_POINTS)
    start = time.perf_counter()
    check_many(lons[:10], lats[:10], border="Belarus", claimed_km=100, bound="at_most")
    cold = time.perf_counter() - start
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        batch = check_many(lons, lats, border="Belarus", claimed_km=100, bound="at_most")
        runs.append(time.perf_counter() - start)
    elapsed = statistics.median(runs)
    counts = {v: int((batch.verdicts == v).sum()) for v in np.unique(batch.verdicts)}
    print(f"cold call (resolve 'Belarus', build the boundary index): {cold * 1000:.0f} ms")
    print(f"{N_POINTS:,} point-to-border claim checks: {elapsed:.3f} s (target ≤ {TARGET_S} s); "
          f"runs {', '.join(f'{r:.3f}' for r in runs)} s; verdicts {counts}")
    # The batch path must agree with the one-claim path (Kyiv, a typed name).
    one = check_distance("Kyiv", border="Belarus", claimed_km=100, bound="at-most")
    kyiv = check_many([30.5238], [50.45466], border="Belarus", claimed_km=100, bound="at_most")
    same = one.measured_km is not None and abs(float(kyiv.measured_km[0]) - one.measured_km) < 0.5 and \
        kyiv.verdicts[0] == one.verdict
    print(f"Kyiv: batch {float(kyiv.measured_km[0]):.1f} km {kyiv.verdicts[0]}, "
          f"single {one.measured_km:.1f} km {one.verdict}: {'same' if same else 'DIFFERENT'}")
    return elapsed <= TARGET_S and same


def report_text() -> tuple[str, str]:
    seeds = sorted(SEEDS.glob("002_*.txt")) if SEEDS.exists() else []
    if seeds:
        words = seeds[0].read_text(encoding="utf-8").split()
        return " ".join((words * 2)[:1000]), seeds[0].name
    sentence = ("The distance from the southern border of Belarus to Kyiv is as close as 100 km, and Gomel, "
                "in southern Belarus, which borders Ukraine, hosted drills near Mariupol on the Sea of Azov. ")
    return sentence * (1000 // len(sentence.split()) + 1), "generated"


def bench_claims() -> bool:
    from geo_app.check import claims_for
    from geo_app.pipeline import analyze

    text, name = report_text()
    analysis = analyze(text, "2022-02-10", with_claims=False)
    start = time.perf_counter()
    claims = claims_for("bench", analysis.extraction, analysis.resolutions)
    cold = time.perf_counter() - start
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        claims_for("bench", analysis.extraction, analysis.resolutions)
        runs.append(time.perf_counter() - start)
    warm = statistics.median(runs) * 1000
    print(f"claims_for on {len(text.split()):,} words ({name}): {len(claims)} claims, "
          f"cold {cold * 1000:.0f} ms, warm {warm:.1f} ms (target < {TARGET_CLAIMS_MS:.0f} ms)")
    return warm < TARGET_CLAIMS_MS


def main() -> int:
    ok = bench_points()
    ok = bench_claims() and ok
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
