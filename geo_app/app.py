"""The Streamlit page: add reports, analyse them, explore the map in time, export.

A thin shell over the core: :func:`geo_app.pipeline.analyze` (cached with
``st.cache_data``, so moving the date slider never re-runs the geoparser),
:mod:`geo_app.layers` (features and filters), :mod:`geo_app.maps` (the folium map) and
:mod:`geo_app.plot` (the PNG). Start it with ``geo-app app`` (or ``make app``).

The map stays mounted while the slider and filters change: its stable part (borders,
legend, frame) is the ``st_folium`` figure under a fixed ``key``; the features travel in
``feature_group_to_add``; ``returned_objects=[]`` keeps pans and zooms from re-running the
page (streamlit-folium #85, #235). Report text is shown with ``st.text``, in tables and
in popups built with ``textContent``: never as HTML.
"""

from __future__ import annotations

import os
import sys

# `streamlit run geo_app/app.py` puts geo_app/ itself first on sys.path, where our module
# names (distributed, check, store, plot, ...) would shadow installed packages. The package
# is imported as `geo_app`; drop the folder again before anything else is imported.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import datetime as dt  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import replace  # noqa: E402
from typing import Any  # noqa: E402

import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402

from geo_app import layers as L  # noqa: E402
from geo_app import maps  # noqa: E402
from geo_app._errors import GeoAppError  # noqa: E402
from geo_app.reports import Report  # noqa: E402

#: Columns of the table beside the map (and their headings).
TABLE_COLUMNS = {
    "name": "Name", "kind": "Kind", "layer": "Layer", "text": "As written", "days": "Event date",
    "source": "Source", "published": "Published", "verdict": "Verdict", "measured_km": "Measured km",
    "claimed_km": "Claimed km", "confidence": "Confidence", "geonameid": "GeoNames id", "quote": "Quote",
}
_DEFAULT_APP_MAP_HEIGHT = 620
_DEFAULT_APP_PLAY_STEP_SECONDS = 0.8
_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$:"


def _setting(name: str, default: Any) -> Any:
    from geo_app import settings

    return getattr(settings, name, default)


