"""Command line: ``geo-app``, a thin shell over the core API.

Exit codes: 0 success; 1 the command ran but found a problem (a failed check, a rejected
input in a batch); 2 bad usage or input (one clear line on stderr; ``--verbose`` for the
traceback); 3 missing data (borders or gazetteer).

Why this module is long: every command's options and help live here, one block per command,
each a thin call into :mod:`geo_app.ui.usecases`; their number, not their logic, makes it long.
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



DbOption = Annotated[Optional[Path], typer.Option(
    "--db", help="Store file (default: settings.DB_PATH; env GEO_APP_DB).", dir_okay=False)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a machine-readable result (JSON) on stdout.")]
DateFromOption = Annotated[Optional[str], typer.Option("--from", help="First day of the date window (YYYY-MM-DD), inclusive.")]
DateToOption = Annotated[Optional[str], typer.Option("--to", help="Last day of the date window (YYYY-MM-DD), inclusive.")]

@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print tracebacks on errors.")] = False) -> None:
    _state["verbose"] = verbose


def _fail(exc: BaseException) -> typer.Exit:
    """Print one clear line on stderr (traceback with --verbose) and pick the exit code."""
    if _state["verbose"]:
        traceback.print_exception(exc, file=sys.stderr)
    print(f"error: {exc}", file=sys.stderr)
    return typer.Exit(EXIT_DATA if isinstance(exc, DataError) else EXIT_USAGE)


def _file_error(exc: OSError) -> InputError:
    """A file the command could not read or write, named, with the system's reason."""
    return InputError(f"{getattr(exc, 'filename', '') or 'file'}: {exc.strerror or exc}")


def _salvage_id(raw: bytes) -> Any:
    """The ``id`` of a JSONL line that is not valid UTF-8, when the rest of it can still be read."""
    try:
        record = json.loads(raw.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        return None
    return record.get("id") if isinstance(record, dict) else None


def _json_line(obj: Any) -> str:
    """One JSON line, readable where possible; ASCII escapes when the text holds lone surrogates.

    The line and paragraph separators U+2028 / U+2029 are escaped: valid raw in JSON, but
    ``str.splitlines()`` and many line readers split a JSONL line on them.
    """
    text = json.dumps(obj, ensure_ascii=False, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(obj, ensure_ascii=True, default=str)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _emit(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str))


@gazetteer_app.command("build")
def gazetteer_build(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if the cached index is current.")] = False,
) -> None:
    """Build the gazetteer index (once; it is cached). Example: geo-app gazetteer build"""
    from geo_app.places.gazetteer import Gazetteer, build_index, default_index_path

    path = default_index_path()
    if force or not path.exists():
        build_index(path)
    if not quiet:
        print(f"{path}: {Gazetteer(path).stats()}")


@app.command()
def geocode(
    query: Annotated[str, typer.Argument(help="A place name, e.g. 'Kiev' or 'Paris, Texas'.")],
    limit: Annotated[int, typer.Option(help="How many candidates to print.")] = 1,
    json_out: JsonOption = False,
) -> None:
    """Resolve a place name offline. Example: geo-app geocode "Kiev" """
    from geo_app.places.geocoder import OfflineGeocoder

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
    batch_size: Annotated[Optional[int], typer.Option(help="Reports per model batch (default: settings.PARSE_BATCH_SIZE).",
                                                      min=1)] = None,
) -> None:
    """Geoparse reports in batch. Example: geo-app parse --jsonl reports.jsonl --out parsed.jsonl

    Each output line: {"id", "mentions": [...], "distances": [...], "dates": [...], "claims": [...],
    "warnings": [...]}; the schema is schema/parse_output.schema.json. Control characters and unpaired
    surrogates in a text are replaced one for one (offsets still point into the text as sent) and listed
    in "warnings". A line that cannot be answered (not UTF-8, not JSON, no text) gives {"id", "error"}
    and the rest go on; the exit code is then 1.
    """
    from geo_app.pipeline import parse_records

    try:
        # Bytes, decoded line by line: one bad line is one error record, not a failed batch.
        fin = sys.stdin.buffer if str(jsonl) == "-" else open(jsonl, "rb")
    except OSError as exc:
        raise _fail(InputError(f"cannot read {jsonl}: {exc.strerror}")) from exc
    fout = sys.stdout if str(out) == "-" else open(out, "w", encoding="utf-8")
    counts = {"parsed": 0, "errors": 0, "cleaned": 0}

    def records() -> Any:
        """(line number and id, decoded record or the error of that line), blank lines skipped."""
        for lineno, raw in enumerate(fin, 1):
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield (lineno, _salvage_id(raw)), InputError(f"not UTF-8 ({exc.reason} at byte {exc.start})")
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line, strict=False)  # raw control characters in strings: cleaned below
            except RecursionError:
                yield (lineno, None), InputError("JSON nested too deeply")
                continue
            except ValueError as exc:
                yield (lineno, None), exc
                continue
            yield (lineno, record.get("id") if isinstance(record, dict) else None), record

    status = _StageStatus()
    try:
        for (lineno, rec_id), result in parse_records(records(), batch_size=batch_size, on_stage=status.update):
            status.clear()
            if isinstance(result, Exception):
                result = {"id": rec_id, "error": f"line {lineno}: {result}"}
                counts["errors"] += 1
            else:
                counts["parsed"] += 1
                counts["cleaned"] += bool(result["warnings"])
            fout.write(_json_line(result) + "\n")
    finally:
        status.close()
        if fin is not sys.stdin.buffer:
            fin.close()
        if fout is not sys.stdout:
            fout.close()
    if json_out and fout is not sys.stdout:
        _emit({**counts, "out": str(out)})
    raise typer.Exit(EXIT_OK if counts["errors"] == 0 else EXIT_PROBLEM)


