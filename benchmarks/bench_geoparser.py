"""Speed of the geoparser on one core: docs/s and words/s end to end, gazetteer lookup latency.

Run: python benchmarks/bench_geoparser.py [--corpus PATH] [--limit N]
Uses LGL (../shared/bench/LGL/lgl.xml) when present, else the sample reports repeated.
Targets (issue 3): >= 60 documents/s end to end on LGL; lookup p50 <= 20 us.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import time


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def _texts(corpus: str | None, limit: int) -> list[str]:
    from geo_app.batch import eval as ev
    from geo_app.batch.run_eval import resolve_corpus_arg
    from geo_app import settings

    path = corpus or settings.EVAL_BENCH_DIR / "LGL" / "lgl.xml"
    if os.path.exists(path):
        return [d.text for d in ev.read_corpus(resolve_corpus_arg(str(path)))][:limit]
    from geo_app.text.reports import sample_reports

    samples = [r.text for r in sample_reports()]
    return [samples[i % len(samples)] for i in range(limit)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=None)
    parser.add_argument("--limit", type=int, default=588)
    args = parser.parse_args()
    _pin_one_core()

    t0 = time.perf_counter()
    from geo_app.text.extract import get_nlp
    from geo_app.places.gazetteer import get_gazetteer
    from geo_app.pipeline import analyze_many

    gaz = get_gazetteer()
    get_nlp()
    cold = time.perf_counter() - t0

    texts = _texts(args.corpus, args.limit)
    words = sum(len(t.split()) for t in texts)
    list(analyze_many([(str(i), t, None) for i, t in enumerate(texts[:20])], with_claims=False))  # warm-up
    t = time.perf_counter()
    n = sum(1 for _ in analyze_many([(str(i), t, None) for i, t in enumerate(texts)], with_claims=True))
    dt = time.perf_counter() - t

    names = [p.name for p in gaz.places()][::97]
    random.Random(0).shuffle(names)
    lookup = gaz._lookup_uncached  # uncached: the honest cost of one index query
    from geo_app._text import normalize_name

    times = []
    for name in names[:3000]:
        s = time.perf_counter_ns()
        lookup(normalize_name(name))
        times.append((time.perf_counter_ns() - s) / 1000)
    times.sort()
    p50, p99 = statistics.median(times), times[int(len(times) * 0.99)]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"end to end (extract + resolve + check), one core: {n / dt:.1f} docs/s, {words / dt:,.0f} words/s "
          f"({n} docs, {words / n:.0f} words each; target >= 60 docs/s)")
    print(f"gazetteer lookup (uncached): p50 {p50:.1f} us, p99 {p99:.1f} us (target p50 <= 20 us)")
    print(f"load of gazetteer + model + borders in this process: {cold:.2f} s; peak RSS {rss:.0f} MB (target <= 800 MB)")


if __name__ == "__main__":
    main()
