"""Throughput of ``geo-app parse --jsonl`` (documents per second) on LGL documents.

Writes the first N documents of the LGL corpus (``settings.EVAL_BENCH_DIR / "LGL" / "lgl.xml"``)
as a JSONL batch (``{"id", "text", "published"}`` per line), then runs the real command in a fresh
process per repeat and times it end to end (model and gazetteer loading included). The start-up
cost is measured apart, on a one-line batch, and subtracted for the steady rate::

    .venv/bin/python benchmarks/bench_parse_batch.py --docs 300 --repeat 2 --corpus ../shared/bench/LGL/lgl.xml

Prints one JSON object: docs, seconds per run, docs/s end to end and docs/s after start-up. With
``--in-process`` it times, warm and in one process, the batch contract one record at a time
(``parse_record``, as the command ran before it batched) against ``parse_records`` (batched),
alternating, and checks that both give the same output.
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
    from geo_app.batch.eval import read_corpus

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
    proc = subprocess.run([sys.executable, "-m", "geo_app.ui.cli", "parse", "--jsonl", str(src), "--out", str(out)],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"parse exited {proc.returncode}: {proc.stderr[-2000:]}")
    return elapsed


def in_process(src: Path, repeat: int) -> dict[str, float]:
    """Docs/s of the batch contract in this process, warm: one by one (``parse_record`` per line, as
    ``parse --jsonl`` did before it batched) against ``parse_records`` (batched), alternating."""
    from geo_app.pipeline import parse_record, parse_records

    records = [json.loads(line) for line in src.open(encoding="utf-8")]
    parse_record(records[0])  # load the model and the gazetteer
    best = {"one_by_one": float("inf"), "batched": float("inf")}
    for _ in range(repeat):
        t0 = time.perf_counter()
        single = [parse_record(r) for r in records]
        best["one_by_one"] = min(best["one_by_one"], time.perf_counter() - t0)
        t0 = time.perf_counter()
        batched = [out for _, out in parse_records(enumerate(records))]
        best["batched"] = min(best["batched"], time.perf_counter() - t0)
        assert batched == single, "batched output differs from one-by-one output"
    return {f"docs_per_s_in_process_{k}": round(len(records) / v, 2) for k, v in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=None, help="default: EVAL_BENCH_DIR/LGL/lgl.xml")
    parser.add_argument("--in-process", action="store_true",
                        help="time parse_record one by one against parse_records batched, in this process")
    args = parser.parse_args()
    from geo_app import settings

    corpus = args.corpus or settings.EVAL_BENCH_DIR / "LGL" / "lgl.xml"
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "lgl.jsonl", Path(tmp) / "out.jsonl"
        n = write_batch(src, corpus, args.docs)
        if args.in_process:
            print(json.dumps({"docs": n, **in_process(src, args.repeat)}))
            return
        start = min(startup_seconds() for _ in range(args.repeat))
        times = [run(src, out) for _ in range(args.repeat)]
        lines = sum(1 for _ in out.open(encoding="utf-8"))
    best = min(times)
    print(json.dumps({"docs": n, "output_lines": lines, "seconds": [round(t, 2) for t in times],
                      "startup_seconds": round(start, 2), "docs_per_s_end_to_end": round(n / best, 2),
                      "docs_per_s_after_startup": round(n / max(best - start, 1e-9), 2)}))


if __name__ == "__main__":
    main()