@app.command()
def check(
    origin: Annotated[str, typer.Argument(help="The place measured from, e.g. 'Kyiv'.")],
    border: Annotated[Optional[str], typer.Option(help="Measure to this country/region/sea's border, e.g. Belarus.")] = None,
    to: Annotated[Optional[str], typer.Option(help="Measure to this place instead, e.g. Minsk.")] = None,
    claimed: Annotated[Optional[float], typer.Option(help="The claimed distance (in --unit).")] = None,
    bound: Annotated[str, typer.Option(help="at-most | at-least | about | exact (or 'as close as', 'more than').")] = "exact",
    unit: Annotated[str, typer.Option(help="km | mi | nmi | m")] = "km",
    json_out: JsonOption = False,
    layer: Annotated[Optional[str], typer.Option(help="Check against this stored user layer instead, e.g. "
                                                     "'control' or 'control 2022-03-01' (see: geo-app layers).")] = None,
    feature: Annotated[Optional[str], typer.Option(help="With --layer: one feature of it (key, id or name).")] = None,
    on: Annotated[Optional[str], typer.Option(help="With --layer: the layer as it was on this day (YYYY-MM-DD).")] = None,
    claim_type: Annotated[str, typer.Option("--claim", help="With --layer: distance | containment | adjacency | "
                                                            "coastal | membership | region.")] = "distance",
    direction: Annotated[Optional[str], typer.Option(help="With --layer: its part a direction names, e.g. south.")] = None,
    db: Annotated[Optional[Path], typer.Option("--db", help="With --layer: the store file (default: settings.DB_PATH).",
                                               dir_okay=False)] = None,
) -> None:
    """Check a distance claim. Example: geo-app check "Kyiv" --border Belarus --claimed 100 --bound at-most

    Against your own layer: geo-app check "Kyiv" --layer "control 2022-03-01" --claim containment

    Exit 0 when the claim is consistent (or no figure was claimed), 1 when it is not.
    """
    from geo_app.check import check_distance

    if layer is None and (feature or on or direction or claim_type != "distance"):
        raise _fail(InputError("--feature, --on, --claim and --direction go with --layer"))
    if layer is not None:
        _check_layer_cmd(origin, layer, feature=feature, on=on, claim_type=claim_type, claimed=claimed, bound=bound,
                         unit=unit, direction=direction, db=db, border=border, to=to, json_out=json_out)
    if (border is None) == (to is None):
        raise _fail(InputError("give exactly one of --border, --to or --layer"))
    try:
        claim = check_distance(origin, border=border, to=to, claimed_km=claimed, bound=bound, unit=unit)
    except GeoAppError as exc:
        raise _fail(exc) from exc
    if json_out:
        _emit(claim.to_dict())
    else:
        print(claim.summary())
    raise typer.Exit(EXIT_OK if claim.verdict in (None, "consistent") else EXIT_PROBLEM)


@app.command("eval")
def eval_cmd(
    corpus: Annotated[list[str], typer.Argument(help="Corpus files or folders, or the names LGL / GeoWebNews.")] = None,  # type: ignore[assignment]
    limit: Annotated[Optional[int], typer.Option(help="Only the first N documents of each corpus.")] = None,
    json_out: JsonOption = False,
    gold_spans: Annotated[bool, typer.Option(help="Also score resolution on gold spans.")] = True,
) -> None:
    """Score recognition and resolution on LGL / GeoWebNews. Example: geo-app eval LGL GeoWebNews"""
    from geo_app.batch import eval as ev
    from geo_app.batch.run_eval import area_of, parse_for_eval, resolve_corpus_arg, resolve_gold_spans

    results = {}
    try:
        for name in corpus or ["LGL", "GeoWebNews"]:
            kind, file = ev.sniff_corpus(resolve_corpus_arg(name))
            docs = ev.read_corpus(file)
            results[kind] = ev.evaluate(docs, parse_for_eval, gold_spans_resolver=resolve_gold_spans if gold_spans else None,
                                        area_of=area_of, limit=limit, progress=not json_out)
    except GeoAppError as exc:
        raise _fail(exc) from exc
    if json_out:
        _emit(results)
    else:
        print(ev.format_table(results))


