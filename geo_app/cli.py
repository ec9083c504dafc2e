"""Command line: ``geo-app``, a thin shell over the core API.

Exit codes: 0 success; 1 the command ran but found a problem (a failed check, a rejected
input in a batch); 2 bad usage or input (one clear line on stderr; ``--verbose`` for the
traceback); 3 missing data (borders or gazetteer).
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from geo_app._errors import DataError, GeoAppError, InputError

app = typer.Typer(
    name="geo-app",
    help="Turn news reports into checked, dated maps, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
gazetteer_app = typer.Typer(help="Build or inspect the offline gazetteer index.", no_args_is_help=True)
app.add_typer(gazetteer_app, name="gazetteer")

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, EXIT_DATA = 0, 1, 2, 3
_state: dict[str, bool] = {"verbose": False}


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print tracebacks on errors.")] = False) -> None:
    _state["verbose"] = verbose


def _fail(exc: BaseException) -> typer.Exit:
    """Print one clear line on stderr (traceback with --verbose) and pick the exit code."""
    if _state["verbose"]:
        traceback.print_exception(exc, file=sys.stderr)
    print(f"error: {exc}", file=sys.stderr)
    return typer.Exit(EXIT_DATA if isinstance(exc, DataError) else EXIT_USAGE)


def _emit(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str))


@gazetteer_app.command("build")
def gazetteer_build(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if the cached index is current.")] = False,
) -> None:
    """Build the gazetteer index (once; it is cached). Example: geo-app gazetteer build"""
    from geo_app.gazetteer import Gazetteer, build_index, default_index_path

    path = default_index_path()
    if force or not path.exists():
        build_index(path)
    if not quiet:
        print(f"{path}: {Gazetteer(path).stats()}")


@app.command()
def geocode(
    query: Annotated[str, typer.Argument(help="A place name, e.g. 'Kiev' or 'Paris, Texas'.")],
    limit: Annotated[int, typer.Option(help="How many candidates to print.")] = 1,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """Resolve a place name offline. Example: geo-app geocode "Kiev" """
    from geo_app.geocoder import OfflineGeocoder

    try:
        found = OfflineGeocoder(with_polygon=False).geocode(query, exactly_one=False, limit=limit)
    except GeoAppError as exc:
        raise _fail(exc) from exc
    if not found:
        print(f"error: no place named {query!r} in the offline gazetteer", file=sys.stderr)
        raise typer.Exit(EXIT_PROBLEM)
    rows = [{k: loc.raw[k] for k in ("name", "geonameid", "lat", "lon", "feature_class", "feature_code",
                                     "country_code", "key")} for loc in found]
    if json_out:
        _emit(rows if limit > 1 else rows[0])
        return
    for row in rows:
        gid = row["geonameid"] if row["geonameid"] is not None else "-"
        print(f"{row['name']} ({row['country_code'] or '-'}) GeoNames {gid} {row['lat']:.4f}, {row['lon']:.4f} "
              f"[{row['feature_class']}.{row['feature_code']}]")


@app.command()
def parse(
    jsonl: Annotated[Path, typer.Option("--jsonl", help="Input JSONL: one {id, text, published?} per line ('-' = stdin).")],
    out: Annotated[Path, typer.Option("--out", help="Output JSONL ('-' = stdout).")] = Path("-"),
    json_out: Annotated[bool, typer.Option("--json", help="Print a JSON summary on stderr... on stdout when --out is a file.")] = False,
) -> None:
    """Geoparse reports in batch. Example: geo-app parse --jsonl reports.jsonl --out parsed.jsonl

    Each output line: {"id", "mentions": [...], "distances": [...], "dates": [...], "claims": [...]};
    the schema is schema/parse_output.schema.json. A bad line gives {"id", "error"} and the rest go on.
    """
    from geo_app.pipeline import parse_record

    src = sys.stdin if str(jsonl) == "-" else None
    try:
        fin = src or open(jsonl, encoding="utf-8", errors="strict")
    except OSError as exc:
        raise _fail(InputError(f"cannot read {jsonl}: {exc.strerror}")) from exc
    fout = sys.stdout if str(out) == "-" else open(out, "w", encoding="utf-8")
    counts = {"parsed": 0, "errors": 0}
    try:
        for lineno, line in enumerate(fin, 1):
            if not line.strip():
                continue
            rec_id: Any = None
            try:
                record = json.loads(line)
                rec_id = record.get("id") if isinstance(record, dict) else None
                result = parse_record(record)
                counts["parsed"] += 1
            except (ValueError, GeoAppError) as exc:
                result = {"id": rec_id, "error": f"line {lineno}: {exc}"}
                counts["errors"] += 1
            fout.write(json.dumps(result, ensure_ascii=False) + "\n")
    except UnicodeDecodeError as exc:
        raise _fail(InputError(f"{jsonl} is not UTF-8: {exc.reason}")) from exc
    finally:
        if fout is not sys.stdout:
            fout.close()
    if json_out and fout is not sys.stdout:
        _emit({**counts, "out": str(out)})
    raise typer.Exit(EXIT_OK if counts["errors"] == 0 else EXIT_PROBLEM)


@app.command("eval")
def eval_cmd(
    corpus: Annotated[list[str], typer.Argument(help="Corpus files or folders, or the names LGL / GeoWebNews.")] = None,  # type: ignore[assignment]
    limit: Annotated[Optional[int], typer.Option(help="Only the first N documents of each corpus.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    gold_spans: Annotated[bool, typer.Option(help="Also score resolution on gold spans.")] = True,
) -> None:
    """Score recognition and resolution on LGL / GeoWebNews. Example: geo-app eval LGL GeoWebNews"""
    from geo_app import eval as ev
    from geo_app.pipeline import parse_for_eval, resolve_gold_spans

    results = {}
    try:
        for name in corpus or ["LGL", "GeoWebNews"]:
            kind, file = ev.sniff_corpus(ev._resolve_corpus_arg(name))
            docs = ev.read_corpus(file)
            results[kind] = ev.evaluate(docs, parse_for_eval, gold_spans_resolver=resolve_gold_spans if gold_spans else None,
                                        limit=limit, progress=not json_out)
    except GeoAppError as exc:
        raise _fail(exc) from exc
    if json_out:
        _emit(results)
    else:
        print(ev.format_table(results))


def app_cmd() -> None:  # replaced by the Streamlit launcher once the app lands
    """Start the app (for now: analyse the sample reports and print what they contain)."""
    from geo_app import settings
    from geo_app.pipeline import analyze
    from geo_app.reports import read_report_file

    for path in sorted(settings.SAMPLES_DIR.glob("*.txt")):
        report = read_report_file(path)
        analysis = analyze(report.text, report.published, report_id=report.report_id, source=report.source)
        print(f"== {path.name} ({report.source}, {report.published}) ==")
        for r in analysis.resolutions:
            if r.place:
                print(f"  {r.mention.kind:9} {r.mention.text!r:40} -> {r.place.name} ({r.place.country_code}) "
                      f"{r.place.lat:.3f},{r.place.lon:.3f}")
        for c in analysis.claims:
            print(f"  claim: {c.summary()}")


app.command("app")(app_cmd)

if __name__ == "__main__":
    app()
