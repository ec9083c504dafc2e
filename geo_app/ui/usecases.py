"""Use cases shared by the two shells (the command line and the Streamlit page).

Each is a plain function over the core: the shells parse arguments or widgets, call one of
these, and show the result; neither computes what the core can. The core packages never open
the store: the functions here look stored layers up by name and hand them over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd

from geo_app import features as L
from geo_app._errors import InputError
from geo_app.layers.check import LayerClaim, check_layer
from geo_app._util import iso_day
from geo_app.layers.timeline import resolve_layer_name
from geo_app.pipeline import analyze
from geo_app.render import maps, plot
from geo_app.text.reports import Report, headline, read_report_file
from geo_app.io.geojson import to_geojson_text
from geo_app.render import brief as B

if TYPE_CHECKING:
    from geo_app.io.store import Store

__all__ = ["check_stored_layer", "run_brief_command", "run_map_command", "stored_layer", "stored_layers"]


# --- maps and briefs (geo-app map, geo-app brief) ----------------------------------------------------------


def report_title(report: Report) -> str:
    """How a brief names a report: its title, else its headline (a short first line without a full stop,
    standing alone), else its file name, else its first words."""
    if report.title.strip():
        return report.title.strip()
    first = headline(report.text)
    if first:
        return first
    name = str(report.meta.get("file") or "")
    if name:
        return name
    words = " ".join(report.text.split())
    return words[:60] + ("…" if len(words) > 60 else "") if words else "(empty report)"


def default_title(reports: Sequence[Report]) -> str:
    """A map's or brief's title by default: the reports' titles (the first few, then a count)."""
    titles = list(dict.fromkeys(report_title(r) for r in reports))
    if not titles:
        return "geo_app map"
    shown = titles[:3]
    more = len(titles) - len(shown)
    return "; ".join(shown) + (f"; and {more} more report{'s' if more != 1 else ''}" if more else "")


def report_labels(reports: Sequence[Report]) -> dict[str, str]:
    """Report id -> how a brief names it: ``source: title`` (title alone without a source)."""
    return {r.report_id: (f"{r.source}: {report_title(r)}" if r.source else report_title(r)) for r in reports}