# --- report store: ingest, analyze, export, reports (geo_app.io.store, geo_app.batch.distributed) ----------------

EXIT_INTERRUPTED = 130  # Ctrl-C: committed work is kept; rerun to continue



def _open_store(db: Optional[Path]) -> Any:
    import sqlite3

    from geo_app.io.store import Store

    try:
        return Store(db)
    except GeoAppError as exc:
        raise _fail(exc) from exc
    except sqlite3.Error as exc:
        raise _fail(DataError(f"cannot open the store {db or '(default)'}: {exc}")) from exc
    except OSError as exc:
        raise _fail(InputError(f"cannot open the store {db or '(default)'}: {exc.strerror or exc}")) from exc


class _Progress:
    """A rich progress bar on stderr with the three calls the store's loops make (update, reset, close).

    A bar on a terminal; nothing when stderr is a file or a pipe (so ``--json`` output stays clean).
    """

    def __init__(self, total: int | None, unit: str, desc: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        console = Console(stderr=True)
        self._bar = Progress(TextColumn(f"{desc}"), BarColumn(), MofNCompleteColumn(), TextColumn(unit),
                             TimeRemainingColumn(), console=console, transient=True,
                             disable=not console.is_terminal)
        self._task = self._bar.add_task(desc, total=total)
        self._bar.start()

    def update(self, n: int = 1) -> None:
        """Advance by ``n`` items."""
        self._bar.advance(self._task, n)

    def reset(self, total: int | None = None) -> None:
        """Start again from 0 with a known total."""
        self._bar.reset(self._task, total=total)

    def close(self) -> None:
        """Remove the bar."""
        self._bar.stop()


class _StageStatus:
    """The step a big report is at (``parse --jsonl``), as a bar on stderr; nothing when stderr is
    not a terminal. Started on the first big report only, so small batches pay nothing."""

    _LABELS = {"extract": "finding names (model)", "resolve": "resolving places", "claims": "checking claims",
               "done": "done"}

    def __init__(self) -> None:
        self._bar: Any = None
        self._task: Any = None

    def update(self, key: tuple[int, Any], stage: str, done: float) -> None:
        """Show ``stage`` of the record on line ``key[0]`` with ``done`` (0..1) of its work done."""
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            console = Console(stderr=True)
            if not console.is_terminal:
                self._bar = False
                return
            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                                 console=console, transient=True)
            self._task = self._bar.add_task("", total=1.0)
            self._bar.start()
        if self._bar:
            rec = f" ({key[1]})" if key[1] is not None else ""
            self._bar.update(self._task, completed=done,
                             description=f"line {key[0]}{rec}: {self._LABELS.get(stage, stage)}", visible=True)

    def clear(self) -> None:
        """Hide the bar until the next big report."""
        if self._bar:
            self._bar.update(self._task, visible=False)

    def close(self) -> None:
        """Remove the bar."""
        if self._bar:
            self._bar.stop()


def _progress(total: int | None, unit: str, desc: str) -> _Progress:
    return _Progress(total, unit, desc)


def _store_call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a store operation; errors become one line on stderr and an exit code."""
    import sqlite3

    try:
        return fn(*args, **kwargs)
    except GeoAppError as exc:
        raise _fail(exc) from exc
    except sqlite3.Error as exc:
        raise _fail(DataError(f"store error: {exc}")) from exc


_HELP_INGEST = "\n\n".join((
    'Add reports to the store; the same report twice is stored once.',
    'Folders are read recursively (other file types are skipped and counted); a JSONL file holds one '
    '{"id", "text", "source"?, "published"?, "url"?} per line. Bad inputs (binary, empty, not UTF-8, too '
    'large) are rejected with a reason; the rest are stored.',
    'Example: geo-app ingest data/samples/*.txt more_reports/ feed.jsonl --json',
    'Exit codes: 0 done; 1 some inputs rejected (the rest are stored); 2 bad usage or a path that does '
    'not exist; 3 the store is unusable; 130 interrupted (committed batches are kept).',
))


@app.command(help=_HELP_INGEST)
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Report files (.txt .md .html), folders, JSONL files.")],
    source: Annotated[str, typer.Option(help="Source name for reports that do not state one.")] = "",
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Add reports to the store; the same report twice is stored once."""
    from geo_app.io.ingest import ingest_paths

    store = _open_store(db)
    bar = _progress(None, "file", "ingest")
    try:
        summary = _store_call(ingest_paths, store, paths, source=source,
                              progress=lambda _name: bar.update(1), on_start=lambda n: bar.reset(total=n))
        counts = store.counts()
    except KeyboardInterrupt:
        print("interrupted: reports committed so far are stored; rerun to add the rest", file=sys.stderr)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        bar.close()
        store.close()
    result = {**summary.to_dict(), "db": str(store.path), "stored": counts["reports"]}
    if json_out:
        _emit(result)
    else:
        for r in summary.rejected:
            print(f"rejected {r.origin}: {r.reason}", file=sys.stderr)
        print(f"added {result['added']}, duplicates {result['duplicates']}, rejected {result['rejected']}, "
              f"skipped {result['skipped']} (other file types); {counts['reports']} reports in {store.path}")
    raise typer.Exit(EXIT_PROBLEM if summary.rejected else EXIT_OK)