def md_escape(text: object) -> str:
    """Text safe inside Streamlit markdown (labels, captions): every markdown character escaped."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text)).replace("\n", " ")


# --- data (pure functions; the page below calls them) ----------------------------------------


def analysis_key(report: Report) -> tuple[str, str, str, str]:
    """What an analysis depends on: text, publication date, id and source."""
    return (report.text, report.published.isoformat() if report.published else "", report.report_id, report.source)


def analyze_report(text: str, published: str, report_id: str, source: str) -> Any:
    """:func:`geo_app.pipeline.analyze` of one report (wrapped in ``st.cache_data`` by the page)."""
    from geo_app.pipeline import analyze

    return analyze(text, published or None, report_id=report_id, source=source)


def features_of(analyses: Sequence[Any]) -> gpd.GeoDataFrame:
    """Feature GeoDataFrame of analyses (:func:`geo_app.layers.features_gdf`)."""
    return L.features_gdf(analyses)


def agreement(analyses: Sequence[Any], gdf: gpd.GeoDataFrame) -> dict[str, pd.DataFrame]:
    """Cross-report agreement tables: shared places, agreeing and disagreeing claims.

    Uses :func:`geo_app.check.cross_report` when the claim checker is installed, else
    :func:`geo_app.layers.shared_places` (places only).
    """
    try:
        from geo_app.check import cross_report
    except ImportError:
        cross_report = None
    if cross_report is None:
        return {"shared_places": L.shared_places(gdf), "agreements": pd.DataFrame(), "disagreements": pd.DataFrame()}
    found = cross_report(list(analyses))
    sources = {r["report_id"]: r.get("source") or r["report_id"] for r in found.get("reports", [])}
    places = pd.DataFrame([{
        "Place": p["name"], "Reports": len(p["mentions"]),
        "Sources": " | ".join(sources.get(m["report_id"], m["report_id"]) for m in p["mentions"]),
        "Quotes": " | ".join(m["quote"] for m in p["mentions"]),
    } for p in found.get("shared_places", [])])

    def claims_table(items: list[dict[str, Any]]) -> pd.DataFrame:
        rows = []
        for item in items:
            a, b = item["claims"][0], item["claims"][1]
            rows.append({
                "Claim": item["claim_type"],
                "Between": " → ".join(x for x in (a.get("from_name"), a.get("to_name")) if x)
                or " / ".join(item.get("endpoints", [])),
                "Source A": sources.get(a["report_id"], a["report_id"]), "Says A": a.get("claimed_text") or "",
                "Verdict A": a.get("verdict"), "Quote A": a.get("quote"),
                "Source B": sources.get(b["report_id"], b["report_id"]), "Says B": b.get("claimed_text") or "",
                "Verdict B": b.get("verdict"), "Quote B": b.get("quote"),
                "Difference km": item.get("difference_km"),
            })
        return pd.DataFrame(rows)

    return {"shared_places": places, "agreements": claims_table(found.get("agreements", [])),
            "disagreements": claims_table(found.get("disagreements", []))}


def table_of(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """The table beside the map: one row per feature, plain text, indexed by feature id."""
    frame = pd.DataFrame(gdf.drop(columns="geometry"))
    first, last = L.feature_days(gdf)
    frame["days"] = [("" if a is None or pd.isna(a) else (a if a == b or b is None or pd.isna(b) else f"{a} – {b}"))
                     for a, b in zip(first, last)]
    frame = frame[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)
    frame.index = gdf.index
    return frame


def focus_of(gdf: gpd.GeoDataFrame, feature_id: str) -> tuple[list[float], int] | None:
    """([lat, lon], zoom) that shows one feature, or None (no such feature, no geometry)."""
    if feature_id not in gdf.index:
        return None
    geom = gdf.loc[feature_id, "geometry"]
    if geom is None or geom.is_empty:
        return None
    point = geom.representative_point() if geom.geom_type != "Point" else geom
    if geom.geom_type == "Point":
        return [point.y, point.x], 8
    minx, miny, maxx, maxy = geom.bounds
    span = max(maxx - minx, maxy - miny, 0.05)
    import math

    zoom = int(max(2, min(10, math.floor(math.log2(360 / span)) - 1)))
    return [(miny + maxy) / 2, (minx + maxx) / 2], zoom


def exports_for(gdf: gpd.GeoDataFrame, *, title: str, window: tuple[Any, Any] | None) -> dict[str, Callable[[], Any]]:
    """The download builders of a view: ``{"geojson"|"gpkg"|"csv"|"html"|"png": () -> str | bytes}``."""
    return {
        "geojson": lambda: L.to_geojson_text(gdf),
        "gpkg": lambda: L.to_gpkg_bytes(gdf),
        "csv": lambda: L.to_csv_text(gdf),
        "html": lambda: maps.export_html(gdf, title=title),
        "png": lambda: __import__("geo_app.plot", fromlist=["render_png"]).render_png(gdf, title=title, window=window),
    }


def read_upload(name: str, data: bytes, *, source: str = "") -> Report:
    """A report from an uploaded file (.txt, .md, .html); InputError if it cannot be used."""
    from geo_app._errors import InputError
    from geo_app.reports import REPORT_SUFFIXES, decode_bytes, parse_report

    suffix = os.path.splitext(name)[1].lower()
    if suffix not in REPORT_SUFFIXES:
        raise InputError(f"{name}: unsupported file type {suffix!r} (use {', '.join(REPORT_SUFFIXES)})")
    text = decode_bytes(data, name)
    return parse_report(text, name=name, source=source, html_input=suffix in (".html", ".htm"))


def static_url() -> str:
    """Where Streamlit serves ``geo_app/static`` (honours ``server.baseUrlPath``)."""
    import streamlit as st

    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{maps.DEFAULT_STATIC_URL}" if base else maps.DEFAULT_STATIC_URL


# --- the page -------------------------------------------------------------------------------


def main() -> None:
    """Render the page (Streamlit runs this on every interaction)."""
    import streamlit as st
    from streamlit_folium import st_folium

    st.set_page_config(page_title="geo_app: reports to maps", layout="wide")
    maps.use_local_assets(static_url())

    cached_analyze = st.cache_data(show_spinner=False, max_entries=1024)(analyze_report)

    @st.cache_data(show_spinner=False, max_entries=1024)
    def cached_features(key: tuple[str, str, str, str]) -> gpd.GeoDataFrame:
        return features_of([cached_analyze(*key)])

    @st.cache_data(show_spinner=False, max_entries=1024)
    def cached_prepared(key: tuple[str, str, str, str]) -> pd.Series:
        return maps.prepare_features(cached_features(key))

    state = st.session_state
    if "reports" not in state:
        from geo_app.reports import sample_reports

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
            st.text_input("Source (outlet)", key="paste_source")
            st.date_input("Publication date (leave empty if unknown)", value=None, key="paste_published",
                          min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
            if st.button("Add pasted report", key="add_paste"):
                _add_pasted(state)
        uploads = st.file_uploader("Upload reports (.txt, .md, .html)", type=["txt", "md", "html", "htm"],
                                   accept_multiple_files=True, key="uploads")
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
            from geo_app.reports import sample_reports

            for r in sample_reports():
                _add_report(state, r)

        for level, text in state.messages:
            (st.error if level == "error" else st.warning if level == "warning" else st.info)(md_escape(text))
        state.messages = []

        for rid, report in list(state.reports.items()):
            title = report.title or report.text.strip().splitlines()[0][:60] if report.text.strip() else rid
            with st.container(border=True):
                st.checkbox(md_escape(title), value=True, key=f"use_{rid}")
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
            # A new set of reports: the window and filters start again from "everything".
            for k in ("window", "pending_window", "f_sources", "f_kinds", "f_verdicts", "f_layers", "table"):
                state.pop(k, None)
            state.playing = False
        st.caption("Places: GeoNames (CC BY 4.0) · Borders: Natural Earth (public domain)")

    # ---------------- analysis (cached) ----------------
    st.title("geo_app · reports to checked, dated maps")
    if not st.get_option("server.enableStaticServing"):
        st.warning("Static serving is off, so the map cannot load its (local) Leaflet files: start the app with "
                   "`geo-app app` or set `server.enableStaticServing = true`.")
    ids = [rid for rid in state.get("analyzed", []) if rid in state.reports]
    if not ids:
        st.info("Add reports in the sidebar and press **Analyze**.")
        state.view = None
        return
    t0 = time.perf_counter()
    keys = [analysis_key(state.reports[rid]) for rid in ids]
    with st.spinner("Analysing reports…"):
        analyses = [cached_analyze(*k) for k in keys]
        gdf_all = L.concat([cached_features(k) for k in keys])
        prepared = pd.concat([cached_prepared(k) for k in keys])
        prepared = prepared[~prepared.index.duplicated(keep="first")]
    analysis_seconds = time.perf_counter() - t0

    # ---------------- controls ----------------
    span = L.date_range(gdf_all)
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
            if state.playing and window == (lo, hi):
                state["pending_window"] = (lo, lo)
                st.rerun()

    f1, f2, f3, f4 = st.columns(4)
    all_sources = sorted(set(gdf_all["source"].fillna("")))
    sources = f1.multiselect("Sources", all_sources, default=all_sources, key="f_sources",
                             format_func=lambda s: s or "(no source)")
    all_kinds = [k for k in L.KINDS if k in set(gdf_all["kind"])]
    kinds = f2.multiselect("Kinds", all_kinds, default=all_kinds, key="f_kinds")
    all_verdicts = sorted(set(gdf_all["verdict"].dropna()))
    verdicts = f3.multiselect("Claim verdicts", all_verdicts, default=all_verdicts, key="f_verdicts")
    present_layers = [x for x in L.LAYERS if x in set(gdf_all["layer"])]
    shown_layers = f4.multiselect("Layers", present_layers,
                                  default=[x for x in present_layers if x not in L.LAYERS_OFF_BY_DEFAULT],
                                  key="f_layers", format_func=lambda x: maps.LAYER_LABELS.get(x, x))
    o1, o2, o3 = st.columns(3)
    admin1 = o1.toggle("First-level region borders", value=False, key="f_admin1")
    shade = o2.toggle("Shade mentioned countries and regions", value=True, key="f_shade")
    undated = o3.toggle("Keep undated features", value=True, key="f_undated")

    view = L.apply_filters(gdf_all, start=window[0], end=window[1], sources=sources, kinds=kinds,
                           verdicts=verdicts, layers=shown_layers, include_undated=undated)
    on_map = L.mappable(view)
    state.view = {
        "report_ids": ids, "window": (window[0].isoformat(), window[1].isoformat()),
        "date_range": (lo.isoformat(), hi.isoformat()), "feature_ids": list(view.index),
        "n_features": int(len(view)), "n_on_map": int(len(on_map)),
        "n_points": int(on_map.geometry.geom_type.eq("Point").sum()), "layers": L.layer_counts(view),
        "analysis_seconds": analysis_seconds,
    }

    # ---------------- map and table ----------------
    table = table_of(view)
    focus = None
    selected = (state.get("table") or {}).get("selection", {}).get("rows", []) if state.get("table") else []
    last_ids = state.get("table_ids", [])
    if selected and selected[0] < len(last_ids):
        focus = focus_of(gdf_all, last_ids[selected[0]])
    if focus is None:
        focus = maps.view_for(L.focus_bounds(gdf_all))
    state.table_ids = list(table.index)

    left, right = st.columns([3, 2])
    with left:
        st.caption(f"{len(on_map)} features on the map ({state.view['n_points']} points) · "
                   f"{window[0].isoformat()} to {window[1].isoformat()}")
        # The base map never changes (full legend, no frame): new reports, filters and the
        # slider only swap feature groups and move the view, so the map never remounts.
        base = maps.base_map(None, static_url=static_url(), legend=maps.legend_items(None))
        groups = maps.feature_groups(on_map, layers=shown_layers, shade_mentioned=shade, admin1=admin1,
                                     prepared=prepared)
        st_folium(base, key="map", feature_group_to_add=groups or [__import__("folium").FeatureGroup()],
                  returned_objects=[], height=int(_setting("APP_MAP_HEIGHT", _DEFAULT_APP_MAP_HEIGHT)),
                  use_container_width=True, center=focus[0], zoom=focus[1])
    with right:
        st.caption("Click a row to zoom to it.")
        st.dataframe(table, key="table", on_select="rerun", selection_mode="single-row", hide_index=True,
                     height=int(_setting("APP_MAP_HEIGHT", _DEFAULT_APP_MAP_HEIGHT)) - 40,
                     column_config={"Quote": st.column_config.TextColumn(width="large"),
                                    "Confidence": st.column_config.NumberColumn(format="%.2f"),
                                    "Measured km": st.column_config.NumberColumn(format="%.1f")})

    # ---------------- agreement ----------------
    with st.expander("Cross-report agreement: places and claims several reports share", expanded=len(ids) > 1):
        tables = agreement(analyses, gdf_all)
        state.agreement = {k: len(v) for k, v in tables.items()}
        st.markdown("**Places named by more than one report**")
        st.dataframe(tables["shared_places"], hide_index=True)
        st.markdown("**Claims that agree**")
        st.dataframe(tables["agreements"], hide_index=True)
        st.markdown("**Claims that disagree** (figures differ beyond tolerance)")
        st.dataframe(tables["disagreements"], hide_index=True)

    # ---------------- exports ----------------
    title = f"{len(ids)} report{'s' if len(ids) != 1 else ''}: {window[0].isoformat()} to {window[1].isoformat()}"
    builders = exports_for(view, title=title, window=(window[0], window[1]))
    stem = f"geo_app_{window[0].isoformat()}_{window[1].isoformat()}"
    d = st.columns(5)
    d[0].download_button("GeoJSON", builders["geojson"], file_name=f"{stem}.geojson", mime="application/geo+json",
                         key="dl_geojson", on_click="ignore")
    d[1].download_button("GeoPackage", builders["gpkg"], file_name=f"{stem}.gpkg",
                         mime="application/geopackage+sqlite3", key="dl_gpkg", on_click="ignore")
    d[2].download_button("CSV", builders["csv"], file_name=f"{stem}.csv", mime="text/csv", key="dl_csv",
                         on_click="ignore")
    d[3].download_button("HTML map (offline, time slider)", builders["html"], file_name=f"{stem}.html",
                         mime="text/html", key="dl_html", on_click="ignore")
    d[4].download_button("PNG for briefs", builders["png"], file_name=f"{stem}.png", mime="image/png",
                         key="dl_png", on_click="ignore")
    st.caption("Borders: Natural Earth (public domain). Places: GeoNames (CC BY 4.0, geonames.org). "
               "Distances: geodesic on WGS84.")

    # ---------------- playback ----------------
    if state.get("playing"):
        step = dt.timedelta(days=1)
        if window[1] >= hi:
            state.playing = False
        else:
            time.sleep(float(_setting("APP_PLAY_STEP_SECONDS", _DEFAULT_APP_PLAY_STEP_SECONDS)))
            state["pending_window"] = (min(window[0] + step, hi), min(window[1] + step, hi))
            st.rerun()


def _add_report(state: Any, report: Report) -> None:
    if report.report_id in state.reports:
        state.messages.append(("info", f"already loaded: {report.title or report.report_id}"))
        return
    state.reports[report.report_id] = report
    if report.published is None:
        state.messages.append(("warning", f"{report.title or report.report_id}: no publication date found; "
                                          "set one below or relative dates stay unresolved"))


def _add_pasted(state: Any) -> None:
    from geo_app.reports import parse_report

    text = state.get("paste_text") or ""
    try:
        report = parse_report(text, name="pasted", source=state.get("paste_source") or "",
                              published=state.get("paste_published"))
    except (GeoAppError, ValueError) as exc:
        state.messages.append(("error", str(exc)))
        return
    _add_report(state, report)


#: This file: ``streamlit run`` it (Streamlit serves ``static/`` beside it).
APP_FILE = os.path.abspath(__file__)


def streamlit_command(port: int = 8501, address: str = "localhost") -> list[str]:
    """The command line that starts the app (static serving on, no usage statistics, headless)."""
    return [sys.executable, "-m", "streamlit", "run", APP_FILE, "--server.port", str(int(port)),
            "--server.address", address, "--server.enableStaticServing", "true", "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
            "--global.developmentMode", "false"]


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