def parse_bbox(text: str | Sequence[float] | None) -> tuple[float, float, float, float] | None:
    """``"west,south,east,north"`` (degrees) as four floats; None for None or ''. InputError if malformed."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p] if isinstance(text, str) else list(text)
    try:
        values = tuple(float(p) for p in parts)
    except (TypeError, ValueError):
        raise InputError(f"--bbox {text!r}: give west,south,east,north in degrees, e.g. 20,44,42,56") from None
    if len(values) != 4:
        raise InputError(f"--bbox {text!r}: give four numbers, west,south,east,north in degrees")
    w, s, e, n = values
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise InputError(f"--bbox {text!r}: need -180 <= west < east <= 180 and -90 <= south < north <= 90")
    return (w, s, e, n)


def view_bbox(map_state: Any) -> tuple[float, float, float, float] | None:
    """The bbox of the app's map as the user left it (``st_folium``'s ``bounds``), or None.

    Accepts ``{"bounds": {"_southWest": {"lat", "lng"}, "_northEast": {...}}}``; longitudes
    outside [-180, 180] (a panned Leaflet map) are clamped.
    """
    try:
        b = map_state["bounds"]
        sw, ne = b["_southWest"], b["_northEast"]
        w, s, e, n = float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"])
    except (KeyError, TypeError, ValueError):
        return None
    w, e = max(w, -180.0), min(e, 180.0)
    s, n = max(s, -89.0), min(n, 89.0)
    if not (w < e and s < n):
        return None
    return (w, s, e, n)


def _analyse_files(paths: Sequence[str | Path]) -> tuple[list[Report], list[Any]]:
    if not paths:
        raise InputError("give at least one report file")
    reports, analyses = [], []
    for p in paths:
        report = read_report_file(p)
        reports.append(report)
        analyses.append(analyze(report.text, report.published, report_id=report.report_id, source=report.source))
    return reports, analyses


def _window(date_from: str | None, date_to: str | None) -> tuple[str | None, str | None]:
    start, end = iso_day(date_from), iso_day(date_to)
    if start and end and start > end:
        raise InputError(f"--from {start} is after --to {end}")
    return start, end


def run_map_command(paths: Sequence[str | Path], png: str | Path | None = None, html: str | Path | None = None,
                    geojson: str | Path | None = None, date_from: str | None = None, date_to: str | None = None,
                    *, dpi: int = 150, title: str | None = None, subtitle: str | None = None,
                    bbox: str | Sequence[float] | None = None, width_cm: float | None = None) -> dict[str, Any]:
    """``geo-app map``: analyse report files and write the PNG / HTML / GeoJSON maps asked for.

    Parameters
    ----------
    bbox : "west,south,east,north" or four floats, optional
        The PNG's frame in degrees (the focus extent of the features if None).
    title, subtitle : str, optional
        The PNG's title (the reports' titles if None) and subtitle (the date window if None).
    width_cm : float, optional
        The PNG's print width (:data:`geo_app.settings.PLOT_WIDTH_CM` if None).

    Returns
    -------
    dict
        ``{"reports", "features", "window", "written": {kind: path}}`` (JSON-ready); with a PNG,
        also ``"png": {"bbox", "crs", "outside_frame", "labels_drawn", "labels_dropped"}``.
    """
    if not (png or html or geojson):
        raise InputError("nothing to write: give --png, --html and/or --geojson")
    start, end = _window(date_from, date_to)
    extent = parse_bbox(bbox)
    reports, analyses = _analyse_files(paths)
    gdf = L.filter_window(L.features_gdf(analyses), start, end)
    written: dict[str, str] = {}
    map_title = title or default_title(reports)
    out: dict[str, Any] = {"reports": [a.report_id for a in analyses], "features": int(len(gdf)),
                           "window": [start, end], "written": written}
    if geojson:
        Path(geojson).write_text(to_geojson_text(gdf), encoding="utf-8")
        written["geojson"] = str(geojson)
    if html:
        Path(html).write_text(maps.export_html(gdf, title=map_title), encoding="utf-8")
        written["html"] = str(html)
    if png:
        data, info = plot.render(gdf, title=map_title, window=(start, end), dpi=dpi, extent=extent,
                                 subtitle=subtitle, width_cm=width_cm, sources=sources_of(reports))
        Path(png).write_bytes(data)
        written["png"] = str(png)
        out["png"] = {"bbox": list(info.bbox_lonlat), "crs": info.crs, "outside_frame": info.outliers,
                      "labels_drawn": info.labels_drawn, "labels_dropped": info.labels_dropped}
    return out


def sources_of(reports: Sequence[Report]) -> list[str]:
    """The publishers a map credits, once each (a report without a source by its title)."""
    return list(dict.fromkeys(r.source or report_title(r) for r in reports))


def brief_bytes(reports: Sequence[Report], analyses: Sequence[Any], gdf: Any, *, kind: str,
                title: str | None = None, window: tuple[Any, Any] | None = None,
                bbox: Sequence[float] | None = None, dpi: int = 300) -> bytes:
    """A brief (``kind`` "docx" or "pdf") of analysed reports' features ``gdf`` (already filtered).

    The map is the brief-ready PNG (:func:`geo_app.render.plot.render`, framed on ``bbox`` or
    the focus extent); the rest is :func:`geo_app.render.brief.assemble`.
    """
    if kind not in ("docx", "pdf"):
        raise InputError(f"a brief is docx or pdf, not {kind!r}")
    map_title = title or default_title(reports)
    png, info = plot.render(gdf, title=map_title, window=window, dpi=dpi, extent=bbox, sources=sources_of(reports))
    content = B.assemble(analyses, gdf, title=map_title, window=plot.window_text(window, gdf), map_png=png,
                         labels=report_labels(reports), outliers=info.outliers)
    return B.to_docx(content) if kind == "docx" else B.to_pdf(content)


def run_brief_command(paths: Sequence[str | Path], out: str | Path, *, date_from: str | None = None,
                      date_to: str | None = None, title: str | None = None,
                      bbox: str | Sequence[float] | None = None, dpi: int = 300) -> dict[str, Any]:
    """``geo-app brief``: analyse report files and write a DOCX or PDF brief (by ``out``'s suffix).

    Returns
    -------
    dict
        ``{"reports", "claims", "window", "written"}`` (JSON-ready).
    """
    suffix = Path(out).suffix.lower()
    if suffix not in B.BRIEF_SUFFIXES:
        raise InputError(f"--out {out}: a brief is written as {' or '.join(B.BRIEF_SUFFIXES)}")
    start, end = _window(date_from, date_to)
    extent = parse_bbox(bbox)
    reports, analyses = _analyse_files(paths)
    gdf = L.filter_window(L.features_gdf(analyses), start, end)
    data = brief_bytes(reports, analyses, gdf, kind=suffix[1:], title=title, window=(start, end), bbox=extent, dpi=dpi)
    Path(out).write_bytes(data)
    n_claims = int((gdf["kind"] == "claim").sum()) if not gdf.empty else 0
    return {"reports": [a.report_id for a in analyses], "claims": n_claims, "window": [start, end],
            "written": str(out)}


# --- stored user layers (geo_app.layers) ------------------------------------------------------------------


def stored_layer(store: Store, text: str) -> tuple[str, str | None, gpd.GeoDataFrame]:
    """A stored layer by a typed name: (its name, the day typed after it or None, its features).

    Parameters
    ----------
    store : Store
        The open store.
    text : str
        A layer's name, or a name and a day ("control 2022-03-01").

    Raises
    ------
    NotFoundError
        No stored layer of that name.
    """
    name, day = resolve_layer_name(store.user_layer_names(), text)
    return name, day, store.user_layer_gdf(name)


def stored_layers(store: Store, texts: Sequence[str]) -> dict[str, gpd.GeoDataFrame]:
    """Stored layers by typed names: name -> features (every date of each series).

    Raises
    ------
    NotFoundError
        A name with no stored layer.
    """
    known = store.user_layer_names()
    out = {}
    for text in texts:
        name, _ = resolve_layer_name(known, text)
        out[name] = store.user_layer_gdf(name)
    return out


def check_stored_layer(store: Store, origin: str, layer: str, *, on: dt.date | str | None = None,
                       **options: Any) -> LayerClaim:
    """:func:`geo_app.layers.check.check_layer` against a stored layer named as typed.

    Parameters
    ----------
    store : Store
        The open store.
    origin : str
        Place name, resolved offline.
    layer : str
        A stored layer's name, or a name and a day ("control 2022-03-01").
    on : date or str, optional
        The day; default the day in ``layer``, else the layer's latest state.
    **options
        ``feature``, ``claim_type``, ``claimed_km``, ``bound``, ``unit``, ``direction``
        (as :func:`~geo_app.layers.check.check_layer` takes them).

    Raises
    ------
    NotFoundError
        No such layer or feature, or nothing of the layer holds on that day.
    InputError
        As :func:`~geo_app.layers.check.check_layer`.
    """
    name, named_day, gdf = stored_layer(store, layer)
    return check_layer(origin, gdf, name, on=iso_day(on) or named_day, **options)