_HELP_ANALYZE_CMD = "\n\n".join((
    'Analyse every stored report not yet analysed, committing batch by batch.',
    'Interrupted (Ctrl-C, kill -9) and rerun, it continues where it stopped: committed batches are kept '
    'and no report is analysed into the store twice.',
    'Example: geo-app analyze --workers 2 --json',
    'Example: geo-app analyze --scheduler tcp://10.0.0.5:8786 --since 2022-01-01',
    'Exit codes: 0 done; 1 some reports failed (they stay pending); 2 bad usage, or the Dask scheduler '
    'cannot be reached; 3 the store or bundled data is unusable; 130 interrupted.',
))


@app.command("analyze", help=_HELP_ANALYZE_CMD)
def analyze_cmd(
    since: Annotated[Optional[str], typer.Option(
        help="Only reports published on or after this date (YYYY-MM-DD).")] = None,
    workers: Annotated[int, typer.Option(help="Dask LocalCluster of N worker processes (0: serial, in this process).",
                                         min=0)] = 0,
    scheduler: Annotated[Optional[str], typer.Option(
        help="Use the Dask cluster at this address, e.g. tcp://10.0.0.5:8786.")] = None,
    batch_size: Annotated[Optional[int], typer.Option(help="Reports per task and per commit (default: settings.ANALYZE_BATCH_SIZE, 32).",
                                                      min=1)] = None,
    outdated: Annotated[bool, typer.Option(help="Also re-analyse reports analysed by another geo_app or data version "
                                                "(the old result stays until the new one is committed).")] = False,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Analyse every stored report not yet analysed, committing batch by batch."""
    from geo_app.batch.distributed import run_analysis

    store = _open_store(db)
    bar = _progress(None, "report", "analyze")
    try:
        summary = _store_call(run_analysis, store, since=since, outdated=outdated, workers=workers,
                              scheduler=scheduler, chunk_size=batch_size, progress=bar.update,
                              on_start=lambda n: bar.reset(total=n))
        counts = store.counts()
    except KeyboardInterrupt:  # outside run_analysis' own handling (e.g. while opening the cluster)
        print("interrupted: analyses committed so far are stored; rerun to continue", file=sys.stderr)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. a Dask worker lost: say so in one line, keep what is committed
        if _state["verbose"]:
            traceback.print_exception(exc, file=sys.stderr)
        print(f"error: analysis stopped ({type(exc).__name__}: {exc}); analyses committed so far are stored, "
              "rerun to continue", file=sys.stderr)
        raise typer.Exit(EXIT_PROBLEM) from None
    finally:
        bar.close()
        store.close()
    result = {**summary.to_dict(), "db": str(store.path), "stored": counts["reports"],
              "analysed_total": counts["analysed"]}
    if json_out:
        _emit(result)
    else:
        for report_id, reason in summary.failed:
            print(f"failed report {report_id}: {reason}", file=sys.stderr)
        rate = f" ({result['docs_per_second']} reports/s)" if result["docs_per_second"] else ""
        print(f"analysed {summary.analysed} of {summary.pending} pending{rate}, failed {len(summary.failed)}, "
              f"{summary.mode}; {counts['analysed']} of {counts['reports']} reports analysed in {store.path}")
    if summary.interrupted:
        print(f"interrupted: {summary.analysed} analyses committed; rerun to continue", file=sys.stderr)
        raise typer.Exit(EXIT_INTERRUPTED)
    raise typer.Exit(EXIT_PROBLEM if summary.failed else EXIT_OK)


_HELP_EXPORT_CMD = "\n\n".join((
    'Export the map features of analysed reports in the documented feature schema.',
    "A feature is in the window when its dates (the event date stated in its sentence, else the report's "
    'publication date) overlap [--from, --to]; with a bound, undated features are left out. An area '
    'mentioned many times is written once, with every mention in its "mentions" list. GeoPackage 1.2 '
    '(DATE columns, spatial index; GDAL 3.6 and QGIS open it without a warning). CSV cells '
    'starting with = + - @ get a leading apostrophe so a spreadsheet never runs them, and no cell is over '
    "Excel's 32,767 characters (a polygon too big for one cell is simplified: wkt_simplified_deg says by how "
    'much); --excel adds the UTF-8 byte order mark Excel needs. The file is written whole or not at all.',
    'Example: geo-app export --format gpkg --from 2022-02-01 --to 2022-02-28 february.gpkg',
    'Example: geo-app export --format csv --excel february.csv',
    'Exit codes: 0 done; 2 bad usage (format, dates, output path); 3 the store is unusable.',
))


@app.command("export", help=_HELP_EXPORT_CMD)
def export_cmd(
    out: Annotated[Path, typer.Argument(
        help="Output file ('-': stdout, for geojson and csv; --json is then ignored).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="geojson | gpkg | csv.")] = "geojson",
    date_from: DateFromOption = None,
    date_to: DateToOption = None,
    excel: Annotated[bool, typer.Option(
        "--excel", help="CSV for Excel: UTF-8 byte order mark and CRLF line ends.")] = False,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Export the map features of analysed reports in the documented feature schema."""
    from geo_app.io.export import export_bytes, write_atomic

    fmt = fmt.lower()
    if str(out) == "-" and fmt == "gpkg":
        raise _fail(InputError("a GeoPackage cannot go to stdout; give a file name"))
    if excel and fmt != "csv":
        raise _fail(InputError(f"--excel applies to --format csv, not {fmt}"))
    with _open_store(db) as store:
        data, counts = _store_call(export_bytes, store, fmt, date_from=date_from, date_to=date_to, excel=excel)
    if str(out) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        path = write_atomic(out, data)
    except GeoAppError as exc:
        raise _fail(exc) from exc
    except OSError as exc:
        raise _fail(InputError(f"cannot write {out}: {exc.strerror or exc}")) from exc
    result = {"format": fmt, "out": str(path), "bytes": len(data), **counts, "from": date_from, "to": date_to,
              "db": str(store.path)}
    if json_out:
        _emit(result)
    else:
        merged = f" (repeated areas written once: {counts['areas_merged']} rows folded)" if counts.get("areas_merged") \
            else ""
        print(f"wrote {counts['features']} features of {counts['reports']} reports to {path} ({fmt}){merged}")


reports_app = typer.Typer(help="List, search and remove stored reports.", no_args_is_help=True)
app.add_typer(reports_app, name="reports")


def _print_reports(rows: list[Any], json_out: bool, db_path: Path) -> None:
    if json_out:
        _emit({"db": str(db_path), "count": len(rows), "reports": [r.to_dict() for r in rows]})
        return
    for r in rows:
        title = (r.title or "(untitled)")[:60]
        print(f"{r.id:>6}  {r.published or '----------'}  {'analysed' if r.analysed else 'pending '}  "
              f"{(r.source or '-')[:24]:24}  {title}")


_HELP_REPORTS_LIST = "\n\n".join((
    'List stored reports, oldest publication first.',
    'Example: geo-app reports list --limit 20',
    'Exit codes: 0 done; 2 bad usage; 3 the store is unusable.',
))


@reports_app.command("list", help=_HELP_REPORTS_LIST)
def reports_list(
    limit: Annotated[int, typer.Option(help="At most this many (0: all).", min=0)] = 50,
    offset: Annotated[int, typer.Option(help="Skip this many first.", min=0)] = 0,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """List stored reports, oldest publication first."""
    with _open_store(db) as store:
        rows = _store_call(store.list, limit=limit or None, offset=offset)
    _print_reports(rows, json_out, store.path)


_HELP_REPORTS_SEARCH = "\n\n".join((
    'Search stored reports by text, source and publication date (case-insensitive).',
    'Example: geo-app reports search Gomel drills --source "harbour wire" --from 2022-02-01',
    'Exit codes: 0 done (also when nothing matches); 2 bad usage or dates; 3 the store is unusable.',
))


@reports_app.command("search", help=_HELP_REPORTS_SEARCH)
def reports_search(
    words: Annotated[Optional[list[str]], typer.Argument(
        help="Words that must all occur in the title or text.")] = None,
    source: Annotated[Optional[str], typer.Option(help="Text that must occur in the source name.")] = None,
    date_from: Annotated[Optional[str], typer.Option("--from", help="Published on or after (YYYY-MM-DD).")] = None,
    date_to: Annotated[Optional[str], typer.Option("--to", help="Published on or before (YYYY-MM-DD).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (0: all).", min=0)] = 50,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Search stored reports by text, source and publication date (case-insensitive)."""
    with _open_store(db) as store:
        rows = _store_call(store.search, " ".join(words or []), source=source, date_from=date_from,
                           date_to=date_to, limit=limit or None)
    _print_reports(rows, json_out, store.path)


_HELP_REPORTS_REMOVE = "\n\n".join((
    'Remove reports with their analyses and features (all of them or, if one id is unknown, none).',
    'Example: geo-app reports remove 12 13',
    'Exit codes: 0 removed; 2 an id is not stored (nothing removed); 3 the store is unusable.',
))


@reports_app.command("remove", help=_HELP_REPORTS_REMOVE)
def reports_remove(
    ids: Annotated[list[int], typer.Argument(help="Store ids (see: geo-app reports list).")],
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Remove reports with their analyses and features (all of them or, if one id is unknown, none)."""
    with _open_store(db) as store:
        removed = _store_call(store.remove, ids)
        left = store.counts()["reports"]
    if json_out:
        _emit({"db": str(store.path), "removed": removed, "count": len(removed), "stored": left})
    else:
        print(f"removed {len(removed)} report(s): {', '.join(map(str, removed))}; {left} left in {store.path}")


@app.command("map")
def map_cmd(
    reports: Annotated[list[Path], typer.Argument(help="Report files (.txt, .md, .html).")],
    png: Annotated[Optional[Path], typer.Option("--png", help="Write a static PNG map for briefs.")] = None,
    html: Annotated[Optional[Path], typer.Option("--html", help="Write a standalone offline HTML map with a time slider.")] = None,
    geojson: Annotated[Optional[Path], typer.Option("--geojson", help="Write the features as RFC 7946 GeoJSON.")] = None,
    date_from: DateFromOption = None,
    date_to: DateToOption = None,
    dpi: Annotated[int, typer.Option("--dpi", help="PNG resolution: 150 or 300.")] = 150,
    title: Annotated[Optional[str], typer.Option("--title", help="Map title (default: the reports' titles).")] = None,
    json_out: JsonOption = False,
    subtitle: Annotated[Optional[str], typer.Option("--subtitle", help="PNG subtitle (default: the date window).")] = None,
    bbox: Annotated[Optional[str], typer.Option(
        "--bbox", "--extent", help="PNG frame west,south,east,north in degrees (default: where the places concentrate).")
    ] = None,
    width_cm: Annotated[Optional[float], typer.Option(
        "--width-cm", help="PNG print width in cm, fonts at true size (default 16; 8 for one column).")] = None,
) -> None:
    """Map reports to PNG / HTML / GeoJSON. Example: geo-app map a.txt b.txt --png out.png --from 2022-02-01 --to 2022-02-20"""
    from geo_app.ui.usecases import run_map_command

    try:
        result = run_map_command(reports, png=png, html=html, geojson=geojson, date_from=date_from, date_to=date_to,
                                 dpi=dpi, title=title, subtitle=subtitle, bbox=bbox, width_cm=width_cm)
    except GeoAppError as exc:
        raise _fail(exc) from exc
    except OSError as exc:
        raise _fail(_file_error(exc)) from exc
    if json_out:
        _emit(result)
        return
    window = " to ".join(d or "any" for d in result["window"])
    print(f"{len(result['reports'])} report(s), {result['features']} feature(s), window {window}")
    for kind, path in result["written"].items():
        print(f"  {kind}: {path}")


# --- brief: a DOCX or PDF of the map, the claims and the notes (geo_app.render.brief) -------------------------


@app.command("brief")
def brief_cmd(
    reports: Annotated[list[Path], typer.Argument(help="Report files (.txt, .md, .html).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Write the brief here: .docx (editable) or .pdf.")],
    date_from: DateFromOption = None,
    date_to: DateToOption = None,
    title: Annotated[Optional[str], typer.Option("--title", help="Brief title (default: the reports' titles).")] = None,
    bbox: Annotated[Optional[str], typer.Option(
        "--bbox", "--extent", help="Map frame west,south,east,north in degrees (default: where the places concentrate).")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Write a brief (map, claims table, places, agreement, notes). Example: geo-app brief a.txt b.txt --out brief.docx"""
    from geo_app.ui.usecases import run_brief_command

    try:
        result = run_brief_command(reports, out, date_from=date_from, date_to=date_to, title=title, bbox=bbox)
    except GeoAppError as exc:
        raise _fail(exc) from exc
    except OSError as exc:
        raise _fail(_file_error(exc)) from exc
    if json_out:
        _emit(result)
        return
    print(f"{len(result['reports'])} report(s), {result['claims']} claim(s): {result['written']}")


@app.command("app")
def app_cmd(
    port: Annotated[int, typer.Option(help="Port on localhost.")] = 8501,
    address: Annotated[str, typer.Option(help="Address to listen on (keep it local).")] = "localhost",
) -> None:
    """Start the Streamlit app on localhost with the sample reports loaded. Example: geo-app app"""
    from geo_app.ui.app import launch

    raise typer.Exit(launch(port=port, address=address))


# --- user layers: your own boundary files (geo_app.layers; stored layers by name: geo_app.ui.usecases) -------
# Like the other commands, these import their parts when they run (geopandas, GDAL): `--help` stays fast.

layers_app = typer.Typer(help="Add, list and remove your own boundary layers (shapefiles, GeoPackage, GeoJSON, KML).",
                         no_args_is_help=True)
app.add_typer(layers_app, name="layers")


def _check_layer_cmd(origin: str, layer: str, *, feature: Optional[str], on: Optional[str], claim_type: str,
                     claimed: Optional[float], bound: str, unit: str, direction: Optional[str], db: Optional[Path],
                     border: Optional[str], to: Optional[str], json_out: bool) -> None:
    """``geo-app check ... --layer``: print the claim with the layer's name and date, exit 0/1."""
    from geo_app.ui.usecases import check_stored_layer

    if border is not None or to is not None:
        raise _fail(InputError("give exactly one of --border, --to or --layer"))
    with _open_store(db) as store:
        result = _store_call(check_stored_layer, store, origin, layer, feature=feature, on=on,
                             claim_type=claim_type, claimed_km=claimed, bound=bound, unit=unit, direction=direction)
    if json_out:
        _emit(result.to_dict())
    else:
        print(result.summary())
    raise typer.Exit(EXIT_OK if result.verdict in (None, "consistent") else EXIT_PROBLEM)


_HELP_LAYERS_ADD = "\n\n".join((
    'Add a boundary layer of your own to the store: a zipped ESRI shapefile (.zip with .shp, .shx, .dbf, .prj), '
    'a GeoPackage (--layer picks one of its layers), GeoJSON or KML/KMZ.',
    'It is reprojected to WGS84 from the CRS its file names (a shapefile without .prj needs --crs); invalid '
    'geometries are repaired (make_valid) and listed; a file with no geometry, only points, no features, or a zip '
    'without a .shp is rejected with the reason. Files added under one --name with different --date form a dated '
    'series: the map and the checks use the file (or the features, with --date-field) that held on the day.',
    'Example: geo-app layers add control_0301.zip --name control --date 2022-03-01',
    'Example: geo-app layers add zones.gpkg --name "exercise zone" --layer zones --date-field valid_from,valid_to',
    'Exit codes: 0 added (or already stored); 2 the file cannot be used (the reason on stderr), or the name is taken; '
    '3 the store is unusable.',
))


@layers_app.command("add", help=_HELP_LAYERS_ADD)
def layers_add(
    path: Annotated[Path, typer.Argument(help="The layer file (.zip .shp .gpkg .geojson .json .kml .kmz).")],
    name: Annotated[str, typer.Option(help="The layer's name (one name, several dates: a series).")],
    date: Annotated[Optional[str], typer.Option(help="The day the whole file shows (YYYY-MM-DD).")] = None,
    date_field: Annotated[Optional[str], typer.Option(
        help="Field with each feature's date or YYYY-MM-DD/YYYY-MM-DD interval, or two fields 'begin,end'.")] = None,
    layer: Annotated[Optional[str], typer.Option(help="Which layer of a GeoPackage/KML (or shapefile of a zip).")] = None,
    crs: Annotated[Optional[str], typer.Option(help="The file's coordinate system, e.g. EPSG:32635 (for a .shp "
                                                    "without .prj; overrides the file's own).")] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Add a boundary layer of your own to the store."""
    from geo_app.layers import load_user_layer

    try:
        info, gdf, repairs = load_user_layer(path, name=name, date=date, date_field=date_field, layer=layer, crs=crs)
    except GeoAppError as exc:
        raise _fail(exc) from exc
    with _open_store(db) as store:
        stored, added = _store_call(store.add_user_layer, info, gdf, repairs)
    if json_out:
        _emit({**stored.to_dict(), "added": added, "repairs": [str(r) for r in repairs], "db": str(store.path)})
        return
    for r in repairs:
        print(f"repaired {r}", file=sys.stderr)
    for note in stored.notes:
        print(f"note: {note}", file=sys.stderr)
    verb = "added" if added else "already stored:"
    print(f"{verb} layer {stored.name!r} (id {stored.layer_id}) from {stored.source_file}: {stored.feature_count} "
          f"feature(s), {stored.geometry_type}, {stored.crs} -> WGS84, {stored.date_text}, "
          f"{len(repairs)} repaired; in {store.path}")


_HELP_LAYERS_LIST = "\n\n".join((
    'List the stored layers: one line per added file, with its source file, feature count, CRS and dates.',
    'Example: geo-app layers list --json',
    'Exit codes: 0 done; 3 the store is unusable.',
))


@layers_app.command("list", help=_HELP_LAYERS_LIST)
def layers_list(db: DbOption = None, json_out: JsonOption = False) -> None:
    """List the stored layers."""
    with _open_store(db) as store:
        rows = _store_call(store.user_layers)
    if json_out:
        _emit({"db": str(store.path), "count": len(rows), "layers": [r.to_dict() for r in rows]})
        return
    for r in rows:
        print(f"{r.layer_id:>5}  {r.name[:24]:24}  {r.date_text:23}  {r.feature_count:>7} feat.  {r.crs:12}  "
              f"{r.geometry_type:20}  {r.source_file}")


_HELP_LAYERS_REMOVE = "\n\n".join((
    'Remove a stored layer: every file of its series, or one file (--id, or --date).',
    'Example: geo-app layers remove control --date 2022-03-01',
    'Exit codes: 0 removed; 2 no such layer (nothing removed); 3 the store is unusable.',
))


@layers_app.command("remove", help=_HELP_LAYERS_REMOVE)
def layers_remove(
    name: Annotated[str, typer.Argument(help="The layer's name (see: geo-app layers list).")],
    date: Annotated[Optional[str], typer.Option(help="Only the file dated this day.")] = None,
    layer_id: Annotated[Optional[int], typer.Option("--id", help="Only the file with this id.")] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Remove a stored layer (or one file of its series)."""
    with _open_store(db) as store:
        removed = _store_call(store.remove_user_layers, name, date=date, layer_id=layer_id)
        left = len(store.user_layers())
    if json_out:
        _emit({"db": str(store.path), "removed": removed, "count": len(removed), "stored": left})
    else:
        print(f"removed {len(removed)} layer file(s) of {name!r}: {', '.join(map(str, removed))}; {left} left")


_HELP_LAYERS_CHECK = "\n\n".join((
    "Test the places of the stored analyses against a layer, each on its own day (event date, else the "
    "report's publication date): inside or outside, which feature, and the geodesic distance to its boundary.",
    "The GeoJSON written has one point per place and layer, with the layer's name (layer_name) and the date of "
    "the boundary tested against (layer_date) in its properties.",
    'Example: geo-app layers check control --from 2022-03-01 --to 2022-03-31 --out control_checks.geojson',
    'Exit codes: 0 done; 2 bad usage or no such layer; 3 the store is unusable.',
))


@layers_app.command("check", help=_HELP_LAYERS_CHECK)
def layers_check(
    names: Annotated[list[str], typer.Argument(help="Layer names (see: geo-app layers list).")],
    date_from: DateFromOption = None,
    date_to: DateToOption = None,
    out: Annotated[Optional[Path], typer.Option(help="Write the results as GeoJSON here.")] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Test the places of the stored analyses against layers, each on its own day."""
    from geo_app.io.export import write_atomic
    from geo_app.layers import check_places, place_checks_to_geojson
    from geo_app.ui.usecases import stored_layers

    with _open_store(db) as store:
        layers = _store_call(stored_layers, store, names)
        places = _store_call(store.features_gdf, date_from=date_from, date_to=date_to)
    results = _store_call(check_places, places, layers)
    collection = place_checks_to_geojson(results)
    if out is not None:
        try:
            write_atomic(out, json.dumps(collection, ensure_ascii=False).encode("utf-8"))
        except GeoAppError as exc:
            raise _fail(exc) from exc
        except OSError as exc:
            raise _fail(InputError(f"cannot write {out}: {exc.strerror or exc}")) from exc
    counts = {s: int((results["status"] == s).sum()) for s in ("inside", "outside", "no layer on this day")}
    if json_out:
        _emit({"db": str(store.path), "layers": list(layers), "rows": len(results), **counts,
               "out": str(out) if out else None, "results": [f["properties"] for f in collection["features"]]})
        return
    for row in results.itertuples():
        km = "" if row.distance_km is None or _isnan(row.distance_km) else f"{row.distance_km:.1f} km"
        print(f"{row.day or '----------'}  {str(row.place)[:24]:24}  {row.layer_name[:20]:20}  "
              f"{row.layer_date or 'undated':23}  {row.status:8}  {str(row.feature_name or '')[:20]:20}  {km}")
    print(f"{len(results)} place test(s): {counts['inside']} inside, {counts['outside']} outside, "
          f"{counts['no layer on this day']} with no layer on their day" + (f"; wrote {out}" if out else ""))


def _isnan(value: Any) -> bool:
    """True for None and NaN."""
    return value is None or (isinstance(value, float) and value != value)


if __name__ == "__main__":
    app()
