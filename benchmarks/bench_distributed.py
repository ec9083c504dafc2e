"""Benchmark: reports analysed per second, serially vs on Dask LocalClusters of 1, 2 and all cores.

The corpus is the LGL texts (``../shared/bench/LGL/lgl.xml``, 588 US local news
articles) when present, else variations of the sample reports; it is topped up with
numbered copies to ``--docs`` (default 500). The same reports go into two fresh stores;
each is analysed by :func:`geo_app.distributed.run_analysis` (extract, resolve, check,
features, commit), serially in this process and on ``--workers`` worker processes.

Start-up (loading the spaCy model and the gazetteer and building the caches the workers
share, :func:`geo_app.batch.distributed.warm_up`: once in this process, once in the forkserver
the workers are forked from) is timed apart from the throughput; the speed-up is the ratio of
warm throughputs. Both stores must hold identical records, else the run fails.
Wall-clock speed-up needs idle cores: the CPU time of every process is printed too, and
with it the speed-up the run would reach if each process had a core to itself (on a shared
machine, read that line, and the load averages printed next to it).

Run: ``python benchmarks/bench_distributed.py [--docs 500] [--workers 1 2 ...] [--chunk-size N (default settings.ANALYZE_BATCH_SIZE)] [--spawn]``.
By default it runs 1, 2 and all cores. ``--spawn`` starts workers the old way (each loads its own
model) to compare with the default (forked from a forkserver that preloaded geo_app).
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


def _run_dask(reports: list[Report], tmp: str, workers: int, chunk_size: int) -> dict:
    """One fresh store analysed on a LocalCluster of ``workers`` processes: timings and records."""
    store = Store(Path(tmp) / f"dask{workers}.gpkg")
    store.add_reports((r, f"bench:{i}") for i, r in enumerate(reports))
    t0 = time.perf_counter()
    with dask_client(workers=workers) as client:
        start = time.perf_counter() - t0
        workers_cpu0 = client.run(time.process_time)
        cpu0 = time.process_time()
        summary = run_analysis(store, client=client, chunk_size=chunk_size)
        main_cpu = time.process_time() - cpu0
        workers_cpu = {w: t - workers_cpu0[w] for w, t in client.run(time.process_time).items()}
        rss = client.run(_peak_rss_mb)
        private = client.run(_private_mb)
    out = {"summary": summary, "start": start, "main_cpu": main_cpu, "workers_cpu": workers_cpu,
           "records": records(store), "rss": rss, "private": private,
           "load": os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")}
    store.close()
    return out


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _private_mb() -> float:
    """Memory this process holds alone (pages not shared with the forkserver or the other
    workers), from /proc/self/smaps_rollup; NaN where that is not available."""
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as fh:
            return sum(int(line.split()[1]) for line in fh if line.startswith(("Private_Clean", "Private_Dirty"))) / 1024
    except (OSError, ValueError, IndexError):
        return float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--workers", type=int, nargs="+", default=None,
                        help="worker counts to run (default: 1, 2 and all cores)")
    parser.add_argument("--chunk-size", type=int, default=settings.ANALYZE_BATCH_SIZE)
    parser.add_argument("--spawn", action="store_true",
                        help="spawn workers that load their own model (settings.DASK_SHARED_START = False)")
    args = parser.parse_args(argv)
    if args.spawn:
        settings.DASK_SHARED_START = False
    counts = args.workers or sorted({1, 2, os.cpu_count() or 1})

    name, reports = corpus(args.docs)
    chars = sum(len(r.text) for r in reports)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"corpus: {len(reports)} reports from {name}, {chars / len(reports):,.0f} characters on average")
    print(f"machine: {os.cpu_count()} cores, load average before the run {load[0]:.2f}; workers "
          f"{'spawned, each loading its own model' if args.spawn else 'forked from a preloaded forkserver'}")

    digest = source_digest()
    ok = True
    speedups: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        serial_store = Store(Path(tmp) / "serial.gpkg")
        serial_store.add_reports((r, f"bench:{i}") for i, r in enumerate(reports))
        t0 = time.perf_counter()
        warm_up(shared_caches=not args.spawn)  # what the forkserver preloads for the workers
        serial_start = time.perf_counter() - t0
        cpu0 = time.process_time()
        serial = run_analysis(serial_store, chunk_size=args.chunk_size)
        serial_cpu = time.process_time() - cpu0
        base = records(serial_store)
        serial_store.close()
        s_rate = serial.analysed / serial.seconds
        print(f"serial:    {serial.analysed} reports in {serial.seconds:6.1f} s = {s_rate:6.2f} reports/s "
              f"(start-up {serial_start:.1f} s; CPU {1000 * serial_cpu / max(serial.analysed, 1):.0f} ms/report)")
        for n in counts:
            r = _run_dask(reports, tmp, n, args.chunk_size)
            dist = r["summary"]
            d_rate = dist.analysed / dist.seconds
            busiest = max(max(r["workers_cpu"].values()), r["main_cpu"])
            same = r["records"] == base
            ok = ok and same and not dist.failed
            label = f"{n} worker{'s' if n > 1 else ''}{' (all cores)' if n == os.cpu_count() else ''}"
            speedups.append(f"{label} {d_rate / s_rate:.2f}x (CPU-bound: {serial_cpu / busiest:.2f}x)")
            print(f"{n} worker{'s' if n > 1 else ' '}: {dist.analysed} reports in {dist.seconds:6.1f} s = "
                  f"{d_rate:6.2f} reports/s; speed-up over serial {d_rate / s_rate:.2f}x warm, "
                  f"{(serial.seconds + serial_start) / (dist.seconds + r['start']):.2f}x with start-up "
                  f"(cluster start-up {r['start']:.1f} s); if each process had a core: {serial_cpu / busiest:.2f}x; "
                  f"worker peak RSS {', '.join(f'{v:.0f}' for v in r['rss'].values())} MB "
                  f"(of it private at the end: {', '.join(f'{v:.0f}' for v in r['private'].values())} MB); "
                  f"load average after {r['load']:.2f}; records identical: {same}")
            if dist.failed:
                print(f"  failed: {len(dist.failed)}")
    print(f"speed-up over serial, warm: {'; '.join(speedups)} (CPU-bound: if each process had a core)")
    print(f"target: >= {TARGET_SPEEDUP}x on 2 workers where 2 cores are idle (load average above "
          f"{os.cpu_count()} means other processes took CPU time and the speed-up is understated)")
    if source_digest() != digest:
        print("warning: geo_app's code or data changed during the run; differing records may come from that")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
