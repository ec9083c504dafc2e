"""``geo-app analyze`` into the store against ``geo-app parse --jsonl``: docs/s of both on LGL.

Both run warm, in this process, on one core, over the same LGL documents: ``parse`` is
:func:`geo_app.pipeline.parse_records` (the batch contract, records serialised as JSON lines)
and ``analyze`` is :func:`geo_app.batch.distributed.run_analysis` on a fresh store holding the
same documents (extract, resolve, check, features, commit). The two are timed alternately,
``--repeat`` times, and the best of each is kept, because the machine may be loaded by other
work. Target (issue 16): analyze >= 90 % of the parse speed.

Run: ``python benchmarks/bench_store.py [--docs 200] [--repeat 2] [--chunk-size N]``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

TARGET = 0.9


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=None, help="default settings.ANALYZE_BATCH_SIZE")
    args = parser.parse_args()
    _pin_one_core()

    from geo_app import settings
    from geo_app.batch.distributed import run_analysis, warm_up
    from geo_app.batch.eval import read_lgl
    from geo_app.io.store import Store
    from geo_app.pipeline import parse_records
    from geo_app.text.reports import Report

    docs = read_lgl(settings.EVAL_BENCH_DIR / "LGL" / "lgl.xml")[: args.docs]
    records = [{"id": f"lgl-{i}", "text": d.text, "published": d.published.isoformat() if d.published else None}
               for i, d in enumerate(docs)]
    reports = [Report(text=d.text, source="LGL", published=d.published) for d in docs]
    warm_up()
    for _, _ in parse_records(enumerate(records[:10])):
        pass

    best = {"parse": float("inf"), "analyze": float("inf")}
    cpu = {"parse": float("inf"), "analyze": float("inf")}  # CPU seconds of this process: robust to load
    analysed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            with open(Path(tmp) / "out.jsonl", "w", encoding="utf-8") as fh:
                for _, out in parse_records(enumerate(records)):
                    fh.write(json.dumps(out, ensure_ascii=False) + "\n")
            best["parse"] = min(best["parse"], time.perf_counter() - t0)
            cpu["parse"] = min(cpu["parse"], time.process_time() - c0)

            with Store(Path(tmp) / f"store{k}.gpkg") as store:
                store.add_reports((r, f"bench:{i}") for i, r in enumerate(reports))
                t0, c0 = time.perf_counter(), time.process_time()
                summary = run_analysis(store, chunk_size=args.chunk_size)
                best["analyze"] = min(best["analyze"], time.perf_counter() - t0)
                cpu["analyze"] = min(cpu["analyze"], time.process_time() - c0)
                analysed = summary.analysed
    n = len(records)
    parse_rate, analyze_rate = n / best["parse"], analysed / best["analyze"]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"parse --jsonl (in process, one core): {parse_rate:.2f} docs/s ({n} LGL docs, best of {args.repeat})")
    print(f"analyze into the store (serial, one core): {analyze_rate:.2f} docs/s ({analysed} committed)")
    print(f"analyze / parse = {analyze_rate / parse_rate:.0%} (target >= {TARGET:.0%}); "
          f"load average {load:.2f} on {os.cpu_count()} cores (timed alternately)")
    print(f"by CPU time of this process (not skewed by other work on the machine): parse {n / cpu['parse']:.2f}, "
          f"analyze {analysed / cpu['analyze']:.2f} docs per CPU second: analyze / parse = "
          f"{cpu['parse'] / cpu['analyze'] * analysed / n:.0%}")


if __name__ == "__main__":
    main()
