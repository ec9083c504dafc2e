"""The geoparser scored on a benchmark corpus: its hooks for :mod:`geo_app.batch.eval` and a command line.

``python -m geo_app.batch.run_eval --corpus PATH [--limit N] [--json]`` (``geo-app eval`` is the same
with several corpora). :mod:`geo_app.batch.eval` holds the corpus readers and the metrics and knows
nothing of the geoparser; this module plugs the geoparser in.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import shapely

from geo_app import settings
from geo_app._errors import InputError
from geo_app.batch.eval import Prediction, evaluate, format_table, read_gwn, read_lgl, sniff_corpus
from geo_app.places.composites import geometry_of
from geo_app.places.gazetteer import get_gazetteer
from geo_app.resolve.resolver import Resolution, Resolver
from geo_app.text.extract import Extraction, Mention, annotate, demonym_code, extract_doc, get_nlp




def _eval_span(r: Resolution) -> tuple[int, int, str]:
    m = r.mention
    if m.kind == "qualified" and m.base_start is not None and m.base_end is not None:
        text = m.text[m.base_start - m.start: m.base_end - m.start]
        return m.base_start, m.base_end, text
    return m.start, m.end, m.text


def _prediction(start: int, end: int, text: str, r: Resolution) -> Prediction:
    p = r.place
    if p is None:
        return Prediction(start, end, text, None, None)
    return Prediction(start, end, text, p.lat, p.lon, place_key=p.key, feature_code=p.feature_code)


def area_of(pred: Prediction) -> Any:
    """The polygon of a predicted area (country, region, county, sea) or None for a point:
    the area-aware score's hook (:func:`geo_app.batch.eval.area_aware_accuracy`)."""
    if not pred.place_key:
        return None
    return _area(pred.place_key)


@lru_cache(maxsize=4096)
def _area(key: str) -> Any:
    try:
        place = get_gazetteer().get(key)
    except LookupError:
        return None
    geom = geometry_of(place)
    if geom is not None:
        shapely.prepare(geom)
    return geom


def parse_for_eval(doc: Any) -> list[Any]:
    """Predictions for :func:`geo_app.batch.eval.evaluate`: every place-like mention and its point
    (demonyms too: both LGL and GeoWebNews annotate "Georgian", "Sudanese" as toponyms)."""
    ex = extract_doc(next(annotate([doc.text])), getattr(doc, "published", None))
    preds = []
    for r in Resolver().resolve(ex):
        start, end, text = _eval_span(r)
        preds.append(_prediction(start, end, text, r))
    return preds


def gold_extraction(doc: Any, golds: Sequence[Any]) -> Extraction:
    """An extraction of ``doc`` whose mentions are the given gold spans (demonyms told apart),
    with the document's sentences and dates: what the resolver sees on gold spans."""
    gaz = get_gazetteer()
    nlp = get_nlp()
    ex = extract_doc(nlp.get_pipe("sentencizer")(nlp.make_doc(doc.text)), getattr(doc, "published", None))
    mentions = []
    for g in golds:
        name = doc.text[g.start:g.end] or g.name
        code = demonym_code(gaz, name)
        kind = "demonym" if code else "place"
        mentions.append(Mention(g.start, g.end, name, kind, name, "GOLD", ex.sentence_of(g.start), country_code=code))
    ex.mentions = mentions
    return ex


def resolve_gold_spans(doc: Any, golds: Sequence[Any]) -> list[Any]:
    """Resolve given gold spans (resolution alone, as Mordecai's gold-span figures)."""
    return [_prediction(g.start, g.end, g.name, r) for g, r in zip(golds, Resolver().resolve(gold_extraction(doc, golds)))]


def resolve_corpus_arg(arg: str) -> Path:
    path = Path(arg)
    if path.exists():
        return path
    aliases = {"lgl": "LGL", "gwn": "GeoWebNews", "geowebnews": "GeoWebNews"}
    name = aliases.get(arg.casefold())
    if name is not None and (settings.EVAL_BENCH_DIR / name).is_dir():
        return settings.EVAL_BENCH_DIR / name
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m geo_app.batch.run_eval --corpus PATH [--limit N] [--json]``.

    Scores :func:`parse_for_eval` and :func:`resolve_gold_spans`.
    Returns the exit status (0 ok, 2 bad input).
    """
    ap = argparse.ArgumentParser(prog="python -m geo_app.batch.run_eval", description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True, help="lgl.xml, GWN.xml, their folder, or the name LGL / GeoWebNews")
    ap.add_argument("--limit", type=int, default=None, help="score only the first N documents")
    ap.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    ap.add_argument("--no-gold-spans", action="store_true", help="skip resolution on gold spans")
    ap.add_argument("--progress", action="store_true", help="print progress to stderr")
    args = ap.parse_args(argv)

    try:
        name, file = sniff_corpus(resolve_corpus_arg(args.corpus))
        docs = read_lgl(file) if name == "LGL" else read_gwn(file)
        result = evaluate(
            docs,
            parse_for_eval,
            gold_spans_resolver=None if args.no_gold_spans else resolve_gold_spans,
            area_of=area_of,
            limit=args.limit,
            progress=args.progress,
        )
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = {"corpus": name, "path": str(file), **result}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(format_table({name: result}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
