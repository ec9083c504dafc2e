"""Use cases shared by the two shells (the command line and the Streamlit page).

Each is a plain function over the core: the shells parse arguments or widgets, call one of
these, and show the result; neither computes what the core can.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from geo_app import features as L
from geo_app._errors import InputError
from geo_app.pipeline import analyze
from geo_app.render import maps, plot
from geo_app.text.reports import read_report_file


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
    start, end = L.as_iso(date_from), L.as_iso(date_to)
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
        Path(geojson).write_text(L.to_geojson_text(gdf), encoding="utf-8")
        written["geojson"] = str(geojson)
    if html:
        Path(html).write_text(maps.export_html(gdf, title=map_title), encoding="utf-8")
        written["html"] = str(html)
    if png:
        Path(png).write_bytes(plot.render_png(gdf, title=map_title, window=(start, end), dpi=dpi))
        written["png"] = str(png)
    return {"reports": [a.report_id for a in analyses], "features": int(len(gdf)),
            "window": [start, end], "written": written}
