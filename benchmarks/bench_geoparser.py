"""Speed of the geoparser on one core: docs/s and words/s end to end, against spaCy NER, lookup latency.

Run: python benchmarks/bench_geoparser.py [--corpus PATH] [--limit N] [--repeat K]
Uses LGL (../shared/bench/LGL/lgl.xml) when present, else the sample reports repeated.

In one run, on one core, over the same documents, it times (alternately, ``--repeat`` times,
best of each kept, since the machine may be loaded by other work):

* geo_app end to end (:func:`geo_app.pipeline.analyze_many`: extract, resolve, dates, claims),
  and the share of the tokens its selective NER read;
* the baseline of issue 16: spaCy ``en_core_web_sm`` (geo_app's packaged copy of it) NER over
  the whole text (tok2vec + ner, batched with ``nlp.pipe``: what ``spacy.load`` with the
  other pipes excluded runs), and for every GPE/LOC/FAC entity the most populous gazetteer
  entry of that name (a population lookup);
* the same with the ``ner`` pipe alone (the NER embeds its own tok2vec, so the shared
  ``tok2vec`` component changes nothing in its entities: the leanest whole-text NER, which
  geo_app's own pipeline also uses);

and prints the docs/s and the ratios. Targets: issue 16, >= 4x the baseline; issue 3,
>= 60 documents/s end to end on LGL where the machine is quiet; lookup p50 <= 20 us.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import time
from pathlib import Path
from typing import Any


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def _texts(corpus: str | None, limit: int) -> list[str]:
    from geo_app.batch import eval as ev
    from geo_app import settings

    path = corpus or settings.EVAL_BENCH_DIR / "LGL" / "lgl.xml"
    if os.path.exists(path):
        return [d.text for d in ev.read_corpus(Path(path))][:limit]
    from geo_app.text.reports import sample_reports

    samples = [r.text for r in sample_reports()]
    return [samples[i % len(samples)] for i in range(limit)]


def _baseline_nlp() -> Any:
    """spaCy en_core_web_sm with tok2vec + ner (the other pipes excluded), the whole text through it."""
    import spacy

    from geo_app import settings
    from geo_app.text.extract import MODEL_NAME

    nlp = spacy.load(MODEL_NAME, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
    nlp.max_length = max(nlp.max_length, settings.MAX_REPORT_CHARS + 1)
    return nlp


def _baseline(nlp: Any, gaz: Any, texts: list[str], pipes: tuple[str, ...] = ("tok2vec", "ner")) -> int:
    """The baseline geoparser: NER, then the most populous place of each GPE/LOC/FAC name."""
    found = 0
    with nlp.select_pipes(enable=list(pipes)):
        docs = list(nlp.pipe(texts, batch_size=32))
    for doc in docs:
        for ent in doc.ents:
            if ent.label_ in ("GPE", "LOC", "FAC"):
                matches = gaz.lookup(ent.text)
                if matches:
                    max(matches, key=lambda m: m.place.population)
                    found += 1
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=None)
    parser.add_argument("--limit", type=int, default=588)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    _pin_one_core()

    t0 = time.perf_counter()
    from geo_app.text.extract import get_nlp
    from geo_app.places.gazetteer import get_gazetteer
    from geo_app.pipeline import analyze_many

    from geo_app.places import borders

    gaz = get_gazetteer()
    borders.countries()
    borders.seas()
    get_nlp()
    cold = time.perf_counter() - t0

    texts = _texts(args.corpus, args.limit)
    words = sum(len(t.split()) for t in texts)
    list(analyze_many([(str(i), t, None) for i, t in enumerate(texts[:20])], with_claims=False))  # warm-up
    best_app = best_base = best_lean = float("inf")
    cpu_app = cpu_base = cpu_lean = float("inf")  # CPU seconds: what a loaded machine distorts least
    n, rss, base_nlp = 0, 0.0, None
    for _ in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        n = sum(1 for _ in analyze_many([(str(i), t, None) for i, t in enumerate(texts)], with_claims=True))
        best_app, cpu_app = min(best_app, time.perf_counter() - t), min(cpu_app, time.process_time() - c)
        if base_nlp is None:  # geo_app's own peak, before the baseline's model is in this process
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            base_nlp = _baseline_nlp()
            _baseline(base_nlp, gaz, texts[:20])  # warm-up
        t, c = time.perf_counter(), time.process_time()
        found = _baseline(base_nlp, gaz, texts)
        best_base, cpu_base = min(best_base, time.perf_counter() - t), min(cpu_base, time.process_time() - c)
        t, c = time.perf_counter(), time.process_time()
        _baseline(base_nlp, gaz, texts, pipes=("ner",))
        best_lean, cpu_lean = min(best_lean, time.perf_counter() - t), min(cpu_lean, time.process_time() - c)
    dt = best_app

    names = [p.name for p in gaz.places()][::97]
    random.Random(0).shuffle(names)
    lookup = gaz._lookup_uncached  # uncached: the honest cost of one index query
    from geo_app._text import normalize_name

    times = []
    for name in names[:3000]:
        s = time.perf_counter_ns()
        lookup(normalize_name(name), False)
        times.append((time.perf_counter_ns() - s) / 1000)
    times.sort()
    p50, p99 = statistics.median(times), times[int(len(times) * 0.99)]
    print(f"end to end (extract + resolve + check), one core: {n / dt:.1f} docs/s, {words / dt:,.0f} words/s "
          f"({n} docs, {words / n:.0f} words each; target >= 60 docs/s)")
    app_rate, base_rate, lean_rate = n / best_app, len(texts) / best_base, len(texts) / best_lean
    print(f"spaCy en_core_web_sm NER (tok2vec + ner) over the whole text + population lookup, one core: "
          f"{base_rate:.1f} docs/s ({found} place entities looked up)")
    print(f"the same with the ner pipe alone (no shared tok2vec, same entities): {lean_rate:.1f} docs/s")
    print(f"geo_app / spaCy NER baseline: {app_rate / base_rate:.2f}x (target >= 4x), "
          f"{app_rate / lean_rate:.2f}x against the ner pipe alone; best of {args.repeat}, "
          f"timed alternately; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"in CPU time (process_time, less distorted by other work on the machine): geo_app "
          f"{n / cpu_app:.1f} docs per CPU-s, baseline {len(texts) / cpu_base:.1f}, ner pipe alone "
          f"{len(texts) / cpu_lean:.1f}: {cpu_base / cpu_app:.2f}x and {cpu_lean / cpu_app:.2f}x")
    from geo_app import settings
    from geo_app.text.extract import annotate

    tokens = read = 0
    for doc in annotate(texts):
        tokens += len(doc)
        read += sum(b - a + settings.NER_WINDOW_SEPARATORS for a, b in doc.user_data.get("geo_app_ner_windows", ()))
    if read:
        print(f"selective NER: the model read {read / tokens:.1%} as many tokens as the texts have "
              f"(windows and separators; settings.NER_SELECTIVE)")
    print(f"gazetteer lookup (uncached): p50 {p50:.1f} us, p99 {p99:.1f} us (target p50 <= 20 us)")
    print(f"load of gazetteer + model + borders in this process: {cold:.2f} s (target <= 1.5 s); "
          f"geo_app peak RSS on the corpus {rss:.0f} MB (target <= 600 MB)")


if __name__ == "__main__":
    main()
