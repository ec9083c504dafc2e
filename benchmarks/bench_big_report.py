"""A big report (up to 2 MB) on one core: time and peak RSS, per step, at several sizes.

The report is LGL articles (``EVAL_BENCH_DIR/LGL/lgl.xml``, else the sample reports) joined
with blank lines until it reaches the size, so it reads like a long dossier of news items.
Each size runs in a fresh process pinned to one core: the model, gazetteer and borders
are loaded and warmed first (not timed), then :func:`geo_app.pipeline.analyze` runs step by
step (extract, resolve, claims, map features) and the process's peak RSS is read.

Between sizes, the time per character of each step shows which one grows faster than
linearly (a step that is O(n) keeps its µs/char; one that is O(n^2) doubles it with the size).

Run: ``python benchmarks/bench_big_report.py [--sizes 250000 500000 1000000 2000000]
[--profile SIZE]``. Targets (issue 16): 2 MB in <= 60 s and <= 1 GB peak RSS on one core.
``--profile SIZE`` prints the 25 costliest functions (cProfile, cumulative) at that size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S, TARGET_MB = 60.0, 1024.0

_PROBE = r"""
import json, os, resource, sys, time
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
size, profile = int(sys.argv[1]), sys.argv[2] == "1"
from geo_app import settings
from geo_app.batch.distributed import warm_up
from geo_app.check.finder import claims_for
from geo_app.features import features_gdf
from geo_app.pipeline import Analysis
from geo_app.resolve.resolver import Resolver
from geo_app.text.extract import extract

def corpus():
    lgl = settings.EVAL_BENCH_DIR / "LGL" / "lgl.xml"
    if lgl.exists():
        from geo_app.batch.eval import read_lgl
        return [d.text for d in read_lgl(lgl)]
    from geo_app.text.reports import sample_reports
    return [r.text for r in sample_reports()]

parts, total, k = [], 0, 0
base = corpus()
while total < size:
    t = base[k % len(base)]
    parts.append(t)
    total += len(t) + 2
    k += 1
text = "\n\n".join(parts)[:size]
warm_up()
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
steps = {}
if profile:
    import cProfile, pstats
    prof = cProfile.Profile()
    prof.enable()
t0 = time.perf_counter()
ex = extract(text, None); t1 = time.perf_counter(); steps["extract"] = t1 - t0
res = Resolver().resolve(ex); t2 = time.perf_counter(); steps["resolve"] = t2 - t1
claims = claims_for("big", ex, res); t3 = time.perf_counter(); steps["claims"] = t3 - t2
gdf = features_gdf([Analysis("big", ex, res, claims)]); t4 = time.perf_counter(); steps["features"] = t4 - t3
if profile:
    prof.disable()
    pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
print(json.dumps({"chars": len(text), "seconds": t4 - t0, "steps": steps, "mentions": len(ex.mentions),
                  "features": len(gdf), "rss_before_mb": rss_before,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def probe(size: int, profile: bool = False) -> dict:
    """Run one size in a fresh process; its JSON result."""
    proc = subprocess.run([sys.executable, "-c", _PROBE, str(size), "1" if profile else "0"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if proc.returncode != 0:
        raise SystemExit(f"probe at {size:,} characters failed: {proc.stderr[-3000:]}")
    if profile:
        print(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250_000, 500_000, 1_000_000, 2_000_000])
    parser.add_argument("--profile", type=int, default=None, metavar="SIZE")
    args = parser.parse_args()
    if args.profile:
        probe(args.profile, profile=True)
        return
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} cores, load average {load:.2f} (a loaded machine inflates the times)")
    last = None
    for size in args.sizes:
        r = probe(size)
        per = {k: 1e6 * v / r["chars"] for k, v in r["steps"].items()}
        print(f"{r['chars']:>9,} chars: {r['seconds']:7.1f} s, peak RSS {r['peak_rss_mb']:6.0f} MB "
              f"(after load {r['rss_before_mb']:.0f} MB); {r['mentions']} mentions, {r['features']} features; "
              "µs/char " + ", ".join(f"{k} {v:.1f}" for k, v in per.items()))
        last = r
    if last is not None:
        ok = last["seconds"] <= TARGET_S and last["peak_rss_mb"] <= TARGET_MB
        print(f"largest: {last['chars']:,} chars in {last['seconds']:.1f} s, peak RSS {last['peak_rss_mb']:.0f} MB "
              f"(target <= {TARGET_S:.0f} s, <= {TARGET_MB:.0f} MB): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
