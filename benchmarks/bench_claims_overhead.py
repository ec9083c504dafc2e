"""What claim finding adds to the parse time (issue 12: at most 10 % on LGL).

Runs geo_app's batch analysis over the corpus with and without claims, alternately
(the machine may be loaded: alternating spreads the noise over both), on one core, and
prints the median time of each and the overhead.

Run: PYTHONPATH=$PWD python benchmarks/bench_claims_overhead.py [--corpus PATH] [--limit N] [--rounds R]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_geoparser import _pin_one_core  # noqa: E402

LGL = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "LGL" / "lgl.xml"


def _texts(corpus: str | None, limit: int) -> list[str]:
    """The corpus's texts (LGL by default: ../shared/bench/LGL/lgl.xml, or /work/shared/bench)."""
    from geo_app.batch import eval as ev

    path = Path(corpus) if corpus else LGL
    if not path.exists():
        path = Path("/work/shared/bench/LGL/lgl.xml")
    return [d.text for d in ev.read_corpus(path)][:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=None)
    parser.add_argument("--limit", type=int, default=588)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    _pin_one_core()
    from geo_app.pipeline import analyze_many

    texts = _texts(args.corpus, args.limit)
    items = [(str(i), t, None) for i, t in enumerate(texts)]
    n_claims = sum(len(a.claims) for a in analyze_many(items[:50], with_claims=True))  # warm-up, parser loaded
    times: dict[bool, list[float]] = {False: [], True: []}
    distances = 0
    for _ in range(args.rounds):
        for with_claims in (False, True):
            t0 = time.perf_counter()
            out = list(analyze_many(items, with_claims=with_claims))
            times[with_claims].append(time.perf_counter() - t0)
            if with_claims:
                distances = sum(len(a.extraction.distances) for a in out)
                n_claims = sum(len(a.claims) for a in out)
    off, on = statistics.median(times[False]), statistics.median(times[True])
    print(f"{len(texts)} documents, {distances} distance mentions, {n_claims} claims; rounds={args.rounds}")
    print(f"parse without claims: {off:.2f} s (median; all {', '.join(f'{t:.2f}' for t in times[False])})")
    print(f"parse with claims:    {on:.2f} s (median; all {', '.join(f'{t:.2f}' for t in times[True])})")
    print(f"claim finding adds {100 * (on - off) / off:.1f} % (target <= 10 %)")


if __name__ == "__main__":
    main()
