"""Throughput of ``geo-app parse --jsonl`` (documents per second) on LGL documents.

Writes the first N documents of the LGL corpus (``settings.EVAL_BENCH_DIR / "LGL" / "lgl.xml"``)
as a JSONL batch (``{"id", "text", "published"}`` per line), then runs the real command in a fresh
process per repeat and times it end to end (model and gazetteer loading included). The start-up
cost is measured apart, on a one-line batch, and subtracted for the steady rate::

    .venv/bin/python benchmarks/bench_parse_batch.py --docs 300 --repeat 2 --corpus ../shared/bench/LGL/lgl.xml

Prints one JSON object: docs, seconds per run, docs/s end to end and docs/s after start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write_batch(path: Path, corpus: Path, n: int) -> int:
    """The first ``n`` documents of ``corpus`` as JSONL; returns how many were written."""
    from geo_app.eval import read_corpus

    docs = read_corpus(corpus)[:n]
    with path.open("w", encoding="utf-8") as fh:
        for i, d in enumerate(docs):
            rec = {"id": f"lgl-{i}", "text": d.text, "published": d.published.isoformat() if d.published else None}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return len(docs)


def startup_seconds() -> float:
    """Seconds the command takes on an empty batch (interpreter, model and gazetteer loading)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "one.jsonl"
        src.write_text(json.dumps({"id": "warm", "text": "Troops near Kyiv."}) + "\n", encoding="utf-8")
        return run(src, Path(tmp) / "out.jsonl")


def run(src: Path, out: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "geo_app.cli", "parse", "--jsonl", str(src), "--out", str(out)],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"parse exited {proc.returncode}: {proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=None, help="default: EVAL_BENCH_DIR/LGL/lgl.xml")
    args = parser.parse_args()
    from geo_app import settings

    corpus = args.corpus or settings.EVAL_BENCH_DIR / "LGL" / "lgl.xml"
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "lgl.jsonl", Path(tmp) / "out.jsonl"
        n = write_batch(src, corpus, args.docs)
        start = min(startup_seconds() for _ in range(args.repeat))
        times = [run(src, out) for _ in range(args.repeat)]
        lines = sum(1 for _ in out.open(encoding="utf-8"))
    best = min(times)
    print(json.dumps({"docs": n, "output_lines": lines, "seconds": [round(t, 2) for t in times],
                      "startup_seconds": round(start, 2), "docs_per_s_end_to_end": round(n / best, 2),
                      "docs_per_s_after_startup": round(n / max(best - start, 1e-9), 2)}))


if __name__ == "__main__":
    main()
