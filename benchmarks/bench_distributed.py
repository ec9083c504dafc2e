"""Benchmark: reports analysed per second, serially vs on a 2-worker Dask LocalCluster.

The corpus is the LGL texts (``../shared/bench/LGL/lgl.xml``, 588 US local news
articles) when present, else variations of the sample reports; it is topped up with
numbered copies to ``--docs`` (default 500). The same reports go into two fresh stores;
each is analysed by :func:`geo_app.distributed.run_analysis` (extract, resolve, check,
features, commit), serially in this process and on ``--workers`` worker processes.

Start-up (loading the spaCy model and the gazetteer: once in this process, once per
worker through the worker plugin) is timed apart from the throughput; the speed-up is the
ratio of warm throughputs. Both stores must hold identical records, else the run fails.
Wall-clock speed-up needs idle cores: the CPU time of every process is printed too, and
with it the speed-up the run would reach if each process had a core to itself (on a shared
machine, read that line, and the load averages printed next to it).

Run: ``python benchmarks/bench_distributed.py [--docs 500] [--workers 2] [--chunk-size 16]``.
Exits 1 if the records differ; prints (does not fail on) the speed-up against the 1.8x target.
"""

from __future__ import annotations

import os

# Same threading as a Dask worker (its nanny sets these): one thread per process.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from geo_app import settings  # noqa: E402
from geo_app.batch.distributed import dask_client, run_analysis, warm_up  # noqa: E402
from geo_app.text.reports import Report, sample_reports  # noqa: E402
from geo_app.io.store import Store  # noqa: E402

TARGET_SPEEDUP = 1.8


def corpus(n_docs: int) -> tuple[str, list[Report]]:
    """``n_docs`` distinct reports: LGL texts when present, else sample-report variations."""
    lgl = settings.EVAL_BENCH_DIR / "LGL" / "lgl.xml"
    if lgl.exists():
        from geo_app.batch.eval import read_lgl

        base = [Report(text=d.text, source="LGL", published=d.published) for d in read_lgl(lgl)]
        name = f"LGL ({len(base)} articles)"
    else:
        samples = sample_reports()
        base = []
        for i, r in enumerate(samples):
            paras = [p for p in r.text.split("\n\n") if p.strip()]
            for k in range(len(paras)):  # rotations of the paragraphs: different texts, same places
                base.append(Report(text="\n\n".join(paras[k:] + paras[:k]), source=r.source, published=r.published))
        name = f"sample-report variations ({len(base)})"
    out = list(base[:n_docs])
    copy = 1
    while len(out) < n_docs:
        for r in base[: n_docs - len(out)]:
            out.append(Report(text=f"{r.text}\n\n(Copy {copy}.)", source=r.source, published=r.published))
        copy += 1
    return name, out


def source_digest() -> str:
    """Hash of geo_app's code and data files: workers import the code when they start."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted([*settings.PACKAGE_DIR.rglob("*.py"), *settings.DATA_DIR.glob("*.yaml")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def records(store: Store) -> list[tuple[int, str]]:
    return [(rid, json.dumps(rec, sort_keys=True)) for rid, rec in store.analyses()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=16)
    parser.add_argument("--keep", metavar="DIR", help="Copy both stores into DIR (to compare them).")
    args = parser.parse_args(argv)

    name, reports = corpus(args.docs)
    chars = sum(len(r.text) for r in reports)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"corpus: {len(reports)} reports from {name}, {chars / len(reports):,.0f} characters on average")
    print(f"machine: {os.cpu_count()} cores, load average before the run {load[0]:.2f}")

    digest = source_digest()
    with tempfile.TemporaryDirectory() as tmp:
        serial_store, dask_store = Store(Path(tmp) / "serial.gpkg"), Store(Path(tmp) / "dask.gpkg")
        for store in (serial_store, dask_store):
            store.add_reports((r, f"bench:{i}") for i, r in enumerate(reports))

        t0 = time.perf_counter()
        warm_up()
        serial_start = time.perf_counter() - t0
        cpu0 = time.process_time()
        serial = run_analysis(serial_store, chunk_size=args.chunk_size)
        serial_cpu = time.process_time() - cpu0
        load_serial = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

        t0 = time.perf_counter()
        with dask_client(workers=args.workers) as client:
            dask_start = time.perf_counter() - t0
            workers_cpu0 = client.run(time.process_time)
            cpu0 = time.process_time()
            dist = run_analysis(dask_store, client=client, chunk_size=args.chunk_size)
            main_cpu = time.process_time() - cpu0
            workers_cpu = {w: t - workers_cpu0[w] for w, t in client.run(time.process_time).items()}
        load_dist = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

        a, b = records(serial_store), records(dask_store)
        same = a == b
        differing = [ra[0] for ra, rb in zip(a, b) if ra != rb]
        if args.keep:
            import shutil

            for store in (serial_store, dask_store):
                store._con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                shutil.copy(store.path, Path(args.keep) / store.path.name)
        serial_store.close()
        dask_store.close()

    s_rate = serial.analysed / serial.seconds
    d_rate = dist.analysed / dist.seconds
    print(f"serial:      {serial.analysed} reports in {serial.seconds:6.1f} s = {s_rate:6.2f} reports/s "
          f"(start-up {serial_start:.1f} s)")
    print(f"distributed: {dist.analysed} reports in {dist.seconds:6.1f} s = {d_rate:6.2f} reports/s "
          f"on {dist.workers} workers (start-up {dask_start:.1f} s: cluster + model on each worker)")
    print(f"speed-up: {d_rate / s_rate:.2f}x warm (target >= {TARGET_SPEEDUP}x); "
          f"{(serial.seconds + serial_start) / (dist.seconds + dask_start):.2f}x including start-up")
    per = 1000 / max(serial.analysed, 1)
    print(f"CPU per report: serial {serial_cpu * per:.0f} ms; distributed "
          f"{sum(workers_cpu.values()) * per:.0f} ms in the workers "
          f"({', '.join(f'{v:.0f} s' for v in workers_cpu.values())} each in total) + {main_cpu * per:.0f} ms in "
          f"this process (scheduler, client, commits)")
    busiest = max(max(workers_cpu.values()), main_cpu)
    print(f"speed-up if every process had a core to itself (serial CPU time / busiest process's CPU time): "
          f"{serial_cpu / busiest:.2f}x")
    print(f"load average (1 min) after the serial run {load_serial:.2f}, after the distributed run {load_dist:.2f}: "
          f"above {os.cpu_count()} means other processes took CPU time, and the speed-up is understated")
    print(f"records identical: {same}"
          + ("" if same else f" ({len(differing)} differ, e.g. report ids {differing[:5]})"))
    if source_digest() != digest:
        print("warning: geo_app's code or data changed during the run; differing records may come from that")
    if serial.failed or dist.failed:
        print(f"failed: serial {len(serial.failed)}, distributed {len(dist.failed)}")
    return 0 if same and not serial.failed and not dist.failed else 1


if __name__ == "__main__":
    sys.exit(main())
