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
from geo_app.layers.timeline import iso_day, resolve_layer_name
from geo_app.pipeline import analyze
from geo_app.render import maps, plot
from geo_app.text.reports import read_report_file
from geo_app.io.geojson import to_geojson_text

if TYPE_CHECKING:
    from geo_app.io.store import Store

__all__ = ["check_stored_layer", "run_map_command", "stored_layer", "stored_layers"]


# --- maps (geo-app map) ------------------------------------------------------------------------------------


def run_map_command(paths: Sequence[str | Path], png: str | Path | None = None, html: str | Path | None = None,
                    geojson: str | Path | None = None, date_from: str | None = None, date_to: str | None = None,
                    *, dpi: int = 150, title: str | None = None) -> dict[str, Any]:
    """``geo-app map``: analyse report files and write the PNG / HTML / GeoJSON maps asked for.

    Returns
    -------
    dict
        ``{"reports", "features", "window", "written": {kind: path}}`` (JSON-ready).
    """
    if not paths:
        raise InputError("give at least one report file")
    if not (png or html or geojson):
        raise InputError("nothing to write: give --png, --html and/or --geojson")
    start, end = L.iso_day(date_from), L.iso_day(date_to)
    if start and end and start > end:
        raise InputError(f"--from {start} is after --to {end}")
    analyses = []
    for p in paths:
        report = read_report_file(p)
        analyses.append(analyze(report.text, report.published, report_id=report.report_id, source=report.source))
    gdf = L.filter_window(L.features_gdf(analyses), start, end)
    written: dict[str, str] = {}
    map_title = title or (f"{len(analyses)} report{'s' if len(analyses) != 1 else ''}")
    if geojson:
        Path(geojson).write_text(to_geojson_text(gdf), encoding="utf-8")
        written["geojson"] = str(geojson)
    if html:
        Path(html).write_text(maps.export_html(gdf, title=map_title), encoding="utf-8")
        written["html"] = str(html)
    if png:
        Path(png).write_bytes(plot.render_png(gdf, title=map_title, window=(start, end), dpi=dpi))
        written["png"] = str(png)
    return {"reports": [a.report_id for a in analyses], "features": int(len(gdf)),
            "window": [start, end], "written": written}


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
